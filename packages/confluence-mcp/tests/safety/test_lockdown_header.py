"""``X-MCP-Lockdown: true`` turns lockdown on for one HTTP request; it never turns it off."""

from __future__ import annotations

from typing import Any

import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport

from confluence_client.testing import FakeConfluenceServer
from confluence_mcp.safety import META_KEY, WITHHELD

pytestmark = pytest.mark.fake_confluence(seed="hostile")


async def outside_content(base: str, fake: FakeConfluenceServer, header: str | None) -> Any:
    pid = next(p.id for p in fake.store.pages.values() if p.title == "Outside author page")
    headers = {"X-MCP-Lockdown": header} if header is not None else None
    async with Client(StreamableHttpTransport(f"{base}/mcp", headers=headers)) as client:
        result = await client.call_tool("get_page", {"page_id": pid})
    return result.structured_content["content"], result.meta[META_KEY]


async def test_header_turns_lockdown_on_for_one_request(
    remote_settings_for: Any, serve_remote: Any, fake_confluence: FakeConfluenceServer
) -> None:
    settings = remote_settings_for(mcp_ip_rate_limit="off")
    async with serve_remote(settings) as (base, _):
        locked, meta = await outside_content(base, fake_confluence, "true")
        assert locked == WITHHELD
        assert meta["lockdown"] is True
        open_, meta = await outside_content(base, fake_confluence, None)
        assert open_.startswith("Helpful tips")
        assert "lockdown" not in meta


async def test_header_cannot_turn_lockdown_off(
    remote_settings_for: Any, serve_remote: Any, fake_confluence: FakeConfluenceServer
) -> None:
    settings = remote_settings_for(mcp_ip_rate_limit="off", lockdown_mode=True)
    async with serve_remote(settings) as (base, _):
        for value in ("false", "0", "off"):
            content, _ = await outside_content(base, fake_confluence, value)
            assert content == WITHHELD
