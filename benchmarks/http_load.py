"""``get_page`` over Streamable HTTP under load: calls/s, p50, p99, upstream requests per call.

Usage: ``uv run python benchmarks/http_load.py [--calls 300] [--stateless]``.
The fake Confluence (demo seed) and ``confluence-mcp serve --transport http`` run as two
separate processes, so neither competes with the load generator for this process's CPU; 1 and
then 32 MCP clients (one session each) call ``get_page`` (markdown) on a demo page as fast as
they can. Upstream requests per call come from the fake's request log (its control endpoint).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import sys
import time
from pathlib import Path

import httpx
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _command() -> list[str]:
    script = shutil.which("confluence-mcp", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "confluence_mcp"]


async def _wait_until_serving(url: str, process: asyncio.subprocess.Process) -> None:
    last: Exception | None = None
    for _ in range(600):
        if process.returncode is not None:
            raise RuntimeError("confluence-mcp exited during start-up")
        try:
            async with Client(StreamableHttpTransport(url)) as client:
                await client.list_tools()
                return
        except Exception as exc:
            last = exc
            await asyncio.sleep(0.1)
    raise RuntimeError(f"confluence-mcp did not start serving: {last!r}")


async def _client_loop(url: str, page_id: str, calls: int, latencies: list[float]) -> None:
    async with Client(StreamableHttpTransport(url)) as client:
        for _ in range(calls):
            started = time.perf_counter()
            await client.call_tool("get_page", {"page_id": page_id})
            latencies.append(time.perf_counter() - started)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def _start_fake() -> tuple[asyncio.subprocess.Process, str]:
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "confluence_client.testing",
        "--port",
        str(port),
        "--seed",
        "demo",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient() as http:
        for _ in range(600):
            try:
                if (await http.get(f"{base}/__fake__/health")).status_code == 200:
                    return process, base
            except httpx.TransportError:
                await asyncio.sleep(0.1)
    raise RuntimeError("the fake Confluence did not start")


async def _upstream_requests(http: httpx.AsyncClient, fake: str, *, clear: bool = False) -> int:
    if clear:
        await http.delete(f"{fake}/__fake__/requests")
        return 0
    count: int = (await http.get(f"{fake}/__fake__/requests")).json()["count"]
    return count


async def run(total_calls: int, stateless: bool) -> None:
    fake_process, fake = await _start_fake()
    try:
        await _measure(fake, total_calls, stateless)
    finally:
        fake_process.terminate()
        await fake_process.wait()


async def _measure(fake: str, total_calls: int, stateless: bool) -> None:
    port = _free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "CONFLUENCE_URL": f"{fake}/wiki",
        "CONFLUENCE_DEPLOYMENT": "cloud",
        "CONFLUENCE_USERNAME": "fake@example.com",
        "CONFLUENCE_API_TOKEN": "fake-api-token",
        "STATELESS_HTTP": "true" if stateless else "false",
        # Measure the server, not its inbound rate limiter.
        "MCP_RATE_LIMIT": "off",
        "MCP_IP_RATE_LIMIT": "off",
        # Every client is one caller (127.0.0.1) opening 32 sessions at once: above the
        # default 20 per client, and the sessions cap is not what is measured.
        "MCP_MAX_SESSIONS_PER_PRINCIPAL": "1000",
        "MCP_AUDIT_LOG": "off",
    }
    process = await asyncio.create_subprocess_exec(
        *_command(),
        "serve",
        "--transport",
        "http",
        "--port",
        str(port),
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/mcp"
    http = httpx.AsyncClient()
    try:
        await _wait_until_serving(url, process)
        async with Client(StreamableHttpTransport(url)) as client:
            page = await client.call_tool(
                "get_page", {"title": "Getting Started", "space_key": "DEMO"}
            )
            page_id = page.structured_content["id"]
        warm: list[float] = []
        await _client_loop(url, page_id, 5, warm)  # client creation, caches
        mode = "stateless" if stateless else "stateful"
        print(f"get_page over Streamable HTTP ({mode}), {total_calls} calls per run")
        for clients in (1, 32):
            per_client = max(1, total_calls // clients)
            latencies: list[float] = []
            await _upstream_requests(http, fake, clear=True)
            started = time.perf_counter()
            await asyncio.gather(
                *(_client_loop(url, page_id, per_client, latencies) for _ in range(clients))
            )
            elapsed = time.perf_counter() - started
            calls = len(latencies)
            upstream = await _upstream_requests(http, fake) / calls
            print(
                f"  {clients:2d} client(s): {calls / elapsed:7.1f} calls/s  "
                f"p50 {statistics.median(latencies) * 1000:7.1f} ms  "
                f"p99 {_percentile(latencies, 0.99) * 1000:7.1f} ms  "
                f"upstream requests/call {upstream:.2f}"
            )
    finally:
        await http.aclose()
        process.terminate()
        await process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=320, help="calls per run (default 320)")
    parser.add_argument("--stateless", action="store_true", help="serve with --stateless")
    args = parser.parse_args()
    asyncio.run(run(args.calls, args.stateless))


if __name__ == "__main__":
    main()
