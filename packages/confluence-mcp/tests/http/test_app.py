from typing import Any

import httpx
import pytest
from fastmcp import Client
from fastmcp.client.transports import SSETransport, StreamableHttpTransport

from confluence_mcp.app import create_server
from confluence_mcp.http.app import create_http_app
from confluence_mcp.http.serving import endpoint_urls, running_http_server

INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"},
    },
}
ACCEPT_BOTH = {"accept": "application/json, text/event-stream"}


@pytest.mark.parametrize("stateless", [False, True])
async def test_streamable_http_and_legacy_sse_in_one_process(
    make_settings: Any, stateless: bool
) -> None:
    settings = make_settings(transport="http", stateless_http=stateless)
    app = create_http_app(create_server(settings), settings)
    async with running_http_server(app) as base:
        async with Client(StreamableHttpTransport(f"{base}/mcp")) as client:
            spaces = await client.call_tool("list_spaces", {})
            assert spaces.structured_content["spaces"]
        async with Client(SSETransport(f"{base}/sse")) as client:
            tools = await client.list_tools()
            assert "get_page" in {tool.name for tool in tools}


async def test_legacy_sse_can_be_switched_off(make_settings: Any) -> None:
    settings = make_settings(transport="http", legacy_sse=False)
    app = create_http_app(create_server(settings), settings)
    async with running_http_server(app) as base:
        async with httpx.AsyncClient() as http:
            async with http.stream("GET", f"{base}/sse") as sse:  # a served stream never ends
                assert sse.status_code == 404
            assert (await http.post(f"{base}/messages/", json={})).status_code == 404
        async with Client(StreamableHttpTransport(f"{base}/mcp")) as client:
            assert "get_page" in {tool.name for tool in await client.list_tools()}


async def test_sse_only_transport(make_settings: Any) -> None:
    settings = make_settings(transport="sse")
    app = create_http_app(create_server(settings), settings)
    async with running_http_server(app) as base:
        async with Client(SSETransport(f"{base}/sse")) as client:
            assert await client.list_tools()
        async with httpx.AsyncClient() as http:
            response = await http.post(f"{base}/mcp", json=INIT, headers=ACCEPT_BOTH)
            assert response.status_code == 404


async def test_malformed_requests_get_http_errors(make_settings: Any) -> None:
    settings = make_settings(transport="http", streamable_http_path="/custom")
    app = create_http_app(create_server(settings), settings)
    async with running_http_server(app) as base, httpx.AsyncClient() as http:
        url = f"{base}/custom"
        not_json = await http.post(
            url, content=b"{nope", headers={**ACCEPT_BOTH, "content-type": "application/json"}
        )
        assert not_json.status_code == 400
        wrong_accept = await http.post(url, json=INIT, headers={"accept": "text/html"})
        assert wrong_accept.status_code == 406
        evil_origin = await http.post(
            url, json=INIT, headers={**ACCEPT_BOTH, "origin": "https://evil.example"}
        )
        assert evil_origin.status_code == 403
        ok = await http.post(url, json=INIT, headers=ACCEPT_BOTH)
        assert ok.status_code == 200


def test_endpoint_urls(make_settings: Any) -> None:
    http = make_settings(transport="http", port=9000)
    assert endpoint_urls(http) == [
        "http://127.0.0.1:9000/mcp (Streamable HTTP)",
        "http://127.0.0.1:9000/sse (legacy SSE)",
    ]
    assert endpoint_urls(make_settings(transport="sse", host="::1"), port=1) == [
        "http://[::1]:1/sse (legacy SSE)"
    ]
    assert len(endpoint_urls(make_settings(transport="http", legacy_sse=False))) == 1


@pytest.mark.parametrize("stateless", [False, True])
async def test_responses_follow_the_accept_header(make_settings: Any, stateless: bool) -> None:
    settings = make_settings(transport="http", stateless_http=stateless)
    app = create_http_app(create_server(settings), settings)
    async with running_http_server(app) as base, httpx.AsyncClient() as http:
        url = f"{base}/mcp"
        # Accepting both, an answer ready before anything else comes as JSON (test_lazy_sse).
        either = await http.post(url, json=INIT, headers=ACCEPT_BOTH)
        assert either.headers["content-type"] == "application/json"
        only_json = {"accept": "application/json"}
        init = await http.post(url, json=INIT, headers=only_json)
        assert init.status_code == 200
        assert init.headers["content-type"] == "application/json"
        assert init.json()["result"]["serverInfo"]["name"] == "confluence"
        session = {**only_json}
        if "mcp-session-id" in init.headers:
            session["mcp-session-id"] = init.headers["mcp-session-id"]
        session["mcp-protocol-version"] = init.json()["result"]["protocolVersion"]
        ack = await http.post(
            url, json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=session
        )
        assert ack.status_code == 202
        call = await http.post(
            url,
            json={
                "jsonrpc": "2.0",
                "id": 2,
                "method": "tools/call",
                "params": {"name": "list_spaces", "arguments": {}},
            },
            headers=session,
        )
        assert call.status_code == 200
        assert call.headers["content-type"] == "application/json"
        spaces = call.json()["result"]["structuredContent"]["spaces"]
        assert {"DEMO", "ENG"} <= {space["key"] for space in spaces}


def test_accept_header_classification() -> None:
    from confluence_mcp.http.json_responses import _jsonrpc_messages, wants_json_only

    assert wants_json_only("application/json")
    assert wants_json_only("application/json;q=1.0")
    assert not wants_json_only("application/json, text/event-stream")
    assert not wants_json_only("*/*")
    assert not wants_json_only("text/html")
    stream = b'event: message\r\ndata: {"a": 1}\r\n\r\ndata: not json\n\ndata: {"id": 1}\n\n'
    assert _jsonrpc_messages(stream) == [{"a": 1}, {"id": 1}]


async def test_serve_builds_the_http_app_with_the_remote_layer(
    remote_settings_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from starlette.types import ASGIApp

    from confluence_mcp import serving
    from confluence_mcp.http import serving as http_serving

    served: list[str] = []

    async def run_briefly(app: ASGIApp, settings: Any, *, sock: Any, remote: Any = None) -> None:
        sock.close()  # the real port is bound by running_http_server below
        async with running_http_server(app) as base:
            async with Client(StreamableHttpTransport(f"{base}/mcp")) as client:
                served.extend(tool.name for tool in await client.list_tools())
            async with httpx.AsyncClient() as http:
                assert (await http.get(f"{base}/healthz")).status_code == 200

    monkeypatch.setattr(http_serving, "serve_http", run_briefly)
    remote = remote_settings_for(port=free_port())
    announced: list[str] = []
    await serving.serve(create_server(remote.core), remote, announce=announced.append)
    assert "get_page" in served
    assert announced == endpoint_urls(remote.core)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_python_dash_m_entry_point(capsys: pytest.CaptureFixture[str]) -> None:
    import runpy
    import sys

    argv = sys.argv
    sys.argv = ["confluence_mcp", "--version"]
    try:
        with pytest.raises(SystemExit) as info:
            runpy.run_module("confluence_mcp", run_name="__main__")
    finally:
        sys.argv = argv
    assert info.value.code == 0
    assert capsys.readouterr().out.startswith("confluence-mcp ")
