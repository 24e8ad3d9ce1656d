"""list_tasks and update_task against the fake."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from fastmcp.exceptions import ToolError

from confluence_client.testing import FakeConfluenceServer

Connect = Callable[..., Awaitable[Client[Any]]]


async def test_list_and_complete(connect: Connect, fake_confluence: FakeConfluenceServer) -> None:
    client = await connect()
    listed = await client.call_tool("list_tasks", {"space_key": "DEMO", "status": "incomplete"})
    tasks = listed.structured_content["tasks"]
    assert {t["text"] for t in tasks} == {"Publish the release notes", "Review the on-call rota"}
    first = tasks[0]["id"]
    done = await client.call_tool("update_task", {"task_id": first})
    assert done.structured_content["status"] == "complete"
    assert fake_confluence.store.tasks[first].status == "complete"
    reopened = await client.call_tool("update_task", {"task_id": first, "done": False})
    assert reopened.structured_content["status"] == "incomplete"


async def test_task_guards(connect: Connect, fake_confluence: FakeConfluenceServer) -> None:
    fenced = await connect(confluence_spaces_filter="ENG")
    assert (await fenced.call_tool("list_tasks", {})).structured_content["tasks"] == []
    task = next(iter(fake_confluence.store.tasks))
    with pytest.raises(ToolError, match="Not found"):
        await fenced.call_tool("update_task", {"task_id": task})
    read_only = await connect(read_only_mode=True)
    names = {t.name for t in await read_only.list_tools()}
    assert "list_tasks" in names
    assert "update_task" not in names
    dc = await connect(
        confluence_url=fake_confluence.url,
        confluence_deployment="datacenter",
        confluence_username=None,
        confluence_api_token=None,
        confluence_personal_token="fake-pat",
    )
    with pytest.raises(ToolError, match="Not supported"):
        await dc.call_tool("list_tasks", {})


async def test_tasks_over_streamable_http(
    remote_settings_for: Any, serve_remote: Any, fake_confluence: FakeConfluenceServer
) -> None:
    async with (
        serve_remote(remote_settings_for(mcp_ip_rate_limit="off")) as (base, _),
        Client(StreamableHttpTransport(f"{base}/mcp")) as client,
    ):
        listed = await client.call_tool("list_tasks", {"status": "complete"})
    assert [t["text"] for t in listed.structured_content["tasks"]] == ["Tag the release"]


async def test_update_task_reads_the_task_once(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    task = next(iter(fake_confluence.store.tasks))
    fake_confluence.requests.clear()
    done = await client.call_tool("update_task", {"task_id": task})
    assert done.structured_content["status"] == "complete"
    # One read serves the space guard and the write's page and space; then the write.
    assert [(r.method, r.path) for r in fake_confluence.requests] == [
        ("GET", f"/wiki/api/v2/tasks/{task}"),
        ("PUT", f"/wiki/api/v2/tasks/{task}"),
    ]


async def test_list_tasks_pages_with_its_filters(connect: Connect) -> None:
    client = await connect()
    arguments = {"space_key": "DEMO", "status": "incomplete", "limit": 1}
    first = (await client.call_tool("list_tasks", arguments)).structured_content
    assert len(first["tasks"]) == 1
    assert first["next_cursor"] is not None
    second = (
        await client.call_tool("list_tasks", {**arguments, "cursor": first["next_cursor"]})
    ).structured_content
    assert {t["text"] for t in first["tasks"] + second["tasks"]} == {
        "Publish the release notes",
        "Review the on-call rota",
    }
    # The cursor is bound to the filters it was issued for.
    with pytest.raises(ToolError, match="invalid cursor"):
        await client.call_tool(
            "list_tasks", {**arguments, "status": "complete", "cursor": first["next_cursor"]}
        )


@pytest.mark.parametrize(
    ("tool", "argument"), [("update_task", "task_id"), ("list_templates", "template_id")]
)
async def test_a_non_numeric_id_is_refused_under_its_own_name(
    connect: Connect, tool: str, argument: str
) -> None:
    # These ids share the page id's validation; the message must not call them page ids.
    client = await connect()
    with pytest.raises(ToolError) as info:
        await client.call_tool(tool, {argument: "abc"})
    assert str(info.value) == f"Invalid argument '{argument}': must be a numeric id, e.g. 123456"
