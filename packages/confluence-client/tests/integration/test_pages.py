"""Page operations against the fake Confluence over HTTP, in every deployment flavour."""

import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from confluence_client import (
    ConflictError,
    ConfluenceClient,
    InvalidInputError,
    InvalidMoveError,
    NotFoundError,
    Page,
)
from confluence_client._page_urls import page_id_to_tiny_code
from confluence_client.testing import FakeConfluenceServer

TREE_KINDS = ("page", "folder", "whiteboard", "database")


def _demo(server: FakeConfluenceServer) -> str:
    return server.store.get_space_by_key("DEMO").id


def _page_titled(server: FakeConfluenceServer, title: str) -> str:
    (page,) = server.store.list_pages(space_id=_demo(server), title=title)
    return page.id


async def test_get_page_with_storage_body(
    client: ConfluenceClient, server: FakeConfluenceServer
) -> None:
    record = server.store.pages[server.store.get_space_by_key("DEMO").homepage_id or ""]
    page = await client.get_page(record.id)
    assert page.id == record.id
    assert page.title == record.title
    assert page.version_number == record.version
    assert page.body is not None
    assert page.body.representation == "storage"
    assert page.body.value == record.body
    assert page.space_id == record.space_id
    assert page.web_url is not None
    assert page.web_url.startswith(client.site_url)


async def test_get_page_view_and_no_body(
    client: ConfluenceClient, server: FakeConfluenceServer
) -> None:
    page_id = _page_titled(server, "Getting Started")
    view = await client.get_page(page_id, body_format="view")
    assert view.body is not None
    assert view.body.representation == "view"
    bare = await client.get_page(int(page_id), body_format=None)
    assert bare.body is None


async def test_get_old_version(client: ConfluenceClient, server: FakeConfluenceServer) -> None:
    home = server.store.get_space_by_key("DEMO").homepage_id or ""
    record = server.store.pages[home]
    assert record.version >= 2
    old = await client.get_page(home, version=1)
    assert old.version_number == 1
    assert old.body is not None
    assert old.body.value == record.versions[0].body


async def test_missing_page_is_not_found(client: ConfluenceClient) -> None:
    with pytest.raises(NotFoundError) as info:
        await client.get_page("999999999")
    assert info.value.status_code == 404
    assert info.value.method == "GET"
    assert info.value.path is not None
    assert "999999999" in info.value.path


async def test_get_by_title(client: ConfluenceClient, server: FakeConfluenceServer) -> None:
    page = await client.get_page_by_title("DEMO", "Getting Started")
    assert page.id == _page_titled(server, "Getting Started")
    assert page.space_key == "DEMO"
    with pytest.raises(NotFoundError):
        await client.get_page_by_title("DEMO", "No such page anywhere")
    with pytest.raises(NotFoundError):
        await client.get_page_by_title("NOPE", "Getting Started")


async def test_get_by_url_shapes(client: ConfluenceClient, server: FakeConfluenceServer) -> None:
    page_id = _page_titled(server, "Getting Started")
    urls = [
        f"{client.site_url}/spaces/DEMO/pages/{page_id}/Getting+Started",
        f"{client.site_url}/pages/viewpage.action?pageId={page_id}",
        f"{client.site_url}/display/DEMO/Getting+Started",
        f"{client.site_url}/x/{page_id_to_tiny_code(page_id)}",
    ]
    fetched = await client.get_page(page_id, body_format=None)
    assert fetched.tiny_url is not None
    urls.append(fetched.tiny_url)  # the fake's tinyui uses Confluence's encoding
    for url in urls:
        page = await client.get_page_by_url(url)
        assert page.id == page_id, url
    with pytest.raises(InvalidInputError):
        await client.get_page_by_url(f"{client.site_url}/spaces/DEMO/overview")
    with pytest.raises(InvalidInputError, match="site"):
        await client.get_page_by_url(f"https://elsewhere.example/wiki/spaces/DEMO/pages/{page_id}")


async def test_list_pages_paginates_to_the_end(
    client: ConfluenceClient, server: FakeConfluenceServer
) -> None:
    expected = {p.id for p in server.store.list_pages(space_id=_demo(server))}
    first = await client.list_pages("DEMO", limit=7)
    assert len(first.items) == 7
    assert first.next_cursor is not None
    second = await client.list_pages("DEMO", limit=7, cursor=first.next_cursor)
    assert {p.id for p in first.items}.isdisjoint(p.id for p in second.items)
    seen = [p.id async for p in client.iter_pages("DEMO", limit=9)]
    assert len(seen) == len(set(seen))
    assert set(seen) == expected
    assert len(expected) >= 40


