"""Collab tools end to end: comments, labels, attachments, versions and users on every transport.

Each test drives a real client (in-memory, Streamable HTTP stateful and stateless, legacy SSE,
and a spawned ``confluence-mcp`` stdio process) against the fake Confluence over HTTP, and checks
what reached Confluence in the fake's store and request log.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from fastmcp import Client
from fastmcp.exceptions import ToolError
from mcp_types import EmbeddedResource, ImageContent, TextContent

from confluence_client.testing import FakeConfluenceServer

McpClient = Callable[..., Awaitable[Client[Any]]]

COLLAB_TOOLS = {
    "list_comments",
    "add_comment",
    "list_labels",
    "add_labels",
    "remove_label",
    "list_attachments",
    "upload_attachment",
    "download_attachment",
    "list_page_versions",
    "get_page_version",
    "diff_page_versions",
    "search_users",
}
WRITE_TOOLS = {"add_comment", "add_labels", "remove_label", "upload_attachment"}


def page_id(fake: FakeConfluenceServer, title: str) -> str:
    return next(page.id for page in fake.store.pages.values() if page.title == title)


def attachment_id(fake: FakeConfluenceServer, title: str) -> str:
    return "att" + next(a.id for a in fake.store.attachments.values() if a.title == title)


async def test_comments_and_labels(
    mcp_client: McpClient, fake_confluence: FakeConfluenceServer, transport: str
) -> None:
    client = await mcp_client(transport)
    assert {tool.name for tool in await client.list_tools()} >= COLLAB_TOOLS
    arch = page_id(fake_confluence, "Architecture overview")

    listed = await client.call_tool("list_comments", {"page_id": arch})
    comments = listed.structured_content["comments"]
    assert comments[0]["body"].strip() == "Should we add a section on caching?"
    assert comments[1]["parent_id"] == comments[0]["id"]

    added = await client.call_tool("add_comment", {"page_id": arch, "body": "Agreed, *soon*."})
    reply = await client.call_tool(
        "add_comment",
        {"page_id": arch, "body": "Drafted.", "reply_to": added.structured_content["id"]},
    )
    store = fake_confluence.store
    assert "<em>soon</em>" in store.comments[added.structured_content["id"]].body
    assert (
        store.comments[reply.structured_content["id"]].parent_comment_id
        == (added.structured_content["id"])
    )

    labels = await client.call_tool("add_labels", {"page_id": arch, "labels": ["E2E", "caching"]})
    assert sorted(labels.structured_content["labels"]) == [
        "architecture",
        "caching",
        "design",
        "e2e",
    ]
    removed = await client.call_tool("remove_label", {"page_id": arch, "label": "e2e"})
    assert sorted(removed.structured_content["labels"]) == ["architecture", "caching", "design"]
    listed_labels = await client.call_tool("list_labels", {"page_id": arch})
    assert sorted(listed_labels.structured_content["labels"]) == sorted(
        label.name for label in store.pages[arch].labels
    )
    with pytest.raises(ToolError, match="is not on page"):
        await client.call_tool("remove_label", {"page_id": arch, "label": "e2e"})


async def test_attachments_round_trip(
    mcp_client: McpClient, fake_confluence: FakeConfluenceServer, transport: str
) -> None:
    client = await mcp_client(transport)
    faq = page_id(fake_confluence, "FAQ")
    data = "Ünïcode notes\nline 2\n".encode()
    uploaded = await client.call_tool(
        "upload_attachment",
        {
            "page_id": faq,
            "filename": "notes.txt",
            "content_base64": base64.b64encode(data).decode(),
        },
    )
    att = uploaded.structured_content["id"]
    assert fake_confluence.store.attachments[att.removeprefix("att")].data == data

    listed = await client.call_tool("list_attachments", {"page_id": faq})
    assert [a["title"] for a in listed.structured_content["attachments"]] == ["notes.txt"]

    text = await client.call_tool("download_attachment", {"attachment_id": att})
    assert isinstance(text.content[1], TextContent)
    assert text.content[1].text == data.decode()
    assert text.structured_content["size"] == len(data)

    png = attachment_id(fake_confluence, "architecture-diagram.png")
    image = await client.call_tool("download_attachment", {"attachment_id": png})
    assert isinstance(image.content[1], ImageContent)
    assert base64.b64decode(image.content[1].data).startswith(b"\x89PNG")

    pdf = attachment_id(fake_confluence, "roadmap-2025.pdf")
    blob = await client.call_tool("download_attachment", {"attachment_id": pdf})
    assert isinstance(blob.content[1], EmbeddedResource)
    assert blob.content[1].resource.mime_type == "application/pdf"


async def test_attachment_size_caps_and_errors(
    mcp_client: McpClient, fake_confluence: FakeConfluenceServer, transport: str
) -> None:
    client = await mcp_client(transport, confluence_max_attachment_bytes=64)
    faq = page_id(fake_confluence, "FAQ")
    fake_confluence.requests.clear()
    big = base64.b64encode(b"z" * 65).decode()
    with pytest.raises(ToolError, match=r"Too large: 65 bytes .* limit of 64 bytes"):
        await client.call_tool(
            "upload_attachment", {"page_id": faq, "filename": "big.bin", "content_base64": big}
        )
    with pytest.raises(ToolError, match="not valid base64"):
        await client.call_tool(
            "upload_attachment", {"page_id": faq, "filename": "x.bin", "content_base64": "@@@@"}
        )
    with pytest.raises(ToolError, match="filename"):
        await client.call_tool(
            "upload_attachment", {"page_id": faq, "filename": "a/b", "content_base64": "eA=="}
        )
    assert len(fake_confluence.requests) == 0  # nothing reached Confluence

    png = attachment_id(fake_confluence, "architecture-diagram.png")
    with pytest.raises(ToolError, match=r"Too large: \d+ bytes .* limit of 64 bytes"):
        await client.call_tool("download_attachment", {"attachment_id": png})
    assert fake_confluence.requests.count(path_contains="download") == 0
    with pytest.raises(ToolError, match="Not found"):
        await client.call_tool("download_attachment", {"attachment_id": "att424242"})
    small = await client.call_tool(
        "upload_attachment", {"page_id": faq, "filename": "ok.txt", "content_base64": "b2s="}
    )
    assert small.structured_content["size"] == 2


async def test_versions_and_users(
    mcp_client: McpClient, fake_confluence: FakeConfluenceServer, transport: str
) -> None:
    client = await mcp_client(transport)
    checklist = page_id(fake_confluence, "Release checklist")
    versions = await client.call_tool("list_page_versions", {"page_id": checklist})
    assert [v["number"] for v in versions.structured_content["versions"]] == [4, 3, 2, 1]

    old = await client.call_tool("get_page_version", {"page_id": checklist, "version": 3})
    assert "Revision 3" in old.structured_content["content"]
    assert "Revision 4" not in old.structured_content["content"]

    diff = await client.call_tool("diff_page_versions", {"page_id": checklist, "from_version": 3})
    assert diff.structured_content["to_version"] == 4
    assert "+Revision 4: clarified step 3." in diff.structured_content["diff"]

    users = await client.call_tool("search_users", {"query": "Bob"})
    assert [u["name"] for u in users.structured_content["users"]] == ["Bob Chen"]


@pytest.mark.parametrize("transport", ["memory", "http", "stdio"])
async def test_space_filter_and_read_only_mode(
    mcp_client: McpClient, fake_confluence: FakeConfluenceServer, transport: str
) -> None:
    client = await mcp_client(transport, confluence_spaces_filter="ENG", read_only_mode=True)
    names = {tool.name for tool in await client.list_tools()}
    assert names >= COLLAB_TOOLS - WRITE_TOOLS
    assert not WRITE_TOOLS & names
    demo_page = page_id(fake_confluence, "Architecture overview")
    for tool, args in [
        ("list_comments", {"page_id": demo_page}),
        ("list_labels", {"page_id": demo_page}),
        ("list_attachments", {"page_id": demo_page}),
        ("list_page_versions", {"page_id": demo_page}),
        ("diff_page_versions", {"page_id": demo_page, "from_version": 1}),
        (
            "download_attachment",
            {"attachment_id": attachment_id(fake_confluence, "roadmap-2025.pdf")},
        ),
    ]:
        with pytest.raises(ToolError, match="Not found"):
            await client.call_tool(tool, args)
    eng_page = page_id(fake_confluence, "ENG Onboarding")
    labels = await client.call_tool("list_labels", {"page_id": eng_page})
    assert labels.structured_content["labels"] == ["onboarding"]
    with pytest.raises(ToolError, match="add_labels"):
        await client.call_tool("add_labels", {"page_id": eng_page, "labels": ["x"]})


@pytest.mark.parametrize("transport", ["memory", "http"])
async def test_collab_tools_against_data_center(
    mcp_client: McpClient, fake_confluence: FakeConfluenceServer, transport: str
) -> None:
    client = await mcp_client(
        transport,
        confluence_url=fake_confluence.url,
        confluence_username="",
        confluence_api_token="",
        confluence_personal_token=fake_confluence.credentials.personal_token,
        confluence_deployment="datacenter",
    )
    arch = page_id(fake_confluence, "Architecture overview")
    parent = fake_confluence.store.page_comments(arch)[0].id
    reply = await client.call_tool(
        "add_comment", {"page_id": arch, "body": "From DC.", "reply_to": parent}
    )
    assert reply.structured_content["parent_id"] == parent
    labels = await client.call_tool("add_labels", {"page_id": arch, "labels": ["dc"]})
    assert "dc" in labels.structured_content["labels"]
    uploaded = await client.call_tool(
        "upload_attachment", {"page_id": arch, "filename": "dc.txt", "content_base64": "ZGM="}
    )
    downloaded = await client.call_tool(
        "download_attachment", {"attachment_id": uploaded.structured_content["id"]}
    )
    assert isinstance(downloaded.content[1], TextContent)
    assert downloaded.content[1].text == "dc"
    diff = await client.call_tool("diff_page_versions", {"page_id": arch, "from_version": 2})
    assert diff.structured_content["to_version"] == 3
    users = await client.call_tool("search_users", {"query": "alice"})
    assert users.structured_content["users"][0]["username"] == "alice"
