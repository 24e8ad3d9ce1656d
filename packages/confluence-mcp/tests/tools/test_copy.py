"""copy_page: one page, or a tree with progress, against the fake."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from fastmcp.exceptions import ToolError

from confluence_client.testing import FakeConfluenceServer

Connect = Callable[..., Awaitable[Client[Any]]]


def page_id(fake: FakeConfluenceServer, title: str) -> str:
    return next(page.id for page in fake.store.pages.values() if page.title == title)


async def test_copy_one_page(connect: Connect, fake_confluence: FakeConfluenceServer) -> None:
    client = await connect()
    arch = page_id(fake_confluence, "Architecture overview")
    result = await client.call_tool(
        "copy_page", {"page_id": arch, "space_key": "ENG", "labels": False}
    )
    new = fake_confluence.store.pages[result.structured_content["id"]]
    assert (new.title, new.body, new.labels) == (
        "Architecture overview",
        fake_confluence.store.pages[arch].body,
        [],
    )
    assert result.structured_content["version"] == 1
    assert len(fake_confluence.store.page_attachments(new.id)) == 1  # attachments by default
    renamed = await client.call_tool(
        "copy_page", {"page_id": arch, "parent_id": arch, "title": "Arch v2"}
    )
    assert fake_confluence.store.pages[renamed.structured_content["id"]].parent_id == arch
    with pytest.raises(ToolError, match="exactly one destination"):
        await client.call_tool("copy_page", {"page_id": arch})
    with pytest.raises(ToolError, match="already exists"):
        await client.call_tool("copy_page", {"page_id": arch, "space_key": "DEMO"})


async def test_copying_a_tree_below_itself_is_refused_as_a_copy(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "Getting Started")
    with pytest.raises(ToolError) as refused:
        await client.call_tool(
            "copy_page", {"page_id": pid, "parent_id": pid, "with_children": True}
        )
    assert "cannot be moved or copied below itself" in str(refused.value)


async def test_copy_tree_reports_progress(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    arch = page_id(fake_confluence, "Architecture overview")
    size = 1 + len(fake_confluence.store.descendants(arch))
    progress: list[tuple[float, float | None]] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append((value, total))

    result = await client.call_tool(
        "copy_page",
        {"page_id": arch, "space_key": "DEMO", "with_children": True},
        progress_handler=on_progress,
    )
    root = fake_confluence.store.pages[result.structured_content["id"]]
    assert root.title == "Copy of Architecture overview"  # same space: prefixed
    assert root.parent_id == fake_confluence.store.get_space_by_key("DEMO").homepage_id
    assert 1 + len(fake_confluence.store.descendants(root.id)) == size
    assert len(progress) > 1
    assert progress[-1] == (100, 100)
    assert [p for p, _ in progress] == sorted(p for p, _ in progress)
    with pytest.raises(ToolError, match="title_prefix"):
        await client.call_tool(
            "copy_page", {"page_id": arch, "space_key": "ENG", "with_children": True, "title": "x"}
        )


async def test_copy_respects_guards(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    arch = page_id(fake_confluence, "Architecture overview")
    eng = page_id(fake_confluence, "ENG Onboarding")
    before = len(fake_confluence.store.pages)
    fenced = await connect(confluence_spaces_filter="ENG")
    with pytest.raises(ToolError, match="Not found"):
        await fenced.call_tool("copy_page", {"page_id": arch, "parent_id": eng})
    with pytest.raises(ToolError, match="Not found"):
        await fenced.call_tool("copy_page", {"page_id": eng, "space_key": "DEMO"})
    assert len(fake_confluence.store.pages) == before
    read_only = await connect(read_only_mode=True)
    assert "copy_page" not in {tool.name for tool in await read_only.list_tools()}


async def test_copy_tree_over_streamable_http(
    remote_settings_for: Any, serve_remote: Any, fake_confluence: FakeConfluenceServer
) -> None:
    arch = page_id(fake_confluence, "Architecture overview")
    seen: list[float] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        seen.append(value)

    async with (
        serve_remote(remote_settings_for(mcp_ip_rate_limit="off")) as (base, _),
        Client(StreamableHttpTransport(f"{base}/mcp")) as client,
    ):
        result = await client.call_tool(
            "copy_page",
            {"page_id": arch, "space_key": "ENG", "with_children": True},
            progress_handler=on_progress,
        )
    root = fake_confluence.store.pages[result.structured_content["id"]]
    assert root.title == "Architecture overview"  # another space: titles kept
    assert seen
    assert seen[-1] == 100