async def test_list_pages_with_bodies(
    client: ConfluenceClient, server: FakeConfluenceServer
) -> None:
    batch = await client.list_pages("DEMO", limit=3, body_format="storage")
    assert len(batch.items) == 3
    for page in batch.items:
        assert page.body is not None
        assert page.body.representation == "storage"
        assert page.body.value == server.store.pages[page.id].body


async def test_cursor_from_another_listing_is_refused(client: ConfluenceClient) -> None:
    first = await client.list_pages("DEMO", limit=2)
    assert first.next_cursor is not None
    with pytest.raises(InvalidInputError):
        await client.list_spaces(cursor=first.next_cursor)
    with pytest.raises(InvalidInputError):
        await client.list_pages("DEMO", cursor="bm90LWEtY3Vyc29y")


async def test_children_ancestors_descendants_and_tree(
    client: ConfluenceClient, server: FakeConfluenceServer, flavour: str
) -> None:
    store = server.store
    deepest = max(
        store.list_pages(space_id=_demo(server)), key=lambda p: len(store.ancestors(p.id))
    )
    chain = store.ancestors(deepest.id)
    assert len(chain) >= 3
    ancestors = await client.get_ancestors(deepest.id)
    assert [a.id for a in ancestors] == [p.id for p in chain]
    assert ancestors[0].title == chain[0].title
    assert [a.parent_id for a in ancestors[1:]] == [a.id for a in ancestors[:-1]]

    root = chain[0]
    kids = [p async for p in client.iter_children(root.id, limit=2)]
    assert sorted(k.id for k in kids) == sorted(
        k.id for k in store.children(root.id, root.space_id)
    )
    assert all(k.parent_id == root.id for k in kids)

    descendants = [p async for p in client.iter_descendants(root.id, limit=5)]
    # Cloud walks through folders, whiteboards, databases (typed nodes); Data Center has none.
    kinds = ("page",) if flavour == "datacenter" else TREE_KINDS
    expected = {p.id for p, _ in store.descendants(root.id, kinds=kinds)}
    assert {d.id for d in descendants} == expected
    assert {d.content_type for d in descendants} == set(kinds)
    assert all(d.parent_id == store.pages[d.id].parent_id for d in descendants)

    tree = await client.get_page_tree(root.id)
    walked = list(tree.walk())
    assert walked[0] == (0, tree.page)
    assert {p.id for _, p in walked[1:]} == expected
    depths = {p.id: d for d, p in walked}
    assert depths[deepest.id] == len(chain)
    shallow = await client.get_page_tree(root.id, max_depth=1)
    assert {c.page.id for c in shallow.children if c.page.content_type == "page"} == {
        k.id for k in kids
    }
    assert all(not c.children for c in shallow.children)


_CHILD_LISTING = re.compile(r"/(?:pages|content|folders)/(\d+)/(?:direct-children|child/page)")


async def test_walk_page_tree_reads_no_deeper_than_max_depth(
    client: ConfluenceClient, server: FakeConfluenceServer, flavour: str
) -> None:
    store, space = server.store, _demo(server)
    # Cloud walks through folders, whiteboards, databases (typed nodes); Data Center has none.
    kinds = ("page",) if flavour == "datacenter" else TREE_KINDS
    level = {p.id: 0 for p in store.children(None, space)}
    expected = dict(level)
    for depth in (1, 2):
        level = {k.id: depth for pid in level for k in store.children(pid, space, kinds=kinds)}
        expected.update(level)
    server.requests.clear()
    walked = [(d, p) async for d, p in client.walk_page_tree(space_key="DEMO", max_depth=2)]
    assert {p.id: d for d, p in walked} == expected
    assert len(walked) == len(expected)
    assert [d for d, _ in walked] == sorted(d for d, _ in walked)  # breadth-first
    assert all(store.pages[p.id].parent_id == p.parent_id for d, p in walked if d)
    listed = {m.group(1) for r in server.requests if (m := _CHILD_LISTING.search(r.path))}
    assert listed == {pid for pid, depth in expected.items() if depth < 2}
    assert not [r for r in server.requests if "descendant" in r.path]

    root = next(iter(p.id for p in store.children(None, space)))
    server.requests.clear()
    shallow = await client.get_page_tree(root, max_depth=1)
    assert [c.page.id for c in shallow.children] == [
        k.id for k in store.children(root, space, kinds=kinds)
    ]
    listed = {m.group(1) for r in server.requests if (m := _CHILD_LISTING.search(r.path))}
    assert listed == {root}


