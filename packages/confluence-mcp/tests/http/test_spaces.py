"""Space-scoped endpoints: /mcp/spaces/{KEY} over real HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from fastmcp.exceptions import ToolError
from mcp.shared.exceptions import MCPError

from confluence_client.testing import FakeConfluenceServer
from mcp_auth import create_api_key

INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"},
    },
}
ACCEPT = {"accept": "application/json, text/event-stream"}


def page_id(fake: FakeConfluenceServer, title: str, key: str) -> str:
    space = fake.store.get_space_by_key(key)
    return next(
        p.id for p in fake.store.pages.values() if p.title == title and p.space_id == space.id
    )


def any_page(fake: FakeConfluenceServer, key: str) -> str:
    space = fake.store.get_space_by_key(key)
    return next(p.id for p in fake.store.pages.values() if p.space_id == space.id)


async def test_scoped_endpoint_fixes_the_space(
    remote_settings_for: Any, serve_remote: Any, fake_confluence: FakeConfluenceServer
) -> None:
    settings = remote_settings_for(mcp_ip_rate_limit="off")
    eng_page = any_page(fake_confluence, "ENG")
    demo_page = page_id(fake_confluence, "FAQ", "DEMO")
    async with serve_remote(settings) as (base, _):
        async with Client(StreamableHttpTransport(f"{base}/mcp/spaces/eng")) as client:
            tools = {tool.name: tool for tool in await client.list_tools()}
            for tool in tools.values():
                assert "space_key" not in tool.input_schema.get("properties", {}), tool.name
            spaces = (await client.call_tool("list_spaces", {})).structured_content
            assert [s["key"] for s in spaces["spaces"]] == ["ENG"]
            got = await client.call_tool("get_page", {"page_id": eng_page})
            assert got.structured_content["space_key"] == "ENG"
            with pytest.raises(ToolError, match="Not found"):
                await client.call_tool("get_page", {"page_id": demo_page})
            with pytest.raises(ToolError, match="Not found"):
                await client.call_tool("get_page_children", {"page_id": demo_page})
            with pytest.raises(ToolError, match="serves the space ENG only"):
                await client.call_tool("get_space", {"space_key": "DEMO"})
            space = (await client.call_tool("get_space", {})).structured_content
            assert space["key"] == "ENG"
            hits = (await client.call_tool("search", {"query": "the"})).structured_content
            assert hits["results"]
            assert {hit["space_key"] for hit in hits["results"]} == {"ENG"}
            created = await client.call_tool("create_page", {"title": "Scoped", "body": "hi"})
            new = fake_confluence.store.pages[created.structured_content["id"]]
            assert new.space_id == fake_confluence.store.get_space_by_key("ENG").id
        # The ordinary endpoint is unchanged.
        async with Client(StreamableHttpTransport(f"{base}/mcp")) as client:
            tools = {tool.name: tool for tool in await client.list_tools()}
            assert "space_key" in tools["get_space"].input_schema["properties"]
            await client.call_tool("get_page", {"page_id": demo_page})


async def test_scope_cannot_widen_the_configured_filter(
    remote_settings_for: Any, serve_remote: Any, fake_confluence: FakeConfluenceServer
) -> None:
    settings = remote_settings_for(mcp_ip_rate_limit="off", confluence_spaces_filter="DEMO")
    eng_page = any_page(fake_confluence, "ENG")
    async with (
        serve_remote(settings) as (base, _),
        Client(StreamableHttpTransport(f"{base}/mcp/spaces/ENG")) as client,
    ):
        assert (await client.call_tool("list_spaces", {})).structured_content["spaces"] == []
        with pytest.raises(ToolError, match="Not found"):
            await client.call_tool("get_page", {"page_id": eng_page})


async def test_scoped_endpoint_keeps_authentication(
    remote_settings_for: Any,
    serve_remote: Any,
    fake_confluence: FakeConfluenceServer,
    tmp_path: Any,
) -> None:
    keys = tmp_path / "keys.json"
    reader = create_api_key(keys, "reader", ["confluence:read"]).key
    settings = remote_settings_for(mcp_api_keys_file=keys, mcp_ip_rate_limit="off")
    async with serve_remote(settings) as (base, _):
        async with httpx.AsyncClient() as http:
            refused = await http.post(f"{base}/mcp/spaces/ENG", json=INIT, headers=ACCEPT)
        assert refused.status_code == 401
        transport = StreamableHttpTransport(f"{base}/mcp/spaces/ENG", auth=reader)
        async with Client(transport) as client:
            spaces = (await client.call_tool("list_spaces", {})).structured_content
            assert [s["key"] for s in spaces["spaces"]] == ["ENG"]
            with pytest.raises(MCPError, match="insufficient scope"):  # the key's scope holds
                await client.call_tool("create_page", {"title": "No", "body": "no"})
    assert not any(p.title == "No" for p in fake_confluence.store.pages.values())
