"""Bytes of ``tools/list``: total and per tool (goal: <= 600 bytes per tool on average).

Usage: ``uv run python benchmarks/schema.py [--json]``. Measures the JSON the server sends
for each tool (compact separators, as on the wire) through an in-memory MCP client; no
Confluence is contacted (listing tools never calls it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

from fastmcp import Client

from confluence_mcp.app import create_server
from confluence_mcp.settings import Settings

GOAL_BYTES_PER_TOOL = 600


def _settings() -> Settings:
    return Settings(
        _env_file=None,
        confluence_url="https://example.atlassian.net/wiki",
        confluence_username="bench@example.com",
        confluence_api_token="unused",  # noqa: S106 - listing tools never calls Confluence
    )


async def measure() -> dict[str, Any]:
    """Per-tool byte counts and the size of the whole ``tools/list`` result."""
    async with Client(create_server(_settings())) as client:
        result = await client.list_tools_mcp()
    tools = {
        tool.name: len(
            json.dumps(
                tool.model_dump(mode="json", by_alias=True, exclude_none=True),
                separators=(",", ":"),
            )
        )
        for tool in result.tools
    }
    whole = len(result.model_dump_json(by_alias=True, exclude_none=True))
    return {"tools": tools, "tool_count": len(tools), "result_bytes": whole}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    figures = asyncio.run(measure())
    tools: dict[str, int] = figures["tools"]
    average = sum(tools.values()) / len(tools)
    if args.json:
        print(json.dumps({**figures, "average_bytes_per_tool": round(average, 1)}))
        return
    for name, size in sorted(tools.items(), key=lambda item: -item[1]):
        print(f"{name:24} {size:6d} B")
    print(f"{'tools':24} {len(tools):6d}")
    print(f"{'sum of tools':24} {sum(tools.values()):6d} B")
    print(f"{'tools/list result':24} {figures['result_bytes']:6d} B")
    print(f"{'average per tool':24} {average:8.1f} B (goal <= {GOAL_BYTES_PER_TOOL})")
    print(f"{'result / tool':24} {figures['result_bytes'] / len(tools):8.1f} B")


if __name__ == "__main__":
    main()
