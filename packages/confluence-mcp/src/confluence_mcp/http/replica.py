"""Stateful sessions behind a load balancer: session ids that name their replica.

A 2025-11-25 session lives in the memory of the replica that opened it (the MCP SDK keeps
its transport and server task there; nothing can move it), so every later request of the
session must reach that replica. With ``MCP_REPLICA_ID=r1`` this middleware hands clients
``r1.<id>`` instead of ``<id>`` and strips the prefix again on the way in; the balancer routes
on the prefix (nginx: a ``map`` of the ``Mcp-Session-Id`` header to the replica's upstream,
see deploy/README.md). Requests without a session id (opening ``initialize``, stateless and
2026-07-28 requests) may go anywhere. A session id with another replica's prefix is passed
through unchanged, and the SDK answers it 404 "Session not found", as for any unknown id.
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["ReplicaSessionMiddleware", "check_replica_id"]

_SESSION_HEADER = b"mcp-session-id"
_REPLICA_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")


def check_replica_id(value: str) -> str:
    """The replica id, validated (it becomes part of every session id and of the balancer's
    routing rule); else ``ValueError`` with the reason."""
    text = value.strip()
    if not _REPLICA_ID.fullmatch(text):
        raise ValueError("use 1 to 32 letters, digits, '-' or '_' (e.g. the pod's ordinal: r0, r1)")
    return text


class ReplicaSessionMiddleware:
    """Prefix outgoing session ids with ``<replica>.``; strip it from incoming ones."""

    def __init__(self, app: ASGIApp, *, replica_id: str) -> None:
        self.app = app
        self.prefix = f"{replica_id}.".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope.get("headers") or []
        if any(key.lower() == _SESSION_HEADER for key, _ in headers):
            scope = {**scope, "headers": [self._inbound(key, value) for key, value in headers]}
        prefix = self.prefix

        async def outbound(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {
                    **message,
                    "headers": [
                        (key, prefix + value if key.lower() == _SESSION_HEADER else value)
                        for key, value in message.get("headers") or []
                    ],
                }
            await send(message)

        await self.app(scope, receive, outbound)

    def _inbound(self, key: bytes, value: bytes) -> tuple[bytes, bytes]:
        if key.lower() == _SESSION_HEADER and value.startswith(self.prefix):
            return key, value[len(self.prefix) :]
        return key, value
