"""Running a built server on the transport the settings name: stdio, or the HTTP app.

The HTTP side (app, middleware, uvicorn, sockets) lives in :mod:`confluence_mcp.http`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastmcp import FastMCP

    from confluence_mcp.http.layer import HttpLayer
    from confluence_mcp.remote.settings import RemoteSettings

__all__ = ["serve"]


async def serve(
    mcp: FastMCP[Any],
    remote: RemoteSettings,
    *,
    layer: HttpLayer | None = None,
    announce: Callable[[str], None] | None = None,
) -> None:
    """Serve ``mcp`` on the transport ``remote.core`` names, until cancelled or interrupted.

    For HTTP, ``layer`` is the remote layer already built for ``mcp`` (built here when
    omitted); ``announce`` is called with each endpoint URL once the port is bound (so nothing
    is announced when start-up is refused). Raises
    :class:`~confluence_mcp.errors.ConfigError` when the HTTP layer refuses the configuration
    or the port cannot be bound.
    """
    settings = remote.core
    if settings.transport == "stdio":
        await mcp.run_stdio_async(show_banner=False)
        return
    from confluence_mcp.http.app import create_http_app
    from confluence_mcp.http.layer import build_http_layer
    from confluence_mcp.http.serving import bind_socket, endpoint_urls, serve_http

    # Authentication, scopes, audit, rate limits, health and the other HTTP protections
    # (refuses an unauthenticated non-loopback bind with a ConfigError).
    if layer is None:
        layer = build_http_layer(mcp, remote)
    app = create_http_app(
        mcp,
        settings,
        routes=layer.routes,
        middleware=layer.middleware,
        allowed_hosts=layer.allowed_hosts,
        allowed_origins=layer.allowed_origins,
        session_idle_timeout=remote.mcp_session_idle_timeout,
    )
    try:
        sock = bind_socket(settings.host, settings.port)
        metrics_port = remote.mcp_metrics_port
        if layer.metrics_app is None or metrics_port is None:
            for url in endpoint_urls(settings):
                if announce is not None:
                    announce(url)
            await serve_http(app, settings, sock=sock, remote=remote)
            return
        metrics_sock = bind_socket(settings.host, metrics_port)
        for url in [*endpoint_urls(settings), *endpoint_urls(settings, metrics_port, "/metrics")]:
            if announce is not None:
                announce(url)
        async with asyncio.TaskGroup() as group:
            group.create_task(serve_http(app, settings, sock=sock, remote=remote))
            group.create_task(
                serve_http(layer.metrics_app, settings, sock=metrics_sock, remote=remote)
            )
    finally:
        await layer.aclose()
