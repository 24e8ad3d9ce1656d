"""SDK benchmark against the fake Confluence (zero injected latency, loopback HTTP).

Prints get-page throughput and latency (p50/p99) at 1 and 16 concurrent tasks, and how many
upstream HTTP calls each client operation makes (from the fake's request log), for Cloud and
Data Center.

    uv run python benchmarks/sdk.py [--requests 400]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

from confluence_client import (
    BasicAuth,
    ConfluenceClient,
    Cql,
    PersonalAccessToken,
)
from confluence_client.testing import FakeConfluenceServer


def _client(server: FakeConfluenceServer, flavour: str, concurrency: int) -> ConfluenceClient:
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


async def _throughput(
    server: FakeConfluenceServer, flavour: str, tasks: int, total: int
) -> dict[str, float]:
    page_id = server.store.get_space_by_key("DEMO").homepage_id or ""
    latencies: list[float] = []
    async with _client(server, flavour, max(tasks, 1)) as client:
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


async def main(total: int) -> None:
    async with FakeConfluenceServer(seed="demo") as server:
        print(f"fake Confluence at {server.url} (no injected latency)\n")
        print("get_page throughput and latency")
        print(f"{'flavour':<11}{'tasks':>6}{'ops':>7}{'ops/s':>10}{'p50 ms':>9}{'p99 ms':>9}")
        for flavour in ("cloud", "datacenter"):
            for tasks in (1, 16):
                r = await _throughput(server, flavour, tasks, total)
                print(
                    f"{flavour:<11}{tasks:>6}{int(r['ops']):>7}{r['ops_per_s']:>10.0f}"
                    f"{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}"
                )
        for flavour in ("cloud", "datacenter"):
            print(f"\nupstream HTTP calls per operation ({flavour})")
            for name, calls in await _calls_per_operation(server, flavour):
                print(f"  {calls:>3}  {name}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="get_page calls per run")
    asyncio.run(main(parser.parse_args().requests))
