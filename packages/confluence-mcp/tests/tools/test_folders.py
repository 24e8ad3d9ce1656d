"""Folders: create_page(content_type=folder), get_page_tree of a folder, move_page into / out
of folders, and folders in trees."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from fastmcp.exceptions import ToolError

from confluence_client.testing import FakeConfluenceServer

Connect = Callable[..., Awaitable[Client[Any]]]


def content_id(fake: FakeConfluenceServer, title: str, kind: str = "page") -> str:
    return next(p.id for p in fake.store.pages.values() if p.title == title and p.kind == kind)


async def test_folder_tools_and_moves(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    handbook = content_id(fake_confluence, "Team handbook", "folder")
    read = await client.call_tool("get_page_tree", {"page_id": handbook, "max_depth": 1})
    root, *kids = read.structured_content["pages"]
    assert (root["title"], root["type"]) == ("Team handbook", "folder")
    assert [c["title"] for c in kids] == ["Working hours", "Expenses", "Equipment inventory"]
    made = await client.call_tool(
        "create_page",
        {"space_key": "DEMO", "title": "Archive", "parent_id": handbook, "content_type": "folder"},
    )
    archive = made.structured_content["id"]
    assert fake_confluence.store.pages[archive].kind == "folder"
    faq = content_id(fake_confluence, "FAQ")
    await client.call_tool("move_page", {"page_id": faq, "parent_id": archive, "version": 1})
    assert fake_confluence.store.pages[faq].parent_id == archive
    inside = await client.call_tool("get_page_tree", {"page_id": handbook, "max_depth": 1})
    entry = next(e for e in inside.structured_content["pages"] if e["id"] == archive)
    assert (entry["title"], entry["depth"], entry["type"]) == ("Archive", 1, "folder")
    assert entry["url"].endswith(f"/spaces/DEMO/folder/{archive}")
    home = fake_confluence.store.get_space_by_key("DEMO").homepage_id
    version = fake_confluence.store.pages[faq].version
    await client.call_tool("move_page", {"page_id": faq, "parent_id": home, "version": version})
    assert fake_confluence.store.pages[faq].parent_id == home
    with pytest.raises(ToolError, match="no body"):
        await client.call_tool(
            "create_page",
            {"space_key": "DEMO", "title": "x", "body": "y", "content_type": "folder"},
        )


async def test_trees_show_folders(connect: Connect, fake_confluence: FakeConfluenceServer) -> None:
    client = await connect()
    handbook = content_id(fake_confluence, "Team handbook", "folder")
    home = fake_confluence.store.get_space_by_key("DEMO").homepage_id
    for args in ({"space_key": "DEMO", "max_depth": 10}, {"page_id": home, "max_depth": 10}):
        tree = (await client.call_tool("get_page_tree", args)).structured_content["pages"]
        at = next(i for i, e in enumerate(tree) if e["id"] == handbook)
        assert tree[at]["type"] == "folder"
        below = [e["title"] for e in tree[at + 1 : at + 3]]
        assert below == ["Working hours", "Expenses"]
        assert all(e["depth"] == tree[at]["depth"] + 1 for e in tree[at + 1 : at + 3])


async def test_folder_guards_and_data_center(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    handbook = content_id(fake_confluence, "Team handbook", "folder")
    fenced = await connect(confluence_spaces_filter="ENG")
    with pytest.raises(ToolError, match="Not found"):
        await fenced.call_tool("get_page_tree", {"page_id": handbook})
    eng = content_id(fake_confluence, "ENG Onboarding")
    with pytest.raises(ToolError, match="Not found"):
        await fenced.call_tool("move_page", {"page_id": eng, "parent_id": handbook, "version": 1})
    with pytest.raises(ToolError, match="Not found"):
        await fenced.call_tool(
            "create_page", {"space_key": "DEMO", "title": "x", "content_type": "folder"}
        )
    dc = await connect(
        confluence_url=fake_confluence.url,
        confluence_deployment="datacenter",
        confluence_username=None,
        confluence_api_token=None,
        confluence_personal_token="fake-pat",
    )
    with pytest.raises(ToolError, match="Not supported"):
        await dc.call_tool(
            "create_page", {"space_key": "DEMO", "title": "x", "content_type": "folder"}
        )


async def test_folder_over_streamable_http(
    remote_settings_for: Any, serve_remote: Any, fake_confluence: FakeConfluenceServer
) -> None:
    handbook = content_id(fake_confluence, "Team handbook", "folder")
    async with (
        serve_remote(remote_settings_for(mcp_ip_rate_limit="off")) as (base, _),
        Client(StreamableHttpTransport(f"{base}/mcp")) as client,
    ):
        read = await client.call_tool("get_page_tree", {"page_id": handbook})
    assert read.structured_content["pages"][0]["id"] == handbook
