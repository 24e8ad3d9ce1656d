from typing import Any

import pytest
from fastmcp.exceptions import ToolError

from confluence_client.testing import FakeConfluenceServer

ClientFactory = Any


def page_id(fake: FakeConfluenceServer, title: str) -> str:
    return next(str(p.id) for p in fake.store.pages.values() if p.title == title)


async def test_create_page_in_storage_under_parent(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    parent = page_id(fake_confluence, "Getting Started")
    result = await client.call_tool(
        "create_page",
        {
            "space_key": "DEMO",
            "title": "Brand new",
            "body": "<p>Hello <strong>world</strong></p>",
            "body_format": "storage",
            "parent_id": parent,
        },
    )
    data = result.structured_content
    assert data["title"] == "Brand new"
    assert data["version"] == 1
    record = fake_confluence.store.pages[data["id"]]
    assert record.body == "<p>Hello <strong>world</strong></p>"
    assert record.parent_id == parent


async def test_update_with_current_version_writes(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    # A whole-body overwrite needs a confirmation (tests/safety); trusted automation mode here.
    client = await connect(confirm_destructive=False)
    pid = page_id(fake_confluence, "FAQ")
    version = fake_confluence.store.pages[pid].version
    result = await client.call_tool(
        "update_page",
        {
            "page_id": pid,
            "version": version,
            "body": "<p>new</p>",
            "body_format": "storage",
            "message": "tidy",
        },
    )
    assert result.structured_content["version"] == version + 1
    assert fake_confluence.store.pages[pid].body == "<p>new</p>"
    assert fake_confluence.store.pages[pid].current.message == "tidy"


async def test_stale_version_is_a_conflict_naming_both_versions(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "FAQ")
    store = fake_confluence.store
    read_version = store.pages[pid].version
    store.update_page(pid, version=read_version + 1, body="<p>someone else</p>")
    with pytest.raises(ToolError) as info:
        await client.call_tool(
            "update_page",
            {
                "page_id": pid,
                "version": read_version,
                "body": "<p>mine</p>",
                "body_format": "storage",
            },
        )
    message = str(info.value)
    assert f"version {read_version + 1}" in message
    assert f"version {read_version}" in message
    assert store.pages[pid].body == "<p>someone else</p>"


VERSION_REQUIRED = "Invalid argument 'version': required — version read with get_page"
PAGE_CHANGING_TOOLS = ("update_page", "update_page_section", "move_page")


@pytest.mark.parametrize("tool", PAGE_CHANGING_TOOLS)
async def test_page_changing_tools_require_the_version_read(
    tool: str, connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "FAQ")
    arguments = {
        "update_page": {"page_id": pid, "title": "FAQ (renamed)"},
        "update_page_section": {"page_id": pid, "heading": "x", "body": "y"},
        "move_page": {"page_id": pid, "parent_id": page_id(fake_confluence, "Getting Started")},
    }[tool]
    before = fake_confluence.store.pages[pid]
    state = (before.version, before.title, before.parent_id)
    fake_confluence.requests.clear()
    with pytest.raises(ToolError) as info:
        await client.call_tool(tool, arguments)
    assert str(info.value) == VERSION_REQUIRED
    assert not fake_confluence.requests  # refused before anything reached Confluence
    after = fake_confluence.store.pages[pid]
    assert (after.version, after.title, after.parent_id) == state


async def test_tools_list_shows_version_required_without_default(
    connect: ClientFactory,
) -> None:
    client = await connect()
    schemas = {tool.name: tool.input_schema for tool in await client.list_tools()}
    for name in PAGE_CHANGING_TOOLS:
        assert "version" in schemas[name]["required"], name
        assert "default" not in schemas[name]["properties"]["version"], name


async def test_title_only_update_with_the_version_read(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "FAQ")
    before = fake_confluence.store.pages[pid].version
    result = await client.call_tool(
        "update_page", {"page_id": pid, "version": before, "title": "FAQ (renamed)"}
    )
    assert result.structured_content["version"] == before + 1
    assert fake_confluence.store.pages[pid].title == "FAQ (renamed)"


async def test_stale_move_is_a_conflict_and_moves_nothing(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "FAQ")
    store = fake_confluence.store
    read_version, parent = store.pages[pid].version, store.pages[pid].parent_id
    store.update_page(pid, version=read_version + 1, body="<p>someone else</p>")
    with pytest.raises(ToolError, match=f"version {read_version + 1}"):
        await client.call_tool(
            "move_page",
            {
                "page_id": pid,
                "parent_id": page_id(fake_confluence, "Getting Started"),
                "version": read_version,
            },
        )
    assert store.pages[pid].parent_id == parent


async def test_update_needs_something_to_change(connect: ClientFactory) -> None:
    client = await connect()
    with pytest.raises(ToolError, match="Nothing to change"):
        await client.call_tool("update_page", {"page_id": "1", "version": 1})


async def test_move_and_delete(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect(confirm_destructive=False)
    pid = page_id(fake_confluence, "FAQ")
    new_parent = page_id(fake_confluence, "Getting Started")
    version = fake_confluence.store.pages[pid].version
    moved = await client.call_tool(
        "move_page", {"page_id": pid, "parent_id": new_parent, "version": version}
    )
    assert moved.structured_content["id"] == pid
    assert fake_confluence.store.pages[pid].parent_id == new_parent
    deleted = await client.call_tool("delete_page", {"page_id": pid})
    assert deleted.structured_content == {"id": pid, "status": "trashed"}
    assert fake_confluence.store.pages[pid].status == "trashed"
    with pytest.raises(ToolError, match="Not found"):
        await client.call_tool("get_page", {"page_id": pid})


async def test_a_bad_move_target_is_named_and_nothing_moves(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect(confirm_destructive=False)
    store = fake_confluence.store
    top = page_id(fake_confluence, "Getting Started")
    child = next(p.id for p in store.pages.values() if p.parent_id == top and p.kind == "page")
    post = next(p.id for p in store.pages.values() if p.kind == "blogpost")
    faq = page_id(fake_confluence, "FAQ")
    for pid, parent, expected in [
        (faq, page_id(fake_confluence, "ENG Onboarding"), "is in another space"),
        (faq, post, "is a blog post"),
        (top, child, "is below the page itself"),
    ]:
        version, before = store.pages[pid].version, store.pages[pid].parent_id
        with pytest.raises(ToolError) as info:
            await client.call_tool(
                "move_page", {"page_id": pid, "parent_id": parent, "version": version}
            )
        assert str(info.value).startswith(f"Page {pid} was not moved: the new parent {parent} ")
        assert expected in str(info.value)
        assert (store.pages[pid].version, store.pages[pid].parent_id) == (version, before)


async def test_writes_outside_allowed_spaces_look_not_found(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect(confluence_spaces_filter="ENG")
    pid = page_id(fake_confluence, "FAQ")
    before = fake_confluence.store.pages[pid].version
    for name, args in [
        ("update_page", {"page_id": pid, "version": before, "title": "x"}),
        ("update_page", {"page_id": pid, "version": before, "body": "x"}),
        ("delete_page", {"page_id": pid}),
        (
            "move_page",
            {
                "page_id": pid,
                "parent_id": page_id(fake_confluence, "ENG Onboarding"),
                "version": before,
            },
        ),
        ("create_page", {"space_key": "DEMO", "title": "t", "body": "b"}),
        ("update_page_section", {"page_id": pid, "heading": "x", "body": "y", "version": before}),
    ]:
        with pytest.raises(ToolError, match="Not found"):
            await client.call_tool(name, args)
    assert fake_confluence.store.pages[pid].version == before
    assert fake_confluence.store.pages[pid].status == "current"


async def test_read_only_mode_hides_writes(connect: ClientFactory) -> None:
    client = await connect(read_only_mode=True)
    names = {tool.name for tool in await client.list_tools()}
    assert "get_page" in names
    assert not names & {
        "create_page",
        "update_page",
        "update_page_section",
        "move_page",
        "delete_page",
    }
    with pytest.raises(ToolError, match="Unknown tool"):
        await client.call_tool("delete_page", {"page_id": "1"})


async def test_markdown_round_trip_create_then_read(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    created = await client.call_tool(
        "create_page",
        {
            "space_key": "ENG",
            "title": "Runbook",
            "body": "# Steps\n\n1. **Stop** it\n2. Start it\n",
        },
    )
    pid = created.structured_content["id"]
    stored = fake_confluence.store.pages[pid].body
    assert "<strong>Stop</strong>" in stored
    assert "<ol>" in stored
    read = await client.call_tool("get_page", {"page_id": pid})
    content = read.structured_content["content"]
    assert "**Stop**" in content
    assert "# Steps" in content


async def test_update_page_section_touches_only_that_section(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    store = fake_confluence.store
    body = "<h2>Intro</h2><p>keep me</p><h2>Steps</h2><p>old step</p><h2>End</h2><p>keep too</p>"
    created = await client.call_tool(
        "create_page",
        {"space_key": "ENG", "title": "Sections", "body": body, "body_format": "storage"},
    )
    pid = created.structured_content["id"]
    result = await client.call_tool(
        "update_page_section",
        {"page_id": pid, "heading": "Steps", "body": "- new step", "version": 1},
    )
    assert result.structured_content["version"] == 2
    stored = store.pages[pid].body
    assert "old step" not in stored
    assert "new step" in stored
    assert "<p>keep me</p>" in stored
    assert "<p>keep too</p>" in stored

    with pytest.raises(ToolError, match=r"No heading matches 'Nope'.*'Intro'"):
        await client.call_tool(
            "update_page_section", {"page_id": pid, "heading": "Nope", "body": "x", "version": 2}
        )
    with pytest.raises(ToolError, match="version 2"):
        await client.call_tool(
            "update_page_section",
            {"page_id": pid, "heading": "Intro", "body": "x", "version": 1},
        )
    assert store.pages[pid].version == 2


async def test_ambiguous_section_asks_for_occurrence(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    body = "<h2>Notes</h2><p>a</p><h2>Notes</h2><p>b</p>"
    created = await client.call_tool(
        "create_page",
        {"space_key": "ENG", "title": "Twice", "body": body, "body_format": "storage"},
    )
    pid = created.structured_content["id"]
    with pytest.raises(ToolError, match="2 headings match 'Notes': pass occurrence"):
        await client.call_tool(
            "update_page_section",
            {"page_id": pid, "heading": "Notes", "body": "z", "version": 1},
        )
    await client.call_tool(
        "update_page_section",
        {
            "page_id": pid,
            "heading": "Notes",
            "body": "<p>z</p>",
            "body_format": "storage",
            "occurrence": 2,
            "version": 1,
        },
    )
    stored = fake_confluence.store.pages[pid].body
    assert "<p>a</p>" in stored
    assert "<p>z</p>" in stored
    assert "<p>b</p>" not in stored


async def test_numeric_ids_sent_as_numbers_are_accepted(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = int(page_id(fake_confluence, "FAQ"))
    result = await client.call_tool("get_page", {"page_id": pid, "format": "storage"})
    assert result.structured_content["id"] == str(pid)


async def test_malformed_storage_never_reaches_confluence(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "FAQ")
    fake_confluence.requests.clear()
    with pytest.raises(ToolError, match="Invalid argument 'body': not well-formed storage"):
        await client.call_tool(
            "create_page",
            {"space_key": "ENG", "title": "Bad", "body": "<p>unclosed", "body_format": "storage"},
        )
    assert not [r for r in fake_confluence.requests if r.method != "GET"]
    with pytest.raises(ToolError, match="not well-formed"):
        await client.call_tool(
            "update_page",
            {
                "page_id": pid,
                "version": 1,
                "body": "<ac:structured-macro>",
                "body_format": "storage",
            },
        )


@pytest.mark.parametrize("control", ["\x07", "\x7f", "\x85", "\x9b"])
async def test_titles_with_control_characters_never_reach_confluence(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer, control: str
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "FAQ")
    version = fake_confluence.store.pages[pid].version
    fake_confluence.requests.clear()
    with pytest.raises(ToolError, match="title must not contain control characters"):
        await client.call_tool(
            "create_page", {"space_key": "DEMO", "title": f"Bad{control}", "body": "b"}
        )
    with pytest.raises(ToolError, match=f"U\\+{ord(control):04X}"):
        await client.call_tool(
            "update_page", {"page_id": pid, "version": version, "title": f"a{control}b"}
        )
    assert not [r for r in fake_confluence.requests if r.method != "GET"]
    assert fake_confluence.store.pages[pid].version == version


async def test_duplicate_title_is_named(connect: ClientFactory) -> None:
    client = await connect()
    with pytest.raises(ToolError, match="already exists in the space"):
        await client.call_tool("create_page", {"space_key": "DEMO", "title": "FAQ", "body": "dup"})


async def test_read_only_hides_the_drafting_prompt(connect: ClientFactory) -> None:
    writable = await connect()
    assert "draft_page" in {prompt.name for prompt in await writable.list_prompts()}
    client = await connect(read_only_mode=True)
    prompts = {prompt.name for prompt in await client.list_prompts()}
    assert "draft_page" not in prompts
    assert "summarize_page" in prompts


async def test_unchanged_body_is_not_rewritten(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "Getting Started")
    store = fake_confluence.store
    before = (store.pages[pid].version, store.pages[pid].body)
    read = (await client.call_tool("get_page", {"page_id": pid})).structured_content
    same = await client.call_tool(
        "update_page", {"page_id": pid, "version": read["version"], "body": read["content"]}
    )
    assert same.structured_content["version"] == before[0]
    assert (store.pages[pid].version, store.pages[pid].body) == before
    renamed = await client.call_tool(
        "update_page",
        {"page_id": pid, "version": read["version"], "body": read["content"], "title": "GS"},
    )
    assert renamed.structured_content["version"] == before[0] + 1
    assert store.pages[pid].body == before[1]  # original bytes kept
    assert store.pages[pid].title == "GS"


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("update_page", {"body": "<p>one read</p>", "body_format": "storage"}),
        ("update_page", {"body": "one read", "title": "FAQ (renamed)"}),
        ("edit_page", {"old_text": "FAQ", "new_text": "Questions"}),
        ("update_page_section", {"heading": "Questions", "body": "- new"}),
    ],
)
async def test_body_writes_read_the_page_once(
    connect: ClientFactory,
    fake_confluence: FakeConfluenceServer,
    tool: str,
    arguments: dict[str, Any],
) -> None:
    client = await connect(confirm_destructive=False)
    store = fake_confluence.store
    body = "<h2>Questions</h2><p>FAQ old</p>"
    created = await client.call_tool(
        "create_page",
        {"space_key": "ENG", "title": "FAQ", "body": body, "body_format": "storage"},
    )
    pid = created.structured_content["id"]
    version = store.pages[pid].version
    title = store.pages[pid].title
    fake_confluence.requests.clear()
    result = await client.call_tool(tool, {"page_id": pid, "version": version, **arguments})
    assert result.structured_content["version"] == version + 1
    # One read gives the version check, the body and the title; then the write.
    assert [r.method for r in fake_confluence.requests] == ["GET", "PUT"]
    assert store.pages[pid].title == arguments.get("title", title)
    assert store.pages[pid].version == version + 1


async def test_move_and_delete_without_confirmations_read_the_page_once(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect(confirm_destructive=False)
    store = fake_confluence.store
    parent = page_id(fake_confluence, "Getting Started")
    created = await client.call_tool(
        "create_page",
        {"space_key": "DEMO", "title": "Mover", "body": "<p>kept</p>", "body_format": "storage"},
    )
    pid = created.structured_content["id"]
    await client.call_tool(
        "create_page",
        {"space_key": "DEMO", "title": "Mover child", "body": "c", "parent_id": pid},
    )
    fake_confluence.requests.clear()
    moved = await client.call_tool("move_page", {"page_id": pid, "parent_id": parent, "version": 1})
    assert moved.structured_content["version"] == 2
    # One read (version check, guard, and the title and body the move rewrites); the write.
    # With confirmations off, children (which only trigger one) are not looked up.
    path = f"/wiki/api/v2/pages/{pid}"
    assert [(r.method, r.path) for r in fake_confluence.requests] == [("GET", path), ("PUT", path)]
    assert (store.pages[pid].parent_id, store.pages[pid].body) == (parent, "<p>kept</p>")
    fake_confluence.requests.clear()
    await client.call_tool("delete_page", {"page_id": pid, "version": 2})
    assert [(r.method, r.path) for r in fake_confluence.requests] == [
        ("GET", path),
        ("DELETE", path),
    ]
    assert store.pages[pid].status == "trashed"


async def test_move_under_the_current_parent_asks_nothing_and_writes_nothing(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()  # confirmations on: a page with children would need one
    store = fake_confluence.store
    pid = page_id(fake_confluence, "Getting Started")
    page = store.pages[pid]
    before = (page.parent_id, page.version)
    assert store.children(pid, page.space_id)
    fake_confluence.requests.clear()
    result = await client.call_tool(
        "move_page", {"page_id": pid, "parent_id": page.parent_id, "version": page.version}
    )
    assert result.structured_content["version"] == before[1]
    assert [r.method for r in fake_confluence.requests] == ["GET"]
    assert (page.parent_id, page.version) == before


@pytest.mark.parametrize("dry_run", [True, False])
async def test_moving_a_page_under_itself_is_refused_before_any_preview(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer, dry_run: bool
) -> None:
    # Confirmations on and the page has children: without the early check the dry run showed
    # the move as possible, and the real call asked the user to confirm it.
    client = await connect()
    pid = page_id(fake_confluence, "Getting Started")
    page = fake_confluence.store.pages[pid]
    assert fake_confluence.store.children(pid, page.space_id)
    before = (page.parent_id, page.version)
    fake_confluence.requests.clear()
    with pytest.raises(ToolError) as refused:
        await client.call_tool(
            "move_page",
            {"page_id": pid, "parent_id": pid, "version": page.version, "dry_run": dry_run},
        )
    assert str(refused.value) == "Invalid argument 'parent_id': a page cannot be its own parent."
    assert list(fake_confluence.requests) == []
    assert (page.parent_id, page.version) == before


DRY_RUN_CASES = {
    "create_page title": ("create_page", {"title": "Bad\x7f"}, "title must not contain control"),
    "create_page C1 title": ("create_page", {"title": "a\x85b"}, "U\\+0085 at position 1"),
    "create_page space key": ("create_page", {"space_key": "NO KEY"}, "not a valid space key"),
    "create_page body": ("create_page", {"body": "a\ud800"}, "not valid Unicode"),
    "update_page title": ("update_page", {"title": "a\x9bb"}, "U\\+009B at position 1"),
    "update_page body": ("update_page", {"body": "a\udcff"}, "not valid Unicode"),
    "update_page_section body": ("update_page_section", {"body": "\ud800"}, "not valid Unicode"),
    "update_page message": ("update_page", {"message": "m\ud800"}, "message contains text"),
    "edit_page new_text": ("edit_page", {"new_text": "\udfff"}, "new_text contains text"),
}


@pytest.mark.parametrize("case", sorted(DRY_RUN_CASES))
async def test_a_dry_run_refuses_what_the_write_would_with_nothing_sent(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer, case: str
) -> None:
    tool, bad, reason = DRY_RUN_CASES[case]
    client = await connect()
    pid = page_id(fake_confluence, "FAQ")
    version = fake_confluence.store.pages[pid].version
    base: dict[str, dict[str, Any]] = {
        "create_page": {"space_key": "DEMO", "title": "New", "body": "b"},
        "update_page": {"page_id": pid, "version": version, "title": "T", "body": "b"},
        "update_page_section": {"page_id": pid, "version": version, "heading": "H", "body": "b"},
        "edit_page": {"page_id": pid, "version": version, "old_text": "a", "new_text": "b"},
    }
    fake_confluence.requests.clear()
    messages = []
    for dry_run in (True, False):
        with pytest.raises(ToolError, match=reason) as info:
            await client.call_tool(tool, {**base[tool], **bad, "dry_run": dry_run})
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    assert len(fake_confluence.requests) == 0
    assert fake_confluence.store.pages[pid].version == version
