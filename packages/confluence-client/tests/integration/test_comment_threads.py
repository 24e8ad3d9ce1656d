"""Comments with their replies (``with_replies``): same threads everywhere, fewest requests."""

import pytest

from confluence_client import ConfluenceClient, InvalidInputError
from confluence_client.testing import FakeConfluenceServer

THREADS = 6  # top-level comments, each with one reply that has one reply


def _page_with_threads(server: FakeConfluenceServer) -> tuple[str, list[str]]:
    store = server.store
    page = store.list_pages(title="FAQ")[0].id
    expected: list[str] = []
    for n in range(THREADS):
        top = store.add_comment(page, f"<p>top {n}</p>")
        reply = store.add_comment(page, f"<p>reply {n}</p>", parent_comment_id=top.id)
        nested = store.add_comment(page, f"<p>nested {n}</p>", parent_comment_id=reply.id)
        expected += [top.id, reply.id, nested.id]
    return page, expected


async def test_threads_come_in_order_in_every_flavour(
    client: ConfluenceClient, server: FakeConfluenceServer, flavour: str
) -> None:
    page, expected = _page_with_threads(server)
    top = await client.list_comments(page, limit=THREADS)
    server.requests.clear()
    threads = await client.with_replies(top.items, max_replies=100)
    assert [c.id for c in threads] == expected
    assert [c.parent_comment_id for c in threads[:3]] == [None, expected[0], expected[1]]
    if flavour == "datacenter":
        # Every thread of the page from one listing of its comments at every depth.
        assert len(server.requests) == 1
        assert server.requests.entries[0].target.count("depth=all") == 1
    else:
        # Cloud v2 lists replies per comment only: one request per comment shown.
        assert len(server.requests) == len(expected)
    # The reply budget holds across threads, earliest first.
    capped = await client.with_replies(top.items, max_replies=3)
    assert [c.id for c in capped] == expected[:5] + expected[6::3]
    assert await client.with_replies([]) == []
    with pytest.raises(InvalidInputError):
        await client.with_replies(top.items, max_replies=-1)
