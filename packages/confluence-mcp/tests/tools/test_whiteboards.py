"""Whiteboards and databases (Cloud): typed, linked nodes in get_page_tree and search, their
metadata through get_page(content_type=...), the space allow-list, and Data Center's refusal."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from fastmcp.exceptions import ToolError

from confluence_client.testing import FakeConfluenceServer

Connect = Callable[..., Awaitable[Client[Any]]]


def node(fake: FakeConfluenceServer, kind: str) -> str:
    return next(p.id for p in fake.store.pages.values() if p.kind == kind)


async def test_trees_and_search_show_typed_linked_nodes(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    board, table = node(fake_confluence, "whiteboard"), node(fake_confluence, "database")
    tree = await client.call_tool("get_page_tree", {"space_key": "DEMO", "max_depth": 10})
    entries = {e["id"]: e for e in tree.structured_content["pages"]}
    base = fake_confluence.wiki_url
    product = fake_confluence.store.pages[board].parent_id
    assert entries[board] == {
        "id": board,
        "title": "Product roadmap board",
        "depth": entries[str(product)]["depth"] + 1,
        "type": "whiteboard",
        "url": f"{base}/spaces/DEMO/whiteboard/{board}",
    }
    assert (entries[table]["type"], entries[table]["url"]) == (
        "database",
        f"{base}/spaces/DEMO/database/{table}",
    )
    assert "url" not in next(e for e in entries.values() if "type" not in e)  # pages stay lean
    hits = await client.call_tool("search", {"query": "type = whiteboard OR type = database"})
    found = {(h["id"], h["type"], h["url"]) for h in hits.structured_content["results"]}
    assert found == {
        (board, "whiteboard", f"{base}/spaces/DEMO/whiteboard/{board}"),
        (table, "database", f"{base}/spaces/DEMO/database/{table}"),
    }


async def test_get_page_reads_their_metadata(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    board, table = node(fake_confluence, "whiteboard"), node(fake_confluence, "database")
    read = await client.call_tool(
        "get_page", {"page_id": board, "content_type": "whiteboard", "metadata": True}
    )
    data = read.structured_content
    assert (data["title"], data["space_key"], data["version"]) == (
        "Product roadmap board",
        "DEMO",
        1,
    )
    assert data["url"].endswith(f"/spaces/DEMO/whiteboard/{board}")
    assert "no text" in data["content"]
    assert data["metadata"]["parent_id"] == fake_confluence.store.pages[board].parent_id
    database = await client.call_tool("get_page", {"page_id": table, "content_type": "database"})
    assert database.structured_content["title"] == "Equipment inventory"
    folder = fake_confluence.store.pages[table].parent_id
    handbook = await client.call_tool("get_page", {"page_id": folder, "content_type": "folder"})
    assert handbook.structured_content["title"] == "Team handbook"
    with pytest.raises(ToolError, match="Not found"):  # the id is a whiteboard's, not a database's
        await client.call_tool("get_page", {"page_id": board, "content_type": "database"})
    with pytest.raises(ToolError, match="by its page_id"):
        await client.call_tool(
            "get_page", {"title": "x", "space_key": "DEMO", "content_type": "whiteboard"}
        )


async def test_allow_list_and_data_center(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    board = node(fake_confluence, "whiteboard")
    fenced = await connect(confluence_spaces_filter="ENG")
    with pytest.raises(ToolError, match="Not found"):
        await fenced.call_tool("get_page", {"page_id": board, "content_type": "whiteboard"})
    hits = await fenced.call_tool("search", {"query": "type = whiteboard"})
    assert hits.structured_content["results"] == []
    dc = await connect(
        confluence_url=fake_confluence.url,
        confluence_deployment="datacenter",
        confluence_username=None,
        confluence_api_token=None,
        confluence_personal_token="fake-pat",
    )
    with pytest.raises(ToolError, match="Not supported: Confluence Data Center has no whiteboards"):
        await dc.call_tool("get_page", {"page_id": board, "content_type": "whiteboard"})


async def test_whiteboard_over_streamable_http(
    remote_settings_for: Any, serve_remote: Any, fake_confluence: FakeConfluenceServer
) -> None:
    board = node(fake_confluence, "whiteboard")
    async with (
        serve_remote(remote_settings_for(mcp_ip_rate_limit="off")) as (base, _),
        Client(StreamableHttpTransport(f"{base}/mcp")) as client,
    ):
        read = await client.call_tool("get_page", {"page_id": board, "content_type": "whiteboard"})
    assert read.structured_content["title"] == "Product roadmap board"


async def test_their_ids_read_as_pages_point_at_content_type(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    # A model that found a whiteboard with search and calls get_page(page_id) must learn how.
    client = await connect()
    board = node(fake_confluence, "whiteboard")
    with pytest.raises(ToolError, match=r"^Not found: .* pass that as content_type\.$"):
        await client.call_tool("get_page", {"page_id": board})
