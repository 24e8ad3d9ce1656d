"""Page, search and space tools end to end: real MCP clients on every transport, the fake
Confluence over HTTP, and the server's safety rules (read-only, ENABLED_TOOLS, space filter,
version conflicts, truncation)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastmcp import Client
from fastmcp.exceptions import ToolError

from confluence_client.testing import FakeConfluenceServer, FaultRule

from .conftest import McpClientFactory

CORE_TOOLS = {
    "search",
    "get_page",
    "get_page_children",
    "get_page_tree",
    "create_page",
    "update_page",
    "update_page_section",
    "move_page",
    "delete_page",
    "list_spaces",
    "get_space",
}
WRITE_TOOLS = {"create_page", "update_page", "update_page_section", "move_page", "delete_page"}


def page_id(fake: FakeConfluenceServer, title: str) -> str:
    return next(str(p.id) for p in fake.store.pages.values() if p.title == title)


async def test_every_core_tool_on_every_transport(
    transport: str, mcp_client: McpClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await mcp_client(transport)
    tools = {tool.name: tool for tool in await client.list_tools()}
    assert set(tools) >= CORE_TOOLS
    assert tools["get_page"].annotations.read_only_hint is True  # type: ignore[union-attr]
    # Every MCP default holds for a delete tool (destructive, not read-only): none are sent.
    assert tools["delete_page"].annotations is None

    spaces = (await client.call_tool("list_spaces", {})).structured_content
    assert {"DEMO", "ENG"} <= {space["key"] for space in spaces["spaces"]}
    demo = (await client.call_tool("get_space", {"space_key": "DEMO"})).structured_content
    home = demo["homepage_id"]

    hits = (await client.call_tool("search", {"query": "install"})).structured_content
    assert hits["results"]
    cql = (
        await client.call_tool("search", {"query": 'space = "ENG" AND type = page', "limit": 5})
    ).structured_content
    assert {hit["space_key"] for hit in cql["results"]} == {"ENG"}

    page = (await client.call_tool("get_page", {"page_id": home})).structured_content
    assert page["title"] == "Demo Space Home"
    assert page["space_key"] == "DEMO"
    children = (await client.call_tool("get_page_children", {"page_id": home})).structured_content
    assert len(children["pages"]) >= 3
    tree = (
        await client.call_tool("get_page_tree", {"space_key": "DEMO", "max_depth": 1})
    ).structured_content
    assert tree["pages"][0]["id"] == home

    created = (
        await client.call_tool(
            "create_page",
            {
                "space_key": "DEMO",
                "title": f"E2E {transport}",
                "body": "## Plan\n\n- first\n\n## Notes\n\nnone yet\n",
                "parent_id": home,
            },
        )
    ).structured_content
    pid = created["id"]
    updated = (
        await confirmed(
            client,
            "update_page",
            {"page_id": pid, "version": created["version"], "body": "## Plan\n\n- second\n"},
        )
    ).structured_content
    assert updated["version"] == created["version"] + 1
    section = (
        await client.call_tool(
            "update_page_section",
            {"page_id": pid, "heading": "Plan", "body": "- third", "version": updated["version"]},
        )
    ).structured_content
    assert "third" in fake_confluence.store.pages[pid].body
    target = page_id(fake_confluence, "FAQ")
    moved = await client.call_tool(
        "move_page", {"page_id": pid, "parent_id": target, "version": section["version"]}
    )
    assert moved.structured_content["version"] == section["version"] + 1
    assert fake_confluence.store.pages[pid].parent_id == target
    deleted = await confirmed(client, "delete_page", {"page_id": pid})
    assert deleted.structured_content["status"] == "trashed"


async def confirmed(client: Client[Any], name: str, arguments: dict[str, Any]) -> Any:
    """A destructive call through the two-step confirmation (clients without elicitation)."""
    with pytest.raises(ToolError, match="Confirmation required") as first:
        await client.call_tool(name, arguments)
    token = re.search(r'confirm_token="([^"]+)"', str(first.value))
    assert token is not None
    return await client.call_tool(name, {**arguments, "confirm_token": token.group(1)})


async def test_tool_errors_are_actionable_and_masked(
    transport: str, mcp_client: McpClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await mcp_client(transport)
    with pytest.raises(ToolError, match="Not found"):
        await client.call_tool("get_page", {"page_id": "424242"})
    with pytest.raises(ToolError, match="page_id"):
        await client.call_tool("get_page", {"page_id": "abc"})
    fake_confluence.faults.add(
        FaultRule(kind="rate_limit", path_prefix="/wiki/api/v2/spaces", retry_after=90)
    )
    with pytest.raises(ToolError) as info:
        await client.call_tool("get_space", {"space_key": "DEMO"})
    assert "Rate limited by Confluence: retry after 90 s" in str(info.value)
    assert "Traceback" not in str(info.value)
    assert fake_confluence.credentials.api_token not in str(info.value)


@pytest.mark.parametrize("transport", ["memory", "stdio"])
async def test_read_only_mode(
    transport: str, mcp_client: McpClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await mcp_client(transport, read_only_mode=True)
    names = {tool.name for tool in await client.list_tools()}
    assert not names & WRITE_TOOLS
    assert {"search", "get_page", "list_spaces"} <= names
    assert not names & {"add_comment", "add_labels", "remove_label", "upload_attachment"}
    before = len(fake_confluence.store.pages)
    with pytest.raises(ToolError, match="Unknown tool"):
        await client.call_tool("create_page", {"space_key": "DEMO", "title": "x", "body": "y"})
    assert len(fake_confluence.store.pages) == before


@pytest.mark.parametrize("transport", ["http", "stdio"])
async def test_enabled_tools(transport: str, mcp_client: McpClientFactory) -> None:
    client = await mcp_client(transport, enabled_tools="search,get_page")
    assert {tool.name for tool in await client.list_tools()} == {"search", "get_page"}
    with pytest.raises(ToolError, match="Unknown tool"):
        await client.call_tool("list_spaces", {})


async def test_toolsets(mcp_client: McpClientFactory) -> None:
    client = await mcp_client("memory", toolsets="attachments")
    names = {tool.name for tool in await client.list_tools()}
    assert names == {
        "list_attachments",
        "upload_attachment",
        "download_attachment",
        "upload_attachments",
        "delete_attachment",
        "get_page_images",
    }


@pytest.mark.parametrize("transport", ["http-stateless", "sse"])
async def test_space_filter(
    transport: str, mcp_client: McpClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await mcp_client(transport, confluence_spaces_filter="ENG")
    results = (await client.call_tool("search", {"query": "type = page"})).structured_content
    assert results["results"]
    assert {hit["space_key"] for hit in results["results"]} == {"ENG"}
    text = (await client.call_tool("search", {"query": "the"})).structured_content
    assert text["results"]
    assert all(hit["space_key"] == "ENG" for hit in text["results"])
    demo_page = page_id(fake_confluence, "Getting Started")
    with pytest.raises(ToolError, match="Not found"):
        await client.call_tool("get_page", {"page_id": demo_page})
    with pytest.raises(ToolError, match="Not found"):
        await client.call_tool(
            "update_page", {"page_id": demo_page, "version": 1, "title": "stolen"}
        )
    spaces = (await client.call_tool("list_spaces", {})).structured_content
    assert [space["key"] for space in spaces["spaces"]] == ["ENG"]
    assert fake_confluence.store.pages[demo_page].title == "Getting Started"


@pytest.mark.parametrize("transport", ["http", "stdio"])
async def test_stale_version_is_a_conflict(
    transport: str, mcp_client: McpClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await mcp_client(transport)
    pid = page_id(fake_confluence, "FAQ")
    read = (await client.call_tool("get_page", {"page_id": pid})).structured_content
    store = fake_confluence.store
    store.update_page(pid, version=read["version"] + 1, body="<p>a colleague's edit</p>")
    with pytest.raises(ToolError) as info:
        await client.call_tool(
            "update_page", {"page_id": pid, "version": read["version"], "body": "mine"}
        )
    message = str(info.value)
    assert f"version {read['version'] + 1}" in message
    assert f"version {read['version']}" in message
    assert store.pages[pid].body == "<p>a colleague's edit</p>"


@pytest.mark.parametrize("transport", ["http-stateless", "stdio"])
async def test_large_page_truncation_and_continuation(
    transport: str, mcp_client: McpClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await mcp_client(transport, page_max_chars=2000)
    paragraphs = "".join(f"<p>Paragraph {n}: {'lorem ipsum ' * 8}</p>" for n in range(120))
    created = (
        await client.call_tool(
            "create_page",
            {"space_key": "ENG", "title": "Big", "body": paragraphs, "body_format": "storage"},
        )
    ).structured_content
    full: list[str] = []
    offset: int | None = 0
    calls = 0
    while offset is not None:
        args: dict[str, Any] = {"page_id": created["id"], "offset": offset}
        data = (await client.call_tool("get_page", args)).structured_content
        calls += 1
        offset = data.get("next_offset")
        content: str = data["content"]
        if offset is not None:
            assert content.endswith(f"call get_page again with offset={offset} to continue]")
            content = content.split("\n\n[truncated:")[0]
        full.append(content)
    assert calls > 3
    joined = "".join(full)
    assert "Paragraph 0:" in joined
    assert "Paragraph 119:" in joined
    assert len(joined) == data["total_chars"]


@pytest.mark.parametrize("transport", ["http", "sse", "stdio"])
async def test_tree_progress_reaches_the_client(
    transport: str, mcp_client: McpClientFactory
) -> None:
    client = await mcp_client(transport)
    seen: list[float] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append(progress)

    result = await client.call_tool(
        "get_page_tree", {"space_key": "DEMO", "max_depth": 10}, progress_handler=on_progress
    )
    pages = result.structured_content["pages"]
    assert seen
    assert seen == sorted(seen)
    assert seen[-1] >= len(pages) - 1
