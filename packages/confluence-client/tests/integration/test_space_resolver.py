"""One space key <-> id resolver per client: each pair costs Confluence one request."""

import asyncio
import re

import pytest

from confluence_client import ConfluenceClient, NotFoundError
from confluence_client.testing import FakeConfluenceServer

# A space lookup: v2 /spaces[/{id}] (Cloud) or v1 /space[/{key}] (Data Center), by key or id;
# not /spaces/{id}/pages, which lists pages.
_LOOKUP = re.compile(r"/(?:spaces|space)(?:/[^/]+)?$")


def space_calls(server: FakeConfluenceServer) -> int:
    return sum(1 for r in server.requests if _LOOKUP.search(r.path))


async def test_resolving_twice_costs_one_upstream_call(
    client: ConfluenceClient, server: FakeConfluenceServer
) -> None:
    demo = server.store.get_space_by_key("DEMO")
    server.requests.clear()
    assert await client.space_id_for_key("DEMO") == demo.id
    assert await client.space_id_for_key("DEMO") == demo.id
    assert space_calls(server) == 1
    # the pair is known both ways now
    assert await client.space_key_for_id(demo.id) == "DEMO"
    assert space_calls(server) == 1


async def test_id_first_then_key_and_cloud_page_calls_reuse_the_pair(
    client: ConfluenceClient, server: FakeConfluenceServer
) -> None:
    eng = server.store.get_space_by_key("ENG")
    server.requests.clear()
    assert await client.space_key_for_id(eng.id) == "ENG"
    assert await client.space_key_for_id(eng.id) == "ENG"
    assert await client.space_id_for_key("ENG") == eng.id
    await client.list_pages("ENG", limit=1)  # Cloud needs the id here: no second lookup
    assert space_calls(server) == 1


async def test_missing_spaces_are_not_remembered(
    cloud: ConfluenceClient, server: FakeConfluenceServer
) -> None:
    server.requests.clear()
    for _ in range(2):
        with pytest.raises(NotFoundError):
            await cloud.space_id_for_key("NOSUCH")
    assert space_calls(server) == 2


async def test_concurrent_callers_share_the_client_cache(
    cloud: ConfluenceClient, server: FakeConfluenceServer
) -> None:
    demo = server.store.get_space_by_key("DEMO")
    await cloud.space_id_for_key("DEMO")
    server.requests.clear()
    ids = await asyncio.gather(*(cloud.space_id_for_key("DEMO") for _ in range(20)))
    assert set(ids) == {demo.id}
    assert space_calls(server) == 0
