"""Page content properties and analytics through the SDK (Cloud, Data Center, OAuth gateway)."""

import pytest

from confluence_client import (
    ConflictError,
    ConfluenceClient,
    InvalidInputError,
    NotFoundError,
    NotSupportedError,
    ServerError,
)
from confluence_client.testing import FakeConfluenceServer


async def test_page_properties(client: ConfluenceClient, server: FakeConfluenceServer) -> None:
    pid = server.store.list_pages(title="FAQ")[0].id
    created = await client.set_page_property(pid, "content-appearance-published", "full-width")
    assert (created.key, created.value, created.version) == (
        "content-appearance-published",
        "full-width",
        1,
    )
    with pytest.raises(ConflictError) as exists:
        await client.set_page_property(pid, "content-appearance-published", "again")
    # Creating a key that exists: a conflict about the property, with no version given.
    assert (exists.value.resource, exists.value.provided_version) == ("property", None)
    assert "'content-appearance-published'" in str(exists.value)
    await client.set_page_property(pid, "custom", {"owner": "ops", "n": [1, 2]})
    listed = await client.list_page_properties(pid, limit=1)
    assert [p.key for p in listed.items] == ["content-appearance-published"]
    assert listed.next_cursor is not None
    rest = await client.list_page_properties(pid, limit=1, cursor=listed.next_cursor)
    assert [(p.key, p.value) for p in rest.items] == [("custom", {"owner": "ops", "n": [1, 2]})]
    updated = await client.set_page_property(pid, "custom", None, version=1)
    assert (updated.value, updated.version) == (None, 2)
    with pytest.raises(ConflictError) as stale:
        await client.set_page_property(pid, "custom", "late", version=1)
    assert (stale.value.current_version, stale.value.provided_version) == (2, 1)
    assert (await client.get_page_property(pid, "custom")).version == 2
    with pytest.raises(NotFoundError):
        await client.get_page_property(pid, "absent")
    with pytest.raises(NotFoundError):
        await client.set_page_property(pid, "absent", 1, version=1)
    with pytest.raises(InvalidInputError):
        await client.set_page_property(pid, "k", float("nan"))
    with pytest.raises(InvalidInputError):
        await client.set_page_property(pid, "k", "x" * 40_000)


async def test_page_views(
    client: ConfluenceClient, server: FakeConfluenceServer, flavour: str
) -> None:
    home = str(server.store.get_space_by_key("DEMO").homepage_id)
    if flavour == "datacenter":
        with pytest.raises(NotSupportedError):
            await client.get_page_views(home)
        return
    seen = await client.get_page_views(home)
    assert (seen.page_id, seen.views, seen.viewers) == (home, 6, 3)
    quiet = server.store.list_pages(title="FAQ")[0].id
    assert (await client.get_page_views(quiet)).views == 0
    with pytest.raises(NotFoundError):
        await client.get_page_views("999999")


async def test_property_conflicts_name_the_property_and_the_version_read(
    client: ConfluenceClient, server: FakeConfluenceServer
) -> None:
    pid = server.store.list_pages(title="FAQ")[0].id
    await client.set_page_property(pid, "race", 1)
    read = await client.get_page_property(pid, "race")
    with pytest.raises(ConflictError) as stale:
        await client.set_page_property(pid, "race", 2, version=read.version + 1)
    assert stale.value.resource == "property"
    await client.set_page_property(pid, "race", 2, version=read.version)  # someone else
    # A write based on the first read reaches Confluence's own version check (the SDK's
    # pre-check would catch it first: the backend is called as a race would leave it).
    with pytest.raises(ConflictError) as raced:
        await client._backend.update_property(pid, read, 3)
    conflict = raced.value
    assert (conflict.resource, conflict.provided_version) == ("property", read.version)
    assert conflict.current_version == read.version + 1
    assert (await client.get_page_property(pid, "race")).value == 2


@pytest.mark.parametrize("fault", ["apply_then_drop", "apply_then_corrupt"])
async def test_a_property_write_whose_answer_is_lost_is_recognised_not_repeated(
    client: ConfluenceClient, server: FakeConfluenceServer, fault: str
) -> None:
    pid = server.store.list_pages(title="FAQ")[0].id
    await client.set_page_property(pid, "owner", {"team": "ops"})
    server.requests.clear()
    getattr(server.faults, fault)(count=1, method="PUT")
    updated = await client.set_page_property(pid, "owner", {"team": "docs"}, version=1)
    assert (updated.value, updated.version) == ({"team": "docs"}, 2)
    assert server.requests.count("PUT") == 1  # sent once, its answer lost, then read back
    assert [r.fault for r in server.requests.matching("PUT")] == [fault]
    stored = await client.get_page_property(pid, "owner")
    assert (stored.value, stored.version) == ({"team": "docs"}, 2)  # one new version only
    # A create whose answer is lost: read back too, one property, one POST.
    server.requests.clear()
    getattr(server.faults, fault)(count=1, method="POST")
    created = await client.set_page_property(pid, "fresh", [1, 2])
    assert (created.key, created.value, created.version) == ("fresh", [1, 2], 1)
    assert server.requests.count("POST") == 1


async def test_a_property_write_that_failed_is_reported_not_repeated(
    client: ConfluenceClient, server: FakeConfluenceServer
) -> None:
    pid = server.store.list_pages(title="FAQ")[0].id
    await client.set_page_property(pid, "owner", "ops")
    server.requests.clear()
    server.faults.server_errors(count=1, method="PUT")
    with pytest.raises(ServerError):
        await client.set_page_property(pid, "owner", "docs", version=1)
    assert server.requests.count("PUT") == 1  # a 5xx is not retried: it may have landed
    stored = await client.get_page_property(pid, "owner")
    assert (stored.value, stored.version) == ("ops", 1)
