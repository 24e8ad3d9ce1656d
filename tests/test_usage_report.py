"""The usage report over an audit log written by a real server run.

A server on a loopback socket, with the audit log in a file, serves two API keys: a reader
who searches and reads, and is refused a write; a writer who also hits a missing page. Then
the ``confluence-mcp audit report`` console script reads that file.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport

from confluence_client.testing import FakeConfluenceServer
from confluence_mcp.app import create_server
from confluence_mcp.http.app import create_http_app
from confluence_mcp.http.layer import build_http_layer
from confluence_mcp.http.serving import running_http_server
from confluence_mcp.remote.settings import load_remote_settings
from mcp_auth import create_api_key
from tests.conftest import confluence_mcp_command


async def serve_traffic(fake: FakeConfluenceServer, tmp_path: Path) -> Path:
    keys, audit = tmp_path / "keys.json", tmp_path / "audit.jsonl"
    reader = create_api_key(keys, "reader", ["confluence:read"]).key
    writer = create_api_key(keys, "writer", ["confluence:read", "confluence:write"]).key
    remote = load_remote_settings(
        {
            "confluence_url": fake.wiki_url,
            "confluence_username": fake.credentials.username,
            "confluence_api_token": fake.credentials.api_token,
            "confluence_deployment": "cloud",
            "transport": "http",
            "mcp_audit_log": str(audit),
            "mcp_api_keys_file": keys,
        },
        env_file=None,
    )
    mcp = create_server(remote.core)
    layer = build_http_layer(mcp, remote)
    app = create_http_app(mcp, remote.core, routes=layer.routes, middleware=layer.middleware)
    async with running_http_server(app) as base:
        async with Client(StreamableHttpTransport(f"{base}/mcp", auth=reader)) as client:
            for query in ("onboarding", "release", "design"):
                await client.call_tool("search", {"query": query})
            await client.call_tool("list_spaces", {})
        async with httpx.AsyncClient() as http:
            refused = await http.post(
                f"{base}/mcp",
                json={
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "tools/call",
                    "params": {"name": "create_page", "arguments": {"space_key": "DEMO"}},
                },
                headers={
                    "accept": "application/json, text/event-stream",
                    "authorization": f"Bearer {reader}",
                },
            )
            assert refused.status_code == 403
        async with Client(StreamableHttpTransport(f"{base}/mcp", auth=writer)) as client:
            await client.call_tool("list_spaces", {})
            await client.call_tool("get_page", {"page_id": "424242"}, raise_on_error=False)
    return audit


def report(*argv: str) -> str:
    result = subprocess.run(
        [*confluence_mcp_command(), "audit", "report", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


async def test_usage_report_over_a_server_run(tmp_path: Path) -> None:
    with FakeConfluenceServer(seed="demo") as fake:
        audit = await serve_traffic(fake, tmp_path)
    by_tool = json.loads(report(str(audit), "--format", "json", "--since", "1d"))
    rows = {row["key"]: row for row in by_tool["rows"]}
    assert (rows["search"]["calls"], rows["search"]["errors"]) == (3, 0)
    assert rows["list_spaces"]["calls"] == 2
    assert (rows["get_page"]["calls"], rows["get_page"]["errors"]) == (1, 1)
    assert (rows["create_page"]["calls"], rows["create_page"]["denied"]) == (1, 1)
    assert rows["search"]["p50_ms"] > 0
    assert by_tool["refused_scopes"] == [{"scope": "confluence:write", "count": 1}]
    assert by_tool["malformed_lines"] == 0
    by_principal = report(str(audit), "--by", "principal")
    lines = by_principal.splitlines()
    assert lines[1].split()[:3] == ["PRINCIPAL", "CALLS", "ERRORS"]
    assert lines[2].split()[:4] == ["reader", "5", "0", "1"]
    assert lines[3].split()[:3] == ["writer", "2", "1"]
