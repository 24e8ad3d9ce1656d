"""Restriction and permission tools against the fake; the admin tool's visibility and scope."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from fastmcp.exceptions import ToolError
from mcp.shared.exceptions import MCPError

from confluence_client.testing import FakeConfluenceServer
from mcp_auth import create_api_key

Connect = Callable[..., Awaitable[Client[Any]]]


def page_id(fake: FakeConfluenceServer, title: str) -> str:
    return next(page.id for page in fake.store.pages.values() if page.title == title)


def account(fake: FakeConfluenceServer, name: str) -> str:
    return next(u.account_id for u in fake.store.users.values() if u.username == name)


async def test_read_restrictions_and_check_a_user(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    salaries = page_id(fake_confluence, "Salary bands")
    alice, carol = account(fake_confluence, "alice"), account(fake_confluence, "carol")
    plain = await client.call_tool("get_page_restrictions", {"page_id": salaries})
    assert plain.structured_content["update"] == {alice: "Alice Martin"}
    assert "can_view" not in plain.structured_content
    for who, view, edit in ((alice, True, True), (carol, False, False)):
        result = await client.call_tool(
            "get_page_restrictions", {"page_id": salaries, "account_id": who}
        )
        assert (result.structured_content["can_view"], result.structured_content["can_edit"]) == (
            view,
            edit,
        )
    plain_space = await client.call_tool("get_space", {"space_key": "DEMO"})
    assert "permissions" not in plain_space.structured_content
    grants = await client.call_tool("get_space", {"space_key": "DEMO", "permissions": True})
    assert grants.structured_content["permissions"]["administer space"] == [
        f"user:{next(iter(fake_confluence.store.users))}"
    ]


async def test_set_restriction(connect: Connect, fake_confluence: FakeConfluenceServer) -> None:
    client = await connect()
    faq = page_id(fake_confluence, "FAQ")
    bob = account(fake_confluence, "bob")
    added = await client.call_tool(
        "set_page_restriction", {"page_id": faq, "operation": "update", "user": bob}
    )
    assert added.structured_content == {"id": faq, "status": "update added"}
    assert fake_confluence.store.restrictions[faq]["update"] == {bob}
    removed = await client.call_tool(
        "set_page_restriction",
        {"page_id": faq, "operation": "update", "user": bob, "remove": True},
    )
    assert removed.structured_content["status"] == "update removed"
    with pytest.raises(ToolError, match="operation"):
        await client.call_tool(
            "set_page_restriction", {"page_id": faq, "operation": "delete", "user": bob}
        )


async def test_admin_tool_hidden_read_only_and_guarded(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    read_only = await connect(read_only_mode=True)
    names = {tool.name for tool in await read_only.list_tools()}
    assert "set_page_restriction" not in names
    assert "get_page_restrictions" in names
    admin_only = await connect(toolsets="admin")
    assert {tool.name for tool in await admin_only.list_tools()} == {"set_page_restriction"}
    fenced = await connect(confluence_spaces_filter="ENG")
    faq = page_id(fake_confluence, "FAQ")
    with pytest.raises(ToolError, match="Not found"):
        await fenced.call_tool(
            "set_page_restriction",
            {"page_id": faq, "operation": "read", "user": account(fake_confluence, "bob")},
        )
    with pytest.raises(ToolError, match="Not found"):
        await fenced.call_tool("get_space", {"space_key": "DEMO", "permissions": True})
    assert faq not in fake_confluence.store.restrictions


async def test_admin_scope_over_http(
    remote_settings_for: Any,
    serve_remote: Any,
    fake_confluence: FakeConfluenceServer,
    tmp_path: Path,
) -> None:
    keys = tmp_path / "keys.json"
    writer = create_api_key(keys, "writer", ["confluence:read", "confluence:write"]).key
    admin = create_api_key(
        keys, "admin", ["confluence:read", "confluence:write", "confluence:admin"]
    ).key
    faq = page_id(fake_confluence, "FAQ")
    args = {"page_id": faq, "operation": "read", "user": account(fake_confluence, "bob")}
    settings = remote_settings_for(mcp_api_keys_file=keys, mcp_ip_rate_limit="off")
    async with serve_remote(settings) as (base, _):
        async with Client(StreamableHttpTransport(f"{base}/mcp", auth=writer)) as client:
            with pytest.raises(MCPError, match="missing confluence:admin"):
                await client.call_tool("set_page_restriction", args)
        assert faq not in fake_confluence.store.restrictions
        async with Client(StreamableHttpTransport(f"{base}/mcp", auth=admin)) as client:
            await client.call_tool("set_page_restriction", args)
    assert fake_confluence.store.restrictions[faq]["read"]
