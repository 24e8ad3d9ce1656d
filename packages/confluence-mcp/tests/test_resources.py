"""Resource templates confluence://page/{page_id} and confluence://space/{space_key}."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from fastmcp import Client
from mcp.shared.exceptions import MCPError

from confluence_client import Page, Space
from confluence_client.testing import FakeConfluenceServer
from confluence_mcp.resources import page_uri, render_space

Connect = Callable[..., Awaitable[Client[Any]]]


def page_id(fake: FakeConfluenceServer, title: str) -> str:
    return next(page.id for page in fake.store.pages.values() if page.title == title)


async def read_text(client: Client[Any], uri: str) -> str:
    [content] = await client.read_resource(uri)
    assert content.mime_type == "text/markdown"
    return str(content.text)


async def test_templates_are_listed(connect: Connect) -> None:
    client = await connect()
    templates = {t.uri_template: t for t in await client.list_resource_templates()}
    assert templates["confluence://page/{page_id}"].mime_type == "text/markdown"
    assert templates["confluence://space/{space_key}"].mime_type == "text/markdown"
    assert all(t.description for t in templates.values())


async def test_page_resource_is_markdown_with_a_title_heading(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "Architecture overview")
    text = await read_text(client, page_uri(pid))
    assert text.startswith("# Architecture overview\n\n")
    assert "## Principles" in text
    assert "- Services own their data" in text
    assert "<p>" not in text


async def test_long_pages_are_cut_with_a_pointer_to_get_page(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    pid = page_id(fake_confluence, "FAQ")
    body = "".join(f"<p>Answer {n} {'y' * 50}</p>" for n in range(80))
    fake_confluence.store.update_page(pid, version=2, body=body)
    client = await connect(page_max_chars=1000)
    text = await read_text(client, page_uri(pid))
    assert "Answer 0" in text
    assert "Answer 79" not in text
    assert "call get_page again with offset=" in text


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("confluence://page/999999", "Not found"),
        ("confluence://page/abc", "Invalid page id"),
        ("confluence://space/NOPE", "Not found"),
        ("confluence://space/bad key!", "Invalid space key"),
    ],
)
async def test_bad_references_give_clear_errors(connect: Connect, uri: str, message: str) -> None:
    client = await connect()
    with pytest.raises(MCPError, match=message):
        await client.read_resource(uri)


@pytest.mark.parametrize(
    "uri", ["confluence://page/" + "A" * 100_000, "confluence://space/" + "x!" * 50_000]
)
async def test_a_huge_bad_reference_is_not_echoed(connect: Connect, uri: str) -> None:
    # Found by the fuzz suite (issue 15 #3): the error used to repeat the whole 100 KB value.
    client = await connect()
    with pytest.raises(MCPError, match="Invalid") as info:
        await client.read_resource(uri)
    assert len(str(info.value)) < 200


async def test_space_filter_makes_other_spaces_unreadable(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect(confluence_spaces_filter="ENG")
    with pytest.raises(MCPError, match="Not found"):
        await client.read_resource(page_uri(page_id(fake_confluence, "FAQ")))
    with pytest.raises(MCPError, match="Not found"):
        await client.read_resource("confluence://space/DEMO")
    text = await read_text(client, "confluence://space/ENG")
    assert text.startswith("# Engineering (ENG)")


async def test_space_overview_lists_home_and_root_pages(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    text = await read_text(client, "confluence://space/DEMO")
    home = page_id(fake_confluence, "Demo Space Home")
    assert text.startswith("# Demo Space (DEMO)\n\nA realistic demo space")
    assert f"Home page: [Demo Space Home](confluence://page/{home})" in text
    getting_started = page_id(fake_confluence, "Getting Started")
    assert f"- [Getting Started](confluence://page/{getting_started})" in text
    assert "Installing on Linux" not in text  # deeper pages are not root pages


def test_render_space_without_home_page_and_with_more_pages() -> None:
    space = Space(id="1", key="K", name="Kay", description=None)
    pages = [Page(id="5", title="Orphan")]
    text = render_space(space, None, pages, more=True)
    assert text.splitlines()[:3] == ["# Kay (K)", "", "## Pages"]
    assert "- [Orphan](confluence://page/5) (id 5)" in text
    assert "more pages exist" in text
    assert "(none)" in render_space(space, None, [], more=False)


async def test_space_without_home_page_lists_its_top_level_pages(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    store = fake_confluence.store
    space = store.add_space("LOOSE", "Loose ends")
    space.homepage_id = None
    loose = store.add_page(space.id, "Loose note", "<p>hi</p>")
    store.add_page(space.id, "Nested note", "<p>hi</p>", parent_id=loose.id)
    client = await connect()
    text = await read_text(client, "confluence://space/LOOSE")
    assert "Home page" not in text
    assert "## Pages\n" in text
    assert f"- [Loose note](confluence://page/{loose.id})" in text
    assert "Nested note" not in text


async def test_template_listing_carries_no_fastmcp_meta(connect: Connect) -> None:
    client = await connect()
    templates = await client.list_resource_templates()
    assert {t.uri_template for t in templates} >= {
        "confluence://page/{page_id}",
        "confluence://space/{space_key}",
    }
    assert all(t.meta is None for t in templates)
