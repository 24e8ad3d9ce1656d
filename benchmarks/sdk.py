"""SDK benchmark against the fake Confluence (zero injected latency, loopback HTTP).

Prints get-page throughput and latency (p50/p99) at 1 and 16 concurrent tasks, and how many
upstream HTTP calls each client operation makes (from the fake's request log), for Cloud and
Data Center. Throughput is measured twice: with the fake in its own process (like a real
Confluence: client and server do not share a GIL) and in-process (the test-suite setup).

    uv run python benchmarks/sdk.py [--requests 800]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Awaitable, Callable
from typing import Any

from confluence_client import (
    BasicAuth,
    ConfluenceClient,
    Cql,
    PersonalAccessToken,
)
from confluence_client.testing import FakeConfluenceServer


class _ExternalFake:
    """The fake Confluence in a child process (``python -m confluence_client.testing``)."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.wiki_url = f"{self.url}/wiki"
        self._process = subprocess.Popen(
            [sys.executable, "-m", "confluence_client.testing", "--port", str(port)],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                health = f"{self.url}/__fake__/health"  # always http://127.0.0.1
                with urllib.request.urlopen(health, timeout=1):  # noqa: S310
                    return
            except OSError:
                if time.monotonic() > deadline or self._process.poll() is not None:
                    self.stop()
                    raise RuntimeError("the fake Confluence process did not start") from None
                time.sleep(0.1)

    def stop(self) -> None:
        self._process.terminate()
        self._process.wait(timeout=10)


def _client(server: Any, flavour: str, concurrency: int) -> ConfluenceClient:
    if flavour == "cloud":
        return ConfluenceClient(
            server.wiki_url,
            BasicAuth("fake@example.com", "fake-api-token"),
            deployment="cloud",
            max_concurrency=concurrency,
        )
    return ConfluenceClient(
        server.url,
        PersonalAccessToken("fake-pat"),
        deployment="datacenter",
        max_concurrency=concurrency,
    )


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


async def _throughput(server: Any, flavour: str, tasks: int, total: int) -> dict[str, float]:
    latencies: list[float] = []
    async with _client(server, flavour, max(tasks, 1)) as client:
        page_id = (await client.get_space("DEMO")).homepage_id or ""
        for _ in range(20):  # warm the connection pool
            await client.get_page(page_id)
        per_task = total // tasks

        async def worker() -> None:
            for _ in range(per_task):
                start = time.perf_counter()
                await client.get_page(page_id)
                latencies.append(time.perf_counter() - start)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(tasks)))
        elapsed = time.perf_counter() - began
    return {
        "ops": len(latencies),
        "ops_per_s": len(latencies) / elapsed,
        "p50_ms": _percentile(latencies, 0.50) * 1000,
        "p99_ms": _percentile(latencies, 0.99) * 1000,
        "mean_ms": statistics.fmean(latencies) * 1000,
    }


