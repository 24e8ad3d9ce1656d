"""Inline comments through the SDK against the fake over HTTP (Cloud, OAuth gateway, DC)."""

import pytest

from confluence_client import (
    ConflictError,
    ConfluenceClient,
    InvalidInputError,
    NotFoundError,
    NotSupportedError,
)
from confluence_client.testing import FakeConfluenceServer


def _arch(server: FakeConfluenceServer) -> str:
    return server.store.list_pages(title="Architecture overview")[0].id


async def test_list_inline_comments(
    client: ConfluenceClient, server: FakeConfluenceServer, flavour: str
) -> None:
    arch = _arch(server)
    found = [c async for c in client.iter_inline_comments(arch, limit=1)]
    assert {(c.selection, c.resolution_status) for c in found} == {
        ("API gateway", "open"),
        ("observable", "resolved"),
    }
    assert {c.location for c in found} == {"inline"}
    assert all(c.page_id == arch and c.body is not None for c in found)
    resolved = await client.list_inline_comments(arch, resolution_status=["resolved"])
    assert [c.selection for c in resolved.items] == ["observable"]
    footer = [c async for c in client.iter_comments(arch)]
    assert {c.location for c in footer} == {"footer"}
    assert not {c.id for c in footer} & {c.id for c in found}
    with pytest.raises(InvalidInputError):
        await client.list_inline_comments(arch, resolution_status=["closed"])
    gateway = next(c for c in found if c.selection == "API gateway")
    # Data Center too: the v1 content API reads inline comments and lists their replies.
    replies = await client.list_inline_comment_replies(gateway.id)
    assert [r.parent_comment_id for r in replies.items] == [gateway.id]
    one = await client.get_inline_comment(gateway.id)
    assert (one.id, one.selection, one.location, one.page_id) == (
        gateway.id,
        "API gateway",
        "inline",
        arch,
    )
    footer_id = footer[0].id
    with pytest.raises(NotFoundError):
        await client.get_inline_comment(footer_id)  # a footer comment is not an inline one


async def test_add_reply_resolve_reopen(
    client: ConfluenceClient, server: FakeConfluenceServer, flavour: str
) -> None:
    page = await client.create_page("DEMO", "Inline", "<p>a cat, a <em>dog</em>, a cat</p>")
    if flavour == "datacenter":
        with pytest.raises(NotSupportedError) as info:
            await client.add_inline_comment(page.id, "<p>x</p>", "cat")
        assert info.value.deployment == "datacenter"
        assert all("inline" not in e.path for e in server.requests.entries)  # nothing sent
        # Replying works: the documented content API, the parent's thread and anchor.
        listed = [c async for c in client.iter_inline_comments(_arch(server))]
        gateway = next(c for c in listed if c.selection == "API gateway")
        reply = await client.reply_to_inline_comment(gateway.id, "<p>On DC too.</p>")
        assert (reply.parent_comment_id, reply.location, reply.selection) == (
            gateway.id,
            "inline",
            "API gateway",
        )
        assert server.store.inline_comments[reply.id].parent_comment_id == gateway.id
        with pytest.raises(NotSupportedError):
            await client.resolve_inline_comment(gateway.id)
        return
    with pytest.raises(InvalidInputError, match="occurs 2 time"):
        await client.add_inline_comment(page.id, "<p>x</p>", "cat", match_index=2)
    with pytest.raises(InvalidInputError, match="does not occur"):
        await client.add_inline_comment(page.id, "<p>x</p>", "a dog")  # crosses <em>
    added = await client.add_inline_comment(page.id, "<p>Which cat?</p>", "cat", match_index=1)
    assert (added.location, added.selection, added.resolution_status) == ("inline", "cat", "open")
    stored = server.store.pages[page.id].body
    assert stored.endswith('a <ac:inline-comment-marker ac:ref="' + stored.split('ac:ref="')[1])
    assert stored.count("cat") == 2
    assert stored.index("cat") < stored.index("inline-comment")
    reply = await client.reply_to_inline_comment(added.id, "<p>The second.</p>")
    assert reply.parent_comment_id == added.id
    done = await client.resolve_inline_comment(added.id)
    assert done.resolution_status == "resolved"
    again = await client.resolve_inline_comment(added.id, resolved=False)
    assert again.resolution_status == "reopened"
    assert again.body is not None
    assert again.body.value == "<p>Which cat?</p>"
    with pytest.raises(NotFoundError):
        await client.resolve_inline_comment("999999999")


