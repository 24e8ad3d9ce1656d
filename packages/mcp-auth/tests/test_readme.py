"""The README's "protect a FastMCP server" example runs as written and protects the server."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

import httpx
import pytest

from mcp_auth import create_api_key

README = Path(__file__).parents[1] / "README.md"


async def _audit_lines(path: Path, count: int) -> str:
    # The example's logger writes from its background thread: wait (bounded) for the lines.
    for _ in range(200):
        text = path.read_text() if path.exists() else ""  # noqa: ASYNC240 - tiny test file
        if text.count("\n") >= count:
            return text
        await asyncio.sleep(0.05)
    raise AssertionError(f"expected {count} audit lines, got: {text!r}")


def _example() -> str:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)
    return str(blocks[0])


def test_example_is_under_20_lines() -> None:
    lines = [line for line in _example().splitlines() if line.strip()]
    assert len(lines) < 20


@pytest.mark.skipif(sys.version_info < (3, 11), reason="the example uses FastMCP 4 (Python 3.11+)")
async def test_example_protects_the_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the example's keys.json and audit.jsonl are relative
    key = create_api_key("keys.json", "ci", ["mcp:access", "reports:read"]).key
    source = _example().replace('mcp.run(transport="http", host="127.0.0.1", port=8000)', "")
    namespace: dict[str, object] = {}
    exec(compile(source, str(README), "exec"), namespace)  # noqa: S102 - our own README
    app = namespace["mcp"].http_app(stateless_http=True, json_response=True)  # type: ignore[attr-defined]
    headers = {
        "accept": "application/json, text/event-stream",
        "content-type": "application/json",
        "mcp-protocol-version": "2025-11-25",
    }
    call = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": "get_report", "arguments": {"report_id": "7"}},
    }
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="https://reports.example.com"
        ) as client,
    ):
        refused = await client.post("/mcp", json=call, headers=headers)
        assert refused.status_code == 401
        assert "resource_metadata=" in refused.headers["www-authenticate"]
        metadata = (await client.get("/.well-known/oauth-protected-resource/mcp")).json()
        assert metadata["scopes_supported"] == ["mcp:access", "reports:read"]
        accepted = await client.post(
            "/mcp", json=call, headers=headers | {"authorization": f"Bearer {key}"}
        )
        assert accepted.status_code == 200
        assert "report 7" in accepted.text
    audit_lines = await _audit_lines(tmp_path / "audit.jsonl", count=2)
    assert key not in audit_lines
    assert '"event":"auth.success"' in audit_lines
