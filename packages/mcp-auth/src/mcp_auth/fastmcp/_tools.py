"""Finding a tool's tags, which the scope policy needs beside the tool's name."""

from __future__ import annotations

import logging

from fastmcp import FastMCP

__all__ = ["tool_tags", "server_of_app"]

_log = logging.getLogger("mcp_auth.fastmcp")


def server_of_app(app: object) -> FastMCP | None:
    """The FastMCP server behind a Starlette app built by `FastMCP.http_app()`, if any."""
    state = getattr(app, "state", None)
    server = getattr(state, "fastmcp_server", None)
    return server if isinstance(server, FastMCP) else None


async def tool_tags(server_or_app: object, name: str) -> frozenset[str] | None:
    """The tags of tool `name`, or None when the tool is unknown or hidden from the caller.

    Accepts a FastMCP server or the Starlette app FastMCP built (as found in an ASGI
    scope's `app`); None as well when there is no server to ask, since judging by the name
    alone could contradict a tag rule.
    """
    server = server_or_app if isinstance(server_or_app, FastMCP) else server_of_app(server_or_app)
    if server is None:
        return None
    try:
        tool = await server.get_tool(name)
    except Exception as error:
        # An invalid name or a provider failure: let FastMCP report it to the caller.
        _log.debug("tool lookup for %r failed: %s", name, type(error).__name__)
        return None
    if tool is None:
        return None
    return frozenset(tool.tags)
