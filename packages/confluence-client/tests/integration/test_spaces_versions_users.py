"""Spaces, page versions and users against the fake over HTTP."""

import pytest

from confluence_client import ConfluenceClient, InvalidInputError, NotFoundError
from confluence_client.testing import FakeConfluenceServer


async def test_spaces(client: ConfluenceClient, server: FakeConfluenceServer) -> None:
    demo = server.store.get_space_by_key("DEMO")
    space = await client.get_space("DEMO")
    assert (space.id, space.key, space.name) == (demo.id, "DEMO", demo.name)
    assert space.homepage_id == demo.homepage_id
    assert space.description == demo.description
    assert (await client.get_space_by_id(demo.id)).key == "DEMO"

    first = await client.list_spaces(limit=1)
    assert len(first.items) == 1
    assert first.next_cursor is not None
    keys = [s.key async for s in client.iter_spaces(limit=1)]
    assert sorted(keys) == sorted(s.key for s in server.store.list_spaces())
    assert {"DEMO", "ENG"} <= set(keys)


async def test_missing_spaces(client: ConfluenceClient) -> None:
    with pytest.raises(NotFoundError):
        await client.get_space("NOSUCH")
    with pytest.raises(NotFoundError):
        await client.get_space_by_id("987654321")
    with pytest.raises(InvalidInputError):
        await client.get_space("not a key")


async def test_cloud_pages_learn_their_space_key(cloud: ConfluenceClient) -> None:
    page = await cloud.get_page_by_title("DEMO", "Getting Started")
    assert page.space_key == "DEMO"


async def test_versions(client: ConfluenceClient, server: FakeConfluenceServer) -> None:
    page = await client.create_page("DEMO", "Versioned", "<p>1</p>")
    for n in range(1, 4):
        await client.update_page(
            page.id, expected_version=n, body=f"<p>{n + 1}</p>", message=f"v{n + 1}"
        )
    first = await client.list_versions(page.id, limit=2)
    assert len(first.items) == 2
    versions = [v async for v in client.iter_versions(page.id, limit=2)]
    assert [v.number for v in versions] == [4, 3, 2, 1]
    assert versions[0].message == "v4"
    assert all(v.page_id == page.id for v in versions)
    third = await client.get_version(page.id, 3)
    assert (third.number, third.message) == (3, "v3")
    assert third.created_at is not None
    old = await client.get_page(page.id, version=2)
    assert old.body is not None
    assert old.body.value == "<p>2</p>"
    with pytest.raises(NotFoundError):
        await client.get_version(page.id, 99)


async def test_users(client: ConfluenceClient, server: FakeConfluenceServer) -> None:
    me = await client.get_current_user()
    record = server.store.current_user()
    assert me.display_name == record.display_name
    assert me.id in (record.account_id, record.user_key)
    found = await client.search_users(record.display_name.split()[0])
    assert any(u.display_name == record.display_name for u in found.items)
    none = await client.search_users('nobody" OR user.fullname ~ "a')
    assert none.items == ()
