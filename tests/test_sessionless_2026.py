"""A sessionless 2026-07-28 client gets every method that protocol lets it call (issue 15 #1).

The methods come from the SDK's registry of 2026-07-28 client requests, so a method a later
SDK adds is checked without editing this file. Each request is one self-contained POST with
its ``_meta`` envelope and no session, against the server in ``--stateless`` mode over real
HTTP. A method is owed an answer when ``server/discover`` advertises its capability; the
methods 2026-07-28 removed (``ping``, ``initialize``, ``logging/setLevel``, the resource
subscribe pair) must be refused with 404 and -32601, which the conformance suite also checks
(``sep-2575-http-server-method-not-found-404-*``). A FastMCP client pinned to 2026-07-28 then
uses the same methods the way an application does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from mcp_types.methods import CLIENT_REQUESTS

from confluence_client.testing import FakeConfluenceServer
from confluence_mcp.app import create_server
from confluence_mcp.http.app import create_http_app
from confluence_mcp.http.serving import running_http_server
from confluence_mcp.settings import Settings

VERSION = "2026-07-28"
MODERN_METHODS = sorted(method for method, version in CLIENT_REQUESTS if version == VERSION)
REMOVED_METHODS = ("initialize", "ping", "logging/setLevel", "resources/subscribe")


@pytest.fixture
async def endpoint(server_settings: Callable[..., Settings]) -> AsyncIterator[str]:
    settings = server_settings(transport="http", stateless_http=True)
    app = create_http_app(create_server(settings), settings)
    async with running_http_server(app) as base:
        yield f"{base}{settings.streamable_http_path}"


async def _post(
    http: httpx.AsyncClient, url: str, method: str, params: dict[str, Any], name: str = ""
) -> httpx.Response:
    """One sessionless 2026-07-28 request: envelope in ``_meta``, routing headers to match."""
    meta = {
        "io.modelcontextprotocol/protocolVersion": VERSION,
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "sessionless-test", "version": "1"},
    }
    headers = {
        "accept": "application/json, text/event-stream",
        "mcp-protocol-version": VERSION,
        "mcp-method": method,
    }
    if name:
        headers["mcp-name"] = name
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": {**params, "_meta": meta}}
    return await http.post(url, json=body, headers=headers)


def _params(method: str, page_id: str) -> tuple[dict[str, Any], str]:
    """Valid parameters (and the Mcp-Name routing value) for one call of ``method``."""
    uri = f"confluence://page/{page_id}"
    known: dict[str, tuple[dict[str, Any], str]] = {
        "tools/call": ({"name": "get_page", "arguments": {"page_id": page_id}}, "get_page"),
        "resources/read": ({"uri": uri}, uri),
        "prompts/get": (
            {"name": "summarize_page", "arguments": {"page": page_id}},
            "summarize_page",
        ),
        "completion/complete": (
            {
                "ref": {"type": "ref/prompt", "name": "summarize_page"},
                "argument": {"name": "page", "value": "Dem"},
            },
            "",
        ),
        "subscriptions/listen": ({"notifications": {"toolsListChanged": True}}, ""),
    }
    return known.get(method, ({}, ""))


def _owed(method: str, capabilities: dict[str, Any]) -> bool:
    """Whether the advertised capabilities promise an answer to ``method``."""
    if method == "server/discover":
        return True
    if method == "subscriptions/listen":
        # 2026-07-28 delivers change notifications only on listen streams: a server that
        # claims any listChanged/subscribe flag must serve them.
        flags = [capabilities.get(c, {}) for c in ("tools", "prompts", "resources")]
        return any(f.get("listChanged") or f.get("subscribe") for f in flags)
    family = {"completion": "completions"}.get(method.split("/")[0], method.split("/")[0])
    return family in capabilities


async def test_every_2026_method_answers_a_sessionless_client(
    endpoint: str, fake_confluence: FakeConfluenceServer
) -> None:
    page_id = fake_confluence.store.list_pages(title="Demo Space Home")[0].id
    assert "tools/call" in MODERN_METHODS
    assert "ping" not in MODERN_METHODS
    async with httpx.AsyncClient(timeout=30) as http:
        discover = await _post(http, endpoint, "server/discover", {})
        assert discover.status_code == 200, discover.text
        assert "mcp-session-id" not in discover.headers
        capabilities = discover.json()["result"]["capabilities"]
        for method in MODERN_METHODS:
            params, name = _params(method, page_id)
            response = await _post(http, endpoint, method, params, name)
            if not _owed(method, capabilities):
                assert response.status_code == 404, (method, response.text)
                continue
            assert response.status_code == 200, (method, response.text)
            result = response.json()["result"]
            assert result["resultType"] == "complete", (method, result)
            assert not result.get("isError"), (method, result)
        for method in REMOVED_METHODS:
            response = await _post(http, endpoint, method, {})
            assert response.status_code == 404, (method, response.text)
            assert response.json()["error"]["code"] == -32601


async def test_a_fastmcp_client_pinned_to_2026_uses_the_server(
    endpoint: str, fake_confluence: FakeConfluenceServer
) -> None:
    page_id = fake_confluence.store.list_pages(title="Demo Space Home")[0].id
    async with Client(StreamableHttpTransport(endpoint), mode=VERSION) as client:
        assert client.protocol_version == VERSION
        tools = {tool.name for tool in await client.list_tools()}
        assert {"search", "get_page"} <= tools
        page = await client.call_tool("get_page", {"page_id": page_id})
        assert page.structured_content is not None
        assert page.structured_content["title"] == "Demo Space Home"
        contents = await client.read_resource(f"confluence://page/{page_id}")
        assert "Demo Space Home" in str(contents[0])
        prompt = await client.get_prompt("summarize_page", {"page": page_id})
        assert prompt.messages
        templates = await client.list_resource_templates()
        assert any(t.uri_template == "confluence://page/{page_id}" for t in templates)
        assert await client.list_prompts()
