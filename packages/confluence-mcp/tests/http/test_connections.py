"""Slowloris on a loopback socket: the connection cap and the request-header deadline."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from confluence_mcp.http.connections import (
    MAX_HEADER_BYTES,
    OncePerInterval,
    install_accept_error_filter,
)
from confluence_mcp.http.serving import running_http_server

PARTIAL = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
# Bounds how long the test may wait for the server: it never asserts a duration.
GIVE_UP = 30.0


async def healthz(_request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


async def slow(_request: Request) -> PlainTextResponse:
    await asyncio.sleep(1.0)
    return PlainTextResponse("done")


async def echo(request: Request) -> PlainTextResponse:
    return PlainTextResponse(str(len(await request.body())))


APP = Starlette(
    routes=[
        Route("/healthz", healthz),
        Route("/slow", slow),
        Route("/echo", echo, methods=["POST"]),
    ]
)


async def open_partial(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(PARTIAL)
    await writer.drain()
    return reader, writer


async def closed_by_server(reader: asyncio.StreamReader) -> bytes:
    """Everything the server sent before closing (raises TimeoutError if it never does)."""
    return await asyncio.wait_for(reader.read(), GIVE_UP)


@pytest.fixture(params=["httptools", "h11"])
async def port(request: pytest.FixtureRequest) -> AsyncIterator[int]:
    async with running_http_server(
        APP, max_connections=20, header_timeout=0.5, http_parser=request.param
    ) as base:
        yield int(base.rsplit(":", 1)[1])


async def test_header_stalled_connections_are_closed_and_service_recovers(
    port: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "confluence_mcp.http.refusals")
    stalled = [await open_partial(port) for _ in range(20)]
    # The cap is reached: more connections are refused at once, without parsing anything.
    excess = [await open_partial(port) for _ in range(10)]
    answers = await asyncio.gather(*(closed_by_server(reader) for reader, _ in excess))
    assert all(answer.startswith(b"HTTP/1.1 503") for answer in answers)
    refusal_lines = [r for r in caplog.records if r.name == "confluence_mcp.http.refusals"]
    assert len(refusal_lines) <= 1  # once per interval, not once per connection
    # The stalled ones are closed by the header deadline, with nothing sent back.
    leftovers = await asyncio.gather(*(closed_by_server(reader) for reader, _ in stalled))
    assert leftovers == [b""] * 20
    for _, writer in [*stalled, *excess]:
        writer.close()
    async with httpx.AsyncClient() as http:
        health = await http.get(f"http://127.0.0.1:{port}/healthz")
    assert health.status_code == 200


async def test_header_deadline_rearms_after_each_response(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"ok"), GIVE_UP)
    assert head.startswith(b"HTTP/1.1 200")
    writer.write(PARTIAL)  # keep-alive, then a second request that never ends its headers
    await writer.drain()
    assert await closed_by_server(reader) == b""
    writer.close()


async def test_the_deadline_never_cuts_a_request_being_answered(port: int) -> None:
    async with httpx.AsyncClient() as http:
        answer = await http.get(f"http://127.0.0.1:{port}/slow")
    assert (answer.status_code, answer.text) == (200, "done")


async def test_an_oversized_unfinished_request_head_is_refused(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    await writer.drain()
    for _ in range(4):  # more than the cap, in pieces, and never finished
        writer.write(b"X-Big: " + b"a" * (MAX_HEADER_BYTES // 3) + b"\r\n")
        await writer.drain()
        await asyncio.sleep(0.05)
    answer = await closed_by_server(reader)
    assert answer.startswith(b"HTTP/1.1 400")
    writer.close()


async def test_whole_requests_over_the_head_cap_in_one_read_are_answered(port: int) -> None:
    # Head and body (or several whole requests) arriving in one read are not an unfinished
    # head, however large: they were refused with 400 over httptools (an MCP call with a
    # 20 KB page body, say).
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    size = 3 * MAX_HEADER_BYTES
    request = (
        f"POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {size}\r\n\r\n".encode()
        + b"x" * size
    )
    small = request.replace(str(size).encode(), str(size // 4).encode())[: -size + size // 4]
    writer.write(request + small * 2)
    await writer.drain()
    answers = b""
    while answers.count(b"HTTP/1.1") < 3 or not answers.endswith(str(size // 4).encode()):
        chunk = await asyncio.wait_for(reader.read(4096), GIVE_UP)
        if not chunk:  # closed by the server
            break
        answers += chunk
    assert answers.count(b"HTTP/1.1 200") == 3, answers
    writer.close()


async def test_pipelined_requests_are_all_answered(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    writer.write(request * 3)
    await writer.drain()
    answers = b""
    while answers.count(b"ok") < 3:
        answers += await asyncio.wait_for(reader.read(4096), GIVE_UP)
    assert answers.count(b"HTTP/1.1 200") == 3
    writer.close()


def test_accept_errors_are_logged_once_per_interval(caplog: pytest.LogCaptureFixture) -> None:
    install_accept_error_filter()
    install_accept_error_filter()  # idempotent
    logger = logging.getLogger("asyncio")
    assert sum(isinstance(f, OncePerInterval) for f in logger.filters) == 1
    caplog.set_level(logging.ERROR, "asyncio")
    for _ in range(500):
        try:
            raise OSError(24, "Too many open files")
        except OSError:
            logger.exception("socket.accept() out of system resource")
    logger.error("something else")
    messages = [record.getMessage() for record in caplog.records]
    assert messages.count("socket.accept() out of system resource") == 1
    assert "something else" in messages
    assert all(record.exc_info is None for record in caplog.records)