async def test_walk_page_tree_stops_reading_when_the_caller_stops(
    client: ConfluenceClient, server: FakeConfluenceServer
) -> None:
    server.requests.clear()
    walk = client.walk_page_tree(space_key="DEMO", max_depth=5)
    depth, _page = await anext(walk)
    await walk.aclose()
    assert depth == 0
    assert not [r for r in server.requests if _CHILD_LISTING.search(r.path)]


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"max_depth": 1}, "page_id"),
        ({"page_id": "1", "space_key": "DEMO", "max_depth": 1}, "page_id"),
        ({"space_key": "DEMO", "max_depth": -1}, "max_depth"),
    ],
)
async def test_walk_page_tree_checks_its_arguments(
    client: ConfluenceClient, arguments: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInputError) as info:
        async for _ in client.walk_page_tree(**arguments):
            pass
    assert info.value.field == field


async def test_create_update_conflict_move_delete(
    client: ConfluenceClient, server: FakeConfluenceServer
) -> None:
    parent = _page_titled(server, "Getting Started")
    other = _page_titled(server, "FAQ")
    created = await client.create_page("DEMO", "SDK test page", "<p>one</p>", parent_id=parent)
    assert created.version_number == 1
    assert created.parent_id == parent
    assert server.store.pages[created.id].body == "<p>one</p>"

    updated = await client.update_page(
        created.id, expected_version=1, body="<p>two</p>", message="second"
    )
    assert updated.version_number == 2
    assert updated.title == "SDK test page"
    assert server.store.pages[created.id].body == "<p>two</p>"

    with pytest.raises(ConflictError) as info:
        await client.update_page(created.id, expected_version=1, body="<p>stale</p>")
    assert (info.value.current_version, info.value.provided_version) == (2, 1)
    assert server.store.pages[created.id].body == "<p>two</p>"

    renamed = await client.update_page(created.id, expected_version=2, title="SDK renamed")
    assert (renamed.title, renamed.version_number) == ("SDK renamed", 3)
    assert server.store.pages[created.id].body == "<p>two</p>"

    moved = await client.move_page(created.id, other, expected_version=3)
    assert moved.parent_id == other
    assert server.store.pages[created.id].parent_id == other
    with pytest.raises(ConflictError):
        await client.move_page(created.id, parent, expected_version=3)

    await client.delete_page(created.id)
    assert server.store.pages[created.id].status == "trashed"
    with pytest.raises(NotFoundError):
        await client.get_page(created.id)
    await client.delete_page(created.id, purge=True)
    assert created.id not in server.store.pages


async def test_delete_with_purge_in_one_call(client: ConfluenceClient) -> None:
    page = await client.create_page("DEMO", "Purge me", "<p>x</p>")
    await client.delete_page(page.id, purge=True)
    with pytest.raises(NotFoundError):
        await client.delete_page(page.id)


async def test_conflict_from_the_server_carries_versions(
    client: ConfluenceClient, server: FakeConfluenceServer
) -> None:
    """A concurrent edit between our read and our write still ends as a conflict."""
    page = await client.create_page("DEMO", "Race page", "<p>a</p>")
    current = await client.get_page(page.id)
    server.store.update_page(page.id, body="<p>someone else</p>", version=2)
    backend = client._backend  # the read already happened: drive the write step directly
    with pytest.raises(ConflictError) as info:
        await backend.update_page(current, current.title, "<p>mine</p>", None, False, None)
    assert info.value.current_version == 2
    assert info.value.provided_version == 1
    assert info.value.status_code == 409
    assert info.value.method == "PUT"
    assert server.store.pages[page.id].body == "<p>someone else</p>"


async def test_validation_happens_before_any_request(
    client: ConfluenceClient, server: FakeConfluenceServer
) -> None:
    server.requests.clear()
    bad_calls: list[Callable[[], Awaitable[object]]] = [
        lambda: client.get_page("12; DROP"),
        lambda: client.get_page("1", version=0),
        lambda: client.get_page("1", body_format="html"),  # type: ignore[arg-type]
        lambda: client.list_pages("BAD KEY"),
        lambda: client.list_pages("DEMO", limit=1000),
        lambda: client.create_page("DEMO", "", "<p/>"),
        lambda: client.create_page("DEMO", "t", "<p/>", parent_id="x"),
        lambda: client.update_page("1", expected_version=0),
        lambda: client.move_page("5", "5"),
        lambda: client.list_pages("DEMO", cursor=""),
    ]
    for call in bad_calls:
        with pytest.raises(InvalidInputError):
            await call()
    with pytest.raises(InvalidInputError):
        client.iter_pages("DEMO", limit=0)
    assert len(server.requests) == 0


async def test_page_model_round_trip(client: ConfluenceClient) -> None:
    page = await client.get_page_by_title("DEMO", "Getting Started")
    assert Page.model_validate(page.model_dump()) == page


