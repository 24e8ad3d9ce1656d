"""Cursors over a loopback socket: opaque, tamper-evident, bound to listing, caller and query."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from fastmcp.exceptions import ToolError
from hypothesis import given, settings
from hypothesis import strategies as st

from confluence_client import ResultPage
from confluence_client.testing import FakeConfluenceServer
from confluence_mcp.cursors import INVALID_CURSOR, CursorSealer
from mcp_auth import create_api_key

SEARCH = {"query": "type = page", "limit": 1}


def forged(target: str) -> str:
    """A cursor in the SDK's own format, as a caller could write one before sealing."""
    return base64.urlsafe_b64encode(target.encode()).decode().rstrip("=")


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "keys.json"
    return {
        "path": str(path),
        "alice": create_api_key(path, "alice", ["confluence:read"]).key,
        "bob": create_api_key(path, "bob", ["confluence:read"]).key,
    }


async def test_cursors_cannot_be_forged_edited_or_moved(
    remote_settings_for: Any,
    serve_remote: Any,
    keys: dict[str, str],
    fake_confluence: FakeConfluenceServer,
) -> None:
    settings = remote_settings_for(
        mcp_api_keys_file=keys["path"], confluence_spaces_filter="DEMO", mcp_rate_limit="off"
    )
    async with serve_remote(settings) as (base, _layer):
        url = f"{base}/mcp"
        async with (
            Client(StreamableHttpTransport(url, auth=keys["alice"])) as alice,
            Client(StreamableHttpTransport(url, auth=keys["bob"])) as bob,
        ):
            first = (await alice.call_tool("search", SEARCH)).structured_content
            assert first is not None
            cursor = first["next_cursor"]
            assert cursor is not None
            # The cursor says nothing readable about the request behind it.
            assert "cql" not in cursor
            assert "search" not in cursor
            # The same caller, the same arguments: the next page.
            second = await alice.call_tool("search", {**SEARCH, "cursor": cursor})
            assert second.structured_content is not None
            assert fake_confluence.requests.matching(path_contains="/search")
            fake_confluence.requests.clear()
            attempts = {
                "forged": (alice, SEARCH, forged('/wiki/rest/api/search?cql=text~"x"&limit=200')),
                "edited": (alice, SEARCH, cursor[:-2] + ("AA" if cursor[-2:] != "AA" else "BB")),
                "other caller": (bob, SEARCH, cursor),
                "other query": (alice, {"query": "type = blogpost", "limit": 1}, cursor),
                "other limit": (alice, {**SEARCH, "limit": 100}, cursor),
                "other listing": (alice, {"limit": 1}, cursor),
            }
            for name, (client, arguments, token) in attempts.items():
                tool = "list_spaces" if name == "other listing" else "search"
                with pytest.raises(ToolError, match="invalid cursor") as refused:
                    await client.call_tool(tool, {**arguments, "cursor": token})
                assert str(refused.value) == INVALID_CURSOR, name
    # None of the refused cursors reached Confluence.
    assert not fake_confluence.requests.matching(path_contains="/search")


async def test_every_listing_seals_its_cursors(
    remote_settings_for: Any, serve_remote: Any, fake_confluence: FakeConfluenceServer
) -> None:
    raw = forged("/wiki/api/v2/spaces?limit=250")
    async with (
        serve_remote(remote_settings_for()) as (base, _layer),
        Client(StreamableHttpTransport(f"{base}/mcp")) as client,
    ):
        listed = (await client.call_tool("list_spaces", {"limit": 1})).structured_content
        assert listed is not None
        assert listed["next_cursor"] is not None
        assert listed["next_cursor"].startswith("c1.")
        page_listings = [
            "get_page_children",
            "list_page_versions",
            "list_attachments",
            "list_comments",
        ]
        for tool in ["list_spaces", *page_listings]:
            arguments = {} if tool == "list_spaces" else {"page_id": "1001"}
            with pytest.raises(ToolError, match="invalid cursor"):
                await client.call_tool(tool, {**arguments, "cursor": raw})


