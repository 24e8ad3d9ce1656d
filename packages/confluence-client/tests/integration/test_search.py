"""CQL search through the fake, including hostile text that must not become CQL."""

import pytest

from confluence_client import ConfluenceClient, Cql, InvalidCqlError
from confluence_client.testing import FakeConfluenceServer

HOSTILE = [
    '" OR space = "ENG',
    '\\" OR type = page OR title ~ \\"',
    "Getting AND NOT Started",
    'x") OR (space = "ENG',
    "ORDER BY title",
    "\\",
    '"',
]


async def test_search_by_cql(client: ConfluenceClient, server: FakeConfluenceServer) -> None:
    query = Cql.eq("space", "DEMO") & Cql.eq("type", "page") & Cql.eq("title", "Getting Started")
    result = await client.search(query)
    assert [r.title for r in result.items] == ["Getting Started"]
    hit = result.items[0]
    assert hit.content_id == server.store.list_pages(title="Getting Started")[0].id
    assert hit.content_type == "page"
    assert hit.space_key == "DEMO"


async def test_search_paginates_to_the_end(
    client: ConfluenceClient, server: FakeConfluenceServer
) -> None:
    query = Cql.eq("space", "DEMO") & Cql.eq("type", "page")
    first = await client.search(query, limit=5)
    assert len(first.items) == 5
    assert first.next_cursor is not None
    ids = [r.content_id async for r in client.iter_search(query, limit=6)]
    demo = server.store.get_space_by_key("DEMO").id
    assert len(ids) == len(set(ids))
    assert set(ids) == {p.id for p in server.store.list_pages(space_id=demo)}


async def test_search_text(client: ConfluenceClient) -> None:
    result = await client.search_text("Getting Started", space_key="DEMO")
    assert any(r.title == "Getting Started" for r in result.items)
    assert all(r.space_key == "DEMO" for r in result.items)


@pytest.mark.parametrize("text", HOSTILE)
async def test_hostile_text_cannot_widen_a_search(
    client: ConfluenceClient, server: FakeConfluenceServer, text: str
) -> None:
    result = await client.search_text(text, space_key="DEMO")
    assert all(r.space_key == "DEMO" for r in result.items)
    eq = await client.search(Cql.eq("space", "DEMO") & Cql.eq("title", text))
    assert eq.items == ()


async def test_bad_cql_is_a_typed_error(client: ConfluenceClient) -> None:
    with pytest.raises(InvalidCqlError) as info:
        await client.search('space = "DEMO" AND (')
    assert info.value.status_code == 400
    assert info.value.path is not None
    assert info.value.path.endswith("/rest/api/search")
