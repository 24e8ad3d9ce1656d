"""list_labels / add_labels / remove_label through an in-memory client against the fake."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from fastmcp import Client
from fastmcp.exceptions import ToolError

from confluence_client.testing import FakeConfluenceServer

Connect = Callable[..., Awaitable[Client[Any]]]


def page_id(fake: FakeConfluenceServer, title: str) -> str:
    return next(page.id for page in fake.store.pages.values() if page.title == title)


def stored_labels(fake: FakeConfluenceServer, pid: str) -> list[str]:
    return sorted(label.name for label in fake.store.pages[pid].labels)


async def test_list_labels_returns_the_page_labels(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "Architecture overview")
    result = await client.call_tool("list_labels", {"page_id": pid})
    assert result.structured_content == {"page_id": pid, "labels": ["architecture", "design"]}


async def test_add_labels_lowercases_keeps_existing_and_is_idempotent(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "FAQ")
    first = await client.call_tool("add_labels", {"page_id": pid, "labels": ["Review", "q3-2025"]})
    again = await client.call_tool("add_labels", {"page_id": pid, "labels": ["review"]})
    assert sorted(first.structured_content["labels"]) == ["faq", "q3-2025", "review"]
    assert sorted(again.structured_content["labels"]) == ["faq", "q3-2025", "review"]
    assert stored_labels(fake_confluence, pid) == ["faq", "q3-2025", "review"]


@pytest.mark.parametrize("bad", ["two words", "semi;colon", "", "x" * 256])
async def test_invalid_label_names_never_reach_confluence(
    connect: Connect, fake_confluence: FakeConfluenceServer, bad: str
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "FAQ")
    fake_confluence.requests.clear()
    with pytest.raises(ToolError, match="labels"):
        await client.call_tool("add_labels", {"page_id": pid, "labels": [bad]})
    assert len(fake_confluence.requests) == 0


async def test_add_labels_requires_one_to_twenty_labels(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "FAQ")
    with pytest.raises(ToolError):
        await client.call_tool("add_labels", {"page_id": pid, "labels": []})
    with pytest.raises(ToolError):
        await client.call_tool(
            "add_labels", {"page_id": pid, "labels": [f"l{n}" for n in range(21)]}
        )


async def test_remove_label_returns_the_labels_left(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "Architecture overview")
    result = await client.call_tool("remove_label", {"page_id": pid, "label": "Design"})
    assert result.structured_content == {"page_id": pid, "labels": ["architecture"]}
    assert stored_labels(fake_confluence, pid) == ["architecture"]


async def test_removing_a_label_the_page_lacks_names_the_labels_it_has(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "Architecture overview")
    with pytest.raises(ToolError, match=r"'nope' is not on page .*architecture, design"):
        await client.call_tool("remove_label", {"page_id": pid, "label": "nope"})
    assert stored_labels(fake_confluence, pid) == ["architecture", "design"]


async def test_unknown_page_is_not_found(connect: Connect) -> None:
    client = await connect()
    with pytest.raises(ToolError, match="Not found"):
        await client.call_tool("list_labels", {"page_id": "999999"})


async def test_space_filter_hides_pages_of_other_spaces(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect(confluence_spaces_filter="DEMO")
    eng_page = page_id(fake_confluence, "ENG Onboarding")
    for tool, args in [
        ("list_labels", {}),
        ("add_labels", {"labels": ["x"]}),
        ("remove_label", {"label": "onboarding"}),
    ]:
        with pytest.raises(ToolError, match="Not found"):
            await client.call_tool(tool, {"page_id": eng_page, **args})
    assert stored_labels(fake_confluence, eng_page) == ["onboarding"]
    allowed = page_id(fake_confluence, "FAQ")
    result = await client.call_tool("list_labels", {"page_id": allowed})
    assert result.structured_content["labels"] == ["faq"]


async def test_annotations_and_tags(connect: Connect) -> None:
    client = await connect()
    tools = {tool.name: tool for tool in await client.list_tools()}
    assert tools["list_labels"].annotations.read_only_hint is True
    assert tools["add_labels"].annotations.destructive_hint is False
    assert tools["add_labels"].annotations.idempotent_hint is True
    assert tools["remove_label"].annotations.destructive_hint is not False
    assert tools["remove_label"].annotations.idempotent_hint is True
    deleting = {tool.name for tool in await (await connect(toolsets="delete")).list_tools()}
    assert "remove_label" in deleting
    assert not {"list_labels", "add_labels"} & deleting
    writing = {tool.name for tool in await (await connect(toolsets="write")).list_tools()}
    assert "add_labels" in writing
    assert not {"list_labels", "remove_label"} & writing


async def test_read_only_mode_hides_label_writes(connect: Connect) -> None:
    client = await connect(read_only_mode=True)
    names = {tool.name for tool in await client.list_tools()}
    assert "list_labels" in names
    assert not {"add_labels", "remove_label"} & names
