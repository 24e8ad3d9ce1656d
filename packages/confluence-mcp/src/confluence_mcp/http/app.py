"""The HTTP layer: one ASGI app serving Streamable HTTP and, optionally, legacy SSE.

This is where HTTP concerns live. Today it combines FastMCP's two HTTP transports in one
process so an older client can fall back to ``GET /sse`` + ``POST /messages/`` without a
second deployment; the remote-service hardening (health/readiness routes, CORS, security
headers, rate limits, body limits, access log) plugs in through ``routes`` and ``middleware``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount
from starlette.types import ASGIApp, Receive, Scope, Send

from confluence_mcp.http import lazy_sse
from confluence_mcp.http.json_responses import JsonResponseNegotiation
from confluence_mcp.http.spaces import scope_to_space

if TYPE_CHECKING:
    from fastmcp import FastMCP
    from starlette.middleware import Middleware

    from confluence_mcp.settings import Settings

__all__ = ["LEGACY_MESSAGE_PATH", "LEGACY_SSE_PATH", "create_http_app"]

LEGACY_SSE_PATH = "/sse"
LEGACY_MESSAGE_PATH = "/messages/"


class _TransportDispatcher:
    """Send legacy SSE paths to the SSE app and everything else to Streamable HTTP."""

    def __init__(self, primary: ASGIApp, legacy: ASGIApp | None, mcp_path: str) -> None:
        self._primary = primary
        self._legacy = legacy
        self._mcp_path = mcp_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._legacy is not None and scope["type"] == "http":
            path: str = scope["path"]
            if path == LEGACY_SSE_PATH or path.startswith(LEGACY_MESSAGE_PATH):
                await self._legacy(scope, receive, send)
                return
        await self._primary(scope_to_space(scope, self._mcp_path), receive, send)


def create_http_app(
    mcp: FastMCP,
    settings: Settings,
    *,
    routes: Sequence[BaseRoute] = (),
    middleware: Sequence[Middleware] = (),
    allowed_hosts: list[str] | None = None,
    allowed_origins: list[str] | None = None,
    session_idle_timeout: float | None = None,
) -> Starlette:
    """Build the ASGI app for ``--transport http`` (or ``sse``).

    ``routes`` are matched before the MCP endpoints (health checks, metadata documents);
    ``middleware`` wraps every request, outermost first. Host/Origin validation (DNS-rebinding
    protection) is on for loopback-bound servers; ``allowed_hosts``/``allowed_origins`` extend
    what FastMCP's guard accepts. ``session_idle_timeout`` (``MCP_SESSION_IDLE_TIMEOUT``) ends
    idle Streamable HTTP sessions (the MCP SDK's default when None).
    """
    guard: dict[str, Any] = {
        "host_origin_protection": "auto",
        "allowed_hosts": allowed_hosts,
        "allowed_origins": allowed_origins,
    }
    sub_apps: list[Starlette] = []
    # Sessions in use expire after this; unused ones sooner (http.sessions).
    idle: dict[str, Any] = {}
    if session_idle_timeout is not None:
        idle["session_idle_timeout"] = session_idle_timeout
    if settings.transport == "sse":
        primary = mcp.http_app(path=LEGACY_SSE_PATH, transport="sse", host_origin_protection="auto")
        legacy = None
        sub_apps.append(primary)
    else:
        # A POST whose answer comes before anything else is answered as JSON (http.lazy_sse).
        lazy_sse.install()
        primary = mcp.http_app(
            path=settings.streamable_http_path,
            transport="http",
            stateless_http=settings.stateless_http,
            **idle,
            **guard,
        )
        sub_apps.append(primary)
        legacy = None
        if settings.legacy_sse:
            legacy = mcp.http_app(path=LEGACY_SSE_PATH, transport="sse", **guard)
            sub_apps.append(legacy)

    if settings.transport != "sse":
        # Stream SSE to clients that accept it; answer JSON-only clients with JSON.
        primary_app: ASGIApp = JsonResponseNegotiation(primary)
    else:
        primary_app = primary

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        # Each transport app owns its session manager; the FastMCP lifespan under them is
        # reference-counted, so entering both starts the server (and its client) once.
        async with AsyncExitStack() as stack:
            for sub_app in sub_apps:
                await stack.enter_async_context(sub_app.router.lifespan_context(sub_app))
            yield

    app = Starlette(
        routes=[
            *routes,
            Mount("", app=_TransportDispatcher(primary_app, legacy, settings.streamable_http_path)),
        ],
        middleware=list(middleware),
        lifespan=lifespan,
    )
    app.state.fastmcp_server = mcp
    app.state.mcp_path = (
        LEGACY_SSE_PATH if settings.transport == "sse" else settings.streamable_http_path
    )
    return app
