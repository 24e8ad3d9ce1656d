"""Serving over stdio, where every line that is not a JSON-RPC message gets an answer.

The MCP SDK's stdio transport hands a line it cannot read (not JSON, not a JSON-RPC 2.0
message, a string with a lone surrogate escape) to the server as an exception, which drops it
silently: a client that sent a request that way waits for ever. Over HTTP the same request
gets a 400 with a JSON-RPC error. :func:`serve_stdio` runs the server as FastMCP's
``run_stdio_async`` does, with :func:`answer_unreadable` between the transport and the
server: it writes the JSON-RPC error (``-32700`` Parse error or ``-32600`` Invalid Request)
the specification asks for, with the request's id when one can be read, else ``null``.
Blank lines are skipped. The line itself is never echoed back.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterable, AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream
from mcp.shared.message import SessionMessage
from mcp.types import INVALID_REQUEST, PARSE_ERROR, ErrorData, JSONRPCError
from pydantic import ValidationError

if TYPE_CHECKING:
    from fastmcp import FastMCP

__all__ = ["answer_unreadable", "serve_stdio", "unreadable_line_error"]

_NOT_JSON = "Parse error: the line is not JSON"
_NOT_UNICODE = "Invalid Request: a string in it is not valid Unicode (a lone surrogate escape)"
_NOT_JSONRPC = (
    'Invalid Request: not a JSON-RPC 2.0 message (an object with jsonrpc "2.0", a method, '
    "an id for a request, and params as an object)"
)


async def serve_stdio(mcp: FastMCP[Any]) -> None:
    """Serve ``mcp`` on this process's stdin and stdout until stdin ends."""
    from fastmcp.server.context import reset_transport, set_transport
    from mcp.server.stdio import stdio_server

    token = set_transport("stdio")
    try:
        # The low-level server's lifespan enters FastMCP's own (ref-counted) lifespan.
        server = mcp._mcp_server
        async with (
            stdio_server() as (transport_read, write_stream),
            answer_unreadable(transport_read, write_stream) as read_stream,
        ):
            await server.run(read_stream, write_stream, server.create_initialization_options())
    finally:
        reset_transport(token)


@asynccontextmanager
async def answer_unreadable(
    transport_read: AsyncIterable[SessionMessage | Exception],
    write_stream: Any,
) -> AsyncIterator[MemoryObjectReceiveStream[SessionMessage | Exception]]:
    """What ``transport_read`` yields, but each unreadable line (an exception) is answered on
    ``write_stream`` instead of passed on. The stream ends when ``transport_read`` does."""
    relay_send, relay_receive = anyio.create_memory_object_stream[SessionMessage | Exception](0)

    async def relay() -> None:
        async with relay_send:
            async for item in transport_read:
                if not isinstance(item, Exception):
                    await relay_send.send(item)
                    continue
                error = unreadable_line_error(item)
                if error is not None:
                    await write_stream.send(SessionMessage(error))

    async with anyio.create_task_group() as tasks, relay_receive:
        tasks.start_soon(relay)
        try:
            yield relay_receive
        finally:
            tasks.cancel_scope.cancel()


def unreadable_line_error(error: Exception) -> JSONRPCError | None:
    """The JSON-RPC error answering the line ``error`` was raised for (None: a blank line)."""
    details = error.errors() if isinstance(error, ValidationError) else []
    if not details:
        return _error(None, PARSE_ERROR, _NOT_JSON)
    if details[0]["type"] == "json_invalid":
        raw = details[0].get("input")
        if isinstance(raw, str) and not raw.strip():
            return None
        # Python's json reads what pydantic refuses (lone surrogates): the id is still there.
        try:
            parsed = json.loads(raw) if isinstance(raw, str | bytes) else _NOTHING
        except ValueError:
            parsed = _NOTHING
        if parsed is _NOTHING:
            return _error(None, PARSE_ERROR, _NOT_JSON)
        return _error(_request_id(parsed), INVALID_REQUEST, _NOT_UNICODE)
    # Each branch of the message union saw the same object; a missing field's input is it.
    ids = {_request_id(detail.get("input")) for detail in details} - {None}
    return _error(ids.pop() if len(ids) == 1 else None, INVALID_REQUEST, _NOT_JSONRPC)


_NOTHING = object()


def _request_id(value: object) -> str | int | None:
    """The id of a message that is an object with a string or integer id."""
    if isinstance(value, dict):
        request_id = value.get("id")
        if isinstance(request_id, str) or (
            isinstance(request_id, int) and not isinstance(request_id, bool)
        ):
            return request_id
    return None


def _error(request_id: str | int | None, code: int, message: str) -> JSONRPCError:
    return JSONRPCError(jsonrpc="2.0", id=request_id, error=ErrorData(code=code, message=message))
