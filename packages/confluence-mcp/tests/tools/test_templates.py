"""list_templates, get_template and create_page from a template against the fake."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from fastmcp.exceptions import ToolError

from confluence_client.testing import FakeConfluenceServer

Connect = Callable[..., Awaitable[Client[Any]]]


def template_id(fake: FakeConfluenceServer, name: str) -> str:
    return next(t.id for t in fake.store.templates.values() if t.name == name)


async def test_list_read_and_use_a_template(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    everywhere = await client.call_tool("list_templates", {})
    assert [t["name"] for t in everywhere.structured_content["templates"]] == ["Meeting notes"]
    demo = await client.call_tool("list_templates", {"space_key": "DEMO"})
    [incident] = demo.structured_content["templates"]
    assert incident["space_key"] == "DEMO"
    read = await client.call_tool("list_templates", {"template_id": incident["id"]})
    [one] = read.structured_content["templates"]
    assert one["variables"] == ["service", "severity"]
    assert "Summary" in one["body"]
    made = await client.call_tool(
        "create_page",
        {
            "space_key": "DEMO",
            "title": "Incident 7",
            "template_id": incident["id"],
            "variables": {"service": "Search", "severity": "low"},
        },
    )
    body = fake_confluence.store.pages[made.structured_content["id"]].body
    assert "<p>Search outage, severity low.</p>" in body
    with pytest.raises(ToolError, match="missing"):
        await client.call_tool(
            "create_page",
            {"space_key": "DEMO", "title": "x", "template_id": incident["id"], "variables": {}},
        )
    with pytest.raises(ToolError, match="one is required") as neither:
        await client.call_tool("create_page", {"space_key": "DEMO", "title": "x"})
    assert "not both" not in str(neither.value)
    before = len(fake_confluence.store.pages)
    with pytest.raises(ToolError, match="not both") as both:
        await client.call_tool(
            "create_page",
            {"space_key": "DEMO", "title": "x", "body": "hi", "template_id": incident["id"]},
        )
    assert "required" not in str(both.value)
    assert len(fake_confluence.store.pages) == before


async def test_template_guards(connect: Connect, fake_confluence: FakeConfluenceServer) -> None:
    fenced = await connect(confluence_spaces_filter="ENG")
    incident = template_id(fake_confluence, "Incident report")
    with pytest.raises(ToolError, match="Not found"):
        await fenced.call_tool("list_templates", {"space_key": "DEMO"})
    with pytest.raises(ToolError, match="Not found"):
        await fenced.call_tool("list_templates", {"template_id": incident})
    before = len(fake_confluence.store.pages)
    with pytest.raises(ToolError, match="Not found"):
        await fenced.call_tool(
            "create_page",
            {"space_key": "DEMO", "title": "x", "template_id": incident, "variables": {}},
        )
    assert len(fake_confluence.store.pages) == before
    read_only = await connect(read_only_mode=True)
    assert "list_templates" in {t.name for t in await read_only.list_tools()}


async def test_templates_over_streamable_http(
    remote_settings_for: Any, serve_remote: Any, fake_confluence: FakeConfluenceServer
) -> None:
    async with (
        serve_remote(remote_settings_for(mcp_ip_rate_limit="off")) as (base, _),
        Client(StreamableHttpTransport(f"{base}/mcp")) as client,
    ):
        found = await client.call_tool("list_templates", {"space_key": "DEMO"})
    assert found.structured_content["templates"][0]["name"] == "Incident report"
