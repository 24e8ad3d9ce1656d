"""POST answers: JSON when the answer comes first, the event stream when anything precedes it."""

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport

from confluence_client.testing import FakeConfluenceServer
from confluence_mcp.app import create_server
from confluence_mcp.http import lazy_sse
from confluence_mcp.http.app import create_http_app
from confluence_mcp.http.serving import running_http_server

ACCEPT_BOTH = {"accept": "application/json, text/event-stream"}
PROTOCOL = "2025-06-18"


def _request(id_: int, method: str, params: dict[str, Any]) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": id_, "method": method, "params": params}


@asynccontextmanager
async def _session(
    make_settings: Any, stateless: bool = False
) -> AsyncIterator[tuple[httpx.AsyncClient, str, dict[str, str]]]:
    """A raw HTTP client with an initialized MCP session: (client, url, headers)."""
    settings = make_settings(transport="http", stateless_http=stateless)
    app = create_http_app(create_server(settings), settings)
    async with running_http_server(app) as base, httpx.AsyncClient(timeout=30) as http:
        url = f"{base}/mcp"
        init = await http.post(
            url,
            json=_request(
                0,
                "initialize",
                {
                    "protocolVersion": PROTOCOL,
                    "capabilities": {},
                    "clientInfo": {"name": "t", "version": "1"},
                },
            ),
            headers=ACCEPT_BOTH,
        )
        assert init.status_code == 200
        assert init.headers["content-type"] == "application/json"
        assert init.json()["result"]["protocolVersion"] == PROTOCOL
        headers = {**ACCEPT_BOTH, "mcp-protocol-version": PROTOCOL}
        if not stateless:
            headers["mcp-session-id"] = init.headers["mcp-session-id"]
        ack = await http.post(
            url, json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=headers
        )
        assert ack.status_code == 202
        yield http, url, headers


def _events(body: str) -> list[dict[str, Any]]:
    """The JSON-RPC messages of an event-stream body, in order."""
    messages = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        data = [line[5:].strip() for line in block.split("\n") if line.startswith("data:")]
        if data and data[0]:
            messages.append(json.loads("\n".join(data)))
    return messages


@pytest.mark.parametrize("stateless", [False, True])
async def test_an_answer_ready_first_is_one_json_body(make_settings: Any, stateless: bool) -> None:
    async with _session(make_settings, stateless) as (http, url, headers):
        call = _request(1, "tools/call", {"name": "list_spaces", "arguments": {}})
        answer = await http.post(url, json=call, headers=headers)
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/json"
        assert int(answer.headers["content-length"]) == len(answer.content)
        assert "x-accel-buffering" not in answer.headers
        if not stateless:
            assert answer.headers["mcp-session-id"] == headers["mcp-session-id"]
        body = answer.json()
        assert body["id"] == 1
        assert {"DEMO", "ENG"} <= {s["key"] for s in body["result"]["structuredContent"]["spaces"]}
        # A JSON-RPC error is an answer too.
        unknown = await http.post(url, json=_request(2, "no/such", {}), headers=headers)
        assert unknown.headers["content-type"] == "application/json"
        assert unknown.json()["error"]["code"] == -32601


async def test_progress_before_the_answer_streams_everything_in_order(make_settings: Any) -> None:
    async with _session(make_settings) as (http, url, headers):
        params = {
            "name": "get_page_tree",
            "arguments": {"space_key": "DEMO", "max_depth": 10},
            "_meta": {"progressToken": "tree"},
        }
        answer = await http.post(url, json=_request(3, "tools/call", params), headers=headers)
        assert answer.headers["content-type"].startswith("text/event-stream")
        messages = _events(answer.text)
        progress = [m for m in messages if m.get("method") == "notifications/progress"]
        assert progress
        assert all(m["params"]["progressToken"] == "tree" for m in progress)
        assert messages[-1]["id"] == 3
        assert messages[-1]["result"]["structuredContent"]["pages"]
        assert "id" not in messages[0]  # the first event (a notification) was not lost


async def test_an_answer_later_than_the_wait_is_streamed(
    make_settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with _session(make_settings) as (http, url, headers):
        monkeypatch.setattr(lazy_sse, "JSON_WITHIN", 0.0)
        call = _request(4, "tools/call", {"name": "list_spaces", "arguments": {}})
        answer = await http.post(url, json=call, headers=headers)
        assert answer.headers["content-type"].startswith("text/event-stream")
        messages = _events(answer.text)
        assert [m["id"] for m in messages] == [4]
        assert messages[0]["result"]["structuredContent"]["spaces"]


async def test_sdk_client_gets_answers_and_progress_either_way(make_settings: Any) -> None:
    settings = make_settings(transport="http")
    app = create_http_app(create_server(settings), settings)
    seen: list[float] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append(progress)

    async with (
        running_http_server(app) as base,
        Client(StreamableHttpTransport(f"{base}/mcp")) as client,
    ):
        for _ in range(3):
            spaces = await client.call_tool("list_spaces", {})
            assert spaces.structured_content["spaces"]
        tree = await client.call_tool(
            "get_page_tree", {"space_key": "DEMO", "max_depth": 10}, progress_handler=on_progress
        )
        assert tree.structured_content["pages"]
        assert seen


async def test_elicitation_during_a_call_streams_and_completes(
    make_settings: Any, fake_confluence: FakeConfluenceServer
) -> None:
    pid = next(p.id for p in fake_confluence.store.pages.values() if p.title == "FAQ")
    asked: list[str] = []

    async def handler(message: str, response_type: Any, params: Any, context: Any) -> Any:
        asked.append(message)
        return "FAQ"  # the page's title: the request to the client went out mid-call

    settings = make_settings(transport="http")
    app = create_http_app(create_server(settings), settings)
    async with (
        running_http_server(app) as base,
        Client(StreamableHttpTransport(f"{base}/mcp"), elicitation_handler=handler) as client,
    ):
        await client.call_tool("delete_page", {"page_id": pid})
    assert len(asked) == 1
    assert fake_confluence.store.pages[pid].status == "trashed"