@settings(max_examples=200, deadline=None)
@given(
    st.text(min_size=1, max_size=300),
    st.text(max_size=80),
    st.integers(min_value=0),
    st.characters(codec="ascii"),
)
def test_any_change_to_a_sealed_cursor_is_refused(
    cursor: str, binding: str, position: int, replacement: str
) -> None:
    sealer = CursorSealer()
    token = sealer.seal(cursor, listing="search", binding=binding)
    assert token is not None
    assert sealer.open(token, listing="search", binding=binding) == cursor
    index = position % len(token)
    changed = token[:index] + replacement + token[index + 1 :]
    with pytest.raises(ToolError, match="invalid cursor"):
        sealer.open(token, listing="search", binding=binding + "x")
    with pytest.raises(ToolError, match="invalid cursor"):
        sealer.open(token, listing="list_spaces", binding=binding)
    with pytest.raises(ToolError, match="invalid cursor"):
        CursorSealer().open(token, listing="search", binding=binding)  # another process
    if changed != token:
        try:
            opened = sealer.open(changed, listing="search", binding=binding)
        except ToolError:
            return
        # base64 padding bits may change without changing the bytes: same cursor, no gain.
        assert opened == cursor


def test_a_shared_key_works_across_replicas() -> None:
    one, two = CursorSealer("k" * 40), CursorSealer("k" * 40)
    token = one.seal("abc", listing="search", binding="q")
    assert two.open(token, listing="search", binding="q") == "abc"
    with pytest.raises(ToolError):
        CursorSealer("j" * 40).open(token, listing="search", binding="q")


async def test_every_listing_tool_refuses_a_cursor_it_did_not_seal(
    connect: Any, fake_confluence: FakeConfluenceServer
) -> None:
    """The whole class: any tool taking a ``cursor`` (today's and tomorrow's) opens it with the
    sealer (whose refusal is exactly ``INVALID_CURSOR``, not a later SDK complaint) before
    anything reaches Confluence."""
    client = await connect(toolsets="all")
    hit = (
        await client.call_tool("search", {"query": "type = page", "limit": 1})
    ).structured_content
    assert hit is not None
    page_id = hit["results"][0]["id"]
    listing_tools = [
        tool for tool in await client.list_tools() if "cursor" in tool.input_schema["properties"]
    ]
    assert {"search", "list_spaces", "list_comments", "list_tasks", "list_templates"} <= {
        tool.name for tool in listing_tools
    }
    token = forged("/wiki/rest/api/search?cql=text~%22x%22&limit=200")
    for tool in listing_tools:
        required = set(tool.input_schema.get("required", []))
        arguments: dict[str, Any] = {"cursor": token}
        if "query" in required:
            arguments["query"] = "type = page"
        if "page_id" in required or tool.name == "get_page":
            arguments["page_id"] = page_id
        fake_confluence.requests.clear()
        with pytest.raises(ToolError, match="cursor") as refused:
            await client.call_tool(tool.name, arguments)
        assert str(refused.value) == INVALID_CURSOR, tool.name
        assert not fake_confluence.requests.matching(path_contains="cql=text"), tool.name


async def test_fetch_opens_calls_and_seals_or_refuses_before_calling() -> None:
    sealer = CursorSealer()
    seen: list[str | None] = []

    async def call(upstream: str | None) -> ResultPage[int]:
        seen.append(upstream)
        return ResultPage[int](items=(1,), next_cursor=f"after-{upstream}")

    first, sealed = await sealer.fetch(None, call, listing="search", binding="q")
    assert first.items == (1,)
    assert seen == [None]
    assert sealed is not None
    assert sealed.startswith("c1.")
    assert sealer.open(sealed, listing="search", binding="q") == "after-None"
    _, again = await sealer.fetch(sealed, call, listing="search", binding="q")
    assert seen == [None, "after-None"]
    assert sealer.open(again, listing="search", binding="q") == "after-after-None"
    with pytest.raises(ToolError) as refused:
        await sealer.fetch(sealed, call, listing="search", binding="other")
    assert str(refused.value) == INVALID_CURSOR
    assert len(seen) == 2  # nothing reached the SDK
