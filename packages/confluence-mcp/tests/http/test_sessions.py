"""Session exhaustion on a loopback socket: per-client and server-wide caps, unused sessions
closed early, legacy SSE streams counted, each refusal audited once."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from confluence_mcp.http.sessions import SessionLimiter, SessionLimitMiddleware
from mcp_auth import MemorySink, create_api_key

INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "flood", "version": "1"},
    },
}
ACCEPT = {"accept": "application/json, text/event-stream"}


async def open_session(
    http: httpx.AsyncClient, url: str, token: str | None = None
) -> httpx.Response:
    headers = {**ACCEPT, **({"authorization": f"Bearer {token}"} if token else {})}
    return await http.post(url, json=INIT, headers=headers)


def refusals(sink: MemorySink) -> list[Any]:
    return [event for event in sink.events if event.event == "rate_limit.exceeded"]


def session_limiter(layer: Any) -> SessionLimiter:
    """The limiter the (unauthenticated) layer's session middleware applies."""
    for middleware in layer.middleware:
        if middleware.cls is SessionLimitMiddleware:
            limiter: SessionLimiter = middleware.kwargs["limiter"]
            return limiter
    raise AssertionError("no SessionLimitMiddleware in the layer")


async def test_one_unauthenticated_client_cannot_fill_the_server(
    remote_settings_for: Any, serve_remote: Any, audit_sink: MemorySink
) -> None:
    settings = remote_settings_for(
        mcp_max_sessions_per_principal=5, mcp_ip_rate_limit="off", mcp_session_idle_timeout=600
    )
    async with serve_remote(settings) as (base, _layer), httpx.AsyncClient() as http:
        url = f"{base}/mcp"
        flood = [await open_session(http, url) for _ in range(12)]
        statuses = [answer.status_code for answer in flood]
        assert statuses == [200] * 5 + [429] * 7
        assert flood[-1].headers["retry-after"]
        assert "too many open sessions" in flood[-1].json()["error_description"]
        assert len(refusals(audit_sink)) == 1  # audited once, not per attempt
        # Closing one makes room again (and re-arms the audit).
        closed = await http.delete(
            url, headers={**ACCEPT, "mcp-session-id": flood[0].headers["mcp-session-id"]}
        )
        assert closed.status_code < 400
        assert (await open_session(http, url)).status_code == 200


async def test_concurrent_initializes_cannot_pass_the_cap_together(
    remote_settings_for: Any, serve_remote: Any, audit_sink: MemorySink
) -> None:
    cap, flood = 4, 16
    settings = remote_settings_for(
        mcp_max_sessions_per_principal=cap, mcp_ip_rate_limit="off", mcp_session_idle_timeout=600
    )
    limits = httpx.Limits(max_connections=flood)
    async with (
        serve_remote(settings) as (base, layer),
        httpx.AsyncClient(limits=limits) as http,
    ):
        url = f"{base}/mcp"
        answers = await asyncio.gather(*(open_session(http, url) for _ in range(flood)))
        statuses = sorted(answer.status_code for answer in answers)
        assert statuses == [200] * cap + [429] * (flood - cap)
        opened = {a.headers["mcp-session-id"] for a in answers if a.status_code == 200}
        assert len(opened) == cap
        assert session_limiter(layer).open_count() == cap
        assert len(refusals(audit_sink)) == 1


async def test_failed_initializes_give_their_slot_back(
    remote_settings_for: Any, serve_remote: Any
) -> None:
    settings = remote_settings_for(
        mcp_max_sessions_per_principal=2, mcp_ip_rate_limit="off", mcp_session_idle_timeout=600
    )
    async with serve_remote(settings) as (base, layer), httpx.AsyncClient() as http:
        url = f"{base}/mcp"
        # One after the other: each would find the slots of the earlier ones still taken.
        statuses = []
        for _ in range(3):
            bad_type = await http.post(url, content=b"{not json", headers=ACCEPT)
            not_acceptable = await http.post(url, json=INIT, headers={"accept": "text/plain"})
            statuses += [bad_type.status_code, not_acceptable.status_code]
        assert statuses == [400, 406] * 3
        assert session_limiter(layer).open_count() == 0
        opened = [(await open_session(http, url)).status_code for _ in range(3)]
        assert opened == [200, 200, 429]


async def test_reservation_is_released_when_the_request_dies() -> None:
    limiter = SessionLimiter(
        max_sessions=10, per_client=1, idle_timeout=60.0, streamable_paths=frozenset({"/mcp"})
    )
    started = asyncio.Event()

    async def app(_scope: Any, _receive: Any, _send: Any) -> None:
        started.set()
        await asyncio.Event().wait()  # never answers: the client goes away first

    async def broken(_scope: Any, _receive: Any, _send: Any) -> None:
        raise RuntimeError("boom")

    scope = {"type": "http", "method": "POST", "path": "/mcp", "headers": [], "client": ("c", 1)}

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    sent: list[dict[str, Any]] = []

    async def send(message: Any) -> None:
        sent.append(message)

    task = asyncio.create_task(SessionLimitMiddleware(app, limiter=limiter)(scope, receive, send))
    await started.wait()
    assert limiter.open_count("ip:c") == 1  # the slot is held while the request runs
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert limiter.open_count() == 0
    # A sessionless (2026-07-28) request never opens a session: it holds no slot.
    started.clear()
    modern = {**scope, "headers": [(b"mcp-protocol-version", b"2026-07-28")]}
    task = asyncio.create_task(SessionLimitMiddleware(app, limiter=limiter)(modern, receive, send))
    await started.wait()
    assert limiter.open_count() == 0
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    with pytest.raises(RuntimeError):
        await SessionLimitMiddleware(broken, limiter=limiter)(scope, receive, send)
    assert limiter.open_count() == 0
    assert sent == []  # never refused: each request found the slot free


