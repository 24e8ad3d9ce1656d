"""Finding a component's name and tags, which the scope policy judges by."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastmcp import FastMCP

__all__ = ["server_of_app", "tool_tags", "prompt_target", "resource_target"]

_log = logging.getLogger("mcp_auth.fastmcp")

Target = tuple[str, frozenset[str]]
"""(operation name for the policy, tags) of a component."""


def server_of_app(app: object) -> FastMCP | None:
    """The FastMCP server behind a Starlette app built by `FastMCP.http_app()`, if any."""
    state = getattr(app, "state", None)
    server = getattr(state, "fastmcp_server", None)
    return server if isinstance(server, FastMCP) else None


async def _lookup(
    kind: str, key: str, *finders: Callable[[str], Awaitable[Any]]
) -> tuple[str, frozenset[str]] | None:
    for find in finders:
        try:
            component = await find(key)
        except Exception as error:
            # An invalid key or a provider failure: let FastMCP report it to the caller.
            _log.debug("%s lookup for %r failed: %s", kind, key, type(error).__name__)
            return None
        if component is not None:
            return str(component.name), frozenset(component.tags)
    return None


async def tool_tags(server_or_app: object, name: str) -> frozenset[str] | None:
    """The tags of tool `name`, or None when the tool is unknown or hidden from the caller.

    Accepts a FastMCP server or the Starlette app FastMCP built (as found in an ASGI
    scope's `app`); None as well when there is no server to ask, since judging by the name
    alone could contradict a tag rule.
    """
    server = server_or_app if isinstance(server_or_app, FastMCP) else server_of_app(server_or_app)
    if server is None:
        return None
    found = await _lookup("tool", name, server.get_tool)
    return None if found is None else found[1]


async def prompt_target(server: FastMCP, name: str) -> Target | None:
    """(name, tags) of prompt `name`, or None when unknown."""
    return await _lookup("prompt", name, server.get_prompt)


async def resource_target(server: FastMCP, uri: str) -> Target | None:
    """(name, tags) of the resource or resource template serving `uri`, or None."""
    return await _lookup("resource", uri, server.get_resource, server.get_resource_template)
