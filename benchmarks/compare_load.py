"""``get_page`` under load: confluence-mcp vs mcp-atlassian vs a bare FastMCP server.

Usage: ``uv run python benchmarks/compare_load.py [--calls 320] [--rounds 2] [--workers 4]
[--json out.json]``.

The fake Confluence (demo seed) and the three servers run as separate processes on 127.0.0.1;
at 1, 8 and 32 concurrent MCP sessions each server answers ``--calls`` ``get_page`` calls per
round, servers interleaved round by round so that they share the machine's noise. Printed per
server and level: calls/s, p50, p99, upstream requests per call (the fake's request log), the
server's peak RSS while loaded (VmRSS sampled every 50 ms) and the server process's CPU time
per call (/proc; the steadiest figure on a shared machine), and the load generator's CPU per
call. The sessions of a level are spread over ``--workers`` load-generator processes, each
with its own event loop and one connection per session, the same for every server; each
session speaks MCP in full (initialize, initialized, session id, every ``tools/call``
answer checked for errors). mcp-atlassian is installed
from the package index into a throwaway venv (``--mcp-atlassian-venv``) and talks to the
fake's Data Center base (v1 content API); the bare server does one GET per call.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx
from _harness import (
    McpSession,
    ServerProcess,
    bare_fastmcp,
    benchmark_parser,
    confluence_mcp,
    cpu_seconds,
    ensure_mcp_atlassian,
    mcp_atlassian,
    percentile,
    pool_limits,
    print_report,
    proc_status,
    start_fake,
    upstream_requests,
)

__all__ = ["main", "run"]

LEVELS = (1, 8, 32)
# Load-generator processes: the sessions of a level are spread over them (fewer if fewer).
WORKERS = 2
PACKAGES = ("confluence-client", "confluence-mcp", "mcp-auth")


@dataclass
class Target:
    server: ServerProcess
    tool: str
    arguments: dict[str, Any]
    latencies: dict[int, list[float]] = field(default_factory=dict)
    elapsed: dict[int, float] = field(default_factory=dict)
    upstream: dict[int, int] = field(default_factory=dict)
    peak_rss_kb: dict[int, int] = field(default_factory=dict)
    cpu_s: dict[int, float] = field(default_factory=dict)
    load_cpu_s: dict[int, float] = field(default_factory=dict)
    errors: int = 0


async def _sample_rss(pid: int, peak: list[int], stop: asyncio.Event) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], proc_status(pid)["VmRSS"])
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.05)


@dataclass(frozen=True)
class _Job:
    """What one load-generator process does: ``sessions`` sessions, ``per_session`` calls each."""

    url: str
    tool: str
    arguments: dict[str, Any]
    sessions: int
    per_session: int


def _worker(connection: Connection, job: _Job) -> None:
    """A load-generator process: open the sessions, say ready; on "go" make the calls and send
    back latencies, errors, start/end (perf_counter: CLOCK_MONOTONIC, the same clock in every
    process) and CPU time; on "close" end the sessions."""
    asyncio.run(_worker_sessions(connection, job))


async def _worker_sessions(connection: Connection, job: _Job) -> None:
    loop = asyncio.get_running_loop()
    async with contextlib.AsyncExitStack() as stack:
        # One client (one connection) per session: httpx's shared pool scans every connection
        # for every request, a cost that grew with the sessions and was the load generator's.
        clients = [
            await stack.enter_async_context(httpx.AsyncClient(timeout=120, limits=pool_limits(1)))
            for _ in range(job.sessions)
        ]
        opened = [McpSession(http, job.url) for http in clients]
        await asyncio.gather(*(session.open() for session in opened))
        connection.send("ready")
        await loop.run_in_executor(None, connection.recv)  # "go"
        latencies: list[float] = []
        errors = 0

        async def calls(session: McpSession) -> None:
            nonlocal errors
            for _ in range(job.per_session):
                started = time.perf_counter()
                try:
                    await session.call(job.tool, job.arguments)
                except Exception:
                    errors += 1
                latencies.append(time.perf_counter() - started)

        cpu = time.process_time()
        started = time.perf_counter()
        await asyncio.gather(*(calls(session) for session in opened))
        ended = time.perf_counter()
        connection.send((latencies, errors, started, ended, time.process_time() - cpu))
        await loop.run_in_executor(None, connection.recv)  # "close"
        await asyncio.gather(*(session.close() for session in opened), return_exceptions=True)
    connection.send("closed")


async def _load(target: Target, clients: int, calls: int, fake: str, workers: int) -> None:
    """``clients`` sessions spread over ``workers`` load-generator processes (each with its
    own event loop: one loop answering 32 sessions adds its own queueing to the latencies)."""
    workers = max(1, min(workers, clients))
    per_client = max(1, calls // clients)
    context = multiprocessing.get_context("spawn")
    pipes, processes = [], []
    for index in range(workers):
        parent, child = context.Pipe()
        share = clients // workers + (1 if index < clients % workers else 0)
        job = _Job(target.server.url, target.tool, target.arguments, share, per_client)
        process = context.Process(target=_worker, args=(child, job), daemon=True)
        process.start()
        child.close()  # the child's end lives in the child: its exit is EOF here
        pipes.append(parent)
        processes.append(process)

    async def receive_all() -> list[Any]:
        return list(await asyncio.gather(*(asyncio.to_thread(pipe.recv) for pipe in pipes)))

    try:
        async with httpx.AsyncClient(timeout=120) as http:
            await receive_all()  # every session open
            await http.delete(f"{fake}/__fake__/requests")
            peak = [0]
            stop = asyncio.Event()
            sampler = asyncio.create_task(_sample_rss(target.server.pid, peak, stop))
            cpu = cpu_seconds(target.server.pid)
            for pipe in pipes:
                pipe.send("go")
            results = await receive_all()
            used = cpu_seconds(target.server.pid) - cpu
            stop.set()
            await sampler
            latencies = target.latencies.setdefault(clients, [])
            for worker_latencies, errors, _, _, worker_cpu in results:
                latencies.extend(worker_latencies)
                target.errors += errors
                target.load_cpu_s[clients] = target.load_cpu_s.get(clients, 0.0) + worker_cpu
            elapsed = max(r[3] for r in results) - min(r[2] for r in results)
            target.elapsed[clients] = target.elapsed.get(clients, 0.0) + elapsed
            target.cpu_s[clients] = target.cpu_s.get(clients, 0.0) + used
            target.peak_rss_kb[clients] = max(target.peak_rss_kb.get(clients, 0), peak[0])
            target.upstream[clients] = target.upstream.get(clients, 0) + len(
                await upstream_requests(http, fake)
            )
            for pipe in pipes:
                pipe.send("close")
            await receive_all()
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()


async def _page_id(server: ServerProcess) -> str:
    async with httpx.AsyncClient(timeout=60) as http:
        session = McpSession(http, server.url)
        await session.open()
        page = await session.call("get_page", {"title": "Getting Started", "space_key": "DEMO"})
        await session.close()
        return str(page["id"])


def summary(target: Target) -> dict[str, Any]:
    """Per level: calls/s, p50/p99 (ms), upstream requests per call, peak RSS (MB)."""
    levels = {}
    for clients, latencies in target.latencies.items():
        levels[str(clients)] = {
            "calls": len(latencies),
            "calls_per_s": len(latencies) / target.elapsed[clients],
            "p50_ms": statistics.median(latencies) * 1000,
            "p99_ms": percentile(latencies, 0.99) * 1000,
            "upstream_per_call": target.upstream[clients] / len(latencies),
            "peak_rss_mb": target.peak_rss_kb[clients] / 1024,
            "server_cpu_ms_per_call": target.cpu_s[clients] * 1000 / len(latencies),
            "load_cpu_ms_per_call": target.load_cpu_s[clients] * 1000 / len(latencies),
        }
    return {"levels": levels, "errors": target.errors}


async def run(
    calls: int,
    rounds: int,
    ma_venv: Path | None,
    log: Callable[[str], None] = print,
    baseline: Path | None = None,
    workers: int = WORKERS,
) -> dict[str, Any]:
    """Measure every server; returns ``{server name: summary}``."""
    fake = start_fake()
    servers: list[ServerProcess] = []
    try:
        ours = confluence_mcp(fake.url).start()
        servers.append(ours)
        await ours.wait_mcp()
        page_id = await _page_id(ours)
        targets = [Target(ours, "get_page", {"page_id": page_id})]
        bare = bare_fastmcp(fake.url).start()
        servers.append(bare)
        targets.append(Target(bare, "get_page", {"page_id": page_id}))
        if baseline is not None:
            # Another checkout's sources ahead of this workspace's: before/after in one run.
            paths = ":".join(str(baseline / "packages" / name / "src") for name in PACKAGES)
            before = confluence_mcp(fake.url, {"PYTHONPATH": paths})
            before.name = "confluence-mcp (before)"
            servers.append(before.start())
            targets.append(Target(before, "get_page", {"page_id": page_id}))
        if ma_venv is not None:
            ma = mcp_atlassian(ensure_mcp_atlassian(ma_venv), fake.url).start()
            servers.append(ma)
            targets.append(Target(ma, "confluence_get_page", {"page_id": page_id}))
        for target in targets:
            await target.server.wait_mcp()
            await _load(target, 2, 10, fake.url, 1)  # warm-up: imports, pools, caches
            target.latencies.clear()
            target.elapsed.clear()
            target.upstream.clear()
            target.peak_rss_kb.clear()
            target.cpu_s.clear()
            target.load_cpu_s.clear()
            target.errors = 0
        for clients in LEVELS:
            for round_ in range(rounds):
                # Alternate the order so no server always runs right after another's load.
                ordered = targets if round_ % 2 == 0 else targets[::-1]
                for target in ordered:
                    await _load(target, clients, calls, fake.url, workers)
            log(f"  {clients} client(s) done")
        return {target.server.name: summary(target) for target in targets}
    finally:
        for server in servers:
            server.stop()
        fake.stop()


def report(results: dict[str, Any]) -> list[str]:
    """Printable lines: one per server and level, then the ratios of the goals."""
    lines = []
    for name, result in results.items():
        for clients, row in result["levels"].items():
            lines.append(
                f"{name:15} {int(clients):2d} clients: {row['calls_per_s']:7.1f} calls/s  "
                f"p50 {row['p50_ms']:7.1f} ms  p99 {row['p99_ms']:7.1f} ms  "
                f"upstream/call {row['upstream_per_call']:.2f}  "
                f"peak RSS {row['peak_rss_mb']:6.1f} MB  "
                f"server CPU {row['server_cpu_ms_per_call']:5.1f} ms/call  "
                f"load generator CPU {row.get('load_cpu_ms_per_call', 0.0):4.1f} ms/call"
            )
        if result["errors"]:
            lines.append(f"{name:15} ERRORS: {result['errors']}")
    ours = results["confluence-mcp"]["levels"]["32"]
    bare = results["bare FastMCP"]["levels"]["32"]
    lines.append(
        f"peak RSS at 32 clients vs bare FastMCP: {ours['peak_rss_mb'] / bare['peak_rss_mb']:.2f}x"
        " (goal <= 1.15x)"
    )
    if "mcp-atlassian" in results:
        ma = results["mcp-atlassian"]["levels"]["32"]
        lines.append(
            f"throughput at 32 clients vs mcp-atlassian: "
            f"{ours['calls_per_s'] / ma['calls_per_s']:.2f}x (goal >= 3x); "
            f"p99 {ours['p99_ms'] / ma['p99_ms']:.2f}x (goal <= 0.5x)"
        )
    return lines


def main() -> None:
    parser = benchmark_parser(__doc__, 320, "calls per level and round")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds per level")
    parser.add_argument(
        "--mcp-atlassian-venv",
        type=Path,
        default=Path(tempfile.gettempdir()) / "mcp-atlassian-bench-venv",
        help="throwaway venv for mcp-atlassian (created when missing)",
    )
    parser.add_argument(
        "--workers", type=int, default=WORKERS, help="load-generator processes sharing the sessions"
    )
    parser.add_argument("--no-mcp-atlassian", action="store_true", help="skip mcp-atlassian")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args()
    venv = None if args.no_mcp_atlassian else args.mcp_atlassian_venv
    results = asyncio.run(
        run(args.calls, args.rounds, venv, baseline=args.baseline, workers=args.workers)
    )
    print_report(report(results), results, args.json)


if __name__ == "__main__":
    main()