async def test_unused_sessions_are_closed_to_make_room(
    remote_settings_for: Any, serve_remote: Any
) -> None:
    # Idle timeout 0.5 s: sessions that never made a call go after at most that long.
    settings = remote_settings_for(
        mcp_max_sessions_per_principal=3, mcp_ip_rate_limit="off", mcp_session_idle_timeout=0.5
    )
    async with serve_remote(settings) as (base, _layer), httpx.AsyncClient() as http:
        url = f"{base}/mcp"
        flood = [await open_session(http, url) for _ in range(3)]
        assert [answer.status_code for answer in flood] == [200] * 3
        assert (await open_session(http, url)).status_code == 429
        await asyncio.sleep(1.0)
        assert (await open_session(http, url)).status_code == 200
        stale = await http.post(
            url,
            json={"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
            headers={**ACCEPT, "mcp-session-id": flood[0].headers["mcp-session-id"]},
        )
        assert stale.status_code == 404


async def test_per_principal_and_server_wide_caps(
    remote_settings_for: Any, serve_remote: Any, tmp_path: Path, audit_sink: MemorySink
) -> None:
    keys = tmp_path / "keys.json"
    tokens = {
        name: create_api_key(keys, name, ["confluence:read"]).key
        for name in ("alice", "bob", "carol")
    }
    settings = remote_settings_for(
        mcp_api_keys_file=keys,
        mcp_max_sessions_per_principal=3,
        mcp_max_sessions=5,
        mcp_rate_limit="off",
        mcp_ip_rate_limit="off",
    )
    async with serve_remote(settings) as (base, _layer), httpx.AsyncClient() as http:
        url = f"{base}/mcp"
        alice = [(await open_session(http, url, tokens["alice"])).status_code for _ in range(4)]
        bob = [(await open_session(http, url, tokens["bob"])).status_code for _ in range(3)]
        carol = (await open_session(http, url, tokens["carol"])).status_code
    assert alice == [200, 200, 200, 429]
    assert bob == [200, 200, 503]
    assert carol == 503
    subjects = [event.subject for event in refusals(audit_sink)]
    assert sorted(subjects) == ["alice", "bob", "carol"]


async def test_legacy_sse_streams_are_capped(remote_settings_for: Any, serve_remote: Any) -> None:
    settings = remote_settings_for(
        legacy_sse=True, mcp_max_sessions_per_principal=2, mcp_ip_rate_limit="off"
    )
    async with serve_remote(settings) as (base, _layer), httpx.AsyncClient() as http:
        async with (
            http.stream("GET", f"{base}/sse") as first,
            http.stream("GET", f"{base}/sse") as second,
        ):
            assert (first.status_code, second.status_code) == (200, 200)
            third = await http.get(f"{base}/sse")
            assert third.status_code == 429
        # Closed streams give their room back (once the server has seen the disconnects).
        statuses = []
        for _ in range(100):
            async with http.stream("GET", f"{base}/sse") as again:
                statuses.append(again.status_code)
            if statuses[-1] == 200:
                break
            await asyncio.sleep(0.1)
        assert statuses[-1] == 200


def test_limiter_sweeps_only_idle_sessions() -> None:
    now = [0.0]
    limiter = SessionLimiter(
        max_sessions=10,
        per_client=10,
        idle_timeout=100.0,
        unused_timeout=5.0,
        streamable_paths=frozenset({"/mcp"}),
        clock=lambda: now[0],
    )
    for name in ("unused", "used", "busy"):
        limiter.add(name, "ip:1", {"headers": []})
    for _ in range(3):
        limiter.begin("used")
        limiter.end("used")
    limiter.begin("busy")
    now[0] = 6.0
    assert [session for session, _ in limiter.expired()] == ["unused"]
    now[0] = 200.0
    assert [session for session, _ in limiter.expired()] == ["used"]
    assert limiter.open_count() == 1  # "busy" has a request in flight


async def test_refused_opening_requests_name_no_session(
    remote_settings_for: Any, serve_remote: Any
) -> None:
    # The SDK puts a fresh session id on these answers and discards the session at once: a
    # client that kept the id would only get 404s with it.
    settings = remote_settings_for(mcp_ip_rate_limit="off")
    async with serve_remote(settings) as (base, _layer), httpx.AsyncClient() as http:
        url = f"{base}/mcp"
        refused = [
            await http.post(url, content=b"{not json", headers=ACCEPT),
            await http.post(url, json={**INIT, "method": "tools/list"}, headers=ACCEPT),
            await http.post(url, json=INIT, headers={"accept": "text/plain"}),
            await http.put(url, json=INIT, headers=ACCEPT),
            await http.options(url),
            await http.head(url),
        ]
        opened = await open_session(http, url)
    assert [answer.status_code for answer in refused] == [400, 400, 406, 405, 405, 405]
    assert [answer.headers.get("mcp-session-id") for answer in refused] == [None] * 6
    assert opened.status_code == 200
    assert opened.headers.get("mcp-session-id")
