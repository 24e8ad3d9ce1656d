"""get_page_properties, set_page_property and delete_page_property against the fake."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from fastmcp.exceptions import ToolError

from confluence_client.testing import FakeConfluenceServer

Connect = Callable[..., Awaitable[Client[Any]]]
WIDTH = "content-appearance-published"


def _page(fake: FakeConfluenceServer, title: str = "FAQ") -> str:
    return fake.store.list_pages(title=title)[0].id


@pytest.mark.parametrize("deployment", ["cloud", "datacenter"])
async def test_set_and_read(
    connect: Connect, fake_confluence: FakeConfluenceServer, deployment: str
) -> None:
    options: dict[str, Any] = {}
    if deployment == "datacenter":
        options = {
            "confluence_url": fake_confluence.url,
            "confluence_deployment": "datacenter",
            "confluence_username": None,
            "confluence_api_token": None,
            "confluence_personal_token": "fake-pat",
        }
    client = await connect(**options)
    page = _page(fake_confluence)
    made = await client.call_tool(
        "set_page_property", {"page_id": page, "key": WIDTH, "value": "full-width"}
    )
    assert made.structured_content == {"key": WIDTH, "value": "full-width", "version": 1}
    with pytest.raises(ToolError) as exists:
        await client.call_tool("set_page_property", {"page_id": page, "key": WIDTH, "value": 1})
    assert "the property already exists" in str(exists.value)
    assert "get_page_properties" in str(exists.value)
    assert "page with that title" not in str(exists.value)
    changed = await client.call_tool(
        "set_page_property", {"page_id": page, "key": WIDTH, "value": "fixed-width", "version": 1}
    )
    assert changed.structured_content["version"] == 2
    with pytest.raises(ToolError, match="version"):
        await client.call_tool(
            "set_page_property", {"page_id": page, "key": WIDTH, "value": "x", "version": 1}
        )
    listed = await client.call_tool("get_page_properties", {"page_id": page})
    assert listed.structured_content["properties"] == [
        {"key": WIDTH, "value": "fixed-width", "version": 2}
    ]
    one = await client.call_tool("get_page_properties", {"page_id": page, "key": WIDTH})
    assert one.structured_content["properties"][0]["value"] == "fixed-width"
    with pytest.raises(ToolError, match=r"(?i)not found"):
        await client.call_tool("get_page_properties", {"page_id": page, "key": "absent"})
    with pytest.raises(ToolError, match="version"):
        await client.call_tool(
            "delete_page_property", {"page_id": page, "key": WIDTH, "version": 1}
        )
    gone = await client.call_tool(
        "delete_page_property", {"page_id": page, "key": WIDTH, "version": 2}
    )
    assert gone.structured_content == {"id": WIDTH, "status": "deleted"}
    left = await client.call_tool("get_page_properties", {"page_id": page})
    assert left.structured_content["properties"] == []


async def test_property_guards(connect: Connect, fake_confluence: FakeConfluenceServer) -> None:
    page = _page(fake_confluence)  # in DEMO
    fenced = await connect(confluence_spaces_filter="ENG")
    with pytest.raises(ToolError, match="Not found"):
        await fenced.call_tool("get_page_properties", {"page_id": page})
    with pytest.raises(ToolError, match="Not found"):
        await fenced.call_tool("set_page_property", {"page_id": page, "key": "k", "value": 1})
    assert not fake_confluence.store.properties
    client = await connect()
    await client.call_tool("set_page_property", {"page_id": page, "key": "k", "value": 1})
    with pytest.raises(ToolError, match="Not found"):
        await fenced.call_tool("delete_page_property", {"page_id": page, "key": "k", "version": 1})
    assert len(fake_confluence.store.properties) == 1
    read_only = await connect(read_only_mode=True)
    names = {t.name for t in await read_only.list_tools()}
    assert "get_page_properties" in names
    assert not names & {"set_page_property", "delete_page_property"}
    listed = {t.name: t for t in await client.list_tools()}
    assert listed["delete_page_property"].annotations is None  # destructive by MCP default


async def test_properties_over_streamable_http(
    remote_settings_for: Any, serve_remote: Any, fake_confluence: FakeConfluenceServer
) -> None:
    page = _page(fake_confluence)
    async with (
        serve_remote(remote_settings_for(mcp_ip_rate_limit="off")) as (base, _),
        Client(StreamableHttpTransport(f"{base}/mcp")) as client,
    ):
        await client.call_tool("set_page_property", {"page_id": page, "key": "k", "value": [1]})
        listed = await client.call_tool("get_page_properties", {"page_id": page})
        await client.call_tool("delete_page_property", {"page_id": page, "key": "k", "version": 1})
    assert listed.structured_content["properties"] == [{"key": "k", "value": [1], "version": 1}]
    assert not fake_confluence.store.properties


async def test_get_page_metadata_has_analytics(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    home = _page(fake_confluence, "Demo Space Home")
    cloud = await connect()
    meta = (
        await cloud.call_tool("get_page", {"page_id": home, "metadata": True})
    ).structured_content["metadata"]
    assert (meta["views"], meta["viewers"]) == (6, 3)
    dc = await connect(
        confluence_url=fake_confluence.url,
        confluence_deployment="datacenter",
        confluence_username=None,
        confluence_api_token=None,
        confluence_personal_token="fake-pat",
    )
    meta = (await dc.call_tool("get_page", {"page_id": home, "metadata": True})).structured_content[
        "metadata"
    ]
    assert meta["views"] == "Not supported on Data Center"
    assert "viewers" not in meta
    assert meta["labels"] is not None


async def test_stale_property_version_names_the_property(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    page = _page(fake_confluence)
    client = await connect()
    await client.call_tool("set_page_property", {"page_id": page, "key": "k", "value": 1})
    await client.call_tool(
        "set_page_property", {"page_id": page, "key": "k", "value": 2, "version": 1}
    )
    with pytest.raises(ToolError) as caught:
        await client.call_tool(
            "set_page_property", {"page_id": page, "key": "k", "value": 3, "version": 1}
        )
    message = str(caught.value)
    assert "the property is now at version 2" in message
    assert "based on version 1" in message
    assert "get_page_properties" in message
    assert "the page is now" not in message
