"""Running a built server on a transport: stdio, or HTTP (Streamable HTTP + legacy SSE)."""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastmcp import FastMCP
    from starlette.applications import Starlette

    from confluence_mcp.settings import Settings

__all__ = ["endpoint_urls", "serve", "serve_http"]


async def serve(mcp: FastMCP[Any], settings: Settings) -> None:
    """Serve ``mcp`` on the transport the settings name, until cancelled or interrupted."""
    if settings.transport == "stdio":
        await mcp.run_stdio_async(show_banner=False)
        return
    from confluence_mcp.http_app import create_http_app

    await serve_http(create_http_app(mcp, settings), settings)


async def serve_http(
    app: Starlette, settings: Settings, *, sockets: list[socket.socket] | None = None
) -> None:
    """Run ``app`` under uvicorn on ``settings.host:settings.port`` (or pre-bound sockets).

    uvicorn's access log is off: it prints full request lines, query strings included.
    """
    import uvicorn

    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        lifespan="on",
        access_log=False,
        log_level="warning",
        timeout_graceful_shutdown=2,
        ws="none",
    )
    await uvicorn.Server(config).serve(sockets=sockets)


def endpoint_urls(settings: Settings, port: int | None = None) -> list[str]:
    """Human-readable URLs of the MCP endpoints the settings serve (for start-up messages)."""
    host = settings.host if ":" not in settings.host else f"[{settings.host}]"
    base = f"http://{host}:{port or settings.port}"
    if settings.transport == "sse":
        return [f"{base}/sse (legacy SSE)"]
    urls = [f"{base}{settings.streamable_http_path} (Streamable HTTP)"]
    if settings.legacy_sse:
        urls.append(f"{base}/sse (legacy SSE)")
    return urls
