"""Confirmed destructive actions: two-step tokens, elicitation (both protocol eras), version
re-checks, and dry runs that write nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastmcp import Client
from fastmcp.exceptions import ToolError

from confluence_client.testing import FakeConfluenceServer
from confluence_mcp.app import create_server
from confluence_mcp.safety.confirm import Confirmations, Pending

ClientFactory = Any
SettingsFactory = Any


def page_id(fake: FakeConfluenceServer, title: str) -> str:
    return next(p.id for p in fake.store.pages.values() if p.title == title)


def bump(fake: FakeConfluenceServer, pid: str) -> None:
    """Someone else edits the page."""
    page = fake.store.pages[pid]
    fake.store.update_page(pid, version=page.version + 1, body=page.body + "<p>edit</p>")


async def first_step(client: Client[Any], name: str, arguments: dict[str, Any]) -> str:
    with pytest.raises(ToolError, match="Confirmation required, nothing was changed") as caught:
        await client.call_tool(name, arguments)
    found = re.search(r'confirm_token="([^"]+)"', str(caught.value))
    assert found is not None
    return found.group(1)


async def test_delete_needs_a_valid_token(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "FAQ")
    token = await first_step(client, "delete_page", {"page_id": pid})
    assert fake_confluence.store.pages[pid].status == "current"
    for bad in (token[:-2] + "xx", "nonsense", token.split(".")[0]):
        with pytest.raises(ToolError, match="not valid; nothing was changed"):
            await client.call_tool("delete_page", {"page_id": pid, "confirm_token": bad})
    other = page_id(fake_confluence, "Getting Started")
    with pytest.raises(ToolError, match="another action or page"):
        await client.call_tool("delete_page", {"page_id": other, "confirm_token": token})
    assert fake_confluence.store.pages[pid].status == "current"
    done = await client.call_tool("delete_page", {"page_id": pid, "confirm_token": token})
    assert done.structured_content == {"id": pid, "status": "trashed"}


async def test_version_change_between_preview_and_confirm_aborts(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "FAQ")
    token = await first_step(client, "delete_page", {"page_id": pid})
    bump(fake_confluence, pid)
    with pytest.raises(ToolError, match="page changed since the preview"):
        await client.call_tool("delete_page", {"page_id": pid, "confirm_token": token})
    assert fake_confluence.store.pages[pid].status == "current"


def test_expired_token_is_refused() -> None:
    confirmations = Confirmations(enabled=True, ttl=60)
    pending = Pending("delete", "123", "T", 4, "preview")
    token = confirmations.issue(pending, now=1000.0)
    confirmations.verify(token, pending, now=1059.0)
    with pytest.raises(ToolError, match="expired; nothing was changed"):
        confirmations.verify(token, pending, now=1061.0)
    with pytest.raises(ToolError, match="not valid"):
        Confirmations(enabled=True).verify(token, pending, now=1000.0)  # another key


def test_a_token_is_bound_to_the_subject_of_its_preview() -> None:
    confirmations = Confirmations(enabled=True)
    shown = Pending("move", "123", "T", 4, "preview", subject="200")
    token = confirmations.issue(shown)
    confirmations.verify(token, shown)
    with pytest.raises(ToolError, match="given for other arguments than these"):
        confirmations.verify(token, Pending("move", "123", "T", 4, "preview", subject="300"))


async def test_a_token_confirms_only_the_change_its_preview_showed(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "Getting Started")  # has children: a move is confirmed
    page = fake_confluence.store.pages[pid]
    before = (page.version, page.parent_id, page.body)
    shown = page_id(fake_confluence, "FAQ")
    move = {"page_id": pid, "parent_id": shown, "version": page.version}
    token = await first_step(client, "move_page", move)
    other = page_id(fake_confluence, "Team")
    with pytest.raises(ToolError, match="given for other arguments than these"):
        await client.call_tool("move_page", {**move, "parent_id": other, "confirm_token": token})
    overwrite = {"page_id": pid, "version": page.version, "body": "tiny"}
    body_token = await first_step(client, "update_page", overwrite)
    with pytest.raises(ToolError, match="given for other arguments than these"):
        await client.call_tool(
            "update_page", {**overwrite, "body": "something else", "confirm_token": body_token}
        )
    assert (page.version, page.parent_id, page.body) == before
    await client.call_tool("move_page", {**move, "confirm_token": token})
    assert fake_confluence.store.pages[pid].parent_id == shown


async def test_large_overwrite_and_moving_a_subtree_need_confirmation(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "Getting Started")
    page = fake_confluence.store.pages[pid]
    before = (page.version, page.body)
    args = {"page_id": pid, "version": page.version, "body": "tiny"}
    token = await first_step(client, "update_page", args)
    assert (page.version, page.body) == before
    small = {"page_id": pid, "version": page.version, "title": "Getting Started (renamed)"}
    await client.call_tool("update_page", small)  # a title change needs no confirmation
    with pytest.raises(ToolError, match="Version conflict"):
        await client.call_tool("update_page", {**args, "confirm_token": token})
    # Even with the new version, the old preview's token no longer counts.
    fresh = {**args, "version": page.version, "confirm_token": token}
    with pytest.raises(ToolError, match="page changed since the preview"):
        await client.call_tool("update_page", fresh)
    assert page.body == before[1]
    target = page_id(fake_confluence, "FAQ")
    move = {"page_id": pid, "parent_id": target, "version": page.version}
    token = await first_step(client, "move_page", move)
    assert fake_confluence.store.pages[pid].parent_id != target
    await client.call_tool("move_page", {**move, "confirm_token": token})
    assert fake_confluence.store.pages[pid].parent_id == target


async def test_confirmation_can_be_turned_off(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect(confirm_destructive=False)
    pid = page_id(fake_confluence, "FAQ")
    await client.call_tool("delete_page", {"page_id": pid})
    assert fake_confluence.store.pages[pid].status == "trashed"


@pytest.mark.parametrize("mode", ["auto", "legacy"])
@pytest.mark.parametrize(
    ("answer", "deleted"),
    [("FAQ", True), ("faq page", False), (None, False)],
)
async def test_elicitation_asks_for_the_title(
    make_settings: SettingsFactory,
    fake_confluence: FakeConfluenceServer,
    mode: str,
    answer: str | None,
    deleted: bool,
) -> None:
    pid = page_id(fake_confluence, "FAQ")
    asked: list[str] = []

    async def handler(message: str, response_type: Any, params: Any, context: Any) -> Any:
        from fastmcp.client.elicitation import ElicitResult

        asked.append(message)
        if answer is None:
            return ElicitResult(action="decline")
        return answer

    server = create_server(make_settings())
    async with Client(server, elicitation_handler=handler, mode=mode) as client:
        if deleted:
            await client.call_tool("delete_page", {"page_id": pid})
        else:
            with pytest.raises(ToolError, match="did not confirm; nothing was changed"):
                await client.call_tool("delete_page", {"page_id": pid})
    assert len(asked) == 1
    assert "Type the page title (FAQ)" in asked[0]
    assert (fake_confluence.store.pages[pid].status == "trashed") is deleted


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_elicitation_aborts_when_the_page_changes_meanwhile(
    make_settings: SettingsFactory, fake_confluence: FakeConfluenceServer, mode: str
) -> None:
    pid = page_id(fake_confluence, "FAQ")

    async def handler(message: str, response_type: Any, params: Any, context: Any) -> Any:
        bump(fake_confluence, pid)
        return "FAQ"

    async with Client(
        create_server(make_settings()), elicitation_handler=handler, mode=mode
    ) as client:
        with pytest.raises(ToolError, match="Version conflict"):
            await client.call_tool("delete_page", {"page_id": pid})
    assert fake_confluence.store.pages[pid].status == "current"


async def test_dry_runs_write_nothing(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "FAQ")
    page = fake_confluence.store.pages[pid]
    home = page_id(fake_confluence, "Demo Space Home")
    guide = page_id(fake_confluence, "Getting Started")
    fake_confluence.requests.clear()
    calls = [
        ("create_page", {"space_key": "DEMO", "title": "Draft", "body": "# Hi"}),
        ("update_page", {"page_id": pid, "version": page.version, "body": "## New\n\nbody"}),
        ("update_page", {"page_id": pid, "version": page.version, "title": "Renamed"}),
        (
            "update_page_section",
            {
                "page_id": guide,
                "heading": "Overview",
                "body": "x",
                "version": fake_confluence.store.pages[guide].version,
            },
        ),
        ("move_page", {"page_id": pid, "parent_id": home, "version": page.version}),
        ("delete_page", {"page_id": pid}),
    ]
    for name, args in calls:
        result = await client.call_tool(name, {**args, "dry_run": True})
        assert result.structured_content["dry_run"] is True, name
        assert result.structured_content["diff"], name
    # Only reads reached Confluence (the permission check behind trust labels is a read).
    requests = fake_confluence.requests.matching()
    assert requests
    writes = [
        (r.method, r.path)
        for r in requests
        if r.method != "GET" and not r.path.endswith("/permission/check")
    ]
    assert writes == []
    update = await client.call_tool(
        "update_page", {"page_id": pid, "version": page.version, "body": "new", "dry_run": True}
    )
    assert update.structured_content["diff"].startswith("--- markdown (current)")
    assert "+++ storage (proposed)\n" in update.structured_content["diff"]
    assert "\n+<p>new</p>\n" in update.structured_content["diff"]
    assert fake_confluence.store.pages[pid].version == page.version


async def test_dry_run_refuses_a_stale_version(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "FAQ")
    stale = fake_confluence.store.pages[pid].version
    bump(fake_confluence, pid)
    with pytest.raises(ToolError, match="Version conflict"):
        await client.call_tool(
            "update_page", {"page_id": pid, "version": stale, "body": "x", "dry_run": True}
        )


async def test_second_step_reads_the_page_once(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    """The token's version is checked against the read that begins the second step itself:
    no second read of the page (nor, for a delete, of its children: the preview is shown)."""
    client = await connect()
    store = fake_confluence.store
    pid = page_id(fake_confluence, "Getting Started")
    path = f"/wiki/api/v2/pages/{pid}"
    args = {"page_id": pid, "version": store.pages[pid].version, "body": "tiny"}
    token = await first_step(client, "update_page", args)
    fake_confluence.requests.clear()
    await client.call_tool("update_page", {**args, "confirm_token": token})
    assert [(r.method, r.path) for r in fake_confluence.requests] == [("GET", path), ("PUT", path)]
    move = {
        "page_id": pid,
        "parent_id": page_id(fake_confluence, "FAQ"),
        "version": store.pages[pid].version,
    }
    token = await first_step(client, "move_page", move)
    fake_confluence.requests.clear()
    await client.call_tool("move_page", {**move, "confirm_token": token})
    assert [(r.method, r.path) for r in fake_confluence.requests] == [
        ("GET", path),
        ("GET", f"{path}/direct-children"),  # whether a confirmation is needed at all
        ("PUT", path),
    ]
    assert store.pages[pid].parent_id == move["parent_id"]
    delete = {"page_id": pid, "version": store.pages[pid].version}
    token = await first_step(client, "delete_page", delete)
    fake_confluence.requests.clear()
    await client.call_tool("delete_page", {**delete, "confirm_token": token})
    assert [(r.method, r.path) for r in fake_confluence.requests] == [
        ("GET", path),
        ("DELETE", path),
    ]
    assert store.pages[pid].status == "trashed"
