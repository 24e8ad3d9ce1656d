import re
from typing import Any
from urllib.parse import parse_qs

import pytest
from fastmcp.exceptions import ToolError

from confluence_client.testing import FakeConfluenceServer
from confluence_mcp.tools.search import plain_excerpt

ClientFactory = Any


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ('text ~ "a") OR (space = SECRET', "unbalanced parentheses or quotes"),
        ('title ~ "unterminated', "unbalanced parentheses or quotes"),
        ("space = A ORDER BY title sideways", "cannot read ORDER BY item 'title sideways'"),
    ],
)
async def test_bad_cql_shapes_are_refused_before_any_request(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer, query: str, reason: str
) -> None:
    client = await connect()
    fake_confluence.requests.clear()
    with pytest.raises(ToolError, match=f"Invalid CQL: {re.escape(reason)}"):
        await client.call_tool("search", {"query": query})
    assert fake_confluence.requests.count(path_contains="search") == 0


async def test_cql_order_by_stays_last_after_the_space_scope(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect(confluence_spaces_filter="ENG")
    fake_confluence.requests.clear()
    await client.call_tool(
        "search", {"query": "type = page order by lastmodified desc", "space_key": "ENG"}
    )
    sent = fake_confluence.requests.last
    assert sent is not None
    assert parse_qs(sent.query)["cql"] == [
        '(type = page) AND space = "ENG" AND space IN ("ENG") ORDER BY lastmodified DESC'
    ]


async def test_plain_text_search(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    fake_confluence.requests.clear()
    result = (await client.call_tool("search", {"query": "install"})).structured_content
    sent = fake_confluence.requests.last
    assert sent is not None
    assert parse_qs(sent.query)["cql"] == ['text ~ "install"']
    titles = {hit["title"] for hit in result["results"]}
    assert {"Installation", "Installing on Linux"} <= titles
    for hit in result["results"]:
        page = fake_confluence.store.pages[hit["id"]]
        assert "install" in f"{page.title} {page.body}".lower(), hit["title"]


async def test_cql_search_scoped_to_allowed_spaces(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect(confluence_spaces_filter="ENG")
    fake_confluence.requests.clear()
    result = (await client.call_tool("search", {"query": "type = page"})).structured_content
    assert result["results"]
    assert {hit["space_key"] for hit in result["results"]} == {"ENG"}
    sent = fake_confluence.requests.last
    assert sent is not None
    assert "ENG" in sent.query


async def test_search_in_disallowed_space_is_not_found(connect: ClientFactory) -> None:
    client = await connect(confluence_spaces_filter="ENG")
    with pytest.raises(ToolError, match="Not found"):
        await client.call_tool("search", {"query": "x", "space_key": "DEMO"})


async def test_invalid_cql_is_reported(connect: ClientFactory) -> None:
    client = await connect()
    with pytest.raises(ToolError, match="Invalid CQL"):
        await client.call_tool("search", {"query": "title = = ="})


def test_highlight_markers_become_bold() -> None:
    assert plain_excerpt("see @@@hl@@@Demo@@@endhl@@@ and @@@hl@@@x") == "see **Demo** and x"
    assert plain_excerpt(None) is None


async def test_search_excerpts_have_no_markers(connect: ClientFactory) -> None:
    client = await connect()
    result = (await client.call_tool("search", {"query": "install"})).structured_content
    excerpts = " ".join(hit.get("excerpt", "") for hit in result["results"])
    assert "@@@" not in excerpts
    assert "**" in excerpts
