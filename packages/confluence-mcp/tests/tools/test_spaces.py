from typing import Any

import pytest
from fastmcp.exceptions import ToolError

from confluence_client.testing import FakeConfluenceServer

ClientFactory = Any


async def test_list_and_get_spaces(connect: ClientFactory) -> None:
    client = await connect()
    listed = (await client.call_tool("list_spaces", {})).structured_content
    keys = [space["key"] for space in listed["spaces"]]
    assert {"DEMO", "ENG"} <= set(keys)
    demo = (await client.call_tool("get_space", {"space_key": "DEMO"})).structured_content
    assert demo["name"] == "Demo Space"
    assert demo["homepage_id"]


async def test_list_spaces_pages_through(connect: ClientFactory) -> None:
    client = await connect()
    first = (await client.call_tool("list_spaces", {"limit": 1})).structured_content
    assert len(first["spaces"]) == 1
    second = (
        await client.call_tool("list_spaces", {"limit": 1, "cursor": first["next_cursor"]})
    ).structured_content
    assert second["spaces"][0]["key"] != first["spaces"][0]["key"]


async def test_filter_limits_spaces(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect(confluence_spaces_filter="eng,NOPE")
    fake_confluence.requests.clear()
    listed = (await client.call_tool("list_spaces", {})).structured_content
    assert [space["key"] for space in listed["spaces"]] == ["ENG"]
    with pytest.raises(ToolError, match="Not found"):
        await client.call_tool("get_space", {"space_key": "DEMO"})
    with pytest.raises(ToolError, match="Not found"):
        await client.call_tool("get_space", {"space_key": "NOPE"})


async def test_filtered_listing_with_cursor_filters_pages(connect: ClientFactory) -> None:
    # A shared MCP_CURSOR_KEY: the two servers accept each other's cursors, like replicas.
    key = "replica-shared-cursor-key-0123456789"
    client = await connect(confluence_spaces_filter="ENG", mcp_cursor_key=key)
    everything = await connect(mcp_cursor_key=key)
    first = (await everything.call_tool("list_spaces", {"limit": 1})).structured_content
    page = (
        await client.call_tool("list_spaces", {"limit": 1, "cursor": first["next_cursor"]})
    ).structured_content
    assert [space["key"] for space in first["spaces"]] == ["DEMO"]
    assert [space["key"] for space in page["spaces"]] == ["ENG"]
