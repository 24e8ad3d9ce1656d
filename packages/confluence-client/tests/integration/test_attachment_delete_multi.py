"""Several files in one upload, and trash / purge of attachments (Cloud, OAuth gateway, DC)."""

import pytest

from confluence_client import ConfluenceClient, InvalidInputError, NotFoundError
from confluence_client.testing import FakeConfluenceServer


async def test_upload_several_files_in_one_request(
    client: ConfluenceClient, server: FakeConfluenceServer
) -> None:
    page = await client.create_page("DEMO", "Multi upload", "<p>files</p>")
    server.requests.clear()
    made = await client.upload_attachments(
        page.id,
        [("a.txt", b"alpha"), ("b.png", b"\x89PNG\r\n\x1a\n", "image/png"), ("c.bin", b"\x00")],
        comment="batch",
    )
    assert [a.title for a in made] == ["a.txt", "b.png", "c.bin"]
    assert [a.media_type for a in made] == ["text/plain", "image/png", "application/octet-stream"]
    assert len([r for r in server.requests if "child/attachment" in r.path]) == 1
    stored = {a.title: a for a in server.store.page_attachments(page.id)}
    assert stored["b.png"].data == b"\x89PNG\r\n\x1a\n"
    assert stored["a.txt"].comment == "batch"
    again = await client.upload_attachments(page.id, [("a.txt", b"alpha 2")])
    assert again[0].id == made[0].id
    assert again[0].version is not None
    assert again[0].version.number == 2
    with pytest.raises(InvalidInputError, match="distinct"):
        await client.upload_attachments(page.id, [("x.txt", b"1"), ("x.txt", b"2")])
    with pytest.raises(InvalidInputError, match="1 to 20"):
        await client.upload_attachments(page.id, [])
    with pytest.raises(InvalidInputError):
        await client.upload_attachments(page.id, [("../x", b"1")])


async def test_delete_trashes_then_purges(
    client: ConfluenceClient, server: FakeConfluenceServer
) -> None:
    page = await client.create_page("DEMO", "Delete attachments", "<p>files</p>")
    keep, drop, gone = await client.upload_attachments(
        page.id, [("keep.txt", b"k"), ("drop.txt", b"d"), ("gone.txt", b"g")]
    )
    await client.delete_attachment(drop.id)
    assert server.store.attachments[drop.id.removeprefix("att")].status == "trashed"
    listed = [a.title async for a in client.iter_attachments(page.id)]
    assert listed == ["keep.txt", "gone.txt"]
    with pytest.raises(NotFoundError):
        await client.get_attachment(drop.id)
    with pytest.raises(NotFoundError):
        await client.delete_attachment(drop.id)  # already in the trash
    await client.delete_attachment(drop.id, purge=True)
    assert drop.id.removeprefix("att") not in server.store.attachments
    await client.delete_attachment(gone.id, purge=True)  # trash and purge in one call
    assert gone.id.removeprefix("att") not in server.store.attachments
    with pytest.raises(NotFoundError):
        await client.delete_attachment("att999999999")
    assert (await client.get_attachment(keep.id)).title == "keep.txt"
