"""upload_attachments, delete_attachment and get_page_images against the fake."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from fastmcp.exceptions import ToolError
from mcp_types import ImageContent, TextContent

from confluence_client.testing import FakeConfluenceServer

Connect = Callable[..., Awaitable[Client[Any]]]
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def page_id(fake: FakeConfluenceServer, title: str) -> str:
    return next(page.id for page in fake.store.pages.values() if page.title == title)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


async def test_upload_several_files_then_delete_and_purge(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "FAQ")
    files = [
        {"filename": "a.txt", "content_base64": b64(b"alpha")},
        {"filename": "pixel.png", "content_base64": "data:image/png;base64," + b64(PNG)},
    ]
    made = await client.call_tool("upload_attachments", {"page_id": pid, "files": files})
    listed = made.structured_content["attachments"]
    assert [(a["title"], a["media_type"]) for a in listed] == [
        ("a.txt", "text/plain"),
        ("pixel.png", "image/png"),
    ]
    first = listed[0]["id"]
    trashed = await client.call_tool("delete_attachment", {"attachment_id": first})
    assert trashed.structured_content == {"id": first, "status": "trashed"}
    assert fake_confluence.store.attachments[first[3:]].status == "trashed"
    back = await client.call_tool("delete_attachment", {"attachment_id": first, "restore": True})
    assert back.structured_content == {"id": first, "status": "restored"}
    assert fake_confluence.store.attachments[first[3:]].status == "current"
    with pytest.raises(ToolError, match="not in the trash"):
        await client.call_tool("delete_attachment", {"attachment_id": first, "restore": True})
    with pytest.raises(ToolError, match="not both"):
        await client.call_tool(
            "delete_attachment", {"attachment_id": first, "purge": True, "restore": True}
        )
    await client.call_tool("delete_attachment", {"attachment_id": first})
    purged = await client.call_tool("delete_attachment", {"attachment_id": first, "purge": True})
    assert purged.structured_content["status"] == "purged"
    assert first[3:] not in fake_confluence.store.attachments
    with pytest.raises(ToolError, match="Not found"):
        await client.call_tool("delete_attachment", {"attachment_id": first})
    with pytest.raises(ToolError, match="base64"):
        await client.call_tool(
            "upload_attachments",
            {"page_id": pid, "files": [{"filename": "x.txt", "content_base64": "***"}]},
        )
    with pytest.raises(ToolError, match="files"):
        await client.call_tool("upload_attachments", {"page_id": pid, "files": []})


async def test_page_images_come_back_as_images(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "Architecture overview")
    result = await client.call_tool("get_page_images", {"page_id": pid})
    summary, image = result.content
    assert isinstance(summary, TextContent)
    assert "architecture-diagram.png" in summary.text
    assert isinstance(image, ImageContent)
    assert image.mime_type == "image/png"
    stored = next(
        a
        for a in fake_confluence.store.attachments.values()
        if a.title == "architecture-diagram.png"
    )
    assert base64.b64decode(image.data) == stored.data


async def test_page_images_respect_the_size_cap(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    pid = page_id(fake_confluence, "FAQ")
    fake_confluence.store.add_attachment(
        pid, "big.png", PNG + b"\x00" * 4096, media_type="image/png"
    )
    fake_confluence.store.add_attachment(pid, "small.png", PNG, media_type="image/png")
    fake_confluence.store.add_attachment(pid, "notes.txt", b"text", media_type="text/plain")
    client = await connect(confluence_max_attachment_bytes=1024)
    result = await client.call_tool("get_page_images", {"page_id": pid})
    summary = result.content[0]
    assert isinstance(summary, TextContent)
    assert "Not shown (count or size cap): big.png" in summary.text
    assert [type(b) for b in result.content[1:]] == [ImageContent]
    one = await client.call_tool("get_page_images", {"page_id": pid, "max_images": 1})
    assert len(one.content) == 2


async def test_guards_apply(connect: Connect, fake_confluence: FakeConfluenceServer) -> None:
    pid = page_id(fake_confluence, "Architecture overview")
    att = "att" + next(a.id for a in fake_confluence.store.attachments.values() if a.page_id == pid)
    fenced = await connect(confluence_spaces_filter="ENG")
    for tool, args in [
        ("get_page_images", {"page_id": pid}),
        ("delete_attachment", {"attachment_id": att}),
        ("delete_attachment", {"attachment_id": att, "purge": True}),
        ("delete_attachment", {"attachment_id": att, "restore": True}),
        (
            "upload_attachments",
            {"page_id": pid, "files": [{"filename": "a", "content_base64": "YQ=="}]},
        ),
    ]:
        with pytest.raises(ToolError, match="Not found"):
            await fenced.call_tool(tool, args)
    assert fake_confluence.store.attachments[att[3:]].status == "current"
    read_only = await connect(read_only_mode=True)
    names = {tool.name for tool in await read_only.list_tools()}
    assert "get_page_images" in names
    assert not {"upload_attachments", "delete_attachment"} & names


async def test_images_over_streamable_http(
    remote_settings_for: Any, serve_remote: Any, fake_confluence: FakeConfluenceServer
) -> None:
    pid = page_id(fake_confluence, "Architecture overview")
    async with (
        serve_remote(remote_settings_for(mcp_ip_rate_limit="off")) as (base, _),
        Client(StreamableHttpTransport(f"{base}/mcp")) as client,
    ):
        result = await client.call_tool("get_page_images", {"page_id": pid})
    assert any(isinstance(block, ImageContent) for block in result.content)


async def test_restore_checks_the_allow_list_and_the_oauth_gateway_cannot(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    pid = page_id(fake_confluence, "FAQ")
    att = fake_confluence.store.add_attachment(pid, "t.txt", b"t", media_type="text/plain")
    fake_confluence.store.trash_attachment(att.id)
    # Under an allow-list the trashed attachment's page is checked first.
    elsewhere = await connect(confluence_spaces_filter="ENG")
    with pytest.raises(ToolError, match="Not found"):
        await elsewhere.call_tool("delete_attachment", {"attachment_id": att.id, "restore": True})
    assert att.status == "trashed"
    oauth = await connect(
        confluence_username=None,
        confluence_api_token=None,
        confluence_oauth_token="fake-pat",
        confluence_cloud_id=fake_confluence.cloud_id,
        confluence_oauth_gateway_url=fake_confluence.url,
    )
    with pytest.raises(ToolError, match="Not supported: the OAuth gateway"):
        await oauth.call_tool("delete_attachment", {"attachment_id": att.id, "restore": True})
    assert att.status == "trashed"
    allowed = await connect(confluence_spaces_filter="DEMO")
    await allowed.call_tool("delete_attachment", {"attachment_id": att.id, "restore": True})
    assert att.status == "current"
    # Purging a trashed attachment checks its page the same way.
    fake_confluence.store.trash_attachment(att.id)
    with pytest.raises(ToolError, match="Not found"):
        await elsewhere.call_tool("delete_attachment", {"attachment_id": att.id, "purge": True})
    await allowed.call_tool("delete_attachment", {"attachment_id": att.id, "purge": True})
    assert att.id not in fake_confluence.store.attachments


async def test_trash_and_restore_over_streamable_http(
    remote_settings_for: Any, serve_remote: Any, fake_confluence: FakeConfluenceServer
) -> None:
    pid = page_id(fake_confluence, "FAQ")
    att = fake_confluence.store.add_attachment(pid, "r.txt", b"r", media_type="text/plain")
    async with (
        serve_remote(remote_settings_for(mcp_ip_rate_limit="off")) as (base, _),
        Client(StreamableHttpTransport(f"{base}/mcp")) as client,
    ):
        await client.call_tool("delete_attachment", {"attachment_id": att.id})
        assert att.status == "trashed"
        back = await client.call_tool(
            "delete_attachment", {"attachment_id": att.id, "restore": True}
        )
    assert back.structured_content == {"id": att.id, "status": "restored"}
    assert att.status == "current"


async def test_delete_attachment_without_a_space_filter_is_the_delete_alone(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "FAQ")
    files = [{"filename": "one.txt", "content_base64": b64(b"one")}]
    made = await client.call_tool("upload_attachments", {"page_id": pid, "files": files})
    att = made.structured_content["attachments"][0]["id"]
    path = f"/wiki/api/v2/attachments/{att}"
    fake_confluence.requests.clear()
    await client.call_tool("delete_attachment", {"attachment_id": att})
    # No space to check: nothing read first (the delete answers not-found by itself).
    assert [(r.method, r.path) for r in fake_confluence.requests] == [("DELETE", path)]
    assert fake_confluence.store.attachments[att[3:]].status == "trashed"
    fake_confluence.requests.clear()
    with pytest.raises(ToolError, match="Not found"):
        await client.call_tool("delete_attachment", {"attachment_id": att})
    assert [(r.method, r.status) for r in fake_confluence.requests] == [("DELETE", 404)]
    assert fake_confluence.store.attachments[att[3:]].status == "trashed"


@pytest.mark.parametrize(
    ("name", "at"),
    [
        ("a\x7fb.txt", "U+007F at position 1"),
        ("a\x9fb.txt", "U+009F at position 1"),
        ("evil\u202egpj.exe", "U+202E at position 4"),
        ("a/b", "U+002F at position 1"),
    ],
)
async def test_disguised_file_names_are_refused_as_arguments_with_nothing_sent(
    connect: Connect, fake_confluence: FakeConfluenceServer, name: str, at: str
) -> None:
    client = await connect(confluence_spaces_filter="DEMO")
    pid = page_id(fake_confluence, "FAQ")
    fake_confluence.requests.clear()
    with pytest.raises(ToolError, match="'filename': must be a bare file name") as info:
        await client.call_tool(
            "upload_attachment", {"page_id": pid, "filename": name, "content_base64": b64(b"x")}
        )
    assert at in str(info.value)
    files = [{"filename": "ok.txt", "content_base64": b64(b"x")}]
    files.append({"filename": name, "content_base64": b64(b"y")})
    with pytest.raises(ToolError, match="'files': must be a bare file name") as info:
        await client.call_tool("upload_attachments", {"page_id": pid, "files": files})
    assert at in str(info.value)
    assert len(fake_confluence.requests) == 0
