"""The server against the fake Confluence under injected faults (issue 15 item 2).

Every test drives real tools through an in-memory FastMCP client while the fake, over real
HTTP on 127.0.0.1, rate-limits, fails, stalls, drops connections, garbles bodies, rejects
credentials, or applies a write and then loses its answer. Each asserts the tool's outcome
(success after bounded retries, or a clear error), that the server still answers a normal
call afterwards, and — for writes — on the fake's store and request log that nothing was
lost or written twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from fastmcp import Client
from fastmcp.exceptions import ToolError

from confluence_client import RetryPolicy
from confluence_client.testing import FakeConfluenceServer
from confluence_mcp.app import create_server
from confluence_mcp.services import build_client
from confluence_mcp.settings import Settings

# Short waits keep the suite fast; the counts are the server's defaults (two retries).
FAST_RETRY = RetryPolicy(max_retries=2, initial_backoff=0.01, max_backoff=0.05, max_total_wait=5)
PAGES = "/wiki/api/v2/pages"


@pytest.fixture
async def client(server_settings: Callable[..., Settings]) -> AsyncIterator[Client[Any]]:
    settings = server_settings(confluence_timeout=1)
    server = create_server(settings, client_factory=lambda s: build_client(s, retry=FAST_RETRY))
    async with Client(server) as connected:
        yield connected


def _home_id(fake: FakeConfluenceServer) -> str:
    return fake.store.list_pages(title="FAQ")[0].id


async def _still_serves(client: Client[Any], fake: FakeConfluenceServer) -> None:
    """The server is up: a normal call with no faults left succeeds."""
    fake.faults.clear()
    some = fake.store.list_pages()[0]
    page = await client.call_tool("get_page", {"page_id": some.id})
    assert page.structured_content is not None
    assert page.structured_content["title"] == some.title


async def _create(client: Client[Any], title: str) -> Any:
    return await client.call_tool(
        "create_page", {"space_key": "DEMO", "title": title, "body": "Hello"}
    )


def _pages_titled(fake: FakeConfluenceServer, title: str) -> int:
    return len(fake.store.list_pages(title=title))


# --- reads: retried when safe, bounded -------------------------------------------------------


@pytest.mark.parametrize("retry_after", [1, None], ids=["retry-after", "reset-header-only"])
async def test_429_storm_on_reads_is_retried_then_succeeds(
    client: Client[Any], fake_confluence: FakeConfluenceServer, retry_after: int | None
) -> None:
    fake_confluence.faults.rate_limit(
        retry_after=retry_after, reset_after=0.2, count=2, path_prefix=PAGES, method="GET"
    )
    page = await client.call_tool("get_page", {"page_id": _home_id(fake_confluence)})
    assert page.structured_content is not None
    statuses = [r.status for r in fake_confluence.requests.matching("GET", path_prefix=PAGES)]
    assert statuses[:3] == [429, 429, 200]


async def test_429_storm_longer_than_the_retries_is_a_clear_error(
    client: Client[Any], fake_confluence: FakeConfluenceServer
) -> None:
    fake_confluence.faults.rate_limit(retry_after=None, reset_after=0.05, path_prefix=PAGES)
    with pytest.raises(ToolError, match="Rate limited by Confluence"):
        await client.call_tool("get_page", {"page_id": _home_id(fake_confluence)})
    # Bounded: the first try and two retries, no more.
    assert fake_confluence.requests.count(path=f"{PAGES}/{_home_id(fake_confluence)}") == 3
    await _still_serves(client, fake_confluence)


async def test_5xx_burst_on_reads_is_retried(
    client: Client[Any], fake_confluence: FakeConfluenceServer
) -> None:
    fake_confluence.faults.server_errors(status=502, count=2, path_prefix=PAGES)
    page = await client.call_tool("get_page", {"page_id": _home_id(fake_confluence)})
    assert page.structured_content is not None
    fake_confluence.faults.server_errors(status=500, path_prefix=PAGES)
    with pytest.raises(ToolError, match=r"Confluence is failing \(HTTP 5xx\)"):
        await client.call_tool("get_page", {"page_id": _home_id(fake_confluence)})
    await _still_serves(client, fake_confluence)


async def test_response_slower_than_the_timeout(
    client: Client[Any], fake_confluence: FakeConfluenceServer
) -> None:
    fake_confluence.faults.latency(1.5, count=1, path_prefix=PAGES)
    page = await client.call_tool("get_page", {"page_id": _home_id(fake_confluence)})
    assert page.structured_content is not None  # the retry was fast
    fake_confluence.faults.latency(1.5, path_prefix=PAGES, method="POST")
    with pytest.raises(ToolError, match="may have been applied"):
        await _create(client, "Slow create")
    # The fake finishes the slow POST after the client gave up; wait for it, then look.
    for _ in range(200):  # at most 10 s
        if fake_confluence.requests.count("POST", path=PAGES):
            break
        await asyncio.sleep(0.05)
    assert fake_confluence.requests.count("POST", path=PAGES) == 1  # not repeated
    assert _pages_titled(fake_confluence, "Slow create") == 1  # applied late, exactly once
    await _still_serves(client, fake_confluence)


async def test_dropped_connections(
    client: Client[Any], fake_confluence: FakeConfluenceServer
) -> None:
    fake_confluence.faults.drop_connections(count=1, path_prefix=PAGES, method="GET")
    page = await client.call_tool("get_page", {"page_id": _home_id(fake_confluence)})
    assert page.structured_content is not None
    fake_confluence.faults.drop_connections(count=1, path_prefix=PAGES, method="POST")
    with pytest.raises(ToolError, match="may have been applied"):
        await _create(client, "Dropped create")
    assert fake_confluence.requests.count("POST", path=PAGES) == 1  # not repeated
    assert _pages_titled(fake_confluence, "Dropped create") == 0  # dropped before serving
    await _still_serves(client, fake_confluence)


async def test_malformed_json_is_a_clear_error(
    client: Client[Any], fake_confluence: FakeConfluenceServer
) -> None:
    fake_confluence.faults.malformed_json(count=1, path_prefix=PAGES, method="GET")
    with pytest.raises(ToolError, match="could not read"):
        await client.call_tool("get_page", {"page_id": _home_id(fake_confluence)})
    await _still_serves(client, fake_confluence)


async def test_401_in_the_middle_of_a_session(
    client: Client[Any], fake_confluence: FakeConfluenceServer
) -> None:
    await _still_serves(client, fake_confluence)
    token = fake_confluence.credentials.api_token
    fake_confluence.credentials.api_token = "rotated-away"
    with pytest.raises(ToolError, match=r"rejected the server's credentials \(HTTP 401\)"):
        await client.call_tool("get_page", {"page_id": _home_id(fake_confluence)})
    with pytest.raises(ToolError, match="HTTP 401"):
        await _create(client, "Unauthorised")
    assert fake_confluence.requests.count("POST", path=PAGES) == 1  # a 401 is not retried
    assert _pages_titled(fake_confluence, "Unauthorised") == 0
    fake_confluence.credentials.api_token = token
    await _still_serves(client, fake_confluence)


# --- writes: never lost, never duplicated -----------------------------------------------------


async def test_create_page_retried_after_429_yields_one_page(
    client: Client[Any], fake_confluence: FakeConfluenceServer
) -> None:
    fake_confluence.faults.rate_limit(retry_after=None, reset_after=0.05, count=1, method="POST")
    created = await _create(client, "Throttled create")
    assert created.structured_content is not None
    assert _pages_titled(fake_confluence, "Throttled create") == 1
    assert [r.status for r in fake_confluence.requests.matching("POST", path=PAGES)] == [429, 200]


async def test_create_page_5xx_is_not_retried(
    client: Client[Any], fake_confluence: FakeConfluenceServer
) -> None:
    fake_confluence.faults.server_errors(count=1, path_prefix=PAGES, method="POST")
    with pytest.raises(ToolError, match="HTTP 5xx"):
        await _create(client, "Failed create")
    assert fake_confluence.requests.count("POST", path=PAGES) == 1
    assert _pages_titled(fake_confluence, "Failed create") == 0
    await _still_serves(client, fake_confluence)


@pytest.mark.parametrize("fault", ["apply_then_drop", "apply_then_corrupt"])
async def test_create_page_applied_then_answer_lost_yields_one_page(
    client: Client[Any], fake_confluence: FakeConfluenceServer, fault: str
) -> None:
    getattr(fake_confluence.faults, fault)(count=1, path_prefix=PAGES, method="POST")
    with pytest.raises(ToolError, match="may have been applied") as raised:
        await _create(client, "Lost answer")
    assert "get_page" in str(raised.value)
    assert fake_confluence.requests.count("POST", path=PAGES) == 1  # never repeated
    assert _pages_titled(fake_confluence, "Lost answer") == 1
    # The caller follows the advice: the page is there, exactly once.
    found = await client.call_tool(
        "get_page", {"title": "Lost answer", "space_key": "DEMO", "format": "storage"}
    )
    assert found.structured_content is not None
    assert found.structured_content["title"] == "Lost answer"
    # A naive retry of the same create is refused instead of writing a second page.
    with pytest.raises(ToolError, match="already exists"):
        await _create(client, "Lost answer")
    assert _pages_titled(fake_confluence, "Lost answer") == 1


@pytest.mark.parametrize("fault", ["apply_then_drop", "apply_then_corrupt"])
async def test_update_page_applied_then_answer_lost_yields_one_version(
    client: Client[Any], fake_confluence: FakeConfluenceServer, fault: str
) -> None:
    page_id = _home_id(fake_confluence)
    before = fake_confluence.store.get_page(page_id).version
    getattr(fake_confluence.faults, fault)(count=1, path_prefix=PAGES, method="PUT")
    update = {"page_id": page_id, "version": before, "title": "FAQ edited once"}
    with pytest.raises(ToolError, match="may have been applied"):
        await client.call_tool("update_page", update)
    assert fake_confluence.requests.count("PUT", path=f"{PAGES}/{page_id}") == 1
    assert fake_confluence.store.get_page(page_id).version == before + 1
    # Repeating the same edit with the version read before cannot write a second version.
    with pytest.raises(ToolError, match="Version conflict"):
        await client.call_tool("update_page", update)
    assert fake_confluence.store.get_page(page_id).version == before + 1
    await _still_serves(client, fake_confluence)


@pytest.mark.parametrize("fault", ["apply_then_drop", "apply_then_corrupt"])
async def test_property_write_applied_then_answer_lost_is_recognised(
    client: Client[Any], fake_confluence: FakeConfluenceServer, fault: str
) -> None:
    page_id = _home_id(fake_confluence)
    args: dict[str, Any] = {"page_id": page_id, "key": "owner", "value": {"team": "ops"}}
    await client.call_tool("set_page_property", args)
    getattr(fake_confluence.faults, fault)(count=1, path_prefix=PAGES, method="PUT")
    done = await client.call_tool("set_page_property", {**args, "value": "docs", "version": 1})
    assert not done.is_error
    puts = fake_confluence.requests.matching("PUT", path_prefix=f"{PAGES}/{page_id}/properties")
    assert [r.fault for r in puts] == [fault]  # sent once; read back, not repeated
    stored = [p for p in fake_confluence.store.properties.values() if p.page_id == page_id]
    assert [(p.key, p.value, p.version) for p in stored] == [("owner", "docs", 2)]
    await _still_serves(client, fake_confluence)