async def _calls_per_operation(server: FakeConfluenceServer, flavour: str) -> list[tuple[str, int]]:
    store = server.store
    demo = store.get_space_by_key("DEMO")
    home = demo.homepage_id or ""
    deep = max(store.list_pages(space_id=demo.id), key=lambda p: len(store.ancestors(p.id)))
    root = store.ancestors(deep.id)[0].id
    results: list[tuple[str, int]] = []
    async with _client(server, flavour, 8) as client:
        server.requests.clear()  # a fresh client: Cloud must resolve the space key first
        await client.get_page_by_title("DEMO", deep.title)
        results.append(("get_page_by_title (fresh client)", len(server.requests)))
        scratch = await client.create_page("DEMO", f"bench scratch {flavour}", "<p>x</p>")
        att = await client.upload_attachment(scratch.id, "b.txt", b"bench")
        ops: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
            ("get_page", lambda: client.get_page(home)),
            (
                "get_page_by_title (space known)",
                lambda: client.get_page_by_title("DEMO", deep.title),
            ),
            (
                "get_page_by_url (/spaces/.../pages/ID)",
                lambda: client.get_page_by_url(f"{client.site_url}/spaces/DEMO/pages/{home}"),
            ),
            ("list_pages (one page of 25)", lambda: client.list_pages("DEMO")),
            (
                "iter_pages (whole DEMO space, limit 25)",
                lambda: _drain(client.iter_pages("DEMO", limit=25)),
            ),
            ("get_ancestors (deepest page)", lambda: client.get_ancestors(deep.id)),
            (
                "iter_descendants (root of the deepest)",
                lambda: _drain(client.iter_descendants(root)),
            ),
            ("get_page_tree (same root)", lambda: client.get_page_tree(root)),
            ("search (one page)", lambda: client.search(Cql.eq("space", "DEMO"))),
            ("search_text", lambda: client.search_text("release", space_key="DEMO")),
            (
                "update_page (body only: read + write)",
                lambda: client.update_page(scratch.id, expected_version=1, body="<p>y</p>"),
            ),
            (
                "update_page (title + body: write only)",
                lambda: client.update_page(
                    scratch.id, expected_version=2, title="bench renamed", body="<p>z</p>"
                ),
            ),
            ("move_page", lambda: client.move_page(scratch.id, root)),
            ("add_labels", lambda: client.add_labels(scratch.id, ["bench"])),
            ("remove_label", lambda: client.remove_label(scratch.id, "bench")),
            ("add_comment", lambda: client.add_comment(scratch.id, "<p>c</p>")),
            ("list_attachments", lambda: client.list_attachments(scratch.id)),
            ("download_attachment (by id)", lambda: client.download_attachment(att.id)),
            ("download_attachment (metadata in hand)", lambda: client.download_attachment(att)),
            ("list_versions", lambda: client.list_versions(scratch.id)),
            ("get_current_user", lambda: client.get_current_user()),
            ("delete_page (purge=True)", lambda: client.delete_page(scratch.id, purge=True)),
        ]
        for name, op in ops:
            server.requests.clear()
            await op()
            results.append((name, len(server.requests)))
    return results


async def _drain(iterator: Any) -> int:
    return len([item async for item in iterator])


def _raw_baseline(server: Any, total: int) -> dict[str, float]:
    """Plain requests.Session GETs of the same page: what the SDK adds is the difference."""
    import requests

    session = requests.Session()
    session.auth = ("fake@example.com", "fake-api-token")
    spaces = session.get(f"{server.wiki_url}/api/v2/spaces", params={"keys": "DEMO"}, timeout=10)
    url = f"{server.wiki_url}/api/v2/pages/{spaces.json()['results'][0]['homepageId']}"
    latencies = []
    for _ in range(20):
        session.get(url, params={"body-format": "storage"}, timeout=10)
    began = time.perf_counter()
    for _ in range(total):
        start = time.perf_counter()
        session.get(url, params={"body-format": "storage"}, timeout=10).json()
        latencies.append(time.perf_counter() - start)
    elapsed = time.perf_counter() - began
    session.close()
    return {
        "ops": total,
        "ops_per_s": total / elapsed,
        "p50_ms": _percentile(latencies, 0.50) * 1000,
        "p99_ms": _percentile(latencies, 0.99) * 1000,
    }


async def _throughput_table(server: Any, where: str, total: int) -> None:
    for flavour in ("cloud", "datacenter"):
        for tasks in (1, 16):
            r = await _throughput(server, flavour, tasks, total)
            print(
                f"{where:<13}{flavour:<13}{tasks:>6}{int(r['ops']):>7}{r['ops_per_s']:>10.0f}"
                f"{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}"
            )


async def main(total: int) -> None:
    print("get_page throughput and latency (fake Confluence, no injected latency)")
    columns = f"{'tasks':>6}{'ops':>7}{'ops/s':>10}{'p50 ms':>9}{'p99 ms':>9}"
    print(f"{'fake runs':<13}{'flavour':<13}{columns}")
    external = _ExternalFake()
    try:
        raw = _raw_baseline(external, total)
        print(
            f"{'own process':<13}{'raw requests':<13}{1:>6}{int(raw['ops']):>7}"
            f"{raw['ops_per_s']:>10.0f}{raw['p50_ms']:>9.2f}{raw['p99_ms']:>9.2f}"
            "   (baseline: no SDK, same GET)"
        )
        await _throughput_table(external, "own process", total)
    finally:
        external.stop()
    async with FakeConfluenceServer(seed="demo") as server:
        await _throughput_table(server, "in-process", total)
        for flavour in ("cloud", "datacenter"):
            print(f"\nupstream HTTP calls per operation ({flavour})")
            for name, calls in await _calls_per_operation(server, flavour):
                print(f"  {calls:>3}  {name}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=800, help="get_page calls per run")
    asyncio.run(main(parser.parse_args().requests))
