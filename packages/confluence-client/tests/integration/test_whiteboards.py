"""Whiteboards and databases through the SDK: metadata and typed tree nodes (Cloud and the
OAuth gateway); Data Center has neither and says so without sending a request."""

import pytest

from confluence_client import ConfluenceClient, NotSupportedError
from confluence_client.testing import FakeConfluenceServer


def _node(server: FakeConfluenceServer, kind: str) -> str:
    return next(p.id for p in server.store.pages.values() if p.kind == kind)


async def test_whiteboards_and_databases(
    client: ConfluenceClient, server: FakeConfluenceServer, flavour: str
) -> None:
    board, table = _node(server, "whiteboard"), _node(server, "database")
    if flavour == "datacenter":
        server.requests.clear()
        with pytest.raises(NotSupportedError, match="no whiteboards"):
            await client.get_whiteboard(board)
        with pytest.raises(NotSupportedError, match="no databases"):
            await client.get_database(table)
        assert len(server.requests) == 0
        return
    read = await client.get_whiteboard(board)
    assert (read.title, read.content_type, read.version_number) == (
        "Product roadmap board",
        "whiteboard",
        1,
    )
    assert read.web_url == f"{server.wiki_url}/spaces/DEMO/whiteboard/{board}"
    assert read.parent_id == server.store.pages[board].parent_id
    database = await client.get_database(table)
    assert (database.content_type, database.space_id) == (
        "database",
        server.store.pages[table].space_id,
    )
    # The tree: typed nodes with a link built from the space key (listings carry none).
    product = server.store.pages[board].parent_id
    assert product is not None
    walked = [(d, p) async for d, p in client.walk_page_tree(product, max_depth=1)]
    nodes = {p.id: p for _, p in walked}
    assert nodes[board].content_type == "whiteboard"
    assert nodes[board].web_url == read.web_url
    folder = server.store.pages[table].parent_id
    assert folder is not None
    in_folder = [p async for _, p in client.walk_page_tree(folder, max_depth=2)]
    assert (table, "database") in {(p.id, p.content_type) for p in in_folder}
    # A page under a whiteboard is walked through the whiteboard's own children route.
    below = server.store.add_page("DEMO", "Board notes", "<p>n</p>", parent_id=board)
    deeper = [p async for _, p in client.walk_page_tree(product, max_depth=2)]
    assert (below.id, board) in {(p.id, p.parent_id) for p in deeper}
    everything = [p async for p in client.iter_descendants(product)]
    assert {board, below.id} <= {p.id for p in everything}
    hits = await client.search("type = database")
    assert [(h.content_id, h.content_type) for h in hits.items] == [(table, "database")]
