"""Instructions per ``get_page`` call in the server process, counted by valgrind's callgrind.

Usage: ``uv run python benchmarks/instructions.py [--calls 200] [--clients 8] [--bare]
[--baseline DIR]``.

Wall-clock and CPU-time figures move with whatever else runs on a shared machine; an
instruction count barely does, so this is the figure to compare two versions of the code with.
The fake Confluence (demo seed) runs natively; each server runs alone under
``valgrind --tool=callgrind`` with instrumentation off during start-up and warm-up (so they
stay fast), switched on with ``callgrind_control`` only around ``--calls`` ``get_page`` calls
made by ``--clients`` MCP sessions over Streamable HTTP (sessions opened before, closed after),
then dumped. Measured: confluence-mcp from this workspace, with ``--bare`` a bare FastMCP server
whose one tool makes one GET to the same fake, with ``--baseline`` another checkout's sources
(e.g. ``git archive main``) as "before". Under valgrind a server runs ~50x slower: keep
``--calls`` modest.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from _harness import (
    McpSession,
    ServerProcess,
    bare_fastmcp,
    benchmark_parser,
    confluence_mcp,
    print_report,
    start_fake,
)

__all__ = ["main", "run"]

PACKAGES = ("confluence-client", "confluence-mcp", "mcp-auth")
BARE = "bare FastMCP"


def _under_callgrind(server: ServerProcess, out: Path) -> ServerProcess:
    """The same server, run by ``python`` itself (valgrind must see the interpreter, not a
    launcher script) under callgrind with instrumentation off until switched on."""
    argv = server.argv
    if "serve" in argv:  # confluence-mcp: the console script or ``python -m``
        argv = [sys.executable, "-m", "confluence_mcp", *argv[argv.index("serve") :]]
    server.argv = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        f"--callgrind-out-file={out}",
        *argv,
    ]
    return server


def _control(pid: int, *options: str) -> None:
    subprocess.run(["callgrind_control", *options, str(pid)], check=True, capture_output=True)


def _dumped_total(out: Path, within: float = 60) -> int:
    """Instructions in the first dump (``<out>.1``), once callgrind has written it whole."""
    dump = Path(f"{out}.1")
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if dump.exists():
            for line in dump.read_text(encoding="utf-8", errors="replace").splitlines():
                if line.startswith("totals:"):
                    return int(line.split()[1])
        time.sleep(0.2)
    raise RuntimeError(f"callgrind wrote no dump to {dump}")


async def _measure(
    server: ServerProcess, out: Path, page_id: str, clients: int, calls: int
) -> dict[str, float]:
    """Warm the server up, count ``calls`` get_page calls over ``clients`` sessions."""
    per_client = max(1, calls // clients)
    errors = 0
    async with httpx.AsyncClient(timeout=600) as http:
        sessions = [McpSession(http, server.url) for _ in range(clients)]
        await asyncio.gather(*(session.open() for session in sessions))

        async def loop(session: McpSession, count: int) -> None:
            nonlocal errors
            for _ in range(count):
                try:
                    await session.call("get_page", {"page_id": page_id})
                except Exception:
                    errors += 1

        # Warm-up: imports done lazily, connection pools, caches (confluence-mcp's
        # conversion cache included, as compare_load.py's figures assume).
        await asyncio.gather(*(loop(session, 2) for session in sessions))
        errors = 0
        _control(server.pid, "--instr=on")
        await asyncio.gather(*(loop(session, per_client) for session in sessions))
        _control(server.pid, "--instr=off")
        _control(server.pid, "--dump")
        await asyncio.gather(*(session.close() for session in sessions), return_exceptions=True)
    done = per_client * clients
    return {"calls": done, "errors": errors, "instructions": _dumped_total(out) / done}


async def _page_id(server: ServerProcess) -> str:
    async with httpx.AsyncClient(timeout=600) as http:
        session = McpSession(http, server.url)
        await session.open()
        page = await session.call("get_page", {"title": "Getting Started", "space_key": "DEMO"})
        await session.close()
        return str(page["id"])


async def run(
    calls: int, clients: int, bare: bool = False, baseline: Path | None = None
) -> dict[str, dict[str, float]]:
    """``{server name: {"calls", "errors", "instructions" (per call)}}``, one server at a time."""
    fake = start_fake()
    servers = [confluence_mcp(fake.url)]
    results: dict[str, dict[str, float]] = {}
    try:
        if baseline is not None:
            # The other checkout's sources ahead of this workspace's, as compare_load.py.
            paths = ":".join(str(baseline / "packages" / name / "src") for name in PACKAGES)
            before = confluence_mcp(fake.url, {"PYTHONPATH": paths})
            before.name = "confluence-mcp (before)"
            servers.append(before)
        if bare:
            servers.append(bare_fastmcp(fake.url))
        with tempfile.TemporaryDirectory(prefix="callgrind-") as folder:
            page_id = ""
            for index, server in enumerate(servers):
                out = Path(folder) / f"callgrind.{index}.out"
                _under_callgrind(server, out).start()
                await server.wait_mcp(600)
                page_id = page_id or await _page_id(server)
                results[server.name] = await _measure(server, out, page_id, clients, calls)
                server.stop()  # one at a time: valgrind is slow enough alone
    finally:
        for server in servers:  # stop() also removes a server's files, started or not
            server.stop()
        fake.stop()
    return results


def report(results: dict[str, dict[str, float]], clients: int) -> list[str]:
    """One line per server: millions of instructions per call, and the ratio to bare FastMCP."""
    bare = results.get(BARE)
    lines = []
    for name, row in results.items():
        shown = bare is not None and name != BARE
        ratio = f"  {row['instructions'] / bare['instructions']:.2f}x {BARE}" if shown else ""
        errors = f"  ERRORS: {row['errors']:.0f}" if row["errors"] else ""
        lines.append(
            f"{name:24} {row['calls']:.0f} calls from {clients} clients: "
            f"{row['instructions'] / 1e6:7.2f} M instructions/call{ratio}{errors}"
        )
    return lines


def main() -> None:
    parser = benchmark_parser(__doc__, 200, "measured get_page calls")
    parser.add_argument("--clients", type=int, default=8, help="concurrent MCP sessions")
    parser.add_argument("--bare", action="store_true", help="also measure a bare FastMCP server")
    args = parser.parse_args()
    missing = [tool for tool in ("valgrind", "callgrind_control") if not shutil.which(tool)]
    if missing:
        print(
            f"{' and '.join(missing)} not found: install valgrind (e.g. apt-get install "
            "valgrind) to count instructions",
            file=sys.stderr,
        )
        sys.exit(2)
    started = time.monotonic()
    try:
        results = asyncio.run(run(args.calls, args.clients, args.bare, args.baseline))
    except KeyboardInterrupt:
        print("interrupted: every process started was stopped", file=sys.stderr)
        sys.exit(130)
    print_report(report(results, args.clients))
    print(f"(measured in {time.monotonic() - started:.0f} s under valgrind)")


if __name__ == "__main__":
    main()
