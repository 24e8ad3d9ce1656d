"""Blocking HTTP runs on the client's own threads, not the event loop's shared pool."""

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from confluence_client import ConfluenceClient
from confluence_client.testing import FakeConfluenceServer

ClientFactory = Callable[..., ConfluenceClient]
_PREFIX = "confluence-client"


def _home(server: FakeConfluenceServer) -> str:
    return server.store.get_space_by_key("DEMO").homepage_id or ""


def _pool_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(_PREFIX)]


async def test_calls_proceed_while_the_default_pool_is_busy(
    make_client: ClientFactory, server: FakeConfluenceServer
) -> None:
    loop = asyncio.get_running_loop()
    busy = ThreadPoolExecutor(1)
    release = threading.Event()
    loop.set_default_executor(busy)
    # The loop's only default thread is held: a client still using it would never answer.
    blocker = loop.run_in_executor(None, release.wait)
    try:
        async with make_client("cloud", max_concurrency=4) as client:
            pages = await asyncio.wait_for(
                asyncio.gather(*(client.get_page(_home(server)) for _ in range(8))), 30
            )
        assert {page.id for page in pages} == {_home(server)}
    finally:
        release.set()
        await blocker


async def test_pool_is_sized_to_the_cap_and_ends_with_the_client(
    make_client: ClientFactory, server: FakeConfluenceServer
) -> None:
    before = set(_pool_threads())
    server.faults.latency(0.05, path_prefix="/wiki/api/v2/pages")
    client = make_client("cloud", max_concurrency=3)
    await asyncio.gather(*(client.get_page(_home(server)) for _ in range(9)))
    mine = [t for t in _pool_threads() if t not in before]
    assert len(mine) == 3
    await client.aclose()
    for thread in mine:
        thread.join(10)
    assert not any(thread.is_alive() for thread in mine)
