"""Space-scoped endpoints: ``<MCP path>/spaces/{KEY}`` serves the same server, one space.

The request is routed to the ordinary MCP endpoint with the key recorded in the request's
state (``scope["state"]["confluence_space"]``); :mod:`confluence_mcp.scoping` reads it to
narrow the space guard, hide space parameters and fill them in server-side. Nothing a client
sends can widen the scope: the key comes from the URL the server was reached at.
"""

from __future__ import annotations

import re

from starlette.types import Scope

__all__ = ["SPACE_STATE_KEY", "scope_to_space"]

SPACE_STATE_KEY = "confluence_space"
_KEY = r"(~?[A-Za-z0-9_.-]{1,255})"


def scope_to_space(scope: Scope, mcp_path: str) -> Scope:
    """``scope`` rewritten to the MCP path when it asks for ``<mcp_path>/spaces/{KEY}``."""
    if scope["type"] != "http":
        return scope
    base = mcp_path.rstrip("/")
    match = re.fullmatch(re.escape(base) + r"/spaces/" + _KEY + r"/?", scope["path"])
    if match is None:
        return scope
    state = dict(scope.get("state") or {})
    state[SPACE_STATE_KEY] = match.group(1).upper()
    return {**scope, "path": mcp_path, "raw_path": mcp_path.encode(), "state": state}
