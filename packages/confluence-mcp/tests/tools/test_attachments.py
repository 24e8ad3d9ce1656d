"""Attachment tools: listing, uploads (base64, caps, validation), typed downloads."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from fastmcp import Client
from fastmcp.exceptions import ToolError
from mcp_types import EmbeddedResource, ImageContent, TextContent

from confluence_client import Attachment
from confluence_client.testing import FakeConfluenceServer
from confluence_mcp.tools.attachments import attachment_content, decode_upload

Connect = Callable[..., Awaitable[Client[Any]]]


def page_id(fake: FakeConfluenceServer, title: str) -> str:
    return next(page.id for page in fake.store.pages.values() if page.title == title)


def attachment_of(fake: FakeConfluenceServer, title: str) -> str:
    return "att" + next(a.id for a in fake.store.attachments.values() if a.title == title)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# --- listing -------------------------------------------------------------------------------
async def test_list_attachments_gives_metadata(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "Architecture overview")
    result = await client.call_tool("list_attachments", {"page_id": pid})
    [item] = result.structured_content["attachments"]
    assert item == {
        "id": attachment_of(fake_confluence, "architecture-diagram.png"),
        "title": "architecture-diagram.png",
        "media_type": "image/png",
        "size": len(fake_confluence.store.attachments[item["id"][3:]].data),
        "version": 1,
    }


# --- downloads -----------------------------------------------------------------------------
async def test_text_attachment_downloads_as_text(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    att = attachment_of(fake_confluence, "release-notes.txt")
    result = await client.call_tool("download_attachment", {"attachment_id": att})
    summary, body = result.content
    assert isinstance(summary, TextContent)
    assert "release-notes.txt (text/plain" in summary.text
    assert isinstance(body, TextContent)
    assert body.text.startswith("Release 2.4.0\n")
    assert result.structured_content["title"] == "release-notes.txt"
    assert result.structured_content["size"] == len(body.text.encode())


async def test_image_attachment_downloads_as_image_content(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    att = attachment_of(fake_confluence, "architecture-diagram.png")
    result = await client.call_tool("download_attachment", {"attachment_id": att})
    image = result.content[1]
    assert isinstance(image, ImageContent)
    assert image.mime_type == "image/png"
    assert base64.b64decode(image.data) == fake_confluence.store.attachments[att[3:]].data


async def test_other_binaries_download_as_embedded_resources(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    att = attachment_of(fake_confluence, "roadmap-2025.pdf")
    result = await client.call_tool("download_attachment", {"attachment_id": att[3:]})
    embedded = result.content[1]
    assert isinstance(embedded, EmbeddedResource)
    assert embedded.resource.mime_type == "application/pdf"
    assert embedded.resource.uri == f"confluence://attachment/{att}"
    assert base64.b64decode(embedded.resource.blob).startswith(b"%PDF-1.4")


async def test_download_over_the_cap_is_refused_before_fetching_bytes(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect(confluence_max_attachment_bytes=50)
    att = attachment_of(fake_confluence, "architecture-diagram.png")
    fake_confluence.requests.clear()
    with pytest.raises(ToolError, match=r"Too large: \d+ bytes exceeds .* limit of 50 bytes"):
        await client.call_tool("download_attachment", {"attachment_id": att})
    assert fake_confluence.requests.count(path_contains="download") == 0


async def test_download_respects_the_space_filter(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    eng = page_id(fake_confluence, "ENG Onboarding")
    secret = fake_confluence.store.add_attachment(eng, "secret.txt", b"classified")
    client = await connect(confluence_spaces_filter="DEMO")
    with pytest.raises(ToolError, match="Not found"):
        await client.call_tool("download_attachment", {"attachment_id": secret.id})
    with pytest.raises(ToolError, match="Not found"):
        await client.call_tool("list_attachments", {"page_id": eng})
    allowed = attachment_of(fake_confluence, "release-notes.txt")
    result = await client.call_tool("download_attachment", {"attachment_id": allowed})
    assert result.structured_content["title"] == "release-notes.txt"


async def test_unknown_attachment_is_not_found(connect: Connect) -> None:
    client = await connect()
    with pytest.raises(ToolError, match="Not found"):
        await client.call_tool("download_attachment", {"attachment_id": "att999999"})
    with pytest.raises(ToolError, match="attachment_id"):
        await client.call_tool("download_attachment", {"attachment_id": "../etc/passwd"})


# --- uploads -------------------------------------------------------------------------------
async def test_upload_stores_the_decoded_bytes(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "FAQ")
    data = b"name,score\nada,10\n"
    result = await client.call_tool(
        "upload_attachment",
        {"page_id": pid, "filename": "scores.csv", "content_base64": b64(data), "comment": "v1"},
    )
    info = result.structured_content
    stored = fake_confluence.store.attachments[info["id"].removeprefix("att")]
    assert stored.data == data
    assert stored.page_id == pid
    assert stored.comment == "v1"
    assert info["title"] == "scores.csv"
    assert info["size"] == len(data)
    assert info["media_type"] == "text/csv"


async def test_upload_of_a_data_url_uses_its_media_type_and_reuploads_version(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "FAQ")
    url = "data:image/png;base64," + b64(b"\x89PNG fake")
    first = await client.call_tool(
        "upload_attachment", {"page_id": pid, "filename": "chart", "content_base64": url}
    )
    assert first.structured_content["media_type"] == "image/png"
    second = await client.call_tool(
        "upload_attachment",
        {"page_id": pid, "filename": "chart", "content_base64": b64(b"\x89PNG newer")},
    )
    assert second.structured_content["id"] == first.structured_content["id"]
    assert second.structured_content["version"] == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not base64!!", "not valid base64"),
        ("QUJD=", "not valid base64"),
        ("data:text/plain,hello", "data: URL that is not base64-encoded"),
        ("DATA:,hello%20world", "data: URL that is not base64-encoded"),
        ("", "empty file"),
        ("   ", "empty file"),
        (base64.b64encode(b"x" * 2000).decode(), r"Too large: .* limit of 1024 bytes"),
        (base64.b64encode(b"x" * 1025).decode(), r"Too large: 1025 bytes"),
    ],
)
async def test_bad_uploads_never_reach_confluence(
    connect: Connect, fake_confluence: FakeConfluenceServer, content: str, message: str
) -> None:
    client = await connect(confluence_max_attachment_bytes=1024)
    pid = page_id(fake_confluence, "FAQ")
    fake_confluence.requests.clear()
    with pytest.raises(ToolError, match=message):
        await client.call_tool(
            "upload_attachment", {"page_id": pid, "filename": "f.bin", "content_base64": content}
        )
    assert len(fake_confluence.requests) == 0


@pytest.mark.parametrize("filename", ["../etc/passwd", "dir\\file.txt", "a\nb", "..", " . "])
async def test_filenames_with_paths_are_refused(
    connect: Connect, fake_confluence: FakeConfluenceServer, filename: str
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "FAQ")
    fake_confluence.requests.clear()
    with pytest.raises(ToolError, match="filename"):
        await client.call_tool(
            "upload_attachment", {"page_id": pid, "filename": filename, "content_base64": "eA=="}
        )
    assert len(fake_confluence.requests) == 0


async def test_upload_to_a_page_outside_the_filter_is_not_found(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect(confluence_spaces_filter="DEMO")
    eng = page_id(fake_confluence, "ENG Onboarding")
    with pytest.raises(ToolError, match="Not found"):
        await client.call_tool(
            "upload_attachment", {"page_id": eng, "filename": "x.txt", "content_base64": "eA=="}
        )
    assert fake_confluence.store.page_attachments(eng) == []


async def test_attachment_tools_carry_the_attachments_tag(connect: Connect) -> None:
    client = await connect(toolsets="read")
    names = {tool.name for tool in await client.list_tools()}
    assert {"list_attachments", "download_attachment"} <= names
    assert "upload_attachment" not in names
    area = {tool.name for tool in await (await connect(toolsets="attachments")).list_tools()}
    assert {"list_attachments", "download_attachment", "upload_attachment"} <= area
    assert "list_labels" not in area
    tools = {tool.name: tool for tool in await (await connect()).list_tools()}
    assert set(tools["download_attachment"].output_schema["properties"]) == {
        "id",
        "title",
        "media_type",
        "size",
        "version",
    }


# --- pure helpers --------------------------------------------------------------------------
def meta(title: str, media_type: str | None) -> Attachment:
    return Attachment(id="att1", title=title, media_type=media_type)


@pytest.mark.parametrize(
    ("title", "media_type", "data", "kind"),
    [
        ("notes.md", "application/octet-stream", b"# hi", TextContent),
        ("notes.md", None, b"# hi", TextContent),
        ("data.json", "application/json; charset=utf-8", b"{}", TextContent),
        ("pic.svg", "image/svg+xml", b"<svg/>", TextContent),
        ("feed.xml", "application/atom+xml", b"<feed/>", TextContent),
        ("latin.txt", "text/plain", b"caf\xe9", EmbeddedResource),
        ("photo.jpg", "image/jpeg", b"\xff\xd8\xff", ImageContent),
        ("blob", None, b"\x00\x01", EmbeddedResource),
    ],
)
def test_attachment_content_kind(
    title: str, media_type: str | None, data: bytes, kind: type
) -> None:
    assert isinstance(attachment_content(meta(title, media_type), data), kind)


def test_text_with_a_bom_loses_the_bom() -> None:
    block = attachment_content(meta("a.txt", "text/plain"), b"\xef\xbb\xbfhello")
    assert isinstance(block, TextContent)
    assert block.text == "hello"


def test_decode_upload_accepts_wrapped_base64_and_data_urls() -> None:
    wrapped = "aGVs\nbG8g\r\nd29y bGQ="
    assert decode_upload(wrapped, 100) == (b"hello world", None)
    assert decode_upload("data:text/plain;charset=utf-8;base64,aGk=", 100) == (b"hi", "text/plain")
    assert decode_upload("data:;base64,aGk=", 100) == (b"hi", None)


def test_decode_upload_checks_the_exact_limit() -> None:
    assert decode_upload(b64(b"1234"), 4) == (b"1234", None)
    with pytest.raises(ToolError, match="5 bytes"):
        decode_upload(b64(b"12345"), 4)


async def test_numeric_attachment_ids_may_be_json_numbers(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    att = attachment_of(fake_confluence, "release-notes.txt")
    result = await client.call_tool("download_attachment", {"attachment_id": int(att[3:])})
    assert result.structured_content["title"] == "release-notes.txt"
    with pytest.raises(ToolError, match="attachment_id"):
        await client.call_tool("download_attachment", {"attachment_id": True})
