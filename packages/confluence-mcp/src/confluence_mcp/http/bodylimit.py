"""Request body size limit (413) and body read timeouts (408).

A declared ``Content-Length`` over the limit is refused before any byte is read; a chunked
body is counted as it arrives and refused as soon as it crosses the limit. A client that
stops sending its body for ``timeout`` seconds, or has not sent all of it ``total_timeout``
seconds after the request started, is answered 408 (slow-body attacks hold a worker
otherwise; a per-chunk timeout alone lets one byte every few seconds last forever). Once
the body is complete, ``receive`` passes through untouched: streams (SSE) wait on it for the
disconnect and must not time out.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from confluence_mcp.http.responses import send_json

if TYPE_CHECKING:
    from mcp_auth import AuditLogger

__all__ = ["BodyLimitMiddleware"]


class BodyLimitMiddleware:
    """Pure ASGI middleware enforcing ``max_bytes`` and ``timeout`` on request bodies."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        timeout: float = 30.0,
        total_timeout: float = 120.0,
        audit: AuditLogger | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.total_timeout = total_timeout
        self.audit = audit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            self._audit("")
            await self._too_large(send)
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.total_timeout
        started = False
        refused = False
        received = 0
        body_done = False

        async def refuse(status: int) -> Message:
            # Answer now, then tell the app the client went away: whatever it sends after
            # this is dropped, and it cannot turn our refusal into its own error response.
            nonlocal refused
            if not started:
                refused = True
                self._audit("request body did not arrive in time" if status == 408 else "")
                if status == 413:
                    await self._too_large(send)
                else:
                    await send_json(
                        send,
                        408,
                        {
                            "error": "request_timeout",
                            "error_description": "the request body did not arrive in time",
                        },
                        [(b"connection", b"close")],
                    )
            return {"type": "http.disconnect"}

        async def limited_receive() -> Message:
            nonlocal received, body_done
            if refused:
                return {"type": "http.disconnect"}
            if body_done:
                return await receive()
            wait = min(self.timeout, deadline - loop.time())
            try:
                if wait <= 0:
                    raise TimeoutError
                message = await asyncio.wait_for(receive(), wait)
            except TimeoutError:
                body_done = True
                return await refuse(408)
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    body_done = True
                    return await refuse(413)
                body_done = not message.get("more_body", False)
            else:
                body_done = True
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except Exception:
            # After our refusal the app sees a client disconnect and may raise on it
            # (Starlette's ClientDisconnect): the answer is already sent, nothing is lost.
            if not refused:
                raise

    def _audit(self, detail: str) -> None:
        if self.audit is not None:
            from mcp_auth import RefusalReason

            self.audit.auth_failure(
                RefusalReason.MALFORMED, detail=detail or "request body over the size limit"
            )

    async def _too_large(self, send: Send) -> None:
        await send_json(
            send,
            413,
            {
                "error": "payload_too_large",
                "error_description": f"request bodies are limited to {self.max_bytes} bytes",
            },
            [(b"connection", b"close")],
        )


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers") or ():
        if key.lower() == b"content-length":
            text = bytes(value).decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None
