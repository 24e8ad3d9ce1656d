"""`ScopeMiddleware`: the scope policy and the `tool.call` audit trail inside FastMCP."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import mcp_types as mt
from fastmcp.exceptions import InsufficientScopeError
from fastmcp.server.dependencies import get_access_token, get_http_request
from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext
from fastmcp.tools.base import Tool, ToolResult

from mcp_auth._audit import AuditLogger
from mcp_auth._context import reset_request_context, set_request_context
from mcp_auth._errors import AuthorizationError
from mcp_auth._principal import Principal
from mcp_auth._scopes import ScopePolicy
from mcp_auth.fastmcp._access import principal_from_access_token
from mcp_auth.fastmcp._request import request_context_from_scope
from mcp_auth.fastmcp._tools import tool_tags

__all__ = ["ScopeMiddleware"]

_HTTP_TRANSPORTS = frozenset({"streamable-http", "sse"})


class ScopeMiddleware(Middleware):
    """Enforces a `ScopePolicy` on every tool call and audits every tool call.

    - A call whose caller lacks the tool's required scopes (by name and tags) is refused
      with a tool error naming the missing scopes (FastMCP's `InsufficientScopeError`), and
      audited as `authz.denied` plus `tool.call` with outcome `denied`. On streamable HTTP
      `MCPAuthProvider` usually refuses such a call earlier with HTTP 403; this is the
      backstop for every other path (legacy SSE, batches, providers without the gate).
    - Every call writes `tool.call`: tool name, outcome (`success`, `error` or `denied`),
      duration, and argument names with their JSON sizes, never their values.
    - With `hide_forbidden_tools`, `tools/list` leaves out tools the caller cannot call.
      Off by default: a listed tool tells a client which scopes to step up for.

    The policy applies to HTTP transports only. Over stdio (and in-memory clients) there is
    no bearer token: the process trusts whoever started it, as FastMCP's own
    `AuthMiddleware` does. Without a `policy` the middleware only audits.
    """

    def __init__(
        self,
        policy: ScopePolicy | None = None,
        *,
        audit: AuditLogger | None = None,
        hide_forbidden_tools: bool = False,
    ) -> None:
        self.policy = policy
        self.audit = audit
        self.hide_forbidden_tools = hide_forbidden_tools

    async def on_call_tool(
        self,
        context: MiddlewareContext[mt.CallToolRequestParams],
        call_next: CallNext[mt.CallToolRequestParams, ToolResult],
    ) -> ToolResult:
        """Check the policy, run the tool, audit the outcome."""
        started = time.perf_counter()
        name = context.message.name
        arguments: dict[str, Any] = dict(context.message.arguments or {})
        with _request_context_bound():
            principal, scopes = _caller()
            if self.policy is not None and _is_http(context):
                fastmcp = context.fastmcp_context.fastmcp if context.fastmcp_context else None
                tags = await tool_tags(fastmcp, name)
                if tags is not None:
                    decision = self.policy.evaluate(scopes, name, tags)
                    if not decision.allowed:
                        refusal = AuthorizationError(
                            decision.missing, operation=name, required_scopes=decision.required
                        )
                        self._audit_denied(principal, refusal, started, arguments)
                        raise InsufficientScopeError(
                            list(refusal.missing_scopes), message=refusal.message
                        ) from None
            try:
                result = await call_next(context)
            except Exception as error:
                self._audit_call(principal, name, "error", started, arguments, type(error).__name__)
                raise
            self._audit_call(
                principal, name, "error" if result.is_error else "success", started, arguments
            )
            return result

    async def on_list_tools(
        self,
        context: MiddlewareContext[mt.ListToolsRequest],
        call_next: CallNext[mt.ListToolsRequest, Sequence[Tool]],
    ) -> Sequence[Tool]:
        """Leave out the tools the caller cannot call, when asked to."""
        tools = await call_next(context)
        if not self.hide_forbidden_tools or self.policy is None or not _is_http(context):
            return tools
        _, scopes = _caller()
        policy = self.policy
        return [tool for tool in tools if policy.allows(scopes, tool.name, tool.tags)]

    def _audit_denied(
        self,
        principal: Principal | None,
        refusal: AuthorizationError,
        started: float,
        arguments: dict[str, Any],
    ) -> None:
        if self.audit is None:
            return
        operation = refusal.operation or ""
        self.audit.authz_denied(
            principal,
            operation,
            refusal.missing_scopes,
            required_scopes=refusal.required_scopes,
        )
        self._audit_call(principal, operation, "denied", started, arguments)

    def _audit_call(
        self,
        principal: Principal | None,
        tool: str,
        outcome: str,
        started: float,
        arguments: dict[str, Any],
        error_type: str | None = None,
    ) -> None:
        if self.audit is None:
            return
        self.audit.tool_call(
            principal,
            tool,
            outcome=outcome,
            duration_ms=(time.perf_counter() - started) * 1000,
            arguments=arguments,
            error_type=error_type,
        )


def _caller() -> tuple[Principal | None, frozenset[str]]:
    """The caller's principal (when our verifier made the token) and granted scopes."""
    access_token = get_access_token()
    if access_token is None:
        return None, frozenset()
    principal = principal_from_access_token(access_token)
    if principal is not None:
        return principal, principal.scopes
    # A token from another FastMCP verifier: its scopes still count.
    return None, frozenset(access_token.scopes)


def _is_http(context: MiddlewareContext[Any]) -> bool:
    transport = context.fastmcp_context.transport if context.fastmcp_context else None
    if transport is not None:
        return transport in _HTTP_TRANSPORTS
    # No transport recorded: judge by whether an HTTP request is being served.
    try:
        get_http_request()
    except RuntimeError:
        return False
    return True


@contextmanager
def _request_context_bound() -> Iterator[None]:
    """Bind the HTTP request's audit context in FastMCP's session task, if there is one."""
    try:
        request = get_http_request()
    except RuntimeError:
        yield
        return
    token = set_request_context(request_context_from_scope(request.scope))
    try:
        yield
    finally:
        reset_request_context(token)
