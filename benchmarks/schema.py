"""Bytes of ``tools/list``: total and per tool (goal: <= 600 bytes per tool on average),
and per toolset with an estimated token count.

Usage: ``uv run python benchmarks/schema.py [--json] [--peer COMMAND]``. Measures the JSON
the server sends for each tool (compact separators, as on the wire) through an in-memory MCP
client; no Confluence is contacted (listing tools never calls it). Tokens are estimated at
``CHARS_PER_TOKEN`` characters a token (the same estimate as ``get_page``'s ``max_tokens``):
what a model pays for the tool list on every request. ``--peer`` also measures another stdio
server the same way (e.g. an installed ``mcp-atlassian`` given Confluence settings and
``TOOLSETS=all``) and prints both side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

from fastmcp import Client

from confluence_mcp.app import create_server
from confluence_mcp.settings import Settings
from confluence_mcp.tools.pages import CHARS_PER_TOKEN

GOAL_BYTES_PER_TOOL = 600


TOOLSETS = ("read", "write", "delete", "attachments", "admin")


def _settings(**overrides: Any) -> Settings:
    return Settings(
        _env_file=None,
        confluence_url="https://example.atlassian.net/wiki",
        confluence_username="bench@example.com",
        confluence_api_token="unused",  # noqa: S106 - listing tools never calls Confluence
        **overrides,
    )


async def measure_toolsets() -> dict[str, dict[str, int]]:
    """Per ``TOOLSETS`` value: tool count, ``tools/list`` bytes and estimated tokens."""
    out: dict[str, dict[str, int]] = {}
    for toolset in (*TOOLSETS, "all"):
        overrides = {} if toolset == "all" else {"toolsets": toolset}
        async with Client(create_server(_settings(**overrides))) as client:
            result = await client.list_tools_mcp()
        size = len(result.model_dump_json(by_alias=True, exclude_none=True))
        out[toolset] = {
            "tools": len(result.tools),
            "bytes": size,
            "tokens": -(-size // CHARS_PER_TOKEN),
        }
    return out


_PEER_ENV = {
    "CONFLUENCE_URL": "https://example.atlassian.net/wiki",
    "CONFLUENCE_USERNAME": "bench@example.com",
    "CONFLUENCE_API_TOKEN": "unused",
    "TOOLSETS": "all",
}


async def measure(peer: str | None = None) -> dict[str, Any]:
    """Per-tool byte counts and the size of the whole ``tools/list`` result (of this server
    with every tool on, or of the stdio server ``peer`` starts)."""
    if peer is None:
        target: Any = create_server(_settings(toolsets="all"))
    else:
        import os
        import shlex

        from fastmcp.client.transports import StdioTransport

        command, *args = shlex.split(peer)
        target = StdioTransport(command, args, env={**os.environ, **_PEER_ENV})
    async with Client(target) as client:
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
    parser.add_argument("--peer", help="stdio command of another server to compare with")
    args = parser.parse_args()
    figures = asyncio.run(measure())
    if args.peer:
        _compare(figures, asyncio.run(measure(args.peer)))
        return
    toolsets = asyncio.run(measure_toolsets())
    tools: dict[str, int] = figures["tools"]
    average = sum(tools.values()) / len(tools)
    if args.json:
        extra = {"average_bytes_per_tool": round(average, 1), "toolsets": toolsets}
        print(json.dumps({**figures, **extra}))
        return
    for name, size in sorted(tools.items(), key=lambda item: -item[1]):
        print(f"{name:24} {size:6d} B")
    print(f"{'tools':24} {len(tools):6d}")
    print(f"{'sum of tools':24} {sum(tools.values()):6d} B")
    print(f"{'tools/list result':24} {figures['result_bytes']:6d} B")
    print(f"{'average per tool':24} {average:8.1f} B (goal <= {GOAL_BYTES_PER_TOOL})")
    print(f"{'result / tool':24} {figures['result_bytes'] / len(tools):8.1f} B")
    print()
    print(f"{'toolset':12} {'tools':>6} {'bytes':>8} {'~tokens':>8}")
    for name, row in toolsets.items():
        print(f"{name:12} {row['tools']:6d} {row['bytes']:8d} {row['tokens']:8d}")


def _compare(ours: dict[str, Any], peer: dict[str, Any]) -> None:
    def per_tool(figures: dict[str, Any]) -> float:
        return float(figures["result_bytes"]) / max(1, figures["tool_count"])

    print(f"{'':24} {'this server':>12} {'peer':>12} {'ratio':>7}")
    for label, a, b in (
        ("tools", ours["tool_count"], peer["tool_count"]),
        ("tools/list bytes", ours["result_bytes"], peer["result_bytes"]),
        ("bytes per tool", per_tool(ours), per_tool(peer)),
    ):
        print(f"{label:24} {a:12.0f} {b:12.0f} {a / b:7.3f}")


if __name__ == "__main__":
    main()
