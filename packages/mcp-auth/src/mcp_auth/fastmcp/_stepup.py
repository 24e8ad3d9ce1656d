"""HTTP 403 `insufficient_scope` for a `tools/call` the caller lacks scopes for.

FastMCP middleware runs inside the MCP session, after the HTTP status of the answer is
settled, so it can only refuse a tool call with a tool error. The MCP authorization spec asks
for more: HTTP 403 with `WWW-Authenticate: Bearer error="insufficient_scope", scope="..."`, so
that a client can step up (re-authorize for the named scopes) and retry. On the streamable
HTTP transport each JSON-RPC request is its own POST, so this ASGI gate can read the request
before FastMCP does and answer the 403 itself. The body of the 403 is a JSON-RPC error for
the request's id: MCP clients surface it as the call's error, with the missing scopes in
`error.data`.

Only single requests are gated; a JSON-RPC batch, a body over `max_body_bytes` and every
other transport pass through, and the scope middleware refuses those calls as tool errors.
"""

from __future__ import annotations

import json
import time
from typing import Any, Protocol

from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mcp_auth._audit import AuditLogger
from mcp_auth._scopes import ScopePolicy
from mcp_auth.fastmcp._access import principal_from_access_token
from mcp_auth.fastmcp._components import tool_tags
from mcp_auth.fastmcp._metadata import bearer_challenge
from mcp_auth.fastmcp._request import route_path

__all__ = ["INSUFFICIENT_SCOPE_ERROR_CODE", "InsufficientScopeGate", "ProtectedResource"]

INSUFFICIENT_SCOPE_ERROR_CODE = -32003
"""JSON-RPC error code of a tool call refused for missing scopes (implementation-defined
server error range; the HTTP status and `error.data.error` carry the standard meaning)."""

_DEFAULT_MAX_BODY = 1024 * 1024


class ProtectedResource(Protocol):
    """Where the gate learns the endpoint paths and metadata URL; FastMCP tells the auth
    provider the MCP path only after it has asked for the middleware, so both are read
    per request."""

    @property
    def protected_paths(self) -> frozenset[str]: ...

    @property
    def resource_metadata_url(self) -> str | None: ...


class InsufficientScopeGate:
    """Pure ASGI middleware answering 403 to an under-scoped `tools/call` POST."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        policy: ScopePolicy,
        provider: ProtectedResource,
        audit: AuditLogger | None = None,
        max_body_bytes: int = _DEFAULT_MAX_BODY,
    ) -> None:
        self.app = app
        self.policy = policy
        self.provider = provider
        self.audit = audit
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        user = scope.get("user") if scope["type"] == "http" else None
        if (
            not isinstance(user, AuthenticatedUser)
            or scope.get("method") != "POST"
            or (route_path(scope).rstrip("/") or "/") not in self.provider.protected_paths
        ):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        body, messages, complete = await self._read_body(receive)
        replay = _replaying(messages, receive)
        request = _single_tool_call(body) if complete else None
        principal = principal_from_access_token(user.access_token)
        if request is None or principal is None:
            await self.app(scope, replay, send)
            return
        request_id, name, arguments, well_formed = request
        tags = await tool_tags(scope.get("app"), name)
        if tags is None:
            # Unknown (or hidden) tool: FastMCP answers that, without our help.
            await self.app(scope, replay, send)
            return
        decision = self.policy.evaluate(principal, name, tags)
        if decision.allowed:
            await self.app(scope, replay, send)
            return
        if self.audit is not None:
            self.audit.authz_denied(
                principal, name, decision.missing, required_scopes=decision.required
            )
            self.audit.tool_call(
                principal,
                name,
                outcome="denied",
                duration_ms=(time.perf_counter() - started) * 1000,
                arguments=arguments,
            )
        if not well_formed:
            # Audited above, then answered like any malformed body: by the MCP app (400).
            await self.app(scope, replay, send)
            return
        await self._refuse(send, request_id, name, decision.required, decision.missing)

    async def _read_body(self, receive: Receive) -> tuple[bytes, list[Message], bool]:
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                return b"", messages, False
            size += len(message.get("body", b""))
            if size > self.max_body_bytes:
                return b"", messages, False
            if not message.get("more_body", False):
                body = b"".join(m.get("body", b"") for m in messages)
                return body, messages, True

    async def _refuse(
        self,
        send: Send,
        request_id: str | int,
        tool: str,
        required: frozenset[str],
        missing: frozenset[str],
    ) -> None:
        missing_text = " ".join(sorted(missing))
        message = f"insufficient scope for tool {tool!r}: missing {missing_text}"
        payload = json.dumps(
            {
                "jsonrpc": "2.0",
                "id": request_id,
                "error": {
                    "code": INSUFFICIENT_SCOPE_ERROR_CODE,
                    "message": message,
                    "data": {
                        "error": "insufficient_scope",
                        "tool": tool,
                        "required_scopes": sorted(required),
                        "missing_scopes": sorted(missing),
                    },
                },
            }
        ).encode()
        challenge = bearer_challenge(
            error="insufficient_scope",
            description=f"missing scopes: {missing_text}",
            scopes=required,
            resource_metadata=self.provider.resource_metadata_url,
        )
        await send(
            {
                "type": "http.response.start",
                "status": 403,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode()),
                    (b"www-authenticate", challenge.encode("latin-1")),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})


def _replaying(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


def _single_tool_call(body: bytes) -> tuple[str | int, str, dict[str, Any], bool] | None:
    """(id, tool name, arguments, well formed) of a single JSON-RPC `tools/call`, else None.

    Not well formed: Python's JSON parser accepted it, but it holds a lone surrogate
    escape, which the MCP app refuses as a parse error.
    """
    try:
        message = json.loads(body)
    except ValueError:
        return None
    if not isinstance(message, dict) or message.get("method") != "tools/call":
        return None
    request_id = message.get("id")
    params = message.get("params")
    if isinstance(request_id, bool) or not isinstance(request_id, (str, int)):
        return None
    if not isinstance(params, dict) or not isinstance(params.get("name"), str):
        return None
    arguments = params.get("arguments")
    try:
        json.dumps(message, ensure_ascii=False).encode("utf-8")
        well_formed = True
    except UnicodeEncodeError:
        well_formed = False
    return (
        request_id,
        params["name"],
        arguments if isinstance(arguments, dict) else {},
        well_formed,
    )
