"""Answer JSON-only clients with JSON on a Streamable HTTP endpoint that streams SSE.

The server streams a POST answer as Server-Sent Events whenever something precedes it, so
progress and log notifications reach the client while a tool runs (an answer that comes first
is sent as JSON: :mod:`~confluence_mcp.http.lazy_sse`). The transport lets a client accept only
``application/json``; the SDK would refuse that with 406 in streaming mode. This ASGI wrapper
serves such a client instead: it asks the inner app for SSE, collects the stream, and replies
with the JSON-RPC response as ``application/json`` (notifications in between are dropped: that
client said it cannot read them). Clients that accept ``text/event-stream`` are untouched.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["JsonResponseNegotiation", "wants_json_only"]

_SSE = "text/event-stream"
_JSON = "application/json"


def wants_json_only(accept: str) -> bool:
    """Whether an ``Accept`` header takes JSON but not an event stream."""
    types = {part.split(";")[0].strip().lower() for part in accept.split(",")}
    return bool(types & {_JSON, "application/*"}) and not types & {_SSE, "text/*", "*/*"}


def _jsonrpc_messages(stream: bytes) -> list[Any]:
    """The JSON payloads of an SSE body's ``data:`` events, in order."""
    messages: list[Any] = []
    for event in stream.decode("utf-8", errors="replace").replace("\r\n", "\n").split("\n\n"):
        data = "\n".join(
            line[5:].lstrip(" ") for line in event.split("\n") if line.startswith("data:")
        )
        if data:
            try:
                messages.append(json.loads(data))
            except json.JSONDecodeError:
                continue
    return messages


class JsonResponseNegotiation:
    """ASGI wrapper: a POST accepting only JSON gets the SSE answer converted to JSON."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self._app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if not wants_json_only(headers.get("accept", "")):
            await self._app(scope, receive, send)
            return
        inner_scope = dict(scope)
        rewritten = MutableHeaders(scope=inner_scope)
        rewritten["accept"] = f"{_JSON}, {_SSE}"
        await self._app(inner_scope, receive, _Collector(send))


class _Collector:
    """Passes non-SSE responses through; buffers an SSE response and sends it as JSON."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self._start: Message | None = None
        self._body = bytearray()

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            content_type = Headers(raw=message.get("headers", [])).get("content-type", "")
            if content_type.startswith(_SSE):
                self._start = message
                return
            await self._send(message)
            return
        if self._start is None or message["type"] != "http.response.body":
            await self._send(message)
            return
        self._body.extend(message.get("body", b""))
        if not message.get("more_body", False):
            await self._flush()

    async def _flush(self) -> None:
        if self._start is None:
            return
        replies = [
            item
            for item in _jsonrpc_messages(bytes(self._body))
            if isinstance(item, dict) and "id" in item and ("result" in item or "error" in item)
        ]
        payload: Any = replies[0] if len(replies) == 1 else replies
        body = json.dumps(payload, separators=(",", ":")).encode()
        headers = MutableHeaders(raw=list(self._start.get("headers", [])))
        headers["content-type"] = _JSON
        headers["content-length"] = str(len(body))
        for name in ("cache-control", "x-accel-buffering", "connection"):
            if name in headers:
                del headers[name]
        await self._send({**self._start, "headers": headers.raw})
        await self._send({"type": "http.response.body", "body": body, "more_body": False})
