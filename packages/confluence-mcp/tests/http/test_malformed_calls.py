"""A denied tool call whose arguments hold a lone surrogate, over a loopback socket."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from mcp_auth import MemorySink, create_api_key

HEADERS = {
    "content-type": "application/json",
    "accept": "application/json, text/event-stream",
    "mcp-protocol-version": "2025-06-18",
}
# Valid JSON for Python's parser; a lone "\ud800" is not valid UTF-8 for anyone else.
SURROGATE_CALL = (
    '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"create_page",'
    '"arguments":{"space_key":"DEMO","title":"a\\ud800b","body":"x"}}}'
)
TRUNCATED = '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"create_page"'


async def test_lone_surrogate_gets_the_malformed_body_answer_and_is_audited(
    remote_settings_for: Any, serve_remote: Any, tmp_path: Path, audit_sink: MemorySink
) -> None:
    keys = tmp_path / "keys.json"
    reader = create_api_key(keys, "reader", ["confluence:read"]).key
    writer = create_api_key(keys, "writer", ["confluence:read", "confluence:write"]).key
    settings = remote_settings_for(mcp_api_keys_file=keys, stateless_http=True)
    async with serve_remote(settings) as (base, _layer), httpx.AsyncClient() as http:

        async def post(key: str, body: str) -> httpx.Response:
            auth = {"authorization": f"Bearer {key}"}
            return await http.post(f"{base}/mcp", content=body, headers={**HEADERS, **auth})

        denied = await post(reader, SURROGATE_CALL)
        allowed = await post(writer, SURROGATE_CALL)
        malformed = await post(reader, TRUNCATED)
    assert denied.status_code == allowed.status_code == malformed.status_code == 400
    assert denied.json()["error"]["code"] == malformed.json()["error"]["code"] == -32700
    events = [(event.event, event.subject) for event in audit_sink.events]
    assert ("authz.denied", "reader") in events
    calls = [e for e in audit_sink.events if e.event == "tool.call" and e.subject == "reader"]
    assert [(call.operation, call.outcome) for call in calls] == [("create_page", "denied")]
