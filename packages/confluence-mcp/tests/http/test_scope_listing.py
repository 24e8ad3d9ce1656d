"""Scope-filtered lists over real HTTP: each API key sees only what its scopes allow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport

from confluence_mcp.app import create_server
from confluence_mcp.remote.auth import confluence_scope_policy
from confluence_mcp.remote.scopes import SCOPE_ADMIN, SCOPE_DELETE, SCOPE_READ, SCOPE_WRITE
from mcp_auth import create_api_key

KEYS = {
    "reader": (SCOPE_READ,),
    "writer": (SCOPE_READ, SCOPE_WRITE),
    "admin": (SCOPE_READ, SCOPE_WRITE, SCOPE_DELETE, SCOPE_ADMIN),
}
HEADERS = {
    "accept": "application/json, text/event-stream",
    "content-type": "application/json",
    "mcp-protocol-version": "2025-06-18",
}


async def _listed(base: str, key: str) -> dict[str, set[str]]:
    async with Client(StreamableHttpTransport(f"{base}/mcp", auth=key)) as client:
        return {
            "tools": {tool.name for tool in await client.list_tools()},
            "prompts": {prompt.name for prompt in await client.list_prompts()},
            "templates": {t.name for t in await client.list_resource_templates()},
        }


async def test_each_key_lists_what_its_scopes_allow(
    remote_settings_for: Any, serve_remote: Any, tmp_path: Path
) -> None:
    path = tmp_path / "keys.json"
    made = {name: create_api_key(path, name, scopes).key for name, scopes in KEYS.items()}
    settings = remote_settings_for(mcp_api_keys_file=path, mcp_ip_rate_limit="off")
    async with serve_remote(settings) as (base, _):
        listed = {name: await _listed(base, key) for name, key in made.items()}
        async with httpx.AsyncClient() as http:
            call = {
                "jsonrpc": "2.0",
                "id": 7,
                "method": "tools/call",
                "params": {"name": "delete_page", "arguments": {"page_id": "1"}},
            }
            refused = await http.post(
                f"{base}/mcp",
                json=call,
                headers={**HEADERS, "authorization": f"Bearer {made['writer']}"},
            )

    # What each key should see, from the server's own components and the policy.
    reference = create_server(settings.core)
    policy = confluence_scope_policy()
    components = {
        "tools": await reference.list_tools(),
        "prompts": await reference.list_prompts(),
        "templates": await reference.list_resource_templates(),
    }
    for name, scopes in KEYS.items():
        for kind, items in components.items():
            expected = {c.name for c in items if policy.allows(scopes, c.name, c.tags)}
            assert listed[name][kind] == expected, (name, kind)
    # The policy really splits the tools: each wider key sees strictly more.
    assert listed["reader"]["tools"] < listed["writer"]["tools"] < listed["admin"]["tools"]
    assert listed["admin"]["tools"] == {tool.name for tool in components["tools"]}
    assert "delete_page" not in listed["writer"]["tools"]
    assert listed["reader"]["prompts"]
    assert listed["reader"]["templates"]

    # A hidden tool still answers 403 insufficient_scope naming the scope to request.
    assert refused.status_code == 403
    challenge = refused.headers["www-authenticate"]
    assert 'error="insufficient_scope"' in challenge
    assert f'scope="{SCOPE_DELETE}"' in challenge
    assert refused.json()["error"]["data"]["missing_scopes"] == [SCOPE_DELETE]
