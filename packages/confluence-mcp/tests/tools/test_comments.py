"""list_comments / add_comment through an in-memory client against the fake."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from fastmcp import Client
from fastmcp.exceptions import ToolError

from confluence_client.testing import FakeConfluenceServer

Connect = Callable[..., Awaitable[Client[Any]]]


def page_id(fake: FakeConfluenceServer, title: str) -> str:
    return next(page.id for page in fake.store.pages.values() if page.title == title)


async def test_comments_come_with_their_replies_in_thread_order(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "Architecture overview")
    result = await client.call_tool("list_comments", {"page_id": pid})
    comments = result.structured_content["comments"]
    bodies = [comment["body"].strip() for comment in comments]
    assert bodies[0] == "Should we add a section on caching?"
    assert bodies[1].startswith("Good idea, ")
    assert bodies[2:] == ["Thanks!", "The diagram is out of date."]
    first, reply, nested, other = comments
    assert "parent_id" not in first
    assert reply["parent_id"] == first["id"]
    assert nested["parent_id"] == reply["id"]
    assert "parent_id" not in other
    assert first["author_id"].startswith("557058:")
    assert first["created_at"].startswith("2024-")
    assert "next_cursor" not in result.structured_content


async def test_storage_format_returns_the_body_verbatim(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "Incident response")
    result = await client.call_tool("list_comments", {"page_id": pid, "format": "storage"})
    assert result.structured_content["comments"] == [
        {
            "id": result.structured_content["comments"][0]["id"],
            "body": "<p>Add the status page link to step 2.</p>",
            "author_id": result.structured_content["comments"][0]["author_id"],
            "created_at": result.structured_content["comments"][0]["created_at"],
        }
    ]


async def test_pagination_follows_next_cursor(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "Architecture overview")
    first = await client.call_tool("list_comments", {"page_id": pid, "limit": 1})
    cursor = first.structured_content["next_cursor"]
    second = await client.call_tool("list_comments", {"page_id": pid, "limit": 1, "cursor": cursor})
    assert len(first.structured_content["comments"]) == 3  # one thread: comment + 2 replies
    assert [c["body"].strip() for c in second.structured_content["comments"]] == [
        "The diagram is out of date."
    ]
    assert "next_cursor" not in second.structured_content


async def test_add_comment_converts_markdown_to_storage(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "FAQ")
    result = await client.call_tool("add_comment", {"page_id": pid, "body": "Looks **good**"})
    created = fake_confluence.store.comments[result.structured_content["id"]]
    assert created.page_id == pid
    assert "<strong>good</strong>" in created.body
    assert "parent_id" not in result.structured_content


async def test_add_comment_passes_storage_through(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "FAQ")
    body = '<p>See <ac:link><ri:page ri:content-title="Getting Started" /></ac:link></p>'
    result = await client.call_tool(
        "add_comment", {"page_id": pid, "body": body, "body_format": "storage"}
    )
    assert fake_confluence.store.comments[result.structured_content["id"]].body == body


async def test_reply_to_a_comment_on_the_page(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "Incident response")
    parent = fake_confluence.store.page_comments(pid)[0].id
    result = await client.call_tool(
        "add_comment", {"page_id": pid, "body": "Done.", "reply_to": parent}
    )
    assert result.structured_content["parent_id"] == parent
    listed = await client.call_tool("list_comments", {"page_id": pid})
    assert [c["body"].strip() for c in listed.structured_content["comments"]][-1] == "Done."


async def test_reply_to_a_comment_of_another_page_is_refused(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    other = fake_confluence.store.page_comments(page_id(fake_confluence, "Incident response"))
    pid = page_id(fake_confluence, "FAQ")
    before = len(fake_confluence.store.comments)
    with pytest.raises(ToolError, match="Not found") as elsewhere:
        await client.call_tool(
            "add_comment", {"page_id": pid, "body": "x", "reply_to": other[0].id}
        )
    with pytest.raises(ToolError, match="Not found") as unknown:
        await client.call_tool("add_comment", {"page_id": pid, "body": "x", "reply_to": "999999"})
    # Word for word the same: the answer does not tell which ids exist elsewhere.
    assert str(elsewhere.value) == str(unknown.value)
    assert len(fake_confluence.store.comments) == before


@pytest.mark.parametrize(
    ("args", "field"),
    [({"body": ""}, "body"), ({"body": "x", "reply_to": "abc"}, "reply_to")],
)
async def test_bad_input_is_rejected_before_confluence(
    connect: Connect, fake_confluence: FakeConfluenceServer, args: dict[str, str], field: str
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "FAQ")
    fake_confluence.requests.clear()
    with pytest.raises(ToolError, match=field):
        await client.call_tool("add_comment", {"page_id": pid, **args})
    assert len(fake_confluence.requests) == 0


async def test_space_filter_applies_to_comments(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect(confluence_spaces_filter="ENG")
    pid = page_id(fake_confluence, "Architecture overview")
    before = len(fake_confluence.store.comments)
    with pytest.raises(ToolError, match="Not found"):
        await client.call_tool("list_comments", {"page_id": pid})
    with pytest.raises(ToolError, match="Not found"):
        await client.call_tool("add_comment", {"page_id": pid, "body": "sneaky"})
    assert len(fake_confluence.store.comments) == before


async def test_comment_tools_metadata(connect: Connect) -> None:
    client = await connect(read_only_mode=True)
    tools = {tool.name: tool for tool in await client.list_tools()}
    assert "add_comment" not in tools
    assert tools["list_comments"].annotations.read_only_hint is True
    writable = {tool.name: tool for tool in await (await connect()).list_tools()}
    assert writable["add_comment"].annotations.destructive_hint is False
    assert writable["add_comment"].annotations.idempotent_hint is not True


async def test_comment_trust_is_one_lookup_per_author_on_the_page(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "Architecture overview")
    fake_confluence.requests.clear()
    result = await client.call_tool("list_comments", {"page_id": pid})
    comments = result.structured_content["comments"]
    authors = {comment["author_id"] for comment in comments}
    assert len(comments) == 4
    assert len(authors) < len(comments)  # the page's thread has an author twice
    checks = [r.path for r in fake_confluence.requests if r.method == "POST"]
    # Each author's trust is whether they may edit the page: one check per author.
    assert checks == [f"/wiki/rest/api/content/{pid}/permission/check"] * len(authors)
    # The listing, then one replies listing per comment shown (the thread is walked).
    gets = [r.path for r in fake_confluence.requests if r.method == "GET"]
    assert gets[0] == f"/wiki/api/v2/pages/{pid}/footer-comments"
    assert len(gets) == 1 + len(comments)


@pytest.mark.parametrize("deployment", ["cloud", "datacenter"])
async def test_replies_cost_one_listing_on_data_center(
    connect: Connect, fake_confluence: FakeConfluenceServer, deployment: str
) -> None:
    client = await connect(confluence_deployment=deployment)
    store = fake_confluence.store
    pid = page_id(fake_confluence, "FAQ")
    for n in range(5):
        top = store.add_comment(pid, f"<p>question {n}</p>")
        store.add_comment(pid, f"<p>answer {n}</p>", parent_comment_id=top.id)
    fake_confluence.requests.clear()
    result = await client.call_tool("list_comments", {"page_id": pid, "format": "storage"})
    bodies = [c["body"] for c in result.structured_content["comments"]]
    assert bodies == [f"<p>{kind} {n}</p>" for n in range(5) for kind in ("question", "answer")]
    gets = fake_confluence.requests.count("GET")
    if deployment == "datacenter":
        # The top-level comments, then every reply of the page in one listing (not N + 1).
        assert gets == 2
    else:
        # Cloud v2 has no page-wide replies listing: one children request per comment.
        assert gets == 1 + 10
