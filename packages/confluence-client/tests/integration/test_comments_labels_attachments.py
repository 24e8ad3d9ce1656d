"""Footer comments, labels and attachments against the fake over HTTP."""

import pytest

from confluence_client import (
    ConfluenceClient,
    DownloadTooLargeError,
    InvalidInputError,
    NotFoundError,
)
from confluence_client.testing import FakeConfluenceServer


async def _scratch(client: ConfluenceClient, title: str) -> str:
    return (await client.create_page("DEMO", title, "<p>scratch</p>")).id


async def test_comments_and_replies(client: ConfluenceClient, server: FakeConfluenceServer) -> None:
    page_id = await _scratch(client, "Comment page")
    top = [await client.add_comment(page_id, f"<p>comment {i}</p>") for i in range(3)]
    assert top[0].page_id == page_id
    assert top[0].body is not None
    assert top[0].body.value == "<p>comment 0</p>"
    reply = await client.reply_to_comment(top[0].id, "<p>a reply</p>")
    assert reply.parent_comment_id == top[0].id
    assert reply.page_id == page_id

    first = await client.list_comments(page_id, limit=2)
    assert len(first.items) == 2
    listed = [c async for c in client.iter_comments(page_id, limit=2)]
    assert [c.id for c in listed] == [c.id for c in top]
    assert listed[1].body is not None
    replies = [c async for c in client.iter_comment_replies(top[0].id)]
    assert [r.id for r in replies] == [reply.id]
    assert server.store.get_comment(reply.id).parent_comment_id == top[0].id
    fetched = await client.get_comment(reply.id)
    assert (fetched.id, fetched.page_id, fetched.parent_comment_id) == (
        reply.id,
        page_id,
        top[0].id,
    )
    assert fetched.body is not None
    assert fetched.body.value == "<p>a reply</p>"


async def test_comment_errors(client: ConfluenceClient) -> None:
    with pytest.raises(InvalidInputError):
        await client.add_comment("1", "   ")
    with pytest.raises(NotFoundError):
        await client.add_comment("999999999", "<p>x</p>")
    with pytest.raises(NotFoundError):
        await client.reply_to_comment("999999999", "<p>x</p>")
    with pytest.raises(NotFoundError):
        await client.get_comment("999999999")


async def test_labels(client: ConfluenceClient, server: FakeConfluenceServer) -> None:
    page_id = await _scratch(client, "Label page")
    after = await client.add_labels(page_id, ["Alpha", "beta", "alpha"])
    assert sorted(label.name for label in after) == ["alpha", "beta"]
    await client.add_labels(page_id, ["gamma"])
    first = await client.list_labels(page_id, limit=2)
    assert len(first.items) == 2
    names = sorted([label.name async for label in client.iter_labels(page_id, limit=2)])
    assert names == ["alpha", "beta", "gamma"]
    await client.remove_label(page_id, "beta")
    assert sorted(label.name for label in server.store.pages[page_id].labels) == ["alpha", "gamma"]
    with pytest.raises(InvalidInputError):
        await client.add_labels(page_id, "alpha")
    with pytest.raises(InvalidInputError):
        await client.add_labels(page_id, [])
    with pytest.raises(InvalidInputError):
        await client.remove_label(page_id, "two words")


async def test_attachments(client: ConfluenceClient, server: FakeConfluenceServer) -> None:
    page_id = await _scratch(client, "Attachment page")
    data = bytes(range(256)) * 40
    uploaded = await client.upload_attachment(page_id, "data.bin", data, comment="first")
    assert uploaded.title == "data.bin"
    assert uploaded.page_id == page_id
    assert uploaded.file_size == len(data)
    await client.upload_attachment(page_id, "notes.txt", b"hello")
    again = await client.upload_attachment(page_id, "data.bin", b"v2", comment="second")
    assert again.id == uploaded.id
    assert again.version is not None
    assert again.version.number == 2

    first = await client.list_attachments(page_id, limit=1)
    assert len(first.items) == 1
    listed = [a async for a in client.iter_attachments(page_id, limit=1)]
    assert sorted(a.title for a in listed) == ["data.bin", "notes.txt"]
    notes = next(a for a in listed if a.title == "notes.txt")
    assert notes.media_type == "text/plain"

    meta = await client.get_attachment(notes.id)
    assert meta.title == "notes.txt"
    assert await client.download_attachment(meta) == b"hello"
    assert await client.download_attachment(uploaded.id) == b"v2"
    with pytest.raises(DownloadTooLargeError) as info:
        await client.download_attachment(meta, max_bytes=3)
    assert info.value.max_bytes == 3
    assert info.value.size > 3


async def test_seeded_attachment_download(
    client: ConfluenceClient, server: FakeConfluenceServer
) -> None:
    record = next(iter(server.store.attachments.values()))
    meta = await client.get_attachment(record.id)
    assert meta.file_size == len(record.data)
    assert await client.download_attachment(meta) == record.data


async def test_attachment_errors(client: ConfluenceClient) -> None:
    with pytest.raises(NotFoundError):
        await client.get_attachment("att999999999")
    with pytest.raises(InvalidInputError):
        await client.upload_attachment("1", "../evil", b"x")
    with pytest.raises(InvalidInputError):
        await client.upload_attachment("1", "x.txt", "text")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        await client.download_attachment("att1", max_bytes=0)
