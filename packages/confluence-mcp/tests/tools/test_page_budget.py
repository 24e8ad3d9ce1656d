"""Budget-sized reads: get_page with section, max_tokens and a continuation cursor."""

from __future__ import annotations

from typing import Any

import pytest
from fastmcp.exceptions import ToolError

from confluence_client.content import storage_to_markdown
from confluence_client.testing import FakeConfluenceServer

ClientFactory = Any


def long_page(fake: FakeConfluenceServer) -> str:
    space = fake.store.get_space_by_key("DEMO")
    parts = []
    for n in range(1, 4):
        parts.append(f"<h2>Part {n}</h2>")
        parts += [f"<p>Paragraph {n}.{i} " + "lorem ipsum " * 20 + "</p>" for i in range(30)]
    return fake.store.add_page(space.id, "Long read", "".join(parts)).id


async def test_max_tokens_and_cursor_walk_the_whole_page(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = long_page(fake_confluence)
    whole = storage_to_markdown(fake_confluence.store.pages[pid].body)
    pieces: list[str] = []
    args: dict[str, Any] = {"page_id": pid, "max_tokens": 1000}
    while True:
        data = (await client.call_tool("get_page", args)).structured_content
        if "next_cursor" not in data:
            pieces.append(data["content"])
            break
        assert data["next_offset"] > 0
        body, _marker = data["content"].rsplit("\n\n[truncated:", 1)
        assert len(body) <= 1000 * 4
        pieces.append(body)
        args = {"page_id": pid, "max_tokens": 1000, "cursor": data["next_cursor"]}
    assert len(pieces) > 3
    assert "".join(pieces) == whole


@pytest.mark.parametrize("heading", ["Part 2", "Part-2"])
async def test_section_by_heading_or_anchor(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer, heading: str
) -> None:
    client = await connect()
    pid = long_page(fake_confluence)
    data = (
        await client.call_tool(
            "get_page", {"page_id": pid, "section": heading, "max_tokens": 100_000}
        )
    ).structured_content
    assert data["content"].startswith("Paragraph 2.0 ")
    assert "Paragraph 1." not in data["content"]
    assert "Paragraph 3." not in data["content"]


async def test_section_cursor_stays_in_the_section(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = long_page(fake_confluence)
    first = (
        await client.call_tool("get_page", {"page_id": pid, "section": "Part 1", "max_tokens": 500})
    ).structured_content
    second = (
        await client.call_tool("get_page", {"page_id": pid, "cursor": first["next_cursor"]})
    ).structured_content
    assert "Paragraph 1." in second["content"]
    assert "Paragraph 2." not in second["content"]


async def test_bad_cursor_section_and_format(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = long_page(fake_confluence)
    with pytest.raises(ToolError, match="invalid cursor"):
        await client.call_tool("get_page", {"page_id": pid, "cursor": "bm9wZQ"})
    # A continuation cursor in the old unsealed form ([offset, section] as base64) is refused.
    with pytest.raises(ToolError, match="invalid cursor"):
        await client.call_tool("get_page", {"page_id": pid, "cursor": "WzEwMDAsbnVsbF0"})
    with pytest.raises(ToolError, match=r"No heading matches 'Part 9'.*'Part 1'"):
        await client.call_tool("get_page", {"page_id": pid, "section": "Part 9"})
    with pytest.raises(ToolError, match="not view"):
        await client.call_tool("get_page", {"page_id": pid, "section": "Part 1", "format": "view"})
