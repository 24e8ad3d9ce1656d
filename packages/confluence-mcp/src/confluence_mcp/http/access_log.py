"""Our access log: one line per HTTP request with the path only (never the query string),
status, duration, request id, client address and principal."""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from confluence_mcp.remote.logs import ACCESS_LOGGER

__all__ = ["AccessLogMiddleware"]


class AccessLogMiddleware:
    """One ``confluence_mcp.access`` line per HTTP request, without the query string.

    It is the outermost layer, so it also binds the audit request context (request id,
    client address, user agent) for every layer below and echoes ``X-Request-ID``.
    """

    def __init__(self, app: ASGIApp, *, logger: logging.Logger | None = None) -> None:
        self.app = app
        self.logger = logger or logging.getLogger(ACCESS_LOGGER)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from mcp_auth import reset_request_context, set_request_context
        from mcp_auth.fastmcp import request_context_from_scope

        context = request_context_from_scope(scope)
        request_id = context.request_id or ""
        token = set_request_context(context)
        started = time.perf_counter()
        status = 500

        async def logging_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, logging_send)
        finally:
            reset_request_context(token)
            self._log(scope, status, started, request_id, context.remote_addr)

    def _log(
        self, scope: Scope, status: int, started: float, request_id: str, remote: str | None
    ) -> None:
        from confluence_mcp.http.ratelimit import scope_principal

        principal = scope_principal(scope)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        self.logger.info(
            "%s %s %d %.1fms",
            scope.get("method", "-"),
            scope.get("path", "-"),
            status,
            duration_ms,
            extra={
                "http_method": scope.get("method"),
                "http_path": scope.get("path"),
                "http_status": status,
                "duration_ms": duration_ms,
                "request_id": request_id,
                "remote_addr": remote,
                "principal": principal.subject if principal else None,
            },
        )
