"""Blog posts through the page tools (content_type), search, tree and resources."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from fastmcp import Client
from fastmcp.client.client import CallToolResult
from fastmcp.client.transports import StreamableHttpTransport
from fastmcp.exceptions import ToolError
from mcp_types import TextResourceContents

from confluence_client.testing import FakeConfluenceServer

Connect = Callable[..., Awaitable[Client[Any]]]


def data(result: CallToolResult) -> dict[str, Any]:
    assert result.structured_content is not None
    return result.structured_content


def post_id(fake: FakeConfluenceServer) -> str:
    return fake.store.list_pages(kind="blogpost")[0].id


async def test_read_search_tree_and_resource(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = post_id(fake_confluence)
    read = await client.call_tool("get_page", {"page_id": pid, "content_type": "blogpost"})
    assert data(read)["title"] == "Release 2.4 is out"
    assert data(read)["space_key"] == "DEMO"
    assert "Thanks to everyone" in data(read)["content"]
    with pytest.raises(ToolError, match="Not found"):
        await client.call_tool("get_page", {"page_id": pid})  # a blog post is not a page
    with pytest.raises(ToolError, match="by its page_id"):
        await client.call_tool(
            "get_page",
            {"title": "Release 2.4 is out", "space_key": "DEMO", "content_type": "blogpost"},
        )
    hits = await client.call_tool("search", {"query": "beta", "space_key": "DEMO"})
    assert {(h["id"], h["type"]) for h in data(hits)["results"]} >= {(pid, "blogpost")}
    tree = await client.call_tool("get_page_tree", {"space_key": "DEMO", "max_depth": 1})
    last = data(tree)["pages"][-1]
    assert (last["id"], last["title"], last["depth"], last["type"]) == (
        pid,
        "Release 2.4 is out",
        0,
        "blogpost",
    )
    assert "/spaces/DEMO/blog/" in last["url"]
    assert {e.get("type") for e in data(tree)["pages"][:-1]} == {None, "folder"}
    [content] = await client.read_resource(f"confluence://page/{pid}")
    assert isinstance(content, TextResourceContents)
    assert str(content.text).startswith("# Release 2.4 is out")


async def test_blog_posts_have_their_own_cap(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    space = fake_confluence.store.get_space_by_key("DEMO").id
    for n in range(30):
        fake_confluence.store.add_page(space, f"Post {n}", "<p>x</p>", kind="blogpost")
    tree = await client.call_tool("get_page_tree", {"space_key": "DEMO", "max_depth": 1})
    entries = data(tree)["pages"]
    assert len([e for e in entries if e.get("type") == "blogpost"]) == 25
    assert data(tree)["truncated"] is True
    one = await client.call_tool("get_page_tree", {"space_key": "DEMO", "max_pages": 1})
    assert [e.get("type") for e in data(one)["pages"]][:1] == [None]


async def test_create_update_delete_blog_post(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    created = await client.call_tool(
        "create_page",
        {
            "space_key": "DEMO",
            "title": "Sprint 12",
            "body": "# Done\n\n- search",
            "content_type": "blogpost",
        },
    )
    pid = data(created)["id"]
    record = fake_confluence.store.pages[pid]
    assert record.kind == "blogpost"
    assert record.parent_id is None
    updated = await client.call_tool(
        "update_page",
        {
            "page_id": pid,
            "version": 1,
            "body": "# Done\n\n- search\n- filters",
            "content_type": "blogpost",
        },
    )
    assert data(updated)["version"] == 2
    with pytest.raises(ToolError, match="Version conflict"):
        await client.call_tool(
            "update_page",
            {"page_id": pid, "version": 1, "title": "x", "body": "y", "content_type": "blogpost"},
        )
    with pytest.raises(ToolError, match="parent"):
        await client.call_tool(
            "create_page",
            {
                "space_key": "DEMO",
                "title": "x",
                "body": "y",
                "parent_id": post_id(fake_confluence),
                "content_type": "blogpost",
            },
        )
    with pytest.raises(ToolError, match="Not found"):
        await client.call_tool("delete_page", {"page_id": pid})  # as a page
    args = {"page_id": pid, "content_type": "blogpost"}
    with pytest.raises(ToolError, match="Confirmation required") as asked:
        await client.call_tool("delete_page", args)
    token = re.search(r'confirm_token="([^"]+)"', str(asked.value))
    assert token is not None
    deleted = await client.call_tool("delete_page", {**args, "confirm_token": token.group(1)})
    assert data(deleted)["status"] == "trashed"
    assert fake_confluence.store.pages[pid].status == "trashed"


async def test_space_filter_and_read_only_cover_blog_posts(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    fenced = await connect(confluence_spaces_filter="ENG")
    pid = post_id(fake_confluence)
    with pytest.raises(ToolError, match="Not found"):
        await fenced.call_tool("get_page", {"page_id": pid, "content_type": "blogpost"})
    with pytest.raises(ToolError, match="Not found"):
        await fenced.call_tool("delete_page", {"page_id": pid, "content_type": "blogpost"})
    with pytest.raises(ToolError, match="Not found"):
        await fenced.call_tool(
            "update_page",
            {"page_id": pid, "version": 1, "body": "x", "content_type": "blogpost"},
        )
    assert fake_confluence.store.pages[pid].status == "current"
    assert fake_confluence.store.pages[pid].version == 1
    read_only = await connect(read_only_mode=True)
    names = {tool.name for tool in await read_only.list_tools()}
    assert "get_page" in names
    assert not {"create_page", "update_page", "delete_page"} & names


async def test_blog_post_over_streamable_http(
    remote_settings_for: Any, serve_remote: Any, fake_confluence: FakeConfluenceServer
) -> None:
    pid = post_id(fake_confluence)
    async with (
        serve_remote(remote_settings_for(mcp_ip_rate_limit="off")) as (base, _),
        Client(StreamableHttpTransport(f"{base}/mcp")) as client,
    ):
        read = await client.call_tool("get_page", {"page_id": pid, "content_type": "blogpost"})
    assert data(read)["id"] == pid


@pytest.mark.parametrize("deployment", ["cloud", "datacenter"])
async def test_a_blog_post_id_given_as_a_page_says_how_to_address_it(
    connect: Connect, fake_confluence: FakeConfluenceServer, deployment: str
) -> None:
    client = await connect(confluence_deployment=deployment, confirm_destructive=False)
    pid = post_id(fake_confluence)
    if deployment == "datacenter":
        # Data Center's answer shows the type: the error names it.
        said = f"Item {pid} is a blog post, not a page: pass content_type=blogpost"
        tree = f"Item {pid} is a blog post, which has no page tree"
    else:
        # Cloud's /pages/{id} only says 404: the error says what to try.
        said = "If search gave it the type blogpost, pass content_type=blogpost"
        tree = "A blog post has no page tree"
    with pytest.raises(ToolError) as deleted:
        await client.call_tool("delete_page", {"page_id": pid})
    assert said in str(deleted.value)
    with pytest.raises(ToolError) as walked:
        await client.call_tool("get_page_tree", {"page_id": pid})
    assert tree in str(walked.value)
    assert "content_type=blogpost" in str(walked.value)
    with pytest.raises(ToolError, match="content_type"):
        await client.call_tool("get_page", {"page_id": pid})
    assert fake_confluence.store.pages[pid].status == "current"
    # Following the advice works.
    done = await client.call_tool("delete_page", {"page_id": pid, "content_type": "blogpost"})
    assert data(done) == {"id": pid, "status": "trashed"}


async def test_the_type_of_an_id_outside_the_allowed_spaces_is_not_told(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect(confluence_deployment="datacenter", confluence_spaces_filter="ENG")
    pid = post_id(fake_confluence)
    for tool in ("delete_page", "get_page_tree", "get_page"):
        with pytest.raises(ToolError) as info:
            await client.call_tool(tool, {"page_id": pid})
        assert "is a blog post" not in str(info.value)
        assert str(info.value).startswith("Not found")


# Every page tool that reads its page_id as a page, with what it says of a Data Center blog
# post id (in an allowed space) and, where nobody told the type, the hint it adds.
PAGE_ONLY: dict[str, tuple[dict[str, Any], str, str]] = {
    "update_page": (
        {"version": 1, "title": "T"},
        "is a blog post, not a page: pass content_type=blogpost",
        "If search gave it the type blogpost, pass content_type=blogpost",
    ),
    "update_page (body)": (
        {"version": 1, "body": "b"},
        "is a blog post, not a page: pass content_type=blogpost",
        "If search gave it the type blogpost, pass content_type=blogpost",
    ),
    "update_page_section": (
        {"version": 1, "heading": "H", "body": "b"},
        "section and text edits work on pages only",
        "Section and text edits work on pages only",
    ),
    "edit_page": (
        {"version": 1, "old_text": "a", "new_text": "b"},
        "section and text edits work on pages only",
        "Section and text edits work on pages only",
    ),
    "move_page": ({"version": 1}, "only pages move", "Only pages move"),
    "get_page_version": ({"version": 1}, "reads page versions", "Only page versions"),
    "diff_page_versions": ({"from_version": 1}, "reads page versions", "Only page versions"),
}


def _page_only_args(fake: FakeConfluenceServer, case: str) -> tuple[str, dict[str, Any]]:
    args = dict(PAGE_ONLY[case][0])
    if case == "move_page":
        args["parent_id"] = fake.store.list_pages(title="FAQ")[0].id
    return case.split(" ")[0], {"page_id": post_id(fake), **args}


@pytest.mark.parametrize("spaces", [None, "DEMO"])
@pytest.mark.parametrize("case", sorted(PAGE_ONLY))
async def test_every_page_tool_names_a_data_center_blog_post_id(
    connect: Connect, fake_confluence: FakeConfluenceServer, case: str, spaces: str | None
) -> None:
    filtered = {} if spaces is None else {"confluence_spaces_filter": spaces}
    client = await connect(confluence_deployment="datacenter", **filtered)
    tool, args = _page_only_args(fake_confluence, case)
    with pytest.raises(ToolError) as info:
        await client.call_tool(tool, args)
    assert str(info.value).startswith(f"Item {args['page_id']} is a blog post, not a page")
    assert PAGE_ONLY[case][1] in str(info.value)
    assert fake_confluence.store.pages[args["page_id"]].version == 1


@pytest.mark.parametrize(("deployment", "spaces"), [("cloud", None), ("datacenter", "ENG")])
@pytest.mark.parametrize("case", sorted(PAGE_ONLY))
async def test_page_tools_hint_at_blog_posts_without_telling_a_type_they_may_not(
    connect: Connect,
    fake_confluence: FakeConfluenceServer,
    case: str,
    deployment: str,
    spaces: str | None,
) -> None:
    # Cloud's typed path only answers 404; outside the allowed spaces the type is not told.
    filtered = {} if spaces is None else {"confluence_spaces_filter": spaces}
    client = await connect(confluence_deployment=deployment, **filtered)
    tool, args = _page_only_args(fake_confluence, case)
    with pytest.raises(ToolError) as info:
        await client.call_tool(tool, args)
    assert str(info.value).startswith("Not found")
    assert "is a blog post" not in str(info.value)
    assert PAGE_ONLY[case][2] in str(info.value)
    with pytest.raises(ToolError) as missing:
        await client.call_tool(tool, {**args, "page_id": "99999999"})
    assert str(missing.value) == str(info.value)  # the same words as for no item at all


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        ("list_labels", {}),
        ("add_labels", {"labels": ["news"]}),
        ("list_comments", {}),
        ("list_attachments", {}),
        ("get_page_properties", {}),
        ("list_page_versions", {}),
    ],
)
async def test_a_space_filter_lets_blog_posts_through_tools_that_take_any_content(
    connect: Connect,
    fake_confluence: FakeConfluenceServer,
    tool: str,
    args: dict[str, Any],
) -> None:
    # The filter checks the space: a blog post in an allowed space fares as without one.
    pid = post_id(fake_confluence)
    for spaces in ("DEMO", None):
        filtered = {} if spaces is None else {"confluence_spaces_filter": spaces}
        client = await connect(confluence_deployment="datacenter", **filtered)
        await client.call_tool(tool, {"page_id": pid, **args})
    fenced = await connect(confluence_deployment="datacenter", confluence_spaces_filter="ENG")
    with pytest.raises(ToolError) as info:
        await fenced.call_tool(tool, {"page_id": pid, **args})
    assert str(info.value).startswith("Not found")
    assert "blog post" not in str(info.value)
