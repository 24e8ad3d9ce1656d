"""Attachment restore from the trash, and content property delete (Cloud, DC, OAuth gateway)."""

import pytest

from confluence_client import (
    ConflictError,
    ConfluenceClient,
    InvalidInputError,
    NotFoundError,
    NotSupportedError,
)
from confluence_client.testing import FakeConfluenceServer


async def test_restore_a_trashed_attachment(
    client: ConfluenceClient, server: FakeConfluenceServer, flavour: str
) -> None:
    page = await client.create_page("DEMO", "Restore attachments", "<p>files</p>")
    [att] = await client.upload_attachments(page.id, [("back.txt", b"again")])
    await client.delete_attachment(att.id)
    stored = server.store.attachments[att.id.removeprefix("att")]
    if flavour == "oauth":
        server.requests.clear()
        with pytest.raises(NotSupportedError, match="OAuth gateway"):
            await client.restore_attachment(att.id)
        with pytest.raises(NotSupportedError, match="OAuth gateway"):
            await client.get_trashed_attachment(att.id)
        assert len(server.requests) == 0
        return
    seen = await client.get_trashed_attachment(att.id)
    assert (seen.title, seen.page_id) == ("back.txt", page.id)
    restored = await client.restore_attachment(att.id)
    assert (restored.id, restored.title, stored.status) == (att.id, "back.txt", "current")
    assert [a.title async for a in client.iter_attachments(page.id)] == ["back.txt"]
    put = [r for r in server.requests if r.method == "PUT"][-1]
    assert put.path.endswith(f"/rest/api/content/{att.id.removeprefix('att')}")
    with pytest.raises(NotFoundError):
        await client.restore_attachment(att.id)  # not in the trash any more
    with pytest.raises(NotFoundError):
        await client.get_trashed_attachment(att.id)
    with pytest.raises(NotFoundError):
        await client.restore_attachment("att999999999")


async def test_delete_a_page_property(
    client: ConfluenceClient, server: FakeConfluenceServer
) -> None:
    pid = server.store.list_pages(title="FAQ")[0].id
    await client.set_page_property(pid, "content-appearance-published", "full-width")
    await client.set_page_property(pid, "content-appearance-published", "fixed", version=1)
    with pytest.raises(ConflictError) as stale:
        await client.delete_page_property(pid, "content-appearance-published", version=1)
    assert (stale.value.current_version, stale.value.provided_version) == (2, 1)
    assert (await client.get_page_property(pid, "content-appearance-published")).value == "fixed"
    await client.delete_page_property(pid, "content-appearance-published", version=2)
    with pytest.raises(NotFoundError):
        await client.get_page_property(pid, "content-appearance-published")
    with pytest.raises(NotFoundError):
        await client.delete_page_property(pid, "content-appearance-published", version=2)
    with pytest.raises(InvalidInputError):
        await client.delete_page_property(pid, "k", version=0)
    # The key is free again: creating it starts over at version 1.
    again = await client.set_page_property(pid, "content-appearance-published", "full-width")
    assert again.version == 1
