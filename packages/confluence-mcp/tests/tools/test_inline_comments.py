"""Inline comments through list_comments / add_comment / resolve_comment against the fake."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from fastmcp.exceptions import ToolError

from confluence_client.testing import FakeConfluenceServer

Connect = Callable[..., Awaitable[Client[Any]]]


def page_id(fake: FakeConfluenceServer, title: str) -> str:
    return next(page.id for page in fake.store.pages.values() if page.title == title)


async def test_inline_comments_list_with_selection_resolution_and_replies(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "Architecture overview")
    result = await client.call_tool("list_comments", {"page_id": pid, "location": "inline"})
    comments = result.structured_content["comments"]
    assert [(c.get("selection"), c.get("resolution")) for c in comments] == [
        ("API gateway", "open"),
        (None, None),  # the reply
        ("observable", "resolved"),
    ]
    assert comments[1]["parent_id"] == comments[0]["id"]
    assert comments[1]["body"].strip() == "Kong, see the ADR."
    footer = await client.call_tool("list_comments", {"page_id": pid})
    assert all("selection" not in c for c in footer.structured_content["comments"])


async def test_add_inline_comment_reply_and_resolve(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "Architecture overview")
    added = await client.call_tool(
        "add_comment",
        {"page_id": pid, "body": "Which **one**?", "selection": "services", "occurrence": 2},
    )
    cid = added.structured_content["id"]
    record = fake_confluence.store.inline_comments[cid]
    assert record.selection == "services"
    assert "<strong>one</strong>" in record.body
    body = fake_confluence.store.pages[pid].body
    marker = f'<ac:inline-comment-marker ac:ref="{record.marker_ref}">services<'
    assert marker in body
    assert body.index("services") < body.index(marker)  # the 2nd occurrence, not the 1st

    reply = await client.call_tool("add_comment", {"page_id": pid, "body": "+1", "reply_to": cid})
    assert reply.structured_content["parent_id"] == cid
    assert fake_confluence.store.inline_comments[reply.structured_content["id"]].parent_comment_id

    done = await client.call_tool("resolve_comment", {"page_id": pid, "comment_id": cid})
    assert done.structured_content == {"id": cid, "resolution": "resolved"}
    again = await client.call_tool(
        "resolve_comment", {"page_id": pid, "comment_id": cid, "resolved": False}
    )
    assert again.structured_content["resolution"] == "reopened"
    with pytest.raises(ToolError, match="is a reply"):
        await client.call_tool(
            "resolve_comment", {"page_id": pid, "comment_id": reply.structured_content["id"]}
        )


async def test_inline_errors_are_clear(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "Architecture overview")
    footer = fake_confluence.store.page_comments(pid)[0].id
    with pytest.raises(ToolError, match="cannot resolve footer comments"):
        await client.call_tool("resolve_comment", {"page_id": pid, "comment_id": footer})
    with pytest.raises(ToolError, match="does not occur"):
        await client.call_tool("add_comment", {"page_id": pid, "body": "x", "selection": "zzz"})
    with pytest.raises(ToolError, match="reply_to or selection"):
        await client.call_tool(
            "add_comment", {"page_id": pid, "body": "x", "selection": "API", "reply_to": footer}
        )
    other = page_id(fake_confluence, "FAQ")
    inline = next(iter(fake_confluence.store.inline_comments))
    with pytest.raises(ToolError, match="Not found"):  # a comment of another page
        await client.call_tool("resolve_comment", {"page_id": other, "comment_id": inline})
    with pytest.raises(ToolError, match="Not found"):
        await client.call_tool("resolve_comment", {"page_id": pid, "comment_id": "999999"})


async def test_data_center_lists_and_replies_but_refuses_anchoring_and_resolving(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect(
        confluence_url=fake_confluence.url,
        confluence_deployment="datacenter",
        confluence_username=None,
        confluence_api_token=None,
        confluence_personal_token="fake-pat",
    )
    pid = page_id(fake_confluence, "Architecture overview")
    listed = await client.call_tool("list_comments", {"page_id": pid, "location": "inline"})
    shown = listed.structured_content["comments"]
    tops = [c for c in shown if "parent_id" not in c]
    assert [c["selection"] for c in tops] == ["API gateway", "observable"]
    gateway = tops[0]["id"]
    assert any(c.get("parent_id") == gateway for c in shown)  # replies follow their parent
    reply = await client.call_tool(
        "add_comment", {"page_id": pid, "body": "Seen on DC.", "reply_to": gateway}
    )
    assert reply.structured_content["parent_id"] == gateway
    assert fake_confluence.store.inline_comments[reply.structured_content["id"]].selection == (
        "API gateway"
    )
    with pytest.raises(ToolError, match="Not supported: Confluence Data Center"):
        await client.call_tool("add_comment", {"page_id": pid, "body": "x", "selection": "API"})
    with pytest.raises(ToolError, match="Not supported: Confluence Data Center"):
        await client.call_tool("resolve_comment", {"page_id": pid, "comment_id": gateway})


async def test_inline_tools_respect_read_only_and_space_filter(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    read_only = await connect(read_only_mode=True)
    names = {tool.name for tool in await read_only.list_tools()}
    assert "resolve_comment" not in names
    assert "list_comments" in names
    fenced = await connect(confluence_spaces_filter="ENG")
    pid = page_id(fake_confluence, "Architecture overview")
    inline = next(iter(fake_confluence.store.inline_comments))
    with pytest.raises(ToolError, match="Not found"):
        await fenced.call_tool("resolve_comment", {"page_id": pid, "comment_id": inline})
    with pytest.raises(ToolError, match="Not found"):
        await fenced.call_tool("list_comments", {"page_id": pid, "location": "inline"})
    assert fake_confluence.store.inline_comments[inline].resolution == "open"


async def test_resolve_over_streamable_http(
    remote_settings_for: Any, serve_remote: Any, fake_confluence: FakeConfluenceServer
) -> None:
    pid = page_id(fake_confluence, "Architecture overview")
    resolved = next(
        c.id for c in fake_confluence.store.inline_comments.values() if c.resolution == "resolved"
    )
    async with (
        serve_remote(remote_settings_for(mcp_ip_rate_limit="off")) as (base, _),
        Client(StreamableHttpTransport(f"{base}/mcp")) as client,
    ):
        result = await client.call_tool(
            "resolve_comment", {"page_id": pid, "comment_id": resolved, "resolved": False}
        )
    assert result.structured_content["resolution"] == "reopened"


async def test_resolve_comment_reads_the_comment_once(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "Architecture overview")
    added = await client.call_tool(
        "add_comment", {"page_id": pid, "body": "Why?", "selection": "services"}
    )
    cid = added.structured_content["id"]
    fake_confluence.requests.clear()
    done = await client.call_tool("resolve_comment", {"page_id": pid, "comment_id": cid})
    assert done.structured_content == {"id": cid, "resolution": "resolved"}
    # One read (page check, anchor, version and body for the write); then the write.
    assert [(r.method, r.path) for r in fake_confluence.requests] == [
        ("GET", f"/wiki/api/v2/inline-comments/{cid}"),
        ("PUT", f"/wiki/api/v2/inline-comments/{cid}"),
    ]
    assert fake_confluence.store.inline_comments[cid].body == "<p>Why?</p>"


async def test_inline_comment_under_a_space_filter_reads_the_page_once(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    pid = page_id(fake_confluence, "Architecture overview")
    store = fake_confluence.store
    space = store.spaces[store.pages[pid].space_id].key
    client = await connect(confluence_spaces_filter=space)
    args = {"page_id": pid, "body": "Which?", "selection": "services"}
    await client.call_tool("add_comment", args)  # the space id -> key lookup is cached
    fake_confluence.requests.clear()
    added = await client.call_tool("add_comment", args)
    # One read: the space guard checks it and the selection is counted in its body.
    assert [(r.method, r.path) for r in fake_confluence.requests] == [
        ("GET", f"/wiki/api/v2/pages/{pid}"),
        ("POST", "/wiki/api/v2/inline-comments"),
    ]
    assert store.inline_comments[added.structured_content["id"]].selection == "services"
    other = await connect(confluence_spaces_filter="NOSUCH")
    fake_confluence.requests.clear()
    with pytest.raises(ToolError, match="Not found"):
        await other.call_tool("add_comment", args)
    assert [r.method for r in fake_confluence.requests if r.method != "GET"] == []


async def test_resolve_comment_conflict_names_the_comment(
    connect: Connect, fake_confluence: FakeConfluenceServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from confluence_client import ConfluenceClient

    client = await connect()
    pid = page_id(fake_confluence, "Architecture overview")
    added = await client.call_tool(
        "add_comment", {"page_id": pid, "body": "Why?", "selection": "services"}
    )
    cid = added.structured_content["id"]
    store = fake_confluence.store
    read = ConfluenceClient.get_inline_comment

    async def read_then_someone_edits(self: ConfluenceClient, *args: Any, **kwargs: Any) -> Any:
        found = await read(self, *args, **kwargs)
        current = store.inline_comments[cid]
        store.update_inline_comment(cid, current.version + 1, body="<p>Edited meanwhile</p>")
        return found

    monkeypatch.setattr(ConfluenceClient, "get_inline_comment", read_then_someone_edits)
    with pytest.raises(ToolError) as caught:
        await client.call_tool("resolve_comment", {"page_id": pid, "comment_id": cid})
    message = str(caught.value)
    assert "the comment changed while this call was writing it (now at version 2)" in message
    assert "get_page" not in message
    assert "version=" not in message  # resolve_comment takes no version to retry with
    assert store.inline_comments[cid].resolution == "open"
    assert store.inline_comments[cid].body == "<p>Edited meanwhile</p>"


async def test_resolve_comment_of_an_unknown_id_asks_each_kind_once(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "Architecture overview")
    footer = next(c.id for c in fake_confluence.store.comments.values() if c.page_id == pid)
    for comment_id, refusal in (("99999999", "Not found"), (footer, "cannot resolve footer")):
        fake_confluence.requests.clear()
        with pytest.raises(ToolError, match=refusal):
            await client.call_tool("resolve_comment", {"page_id": pid, "comment_id": comment_id})
        assert [(r.method, r.path) for r in fake_confluence.requests] == [
            ("GET", f"/wiki/api/v2/inline-comments/{comment_id}"),
            ("GET", f"/wiki/api/v2/footer-comments/{comment_id}"),
        ]


async def test_an_occurrence_past_the_last_names_the_tools_argument(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "Architecture overview")
    before = len(fake_confluence.store.inline_comments)
    with pytest.raises(ToolError) as caught:
        await client.call_tool(
            "add_comment",
            {"page_id": pid, "body": "Which?", "selection": "API gateway", "occurrence": 5},
        )
    message = str(caught.value)
    assert message.startswith("Invalid argument 'occurrence': the selection does not occur 5")
    assert "match_index" not in message
    assert len(fake_confluence.store.inline_comments) == before
