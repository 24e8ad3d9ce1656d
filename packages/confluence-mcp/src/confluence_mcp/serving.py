"""Running a built server on the transport the settings name: stdio, or the HTTP app.

The HTTP side (app, middleware, uvicorn, sockets) lives in :mod:`confluence_mcp.http`.
"""

from __future__ import annotations

import asyncio
import gc
import importlib.util
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastmcp import FastMCP

    from confluence_mcp.http.layer import HttpLayer
    from confluence_mcp.remote.settings import RemoteSettings

__all__ = ["pause_collection", "prepare_heap", "runner_options", "serve", "settle_heap"]

# Collections of the youngest generation start after this many new container objects
# (Python's default is 700). A request allocates thousands: at 700 each request paid for
# several collections, each walking every other request's live objects too.
GC_YOUNG_THRESHOLD = 10_000


def runner_options(remote: RemoteSettings) -> dict[str, Any]:
    """``anyio.run`` backend options for serving ``remote``: uvloop for HTTP (``auto``, where
    it is installed, or ``MCP_EVENT_LOOP=uvloop``); asyncio's own loop for stdio and
    ``MCP_EVENT_LOOP=asyncio``. Raises ``ConfigError`` if uvloop is asked for but missing.
    """
    choice = remote.mcp_event_loop
    if remote.core.transport == "stdio" or choice == "asyncio":
        return {}
    if importlib.util.find_spec("uvloop") is None:
        if choice == "uvloop":
            from confluence_mcp.errors import ConfigError

            raise ConfigError(
                "MCP_EVENT_LOOP=uvloop: uvloop is not installed (use auto or asyncio)"
            )
        return {}
    return {"use_uvloop": True}


def pause_collection() -> bool:
    """Start-up: no cyclic garbage collection while modules, models and the server are built.

    Nearly everything start-up allocates lives as long as the process, yet each full
    collection on the way walked all of it again (about 0.25 s of a stdio start measured
    with ``benchmarks/startup.py``). Returns whether collection was on, for :func:`settle_heap`
    or an error path to restore."""
    was_enabled = gc.isenabled()
    gc.disable()
    return was_enabled


def settle_heap(*, long_lived: bool) -> None:
    """Before serving: collection back on, with what start-up built set aside (``gc.freeze``)
    and young collections less often; a long-lived (HTTP) server first collects
    (:func:`prepare_heap`)."""
    if long_lived:
        prepare_heap()
    else:  # stdio: no full collection first, the client is waiting for its first answer
        gc.freeze()
        _, middle, old = gc.get_threshold()
        gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)
    gc.enable()


def prepare_heap() -> None:
    """Before serving: what start-up built (modules, models, the app) lives as long as the
    process, so it is moved out of the garbage collector's reach (``gc.freeze``), and young
    collections run less often (:data:`GC_YOUNG_THRESHOLD`). Each collection then walks
    only what requests allocated, and fewer of them run per request."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


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
        from confluence_mcp.stdio import serve_stdio

        await serve_stdio(mcp)
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