async def test_resolve_with_the_comment_just_read_is_one_request(
    cloud: ConfluenceClient, server: FakeConfluenceServer
) -> None:
    page = await cloud.create_page("DEMO", "Inline once", "<p>a cat</p>")
    added = await cloud.add_inline_comment(page.id, "<p>Which cat?</p>", "cat")
    path = f"/wiki/api/v2/inline-comments/{added.id}"
    server.requests.clear()
    await cloud.resolve_inline_comment(added.id)
    assert [(r.method, r.path) for r in server.requests] == [("GET", path), ("PUT", path)]
    current = await cloud.get_inline_comment(added.id)
    server.requests.clear()
    reopened = await cloud.resolve_inline_comment(added.id, False, current=current)
    assert reopened.resolution_status == "reopened"
    assert [(r.method, r.path) for r in server.requests] == [("PUT", path)]
    assert server.store.inline_comments[added.id].body == "<p>Which cat?</p>"
    # Stale: Confluence's version check on the write refuses it; nothing changes.
    with pytest.raises(ConflictError):
        await cloud.resolve_inline_comment(added.id, True, current=current)
    assert server.store.inline_comments[added.id].resolution == "reopened"
    # Read without its body: not enough for the write, so the SDK reads it again.
    bare = await cloud.get_inline_comment(added.id, body_format=None)
    server.requests.clear()
    await cloud.resolve_inline_comment(added.id, current=bare)
    assert [(r.method, r.path) for r in server.requests] == [("GET", path), ("PUT", path)]
    assert server.store.inline_comments[added.id].body == "<p>Which cat?</p>"
    server.requests.clear()
    with pytest.raises(InvalidInputError, match="current"):
        await cloud.resolve_inline_comment("999999999", current=current)
    assert len(server.requests) == 0


async def test_add_inline_comment_with_the_page_just_read_is_one_request(
    cloud: ConfluenceClient, server: FakeConfluenceServer
) -> None:
    page = await cloud.create_page("DEMO", "Anchor once", "<p>a cat, a cat</p>")
    read = await cloud.get_page(page.id)
    server.requests.clear()
    added = await cloud.add_inline_comment(
        page.id, "<p>Second</p>", "cat", match_index=1, page=read
    )
    assert [(r.method, r.path) for r in server.requests] == [
        ("POST", "/wiki/api/v2/inline-comments")
    ]
    assert (added.selection, server.store.inline_comments[added.id].selection) == ("cat", "cat")
    bare = await cloud.get_page(page.id, body_format=None)
    server.requests.clear()
    # Read without its body: the occurrences are counted in a fresh read.
    await cloud.add_inline_comment(page.id, "<p>First</p>", "cat", page=bare)
    assert [r.method for r in server.requests] == ["GET", "POST"]
    server.requests.clear()
    with pytest.raises(InvalidInputError, match="page"):
        await cloud.add_inline_comment("999999999", "<p>x</p>", "cat", page=read)
    assert len(server.requests) == 0


async def test_resolving_a_comment_changed_since_it_was_read_is_a_comment_conflict(
    cloud: ConfluenceClient, server: FakeConfluenceServer
) -> None:
    page = await cloud.create_page("DEMO", "Inline race", "<p>a cat</p>")
    added = await cloud.add_inline_comment(page.id, "<p>Which cat?</p>", "cat")
    read = await cloud.get_inline_comment(added.id)
    assert read.version is not None
    await cloud.resolve_inline_comment(added.id)  # someone else, in between
    with pytest.raises(ConflictError) as raced:
        await cloud.resolve_inline_comment(added.id, False, current=read)
    conflict = raced.value
    # The version the write was based on, not the number it sent (which Confluence names).
    assert (conflict.resource, conflict.provided_version) == ("comment", read.version.number)
    assert conflict.current_version == read.version.number + 1
    assert server.store.inline_comments[added.id].resolution == "resolved"
