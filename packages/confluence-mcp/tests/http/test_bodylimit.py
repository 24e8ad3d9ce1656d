"""BodyLimitMiddleware: 413 on declared and streamed bodies, 408 on a stalled body."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.types import Message

from confluence_mcp.http.bodylimit import BodyLimitMiddleware


async def echo_size(request: Request) -> PlainTextResponse:
    body = await request.body()
    return PlainTextResponse(str(len(body)))


def make_app(max_bytes: int = 100, timeout: float = 5.0) -> Starlette:
    return Starlette(
        routes=[Route("/mcp", echo_size, methods=["POST"])],
        middleware=[Middleware(BodyLimitMiddleware, max_bytes=max_bytes, timeout=timeout)],
    )


async def test_small_body_passes() -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=make_app()), base_url="http://t"
    ) as http:
        response = await http.post("/mcp", content=b"x" * 100)
    assert (response.status_code, response.text) == (200, "100")


async def test_declared_length_over_limit_is_refused_unread() -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=make_app()), base_url="http://t"
    ) as http:
        response = await http.post("/mcp", content=b"x" * 101)
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"
    assert "100 bytes" in response.json()["error_description"]


async def test_streamed_body_over_limit_is_refused() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield b"x" * 40

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=make_app()), base_url="http://t"
    ) as http:
        response = await http.post("/mcp", content=chunks())
    assert response.status_code == 413


async def test_stalled_body_times_out() -> None:
    app = make_app(timeout=0.05)
    sent: list[Message] = []
    messages = [{"type": "http.request", "body": b"x", "more_body": True}]
    stall = asyncio.Event()

    async def receive() -> Message:
        if messages:
            return messages.pop()
        await stall.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "path": "/mcp",
        "raw_path": b"/mcp",
        "root_path": "",
        "scheme": "http",
        "query_string": b"",
        "headers": [(b"host", b"t")],
        "client": ("127.0.0.1", 1),
        "server": ("t", 80),
    }
    await app(scope, receive, send)
    assert sent[0]["status"] == 408
    assert len([m for m in sent if m["type"] == "http.response.start"]) == 1


async def test_non_http_scopes_pass_through() -> None:
    seen: list[str] = []

    async def inner(scope: dict[str, object], receive: object, send: object) -> None:
        seen.append(str(scope["type"]))

    middleware = BodyLimitMiddleware(inner, max_bytes=1)  # type: ignore[arg-type]
    await middleware({"type": "lifespan"}, None, None)  # type: ignore[arg-type]
    assert seen == ["lifespan"]


async def test_trickled_body_hits_the_total_deadline() -> None:
    """1 byte every 0.1 s never trips the 0.5 s per-chunk timeout; the 1 s total does."""
    from confluence_mcp.http.serving import running_http_server

    app = Starlette(
        routes=[Route("/mcp", echo_size, methods=["POST"])],
        middleware=[
            Middleware(BodyLimitMiddleware, max_bytes=1000, timeout=0.5, total_timeout=1.0)
        ],
    )
    async with running_http_server(app) as base:
        host, port = base.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(b"POST /mcp HTTP/1.1\r\nHost: t\r\nContent-Length: 300\r\n\r\n")
        sent = 0

        async def trickle() -> None:
            nonlocal sent
            for _ in range(300):
                writer.write(b"x")
                await writer.drain()
                sent += 1
                await asyncio.sleep(0.1)

        dripping = asyncio.create_task(trickle())
        answer = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
        dripping.cancel()
        writer.close()
    assert answer.startswith(b"HTTP/1.1 408")
    assert sent < 300  # refused while the body was still arriving
