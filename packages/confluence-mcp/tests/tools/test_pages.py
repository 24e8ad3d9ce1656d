import re
from typing import Any

import pytest
from fastmcp import Client
from fastmcp.exceptions import ToolError

from confluence_client.testing import FakeConfluenceServer
from confluence_mcp.models import PageContent

ClientFactory = Any


def page_id(fake: FakeConfluenceServer, title: str) -> str:
    page = next(p for p in fake.store.pages.values() if p.title == title)
    return str(page.id)


async def test_get_page_by_id_storage_verbatim(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client: Client[Any] = await connect()
    pid = page_id(fake_confluence, "Getting Started")
    result = await client.call_tool("get_page", {"page_id": pid, "format": "storage"})
    data = result.structured_content
    assert data is not None
    assert data["content"] == fake_confluence.store.pages[pid].body
    assert data["title"] == "Getting Started"
    assert data["space_key"] == "DEMO"
    assert data["version"] >= 1
    assert "next_offset" not in data  # None fields are omitted
    PageContent.model_validate(data)


async def test_get_page_by_title_and_url(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    by_title = await client.call_tool(
        "get_page", {"title": "Getting Started", "space_key": "DEMO", "format": "storage"}
    )
    url = by_title.structured_content["url"]
    by_url = await client.call_tool("get_page", {"url": url, "format": "storage"})
    assert by_url.structured_content["id"] == by_title.structured_content["id"]


@pytest.mark.parametrize(
    "args",
    [
        {},
        {"title": "Getting Started"},
        {"page_id": "1", "url": "http://x/wiki/spaces/A/pages/1"},
        {"space_key": "DEMO"},
    ],
)
async def test_get_page_needs_exactly_one_way(connect: ClientFactory, args: dict[str, Any]) -> None:
    client = await connect()
    with pytest.raises(ToolError, match="Name the page one way"):
        await client.call_tool("get_page", args)


async def test_get_page_rejects_bad_ids_before_confluence(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    fake_confluence.requests.clear()
    with pytest.raises(ToolError, match="page_id"):
        await client.call_tool("get_page", {"page_id": "12; DROP"})
    assert len(fake_confluence.requests) == 0


async def test_truncation_and_continuation(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect(page_max_chars=1000)
    pid = page_id(fake_confluence, "Getting Started")
    body = "<p>" + "lorem ipsum dolor sit amet\n" * 200 + "</p>"
    store = fake_confluence.store
    store.update_page(pid, version=store.pages[pid].version + 1, body=body)
    pieces: list[str] = []
    offset = 0
    while True:
        result = await client.call_tool(
            "get_page", {"page_id": pid, "format": "storage", "offset": offset}
        )
        data = result.structured_content
        assert data["total_chars"] == len(body)
        if "next_offset" not in data:
            pieces.append(data["content"])
            break
        assert "[truncated:" in data["content"]
        assert f"offset={data['next_offset']}" in data["content"]
        pieces.append(data["content"].split("\n\n[truncated:")[0])
        offset = data["next_offset"]
    assert "".join(pieces) == body
    assert len(pieces) > 2


async def test_not_found_is_actionable(connect: ClientFactory) -> None:
    client = await connect()
    with pytest.raises(ToolError, match="Not found"):
        await client.call_tool("get_page", {"page_id": "999999999"})


async def test_space_filter_hides_other_spaces(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect(confluence_spaces_filter="ENG")
    pid = page_id(fake_confluence, "Getting Started")  # a DEMO page
    with pytest.raises(ToolError, match="Not found"):
        await client.call_tool("get_page", {"page_id": pid})
    with pytest.raises(ToolError, match="Not found"):
        await client.call_tool("get_page_children", {"page_id": pid})
    with pytest.raises(ToolError, match="Not found"):
        await client.call_tool("get_page_tree", {"space_key": "DEMO"})
    eng = page_id(fake_confluence, "ENG Onboarding")
    result = await client.call_tool("get_page", {"page_id": eng, "format": "storage"})
    assert result.structured_content["space_key"] == "ENG"


async def test_children_and_tree(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    home = page_id(fake_confluence, "Demo Space Home")
    children = (await client.call_tool("get_page_children", {"page_id": home})).structured_content
    titles = [page["title"] for page in children["pages"]]
    assert "Getting Started" in titles
    assert all(
        fake_confluence.store.pages[page["id"]].parent_id == home for page in children["pages"]
    )

    tree = (
        await client.call_tool("get_page_tree", {"page_id": home, "max_depth": 1})
    ).structured_content
    assert tree["pages"][0] == {"id": home, "title": "Demo Space Home", "depth": 0}
    assert {entry["depth"] for entry in tree["pages"]} == {0, 1}
    # The tree also shows the folders among the children (typed); the children list is pages.
    assert [entry["title"] for entry in tree["pages"][1:] if "type" not in entry] == titles

    whole = (
        await client.call_tool("get_page_tree", {"space_key": "DEMO", "max_depth": 10})
    ).structured_content
    assert whole["truncated"] is False
    assert len(whole["pages"]) > len(tree["pages"])
    depth_of = {entry["id"]: entry["depth"] for entry in whole["pages"]}
    for entry in whole["pages"]:
        parent = fake_confluence.store.pages[entry["id"]].parent_id
        if parent in depth_of:
            assert entry["depth"] == depth_of[parent] + 1
    # depth-first: each entry's parent is the nearest earlier entry one level up
    stack: list[str] = []
    for entry in whole["pages"]:
        del stack[entry["depth"] :]
        if stack:
            assert fake_confluence.store.pages[entry["id"]].parent_id == stack[-1]
        stack.append(entry["id"])


async def test_tree_caps_and_progress(connect: ClientFactory) -> None:
    client = await connect()
    progress: list[tuple[float, float | None, str | None]] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append((value, total, message))

    result = await client.call_tool(
        "get_page_tree",
        {"space_key": "DEMO", "max_pages": 60},
        progress_handler=on_progress,
    )
    assert result.structured_content["truncated"] is True
    assert len(result.structured_content["pages"]) <= 60
    assert progress
    assert progress[0][0] == 50


async def test_tree_needs_exactly_one_root(connect: ClientFactory) -> None:
    client = await connect()
    with pytest.raises(ToolError, match="exactly one"):
        await client.call_tool("get_page_tree", {})


async def test_markdown_and_view_formats(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "Getting Started")
    markdown = (await client.call_tool("get_page", {"page_id": pid})).structured_content
    assert "## Overview" in markdown["content"]
    assert "<h2>" not in markdown["content"]
    view = (
        await client.call_tool("get_page", {"page_id": pid, "format": "view"})
    ).structured_content
    assert "Overview" in view["content"]
    meta = (
        await client.call_tool("get_page", {"page_id": pid, "metadata": True})
    ).structured_content["metadata"]
    assert set(meta["labels"]) >= {"getting-started"}
    assert meta["parent_id"] == page_id(fake_confluence, "Demo Space Home")


def pages_within(
    fake: FakeConfluenceServer, space_key: str, max_depth: int, kinds: tuple[str, ...] = ("page",)
) -> list[str]:
    """Ids of the space's current pages (and ``kinds``) at depth <= max_depth, from the store."""
    store = fake.store
    space_id = store.get_space_by_key(space_key).id
    level = [p.id for p in store.children(None, space_id)]
    found = list(level)
    for _ in range(max_depth):
        level = [kid.id for pid in level for kid in store.children(pid, space_id, kinds=kinds)]
        found += level
    return found


_LISTED_PARENT = re.compile(
    r"/(?:pages|content|folders)/(\d+)/(?:direct-children|children|child/page|descendants|descendant)"
)


@pytest.mark.parametrize("deployment", ["cloud", "datacenter"])
async def test_tree_counts_only_returned_pages_and_reads_nothing_deeper(
    deployment: str, connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect(confluence_deployment=deployment)
    # Cloud trees hold folders too (typed nodes); blog posts follow the tree (own cap).
    kinds = ("page", "folder") if deployment == "cloud" else ("page",)
    shallow = pages_within(fake_confluence, "DEMO", 1, kinds)
    roots = set(pages_within(fake_confluence, "DEMO", 0))
    assert len(shallow) > 5  # the demo seed has more than max_pages pages at depth <= 1
    store = fake_confluence.store
    assert any(store.children(pid, store.pages[pid].space_id) for pid in shallow[len(roots) :])

    fake_confluence.requests.clear()
    capped = (
        await client.call_tool(
            "get_page_tree", {"space_key": "DEMO", "max_depth": 1, "max_pages": 5}
        )
    ).structured_content
    assert len(capped["pages"]) == 5
    assert capped["truncated"] is True
    assert {entry["id"] for entry in capped["pages"]} <= set(shallow)
    listed = [
        match.group(1)
        for record in fake_confluence.requests
        if (match := _LISTED_PARENT.search(record.path))
    ]
    assert listed
    assert set(listed) <= roots  # only depth-0 pages had their children listed
    assert not [r for r in fake_confluence.requests if "descendant" in r.path]

    exact = (
        await client.call_tool(
            "get_page_tree", {"space_key": "DEMO", "max_depth": 1, "max_pages": len(shallow)}
        )
    ).structured_content
    tree_ids = [entry["id"] for entry in exact["pages"] if entry.get("type") != "blogpost"]
    assert sorted(tree_ids) == sorted(shallow)
    assert exact["truncated"] is False
    depth_of = {e["id"]: e["depth"] for e in exact["pages"] if e.get("type") != "blogpost"}
    assert {pid for pid, depth in depth_of.items() if depth == 0} == roots


async def test_filtered_subtree_reads_its_root_once(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect(confluence_spaces_filter="ENG")
    eng = page_id(fake_confluence, "ENG Onboarding")
    args = {"page_id": eng, "max_depth": 1}
    await client.call_tool("get_page_tree", args)  # the space id -> key lookup is cached
    fake_confluence.requests.clear()
    tree = await client.call_tool("get_page_tree", args)
    assert tree.structured_content["pages"][0]["id"] == eng
    # The walk's read of the root is the one the space guard checks: then its children.
    assert [(r.method, r.path) for r in fake_confluence.requests] == [
        ("GET", f"/wiki/api/v2/pages/{eng}"),
        ("GET", f"/wiki/api/v2/pages/{eng}/direct-children"),
    ]
    demo = page_id(fake_confluence, "Demo Space Home")
    fake_confluence.requests.clear()
    with pytest.raises(ToolError, match="Not found"):
        await client.call_tool("get_page_tree", {"page_id": demo, "max_depth": 1})
    # Outside the allowed spaces: refused on the root's read (and its space's key), nothing
    # below it fetched.
    assert [r.path for r in fake_confluence.requests] == [
        f"/wiki/api/v2/pages/{demo}",
        f"/wiki/api/v2/spaces/{fake_confluence.store.pages[demo].space_id}",
    ]
