"""Serving an ASGI app under uvicorn: bound sockets, the production server, a test server."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from confluence_mcp.errors import ConfigError

if TYPE_CHECKING:
    import uvicorn
    from starlette.types import ASGIApp

    from confluence_mcp.http.connections import HttpParser
    from confluence_mcp.remote.settings import RemoteSettings
    from confluence_mcp.settings import Settings

__all__ = ["bind_socket", "endpoint_urls", "running_http_server", "serve_http"]


DEFAULT_MAX_CONNECTIONS = 1000
DEFAULT_HEADER_TIMEOUT = 10.0


SHUTDOWN_GRACE_SECONDS = 20


def _uvicorn_config(
    app: ASGIApp,
    host: str,
    port: int,
    *,
    max_connections: int = DEFAULT_MAX_CONNECTIONS,
    header_timeout: float = DEFAULT_HEADER_TIMEOUT,
    forwarded_allow_ips: Sequence[str] = (),
    shutdown_grace: int = 2,
    http_parser: HttpParser = "auto",
) -> uvicorn.Config:
    import uvicorn

    from confluence_mcp.http.connections import (
        effective_connection_cap,
        guarded_protocol,
        install_accept_error_filter,
    )

    install_accept_error_filter()
    protocol = guarded_protocol(
        max_connections=effective_connection_cap(max_connections),
        header_timeout=header_timeout,
        parser=http_parser,
    )
    # uvicorn's access log is off: it prints full request lines, query strings included.
    # The HTTP protocol is ours: a connection cap and a header deadline (slowloris).
    # X-Forwarded-* only from the listed proxies: uvicorn would otherwise trust loopback (and
    # read FORWARDED_ALLOW_IPS from the environment itself), so any local caller could pick
    # its own address for the per-IP limit and the audit log.
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=protocol,
        proxy_headers=bool(forwarded_allow_ips),
        forwarded_allow_ips=list(forwarded_allow_ips),
        lifespan="on",
        access_log=False,
        log_level="warning",
        timeout_graceful_shutdown=shutdown_grace,
        ws="none",
    )


def _tcp_socket(family: socket.AddressFamily) -> socket.socket:
    # proto must say TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets whose
    # proto is IPPROTO_TCP, and without it every response waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    return sock


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening-ready TCP socket on ``host:port``; :class:`ConfigError` if it is taken."""
    sock = _tcp_socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(
            f"PORT: cannot listen on {host}:{port} ({exc.strerror or exc}); another process "
            "may be using it: choose a free port with --port or PORT, or stop that process"
        ) from None
    return sock


async def serve_http(
    app: ASGIApp,
    settings: Settings,
    *,
    sock: socket.socket | None = None,
    remote: RemoteSettings | None = None,
) -> None:
    """Run ``app`` under uvicorn on ``sock`` (or ``settings.host:settings.port``), with the
    connection cap and header deadline of ``remote`` (defaults without)."""
    import uvicorn

    options: dict[str, Any] = {}
    if remote is not None:
        options = {
            "max_connections": remote.mcp_max_connections,
            "header_timeout": remote.mcp_header_timeout,
            "forwarded_allow_ips": remote.forwarded_allow_ips,
            "http_parser": remote.mcp_http_parser,
        }
    # On SIGTERM (a rolling restart) requests in flight finish before the process exits: a
    # tool call waiting on a slow Confluence takes seconds, and cutting it would lose a call
    # the balancer must not replay. Below Kubernetes' default 30 s termination grace.
    _keep_streams_on_shutdown()
    config = _uvicorn_config(
        app, settings.host, settings.port, shutdown_grace=SHUTDOWN_GRACE_SECONDS, **options
    )
    bound = sock if sock is not None else bind_socket(settings.host, settings.port)
    try:
        await uvicorn.Server(config).serve(sockets=[bound])
    finally:
        bound.close()


def _keep_streams_on_shutdown() -> None:
    """Let SSE responses finish within the shutdown grace instead of ending them at SIGTERM.

    sse-starlette (the SDK streams each POST answer with it) ends every open stream as soon as
    uvicorn receives a signal, so a tool call in flight lost its answer in a rolling restart.
    Streams that never end by themselves (a session's GET stream) are cut by uvicorn when the
    grace is over.
    """
    from sse_starlette.sse import AppStatus

    # The attribute the (untyped) disable_automatic_graceful_drain() sets.
    AppStatus.enable_automatic_graceful_drain = False


@asynccontextmanager
async def running_http_server(
    app: ASGIApp,
    host: str = "127.0.0.1",
    *,
    max_connections: int = DEFAULT_MAX_CONNECTIONS,
    header_timeout: float = DEFAULT_HEADER_TIMEOUT,
    forwarded_allow_ips: Sequence[str] = (),
    http_parser: HttpParser = "auto",
) -> AsyncIterator[str]:
    """Serve ``app`` on a free port of ``host`` in this event loop; yields the base URL.

    For tests, benchmarks and embedding: the server is stopped when the block exits.
    """
    import uvicorn

    sock = _tcp_socket(socket.AF_INET)
    sock.bind((host, 0))
    config = _uvicorn_config(
        app,
        host,
        0,
        max_connections=max_connections,
        header_timeout=header_timeout,
        forwarded_allow_ips=forwarded_allow_ips,
        http_parser=http_parser,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()  # surfaces the start-up error
                raise RuntimeError("the HTTP server stopped during start-up")
            await asyncio.sleep(0.01)
        yield f"http://{host}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        sock.close()


def endpoint_urls(
    settings: Settings, port: int | None = None, path: str | None = None
) -> list[str]:
    """Human-readable URLs of the MCP endpoints the settings serve (for start-up messages);
    with ``path``, the one URL of that path (e.g. ``/metrics`` on its own port)."""
    host = settings.host if ":" not in settings.host else f"[{settings.host}]"
    base = f"http://{host}:{port or settings.port}"
    if path is not None:
        return [f"{base}{path}"]
    if settings.transport == "sse":
        return [f"{base}/sse (legacy SSE)"]
    urls = [f"{base}{settings.streamable_http_path} (Streamable HTTP)"]
    if settings.legacy_sse:
        urls.append(f"{base}/sse (legacy SSE)")
    return urls
