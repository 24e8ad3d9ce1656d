from typing import Any

import pytest
from fastmcp.exceptions import ToolError

from confluence_client.testing import FakeConfluenceServer

ClientFactory = Any


def page_id(fake: FakeConfluenceServer, title: str) -> str:
    return next(str(p.id) for p in fake.store.pages.values() if p.title == title)


async def test_create_page_in_storage_under_parent(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    parent = page_id(fake_confluence, "Getting Started")
    result = await client.call_tool(
        "create_page",
        {
            "space_key": "DEMO",
            "title": "Brand new",
            "body": "<p>Hello <strong>world</strong></p>",
            "body_format": "storage",
            "parent_id": parent,
        },
    )
    data = result.structured_content
    assert data["title"] == "Brand new"
    assert data["version"] == 1
    assert data["space_key"] == "DEMO"
    record = fake_confluence.store.pages[data["id"]]
    assert record.body == "<p>Hello <strong>world</strong></p>"
    assert record.parent_id == parent


async def test_update_with_current_version_writes(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "FAQ")
    version = fake_confluence.store.pages[pid].version
    result = await client.call_tool(
        "update_page",
        {
            "page_id": pid,
            "version": version,
            "body": "<p>new</p>",
            "body_format": "storage",
            "message": "tidy",
        },
    )
    assert result.structured_content["version"] == version + 1
    assert fake_confluence.store.pages[pid].body == "<p>new</p>"
    assert fake_confluence.store.pages[pid].current.message == "tidy"


async def test_stale_version_is_a_conflict_naming_both_versions(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "FAQ")
    store = fake_confluence.store
    read_version = store.pages[pid].version
    store.update_page(pid, version=read_version + 1, body="<p>someone else</p>")
    with pytest.raises(ToolError) as info:
        await client.call_tool(
            "update_page",
            {
                "page_id": pid,
                "version": read_version,
                "body": "<p>mine</p>",
                "body_format": "storage",
            },
        )
    message = str(info.value)
    assert f"version {read_version + 1}" in message
    assert f"version {read_version}" in message
    assert store.pages[pid].body == "<p>someone else</p>"


async def test_update_without_version_uses_current(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "FAQ")
    before = fake_confluence.store.pages[pid].version
    result = await client.call_tool("update_page", {"page_id": pid, "title": "FAQ (renamed)"})
    assert result.structured_content["version"] == before + 1
    assert fake_confluence.store.pages[pid].title == "FAQ (renamed)"


async def test_update_needs_something_to_change(connect: ClientFactory) -> None:
    client = await connect()
    with pytest.raises(ToolError, match="Nothing to change"):
        await client.call_tool("update_page", {"page_id": "1", "version": 1})


async def test_move_and_delete(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "FAQ")
    new_parent = page_id(fake_confluence, "Getting Started")
    moved = await client.call_tool("move_page", {"page_id": pid, "parent_id": new_parent})
    assert moved.structured_content["parent_id"] == new_parent
    assert fake_confluence.store.pages[pid].parent_id == new_parent
    deleted = await client.call_tool("delete_page", {"page_id": pid})
    assert deleted.structured_content == {"id": pid, "status": "trashed"}
    assert fake_confluence.store.pages[pid].status == "trashed"
    with pytest.raises(ToolError, match="Not found"):
        await client.call_tool("get_page", {"page_id": pid})


async def test_writes_outside_allowed_spaces_look_not_found(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect(confluence_spaces_filter="ENG")
    pid = page_id(fake_confluence, "FAQ")
    before = fake_confluence.store.pages[pid].version
    for name, args in [
        ("update_page", {"page_id": pid, "title": "x"}),
        ("update_page", {"page_id": pid, "version": before, "title": "x"}),
        ("delete_page", {"page_id": pid}),
        ("move_page", {"page_id": pid, "parent_id": page_id(fake_confluence, "ENG Onboarding")}),
        ("create_page", {"space_key": "DEMO", "title": "t", "body": "b"}),
        ("update_page_section", {"page_id": pid, "heading": "x", "body": "y"}),
    ]:
        with pytest.raises(ToolError, match="Not found"):
            await client.call_tool(name, args)
    assert fake_confluence.store.pages[pid].version == before
    assert fake_confluence.store.pages[pid].status == "current"


async def test_read_only_mode_hides_writes(connect: ClientFactory) -> None:
    client = await connect(read_only_mode=True)
    names = {tool.name for tool in await client.list_tools()}
    assert "get_page" in names
    assert not names & {
        "create_page",
        "update_page",
        "update_page_section",
        "move_page",
        "delete_page",
    }
    with pytest.raises(ToolError, match="Unknown tool"):
        await client.call_tool("delete_page", {"page_id": "1"})
