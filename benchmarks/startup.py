"""Start-up time over stdio: spawn → ``tools/list`` answered (goal: within 1.1x of a bare
FastMCP hello-world server measured in the same run).

Usage: ``uv run python benchmarks/startup.py [--runs 7]``. Both servers are spawned by an MCP
client over stdio, alternately, ``--runs`` times each; the figure is the median wall time from
spawning the process to receiving the ``tools/list`` result (client start-up excluded), and
the median CPU time (user + system) the server process used from spawn to exit: on a shared
machine wall time swings with the neighbours' load, CPU time much less.
``confluence-mcp`` gets a syntactically valid configuration whose Confluence is never called:
listing tools must not touch Confluence.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
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


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def time_to_tools_list(
    command: str, args: list[str], env: dict[str, str]
) -> tuple[float, float]:
    """Seconds from spawning the server to the answer of its first ``tools/list``, and the
    CPU seconds the server used (counted once it has exited and been reaped)."""
    transport = StdioTransport(command, args, env=env, keep_alive=False, log_file=Path(os.devnull))
    cpu = _children_cpu()
    started = time.perf_counter()
    async with Client(transport) as client:
        await client.list_tools()
        wall = time.perf_counter() - started
    return wall, _children_cpu() - cpu


async def run(runs: int, baseline: Path | None = None) -> dict[str, list[tuple[float, float]]]:
    """``runs`` timings per server; with ``baseline`` (another checkout) its server too."""
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
        if baseline is not None:
            # That checkout's sources ahead of this workspace's (same interpreter and deps).
            paths = ":".join(
                str(baseline / "packages" / name / "src")
                for name in ("confluence-client", "confluence-mcp", "mcp-auth")
            )
            servers["confluence-mcp (before)"] = (
                ours[0][0],
                ours[1],
                {**base_env, **CONFLUENCE_ENV, "PYTHONPATH": paths},
            )
        for command, args, env in servers.values():  # warm the OS caches once
            await time_to_tools_list(command, args, env)
        timings: dict[str, list[tuple[float, float]]] = {name: [] for name in servers}
        for _ in range(runs):
            for name, (command, args, env) in servers.items():
                timings[name].append(await time_to_tools_list(command, args, env))
    return timings


def summarize(timings: dict[str, list[tuple[float, float]]]) -> dict[str, dict[str, float]]:
    """Median wall and CPU seconds per server, and the ratios of ours to the hello server."""
    result = {
        name: {
            "wall_s": statistics.median(wall for wall, _ in values),
            "cpu_s": statistics.median(cpu for _, cpu in values),
        }
        for name, values in timings.items()
    }
    hello = result["fastmcp hello-world"]
    for name in [name for name in result if name.startswith("confluence-mcp")]:
        key = "ratio" + name.removeprefix("confluence-mcp")
        result[key] = {
            "wall_s": result[name]["wall_s"] / hello["wall_s"],
            "cpu_s": result[name]["cpu_s"] / hello["cpu_s"],
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7, help="spawns per server (>= 5)")
    parser.add_argument("--baseline", type=Path, help="another checkout to measure too")
    args = parser.parse_args()
    timings = asyncio.run(run(max(5, args.runs), args.baseline))
    summary = summarize(timings)
    for name, values in timings.items():
        shown = ", ".join(f"{wall:.2f}" for wall, _ in values)
        print(
            f"{name:22} median {summary[name]['wall_s']:.3f} s wall, "
            f"{summary[name]['cpu_s']:.3f} s CPU  (wall per run: {shown})"
        )
    for name, ratio in summary.items():
        if name.startswith("ratio"):
            print(
                f"{name:22} {ratio['wall_s']:.2f}x wall, {ratio['cpu_s']:.2f}x CPU (goal <= 1.10x)"
            )


if __name__ == "__main__":
    main()
