from typing import Any

import pytest
from fastmcp.exceptions import ToolError

from confluence_client.testing import FakeConfluenceServer
from confluence_mcp.tools.search import looks_like_cql, plain_excerpt, split_order_by

ClientFactory = Any


@pytest.mark.parametrize(
    ("query", "is_cql"),
    [
        ('space = DEMO AND text ~ "plan"', True),
        ('title ~ "roadmap"', True),
        ("label in (a, b)", True),
        ("roadmap for 2025", False),
        ("what is the space policy?", False),
    ],
)
def test_looks_like_cql(query: str, is_cql: bool) -> None:
    assert looks_like_cql(query) is is_cql


def test_split_order_by() -> None:
    where, order = split_order_by('text ~ "a" ORDER BY lastmodified DESC, title')
    assert where.strip() == 'text ~ "a"'
    assert order == [("lastmodified", True), ("title", False)]
    assert split_order_by('title ~ "order by x"') == ('title ~ "order by x"', [])


@pytest.mark.parametrize(
    "query",
    [
        'text ~ "a") OR (space = SECRET',
        "(space = A",
        'title ~ "unterminated',
        "ORDER BY title",
        "space = A ORDER BY title sideways",
    ],
)
def test_bad_cql_shapes_are_refused(query: str) -> None:
    with pytest.raises(ToolError, match="Invalid CQL"):
        split_order_by(query)


async def test_plain_text_search(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    result = (await client.call_tool("search", {"query": "install"})).structured_content
    assert result["results"]
    assert all("title" in hit for hit in result["results"])


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
