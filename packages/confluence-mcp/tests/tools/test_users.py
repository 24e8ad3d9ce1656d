"""search_users through an in-memory client against the fake."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from fastmcp import Client
from fastmcp.exceptions import ToolError

from confluence_client import User
from confluence_client.testing import FakeConfluenceServer
from confluence_mcp.tools.users import user_info

Connect = Callable[..., Awaitable[Client[Any]]]


async def test_search_users_by_name(connect: Connect) -> None:
    client = await connect()
    result = await client.call_tool("search_users", {"query": "alice"})
    [alice] = result.structured_content["users"]
    assert alice["name"] == "Alice Martin"
    assert alice["email"] == "alice@example.com"
    assert alice["id"].startswith("557058:")


async def test_search_users_honours_the_limit(connect: Connect) -> None:
    client = await connect()
    some = await client.call_tool("search_users", {"query": "a", "limit": 2})
    more = await client.call_tool("search_users", {"query": "a", "limit": 5})
    assert len(some.structured_content["users"]) == 2
    assert len(more.structured_content["users"]) == 5
    assert "next_cursor" not in more.structured_content


async def test_no_match_is_an_empty_list(connect: Connect) -> None:
    client = await connect()
    result = await client.call_tool("search_users", {"query": "zzz-nobody"})
    assert result.structured_content == {"users": []}


async def test_blank_or_long_queries_are_rejected_locally(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    fake_confluence.requests.clear()
    for query in ["", "x" * 201]:
        with pytest.raises(ToolError, match="query"):
            await client.call_tool("search_users", {"query": query})
    assert len(fake_confluence.requests) == 0


async def test_search_users_is_a_read_tool(connect: Connect) -> None:
    client = await connect(read_only_mode=True)
    tools = {tool.name: tool for tool in await client.list_tools()}
    assert tools["search_users"].annotations.read_only_hint is True


def test_data_center_users_are_identified_by_user_key() -> None:
    user = User(display_name="Dee", user_key="ff80", username="dee")
    assert user_info(user).model_dump() == {"name": "Dee", "id": "ff80", "username": "dee"}
