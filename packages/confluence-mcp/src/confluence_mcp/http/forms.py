"""Multipart request bodies are refused (415) before any route reads them.

No endpoint of this server takes files: MCP is JSON, and the OAuth endpoints (``/token``,
``/authorize``, ``/revoke``, consent) take ``application/x-www-form-urlencoded`` (RFC 6749).
Yet the MCP SDK's and FastMCP's handlers parse any form Starlette accepts and never close it,
and Starlette spools every file part of a multipart body to a ``SpooledTemporaryFile``: each
such request left an open temporary file (on disk past 1 MB) until the garbage collector
found it. Refusing the encoding here closes that for every route, present and future.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from confluence_mcp.http.responses import send_json

__all__ = ["NoMultipartMiddleware"]

_MULTIPART = b"multipart/"
_REFUSAL = {
    "error": "invalid_request",
    "error_description": (
        "multipart bodies are not accepted: send application/json (MCP) or "
        "application/x-www-form-urlencoded (OAuth endpoints)"
    ),
}


class NoMultipartMiddleware:
    """Pure ASGI middleware answering 415 to any ``multipart/*`` request body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _is_multipart(scope):
            await send_json(send, 415, _REFUSAL)
            return
        await self.app(scope, receive, send)


def _is_multipart(scope: Scope) -> bool:
    name: bytes
    value: bytes
    for name, value in scope["headers"]:
        if name == b"content-type":
            # Starlette reads the first Content-Type header; so does this check.
            return value.strip().lower().startswith(_MULTIPART)
    return False
