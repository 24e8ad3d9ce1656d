"""Page history tools and the markdown diff helper."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from fastmcp import Client
from fastmcp.exceptions import ToolError

from confluence_client.testing import FakeConfluenceServer
from confluence_mcp.tools.versions import markdown_diff

Connect = Callable[..., Awaitable[Client[Any]]]


def page_id(fake: FakeConfluenceServer, title: str) -> str:
    return next(page.id for page in fake.store.pages.values() if page.title == title)


async def test_versions_are_listed_newest_first(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "Architecture overview")
    result = await client.call_tool("list_page_versions", {"page_id": pid})
    versions = result.structured_content["versions"]
    assert [v["number"] for v in versions] == [3, 2, 1]
    assert [v.get("message") for v in versions] == ["Review", "Add principles", None]
    assert all(v["author_id"].startswith("557058:") for v in versions)
    paged = await client.call_tool("list_page_versions", {"page_id": pid, "limit": 2})
    rest = await client.call_tool(
        "list_page_versions",
        {"page_id": pid, "limit": 2, "cursor": paged.structured_content["next_cursor"]},
    )
    assert [v["number"] for v in rest.structured_content["versions"]] == [1]


async def test_get_page_version_reads_an_old_body(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "Release checklist")
    old = await client.call_tool("get_page_version", {"page_id": pid, "version": 2})
    assert old.structured_content["version"] == 2
    assert old.structured_content["title"] == "Release checklist"
    assert "Revision 2" in old.structured_content["content"]
    assert "Revision 3" not in old.structured_content["content"]
    raw = await client.call_tool(
        "get_page_version", {"page_id": pid, "version": 2, "format": "storage"}
    )
    assert "<p>Revision 2: clarified step 1.</p>" in raw.structured_content["content"]


async def test_long_versions_are_windowed_with_a_continuation_offset(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    pid = page_id(fake_confluence, "FAQ")
    long_body = "".join(f"<p>Paragraph {n} {'x' * 40}</p>" for n in range(60))
    fake_confluence.store.update_page(pid, version=2, body=long_body)
    whole = await (await connect()).call_tool("get_page_version", {"page_id": pid, "version": 2})
    full_text = whole.structured_content["content"]
    assert "next_offset" not in whole.structured_content

    client = await connect(page_max_chars=1000)
    parts: list[str] = []
    offset = 0
    while True:
        result = await client.call_tool(
            "get_page_version", {"page_id": pid, "version": 2, "offset": offset}
        )
        data = result.structured_content
        assert data["total_chars"] == len(full_text)
        if "next_offset" not in data:
            parts.append(data["content"])
            break
        marker = f"call get_page_version again with offset={data['next_offset']}"
        text, _, tail = data["content"].partition("\n\n[truncated: ")
        assert marker in tail
        parts.append(text)
        offset = data["next_offset"]
    assert len(parts) > 2
    assert "".join(parts) == full_text


async def test_diff_between_two_versions(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "Release checklist")
    result = await client.call_tool(
        "diff_page_versions", {"page_id": pid, "from_version": 2, "to_version": 4}
    )
    data = result.structured_content
    assert data["to_version"] == 4
    assert (data["added"], data["removed"]) == (4, 0)
    assert data["diff"].startswith("--- version 2\n+++ version 4\n@@")
    assert "+Revision 3: clarified step 2." in data["diff"]
    assert "+Revision 4: clarified step 3." in data["diff"]


async def test_diff_defaults_to_the_latest_version_and_shows_title_changes(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    pid = page_id(fake_confluence, "FAQ")
    store = fake_confluence.store
    store.update_page(pid, version=2, title="Frequently asked questions")
    client = await connect()
    result = await client.call_tool("diff_page_versions", {"page_id": pid, "from_version": 1})
    data = result.structured_content
    assert data["to_version"] == 2
    assert "-# FAQ" in data["diff"]
    assert "+# Frequently asked questions" in data["diff"]


async def test_identical_versions_give_an_empty_diff(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "Demo Space Home")
    result = await client.call_tool(
        "diff_page_versions", {"page_id": pid, "from_version": 1, "to_version": 2}
    )
    assert result.structured_content == {
        "to_version": 2,
        "added": 0,
        "removed": 0,
        "diff": "",
    }


async def test_missing_versions_and_bad_numbers(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "FAQ")
    with pytest.raises(ToolError, match="Not found"):
        await client.call_tool("get_page_version", {"page_id": pid, "version": 9})
    with pytest.raises(ToolError, match="Not found"):
        await client.call_tool("diff_page_versions", {"page_id": pid, "from_version": 7})
    fake_confluence.requests.clear()
    with pytest.raises(ToolError, match="from_version"):
        await client.call_tool("diff_page_versions", {"page_id": pid, "from_version": 0})
    with pytest.raises(ToolError, match="unexpected"):
        await client.call_tool(
            "diff_page_versions", {"page_id": pid, "from_version": 1, "context_lines": 9}
        )
    assert len(fake_confluence.requests) == 0


async def test_space_filter_applies_to_history(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect(confluence_spaces_filter="ENG")
    pid = page_id(fake_confluence, "Architecture overview")
    for tool, args in [
        ("list_page_versions", {}),
        ("get_page_version", {"version": 1}),
        ("diff_page_versions", {"from_version": 1}),
    ]:
        with pytest.raises(ToolError, match="Not found"):
            await client.call_tool(tool, {"page_id": pid, **args})


def test_markdown_diff_counts_changed_lines_only() -> None:
    old = "a\n++ literal plus\nb\n"
    new = "a\n+++ three pluses\nb\nc\n"
    diff, added, removed = markdown_diff(old, new, old_label="v1", new_label="v2")
    assert (added, removed) == (2, 1)
    assert diff.splitlines()[:2] == ["--- v1", "+++ v2"]


def test_markdown_diff_context_lines() -> None:
    old = "\n".join(str(n) for n in range(20))
    new = old.replace("10", "ten")
    tight, _, _ = markdown_diff(old, new, old_label="a", new_label="b", context_lines=0)
    wide, _, _ = markdown_diff(old, new, old_label="a", new_label="b", context_lines=5)
    assert tight.splitlines()[2:] == ["@@ -11 +11 @@", "-10", "+ten"]
    assert len(wide.splitlines()) == 2 + 1 + 2 + 10
    assert markdown_diff("same", "same", old_label="a", new_label="b") == ("", 0, 0)
