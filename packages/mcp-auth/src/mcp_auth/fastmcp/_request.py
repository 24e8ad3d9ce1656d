"""What the audit log learns about an HTTP request, read once from the ASGI scope.

The request context is stored in the ASGI scope as well as bound to the contextvar, because
FastMCP runs tool calls in its session task, not in the task that received the HTTP request:
the middleware finds the context again through the request FastMCP hands to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from starlette.types import Scope

from mcp_auth._context import RequestContext, new_request_id
from mcp_auth._query_credentials import query_carries_credential

__all__ = [
    "REQUEST_CONTEXT_KEY",
    "request_context_from_scope",
    "header",
    "has_bearer_credentials",
    "has_query_token",
    "route_path",
]

REQUEST_CONTEXT_KEY = "mcp_auth.request_context"
"""ASGI scope key under which the request's `RequestContext` is kept."""

# A caller-supplied request id is logged verbatim, so only accept a conservative shape:
# anything else (newlines for log injection, a pasted token) is replaced by a fresh id.
_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/+=-]{0,127}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_USER_AGENT_LIMIT = 512


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of header `name` (lower-case bytes), decoded as latin-1."""
    headers: Iterable[tuple[bytes, bytes]] = scope.get("headers") or ()
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def has_bearer_credentials(scope: Scope) -> bool:
    """True when an `Authorization: Bearer ...` header is present (as FastMCP checks it)."""
    value = header(scope, b"authorization")
    return value is not None and value[:7].lower() == "bearer "


def has_query_token(scope: Scope) -> bool:
    """True when the query string carries a credential (see `query_carries_credential`)."""
    raw: bytes = scope.get("query_string") or b""
    return query_carries_credential(raw)


def route_path(scope: Scope) -> str:
    """The request path relative to the app's mount point, as Starlette routes it."""
    path: str = scope.get("path", "")
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    return path or "/"


def request_context_from_scope(
    scope: Scope, *, request_id_header: bytes = b"x-request-id"
) -> RequestContext:
    """The request's context, built on first use and then kept in the scope."""
    existing = scope.get(REQUEST_CONTEXT_KEY)
    if isinstance(existing, RequestContext):
        return existing
    supplied = header(scope, request_id_header)
    request_id = (
        supplied if supplied is not None and _REQUEST_ID.fullmatch(supplied) else new_request_id()
    )
    user_agent = header(scope, b"user-agent")
    if user_agent is not None:
        user_agent = _CONTROL.sub("", user_agent)[:_USER_AGENT_LIMIT] or None
    client = scope.get("client")
    remote_addr = str(client[0]) if client else None
    context = RequestContext(request_id=request_id, remote_addr=remote_addr, user_agent=user_agent)
    scope[REQUEST_CONTEXT_KEY] = context
    return context
