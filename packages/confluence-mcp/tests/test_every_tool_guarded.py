"""Every tool, resource template and prompt, enumerated: the space allow-list and read-only
mode hold for each, so a future one cannot skip the guards (the remote scopes are enumerated
the same way in ``remote/test_auth_wiring.py`` and the root ``test_remote_auth.py``).

A new tool fails ``test_every_tool_has_a_case`` until it gets arguments below that aim at
content in the DEMO space; with ``CONFLUENCE_SPACES_FILTER=ENG`` the call must then answer
"Not found" (exactly like missing content) and change nothing in the fake.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from fastmcp import Client
from fastmcp.exceptions import ToolError
from mcp.shared.exceptions import MCPError

from confluence_client.testing import FakeConfluenceServer
from confluence_mcp.app import create_server
from confluence_mcp.registry import tool_catalog

Connect = Callable[..., Awaitable[Client[Any]]]
Args = Callable[[dict[str, str]], dict[str, Any]]

# Tool -> arguments aimed at DEMO content (ids from `demo_ids`).
CASES: dict[str, Args] = {
    "search": lambda d: {"query": "the", "space_key": "DEMO"},
    "get_page": lambda d: {"page_id": d["page"]},
    "get_page_children": lambda d: {"page_id": d["home"]},
    "get_page_tree": lambda d: {"space_key": "DEMO"},
    "create_page": lambda d: {"space_key": "DEMO", "title": "Fenced", "body": "x"},
    "update_page": lambda d: {"page_id": d["page"], "version": 1, "title": "Fenced"},
    "update_page_section": lambda d: {
        "page_id": d["page"],
        "heading": "x",
        "body": "y",
        "version": 1,
    },
    "move_page": lambda d: {"page_id": d["page"], "parent_id": d["home"], "version": 1},
    "delete_page": lambda d: {"page_id": d["page"]},
    "edit_page": lambda d: {"page_id": d["page"], "old_text": "a", "new_text": "b", "version": 1},
    "copy_page": lambda d: {"page_id": d["page"], "space_key": "ENG"},
    "get_page_restrictions": lambda d: {"page_id": d["page"]},
    "set_page_restriction": lambda d: {"page_id": d["page"], "operation": "read", "user": "x"},
    "list_templates": lambda d: {"space_key": "DEMO"},
    "list_tasks": lambda d: {"space_key": "DEMO"},
    "update_task": lambda d: {"task_id": d["task"]},
    "get_page_properties": lambda d: {"page_id": d["page"]},
    "set_page_property": lambda d: {"page_id": d["page"], "key": "k", "value": 1},
    "delete_page_property": lambda d: {"page_id": d["page"], "key": "k", "version": 1},
    "list_spaces": lambda d: {},  # answers, without DEMO: checked below
    "get_space": lambda d: {"space_key": "DEMO"},
    "list_comments": lambda d: {"page_id": d["page"]},
    "add_comment": lambda d: {"page_id": d["page"], "body": "x"},
    "resolve_comment": lambda d: {"page_id": d["inline_page"], "comment_id": d["inline"]},
    "list_labels": lambda d: {"page_id": d["page"]},
    "add_labels": lambda d: {"page_id": d["page"], "labels": ["x"]},
    "remove_label": lambda d: {"page_id": d["page"], "label": "x"},
    "list_attachments": lambda d: {"page_id": d["page"]},
    "upload_attachment": lambda d: {
        "page_id": d["page"],
        "filename": "a.txt",
        "content_base64": "YQ==",
    },
    "download_attachment": lambda d: {"attachment_id": d["attachment"]},
    "upload_attachments": lambda d: {
        "page_id": d["page"],
        "files": [{"filename": "a.txt", "content_base64": "YQ=="}],
    },
    "delete_attachment": lambda d: {"attachment_id": d["attachment"]},
    "get_page_images": lambda d: {"page_id": d["page"]},
    "list_page_versions": lambda d: {"page_id": d["page"]},
    "get_page_version": lambda d: {"page_id": d["page"], "version": 1},
    "diff_page_versions": lambda d: {"page_id": d["page"], "from_version": 1},
    "search_users": lambda d: {"query": "alice"},  # people are not in spaces: answers
}
# Tools that answer under the allow-list (nothing of DEMO in what they return).
ANSWERING = frozenset({"list_spaces", "search_users"})

# Resource URIs and prompts aimed at DEMO content.
RESOURCES: dict[str, Callable[[dict[str, str]], str]] = {
    "page": lambda d: f"confluence://page/{d['page']}",
    "space": lambda d: "confluence://space/DEMO",
}
PROMPTS: dict[str, Args] = {
    "summarize_page": lambda d: {"page": d["page"]},
    "review_page_changes": lambda d: {"page": d["page"], "from_version": "1"},
    "draft_page": lambda d: {"space_key": "DEMO", "title": "x", "outline": "y"},
}


def demo_ids(fake: FakeConfluenceServer) -> dict[str, str]:
    store = fake.store
    demo = store.get_space_by_key("DEMO")
    page = next(p for p in store.pages.values() if p.title == "Architecture overview")
    inline = next(c for c in store.inline_comments.values() if c.page_id in store.pages)
    return {
        "home": str(demo.homepage_id),
        "page": page.id,
        "attachment": "att"
        + next(a.id for a in store.attachments.values() if a.page_id == page.id),
        "task": next(t.id for t in store.tasks.values()),
        "inline": inline.id,
        "inline_page": inline.page_id,
    }


def fingerprint(fake: FakeConfluenceServer) -> Any:
    """Everything a tool could change in the fake, as comparable values."""
    store = fake.store
    return (
        {p.id: (p.version, p.status, p.parent_id, p.title) for p in store.pages.values()},
        {a.id: (a.status, a.version) for a in store.attachments.values()},
        sorted((p.page_id, p.key, p.version) for p in store.properties.values()),
        sorted(store.comments),
        {c.id: c.resolution for c in store.inline_comments.values()},
        {t.id: t.status for t in store.tasks.values()},
        {k: {op: sorted(v) for op, v in r.items()} for k, r in store.restrictions.items()},
        sorted((p.id, lb.name) for p in store.pages.values() for lb in p.labels),
    )


def test_every_tool_has_a_case(make_settings: Any) -> None:
    catalog = tool_catalog(create_server(make_settings()))
    assert set(CASES) == set(catalog), "give each tool arguments aimed at DEMO content"


async def test_every_component_has_a_case(make_settings: Any) -> None:
    mcp = create_server(make_settings())
    assert {t.name for t in await mcp.list_resource_templates()} == set(RESOURCES)
    assert {p.name for p in await mcp.list_prompts()} == set(PROMPTS)
    assert not await mcp.list_resources()  # only templates: each is enumerated above


async def prepare(fake: FakeConfluenceServer, free: Client[Any]) -> dict[str, str]:
    """What some cases need to exist besides the demo seed (a page property), so that each
    case would succeed, or fail for another reason, without the allow-list."""
    ids = demo_ids(fake)
    await free.call_tool("set_page_property", {"page_id": ids["page"], "key": "k", "value": 1})
    return ids


@pytest.mark.parametrize("name", sorted(set(CASES) - ANSWERING))
async def test_the_allow_list_holds_for_every_tool(
    name: str, connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    free = await connect()
    ids = await prepare(fake_confluence, free)
    before = fingerprint(fake_confluence)
    fenced = await connect(confluence_spaces_filter="ENG")
    with pytest.raises(ToolError, match="Not found") as refused:
        await fenced.call_tool(name, CASES[name](ids))
    assert "DEMO" not in str(refused.value)
    assert fingerprint(fake_confluence) == before
    # The same call without the allow-list reaches the content (it may still fail for another
    # reason, e.g. a stale version): the refusal above was the guard's.
    answer = await free.call_tool(name, CASES[name](ids), raise_on_error=False)
    assert "Not found" not in str(answer.content), answer.content


async def test_tools_that_answer_show_nothing_of_other_spaces(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    ids = demo_ids(fake_confluence)
    fenced = await connect(confluence_spaces_filter="ENG")
    listed = await fenced.call_tool("list_spaces", CASES["list_spaces"](ids))
    assert {s["key"] for s in listed.structured_content["spaces"]} == {"ENG"}
    people = await fenced.call_tool("search_users", CASES["search_users"](ids))
    assert people.structured_content["users"]


async def test_the_allow_list_holds_for_every_resource_and_prompt(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    ids = demo_ids(fake_confluence)
    fenced = await connect(confluence_spaces_filter="ENG")
    free = await connect()
    for uri in RESOURCES.values():
        with pytest.raises(MCPError, match=r"(?i)not found"):
            await fenced.read_resource(uri(ids))
        assert await free.read_resource(uri(ids))  # the guard refused, not a missing page
    for name, case in sorted(PROMPTS.items()):
        with pytest.raises(MCPError, match=r"(?i)not found"):
            await fenced.get_prompt(name, case(ids))


async def test_read_only_mode_hides_every_writing_tool(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    ids = demo_ids(fake_confluence)
    before = fingerprint(fake_confluence)
    every = {t.name: t for t in await (await connect()).list_tools()}
    read_only = await connect(read_only_mode=True)
    visible = {t.name for t in await read_only.list_tools()}
    readers = {n for n, t in every.items() if t.annotations and t.annotations.read_only_hint}
    assert visible == readers
    assert len(every) - len(visible) >= 15
    for name in sorted(set(every) - visible):
        with pytest.raises(ToolError, match="Unknown tool"):
            await read_only.call_tool(name, CASES[name](ids))
    assert fingerprint(fake_confluence) == before
    # Resources and prompts that only read stay; draft_page ends in create_page: hidden.
    assert {p.name for p in await read_only.list_prompts()} == {
        "summarize_page",
        "review_page_changes",
    }
