"""Answer a Streamable HTTP POST with JSON when its answer is ready first; stream otherwise.

The MCP SDK answers every request POST with a Server-Sent Events stream, so progress and log
notifications (and elicitation requests) reach the client while a tool runs. An event stream
costs, per call, a response task group of five tasks (stream, 15 s pings, shutdown watcher,
disconnect watcher, the writer feeding it), a timed send per chunk and chunked encoding: about
a quarter of the server's CPU per ``get_page`` call, and as many extra turns of the event loop
while 32 sessions wait their turn. Most calls send nothing before their answer.

:class:`LazyEventSourceResponse` takes the SDK's place for POST answers: it runs the SDK's
writer and waits for the stream's first event. When that is the JSON-RPC answer (and came
within :data:`JSON_WITHIN` seconds), it is sent as one ``application/json`` body, which
the specification lets a server choose for any POST. When it is anything else (a
notification, a request to the client, a resumability priming event) or nothing comes in
time, the response is streamed exactly as before, that first event included. GET streams
and replays are untouched.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import anyio
from sse_starlette import EventSourceResponse
from starlette.datastructures import MutableHeaders
from starlette.types import Receive, Scope, Send

__all__ = ["JSON_WITHIN", "LazyEventSourceResponse", "install"]

# A call silent for longer than this gets its stream (headers now, then a ping every 15 s):
# a client or proxy never waits longer for a first byte than the stream's own pings allow.
JSON_WITHIN = 5.0
# How the SDK serializes a response or error (pydantic, fields in order): checked first, so
# that an answer of any size is not parsed again only to be recognised.
_ANSWER_HEAD = re.compile(
    r'\{"jsonrpc":"2\.0","id":(?:-?\d+|"(?:[^"\\]|\\.)*"),"(?:result|error)":'
)
# Headers of an event stream that mean nothing on a JSON body.
_STREAM_ONLY = ("cache-control", "connection", "x-accel-buffering", "content-type")


def _is_answer(event: Any) -> bool:
    """Whether an SDK event is a JSON-RPC response or error (not a notification/request)."""
    if not isinstance(event, dict) or event.get("event", "message") != "message":
        return False
    if event.get("id"):  # stored for resumability: the client needs the event id
        return False
    data = event.get("data")
    if not isinstance(data, str) or not data:
        return False
    if _ANSWER_HEAD.match(data):
        return True
    try:  # not serialized the way the SDK does today: read it whole
        message = json.loads(data)
    except ValueError:
        return False
    return (
        isinstance(message, dict)
        and "id" in message
        and ("result" in message or "error" in message)
    )


class _First:
    """The stream's first event, taken by its own task: a receive cancelled by a deadline
    could lose an event handed over at that moment, a wait on this never does."""

    def __init__(self) -> None:
        self.ready = anyio.Event()
        self.event: Any = None
        self.ended = False

    async def take(self, events: AsyncIterator[Any]) -> None:
        try:
            self.event = await events.__anext__()
        except (StopAsyncIteration, anyio.EndOfStream, anyio.ClosedResourceError):
            self.ended = True
        finally:
            self.ready.set()

    async def then(self, events: AsyncIterator[Any]) -> AsyncIterator[Any]:
        """The whole stream: the first event (once taken), then the rest."""
        await self.ready.wait()
        if self.ended:
            return
        yield self.event
        async for event in events:
            yield event


class LazyEventSourceResponse(EventSourceResponse):
    """An SDK POST answer: one JSON body if the answer comes first, else the event stream."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        writer = self.data_sender_callable
        if scope.get("type") != "http" or scope.get("method") != "POST" or writer is None:
            await super().__call__(scope, receive, send)
            return
        events = self.body_iterator.__aiter__()
        first = _First()
        async with anyio.create_task_group() as group:
            # The SDK's writer moves the session's messages for this request onto the stream
            # read here; it ends by itself once the answer is through.
            group.start_soon(writer)
            group.start_soon(first.take, events)
            with anyio.move_on_after(JSON_WITHIN):
                await first.ready.wait()
            if first.ready.is_set() and _is_answer(first.event):
                await self._send_json(first.event["data"].encode(), send)
                return
            # Stream as the SDK would, its writer already running, the first event first.
            self.data_sender_callable = None
            self.body_iterator = first.then(events)
            await super().__call__(scope, receive, send)
            # Done, or the client went away: a writer still waiting to hand over an event
            # stops, as it would have in the SDK's own response.
            group.cancel_scope.cancel()

    async def _send_json(self, body: bytes, send: Send) -> None:
        headers = MutableHeaders(raw=list(self.raw_headers))
        for name in _STREAM_ONLY:
            if name in headers:
                del headers[name]
        headers["content-type"] = "application/json"
        headers["content-length"] = str(len(body))
        start = {"type": "http.response.start", "status": self.status_code}
        await send({**start, "headers": headers.raw})
        await send({"type": "http.response.body", "body": body, "more_body": False})


def install() -> None:
    """Make the SDK's Streamable HTTP transport answer POSTs through
    :class:`LazyEventSourceResponse` (idempotent; nothing to do for an SDK without it)."""
    from mcp.server import streamable_http

    # The SDK builds its responses from this module-level name; set it, not a private method.
    if getattr(streamable_http, "EventSourceResponse", None) is EventSourceResponse:
        setattr(streamable_http, "EventSourceResponse", LazyEventSourceResponse)  # noqa: B010
