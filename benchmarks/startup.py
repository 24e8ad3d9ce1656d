"""Start-up time over stdio: spawn → ``tools/list`` answered (goal: within 1.2x of a bare
FastMCP hello-world server measured in the same run).

Usage: ``uv run python benchmarks/startup.py [--runs 7]``. Both servers are spawned by an MCP
client over stdio, alternately, ``--runs`` times each; the figure is the median wall time from
spawning the process to receiving the ``tools/list`` result (client start-up excluded).
``confluence-mcp`` gets a syntactically valid configuration whose Confluence is never called:
listing tools must not touch Confluence.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from fastmcp import Client
from fastmcp.client.transports import StdioTransport

HELLO_WORLD = """\
from fastmcp import FastMCP

mcp = FastMCP("hello")


@mcp.tool
def hello(name: str) -> str:
    \"\"\"Say hello.\"\"\"
    return f"Hello, {name}!"


if __name__ == "__main__":
    mcp.run(show_banner=False)
"""

CONFLUENCE_ENV = {
    "CONFLUENCE_URL": "https://example.atlassian.net/wiki",
    "CONFLUENCE_USERNAME": "bench@example.com",
    "CONFLUENCE_API_TOKEN": "never-used",
}


async def time_to_tools_list(command: str, args: list[str], env: dict[str, str]) -> float:
    """Seconds from spawning the server to the answer of its first ``tools/list``."""
    transport = StdioTransport(command, args, env=env, keep_alive=False, log_file=Path(os.devnull))
    started = time.perf_counter()
    async with Client(transport) as client:
        await client.list_tools()
        return time.perf_counter() - started


async def run(runs: int) -> dict[str, list[float]]:
    script = shutil.which("confluence-mcp", path=str(Path(sys.executable).parent))
    ours = ([script], []) if script else ([sys.executable], ["-m", "confluence_mcp"])
    with tempfile.TemporaryDirectory() as tmp:
        hello = Path(tmp) / "hello_server.py"
        hello.write_text(HELLO_WORLD, encoding="utf-8")
        base_env = {"PATH": os.environ.get("PATH", "")}
        servers = {
            "fastmcp hello-world": (sys.executable, [str(hello)], base_env),
            "confluence-mcp": (ours[0][0], ours[1], {**base_env, **CONFLUENCE_ENV}),
        }
        for command, args, env in servers.values():  # warm the OS caches once
            await time_to_tools_list(command, args, env)
        timings: dict[str, list[float]] = {name: [] for name in servers}
        for _ in range(runs):
            for name, (command, args, env) in servers.items():
                timings[name].append(await time_to_tools_list(command, args, env))
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7, help="spawns per server (>= 5)")
    args = parser.parse_args()
    runs = max(5, args.runs)
    timings = asyncio.run(run(runs))
    medians = {name: statistics.median(values) for name, values in timings.items()}
    for name, values in timings.items():
        shown = ", ".join(f"{value:.2f}" for value in values)
        print(f"{name:22} median {medians[name]:.3f} s  (runs: {shown})")
    ratio = medians["confluence-mcp"] / medians["fastmcp hello-world"]
    print(f"{'ratio':22} {ratio:.2f}x (goal <= 1.20x)")


if __name__ == "__main__":
    main()