async def test_full_update_is_one_request_and_still_refuses_stale_versions(
    client: ConfluenceClient, server: FakeConfluenceServer
) -> None:
    parent = _page_titled(server, "Getting Started")
    page = await client.create_page("DEMO", "One-shot", "<p>1</p>", parent_id=parent)
    server.requests.clear()
    updated = await client.update_page(
        page.id, expected_version=1, title="One-shot 2", body="<p>2</p>"
    )
    assert len(server.requests) == 1
    assert (updated.title, updated.version_number, updated.parent_id) == ("One-shot 2", 2, parent)
    assert server.store.pages[page.id].parent_id == parent
    with pytest.raises(ConflictError) as info:
        await client.update_page(page.id, expected_version=1, title="Stale", body="<p>x</p>")
    assert (info.value.current_version, info.value.provided_version) == (2, 1)
    assert server.store.pages[page.id].title == "One-shot 2"


async def test_move_with_the_page_just_read_is_one_request(
    client: ConfluenceClient, server: FakeConfluenceServer
) -> None:
    parent, other = _page_titled(server, "Getting Started"), _page_titled(server, "FAQ")
    page = await client.create_page("DEMO", "Mover", "<p>keep me</p>", parent_id=parent)
    current = await client.get_page(page.id)
    server.requests.clear()
    moved = await client.move_page(page.id, other, expected_version=1, current=current)
    assert len(server.requests) == 1  # the write only
    assert server.requests.entries[0].method == "PUT"
    assert (moved.parent_id, moved.version_number) == (other, 2)
    stored = server.store.pages[page.id]
    assert (stored.parent_id, stored.title, stored.body) == (other, "Mover", "<p>keep me</p>")
    # The page moved on since that read: Confluence's version check refuses the write.
    with pytest.raises(ConflictError) as info:
        await client.move_page(page.id, parent, expected_version=1, current=current)
    assert info.value.current_version == 2
    assert server.store.pages[page.id].parent_id == other
    # A read without the body cannot be rewritten as is: the SDK reads the page again.
    bare = await client.get_page(page.id, body_format=None)
    server.requests.clear()
    await client.move_page(page.id, parent, expected_version=2, current=bare)
    assert [r.method for r in server.requests] == ["GET", "PUT"]
    assert server.store.pages[page.id].body == "<p>keep me</p>"
    server.requests.clear()
    with pytest.raises(InvalidInputError, match="current"):
        await client.move_page(other, parent, current=bare)
    assert len(server.requests) == 0


async def test_move_under_the_current_parent_writes_nothing(
    client: ConfluenceClient, server: FakeConfluenceServer
) -> None:
    parent, other = _page_titled(server, "Getting Started"), _page_titled(server, "FAQ")
    page = await client.create_page("DEMO", "Stayer", "<p>here</p>", parent_id=parent)
    server.requests.clear()
    same = await client.move_page(page.id, parent, expected_version=1)
    assert [r.method for r in server.requests] == ["GET"]
    assert (same.parent_id, same.version_number) == (parent, 1)
    assert server.store.pages[page.id].version == 1
    # A read handed in may be older than the page: the write goes ahead, and Confluence's
    # version check decides.
    current = await client.get_page(page.id)
    await client.move_page(page.id, other, expected_version=1)
    with pytest.raises(ConflictError):
        await client.move_page(page.id, parent, expected_version=1, current=current)
    assert server.store.pages[page.id].parent_id == other


async def test_a_refused_move_says_what_is_wrong_with_the_parent(
    client: ConfluenceClient, server: FakeConfluenceServer
) -> None:
    store = server.store
    top = _page_titled(server, "Getting Started")
    page = await client.create_page("DEMO", "Mover", "<p>x</p>", parent_id=top)
    below = await client.create_page("DEMO", "Below mover", "<p>y</p>", parent_id=page.id)
    elsewhere = store.list_pages(title="ENG Onboarding")[0].id
    post = next(p.id for p in store.pages.values() if p.kind == "blogpost")
    for parent, reason in [
        (elsewhere, "other_space"),
        (post, "not_a_page"),
        (below.id, "own_descendant"),
    ]:
        server.requests.clear()
        with pytest.raises(InvalidMoveError) as info:
            await client.move_page(page.id, parent, expected_version=1)
        assert (info.value.reason, info.value.page_id, info.value.parent_id) == (
            reason,
            page.id,
            parent,
        )
        assert parent in str(info.value)
        assert info.value.status_code in (400, 404)
        assert server.requests.count("PUT") == 1  # the refused write; the parent read after
        assert (store.pages[page.id].parent_id, store.pages[page.id].version) == (top, 1)
    # A good move reads nothing more than before.
    server.requests.clear()
    await client.move_page(page.id, _page_titled(server, "FAQ"), expected_version=1)
    assert [r.method for r in server.requests] == ["GET", "PUT"]
