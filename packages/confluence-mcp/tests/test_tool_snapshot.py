"""What models see is deliberate: every tool's name, description and schemas, snapshotted.

A change to any of them fails this test until the snapshot is regenerated and reviewed:
``UPDATE_TOOL_SNAPSHOT=1 uv run pytest packages/confluence-mcp/tests/test_tool_snapshot.py``
(then look at the diff of ``tests/snapshots/tools.json``; ``benchmarks/schema.py`` gives the
byte and token cost).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from fastmcp import Client

from confluence_mcp.app import create_server
from confluence_mcp.settings import Settings

SNAPSHOT = Path(__file__).parent / "snapshots" / "tools.json"


async def current_tools() -> dict[str, Any]:
    settings = Settings(
        _env_file=None,
        confluence_url="https://example.atlassian.net/wiki",
        confluence_username="snapshot@example.com",
        confluence_api_token="unused",  # listing tools never calls Confluence
    )
    async with Client(create_server(settings)) as client:
        result = await client.list_tools_mcp()
    return {
        tool.name: tool.model_dump(mode="json", by_alias=True, exclude_none=True)
        for tool in sorted(result.tools, key=lambda tool: tool.name)
    }


async def test_tools_match_the_snapshot() -> None:
    tools = await current_tools()
    if os.environ.get("UPDATE_TOOL_SNAPSHOT") == "1":
        SNAPSHOT.write_text(json.dumps(tools, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    recorded = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert sorted(tools) == sorted(recorded), "tools were added or removed"
    for name, tool in tools.items():
        assert tool == recorded[name], f"{name} changed: regenerate the snapshot and review it"
