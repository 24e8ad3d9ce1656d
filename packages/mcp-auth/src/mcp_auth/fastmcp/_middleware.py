"""`ScopeMiddleware`: the scope policy and the `tool.call` audit trail inside FastMCP."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import mcp_types as mt
from fastmcp import FastMCP
from fastmcp.exceptions import AuthorizationError as FastMCPAuthorizationError
from fastmcp.exceptions import InsufficientScopeError
from fastmcp.prompts.base import Prompt, PromptResult
from fastmcp.resources.base import Resource
from fastmcp.resources.template import ResourceTemplate
from fastmcp.server.dependencies import get_access_token, get_http_request
from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext
from fastmcp.tools.base import Tool, ToolResult
from fastmcp.utilities.components import FastMCPComponent

from mcp_auth._audit import AuditLogger
from mcp_auth._context import reset_request_context, set_request_context
from mcp_auth._errors import AuthorizationError
from mcp_auth._principal import Principal
from mcp_auth._scopes import ScopePolicy
from mcp_auth.fastmcp._access import principal_from_access_token
from mcp_auth.fastmcp._components import prompt_target, resource_target, tool_tags
from mcp_auth.fastmcp._request import request_context_from_scope

__all__ = ["ScopeMiddleware"]

_HTTP_TRANSPORTS = frozenset({"streamable-http", "sse"})
_C = TypeVar("_C", bound=FastMCPComponent)


class ScopeMiddleware(Middleware):
    """Enforces a `ScopePolicy` on tools, prompts and resources, and audits every tool call.

    - A tool call whose caller lacks the tool's required scopes (by name and tags) is
      refused with a tool error naming the missing scopes (FastMCP's
      `InsufficientScopeError`), and audited as `authz.denied` plus `tool.call` with outcome
      `denied`. On streamable HTTP `MCPAuthProvider` usually refuses such a call earlier
      with HTTP 403; this is the backstop for every other path (legacy SSE, batches,
      providers without the gate).
    - `prompts/get` and `resources/read` are judged the same way (the policy sees the
      prompt's or resource's name and tags) and refused with an MCP error plus `authz.denied`.
    - `completion/complete` is judged by the prompt or resource template it completes (its
      suggestions are reads of it): a refused caller gets no candidates, plus `authz.denied`.
    - Every tool call writes `tool.call`: tool name, outcome (`success`, `error` or
      `denied`), duration, and argument names with their JSON sizes, never their values.
    - With `hide_forbidden` (the default), the list methods (`tools/list`, `prompts/list`,
      `resources/list`, `resources/templates/list`) leave out what the caller cannot use,
      judged by the same policy. Calling a hidden tool is still refused the usual way (HTTP
      403 `insufficient_scope` naming the scope to request, or the tool error), so a client
      can step up. Pass `hide_forbidden=False` to list everything.

    The policy applies to HTTP transports only. Over stdio (and in-memory clients) there is
    no bearer token: the process trusts whoever started it, as FastMCP's own
    `AuthMiddleware` does. Without a `policy` the middleware only audits.
    """

    def __init__(
        self,
        policy: ScopePolicy | None = None,
        *,
        audit: AuditLogger | None = None,
        hide_forbidden: bool = True,
    ) -> None:
        self.policy = policy
        self.audit = audit
        self.hide_forbidden = hide_forbidden

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
            if self._enforced(context):
                server = _server(context)
                if server is None:
                    # FastMCP always passes its context; without it nothing can be judged.
                    self._audit_call(principal, name, "denied", started, arguments)
                    raise FastMCPAuthorizationError(
                        f"cannot authorize tool {name!r}: no server context"
                    )
                refusal = self._refusal(scopes, name, await tool_tags(server, name))
                if refusal is not None:
                    self._audit_denied(principal, refusal)
                    self._audit_call(principal, name, "denied", started, arguments)
                    raise _as_fastmcp_error(refusal)
            try:
                result = await call_next(context)
            except Exception as error:
                self._audit_call(principal, name, "error", started, arguments, type(error).__name__)
                raise
            outcome = "error" if result.is_error else "success"
            self._audit_call(principal, name, outcome, started, arguments)
            return result

    async def on_get_prompt(
        self,
        context: MiddlewareContext[mt.GetPromptRequestParams],
        call_next: CallNext[mt.GetPromptRequestParams, PromptResult],
    ) -> PromptResult:
        """Check the policy before a prompt is rendered."""
        server = _server(context)
        if self._enforced(context) and server is not None:
            await self._judge(await prompt_target(server, context.message.name))
        return await call_next(context)

    async def check_resource_access(
        self, context: MiddlewareContext[mt.ReadResourceRequestParams]
    ) -> None:
        """Check the policy before a resource is read (FastMCP's hook for resource policy)."""
        server = _server(context)
        if self._enforced(context) and server is not None:
            await self._judge(await resource_target(server, str(context.message.uri)))

    async def on_request(
        self,
        context: MiddlewareContext[Any],
        call_next: CallNext[Any, Any],
    ) -> Any:
        """Blank `completion/complete` answers for a reference the caller may not use."""
        if context.method != "completion/complete" or not self._enforced(context):
            return await call_next(context)
        server = _server(context)
        target = None if server is None else await _completion_target(server, context.message)
        try:
            await self._judge(target)
        except InsufficientScopeError as refusal:
            result = await call_next(context)
            if not isinstance(result, Mapping):
                raise refusal from None  # unknown envelope: fail closed
            # The envelope differs by protocol era: keep it, drop only the candidates.
            return {**result, "completion": {"values": []}}
        return await call_next(context)

    async def on_list_tools(
        self,
        context: MiddlewareContext[mt.ListToolsRequest],
        call_next: CallNext[mt.ListToolsRequest, Sequence[Tool]],
    ) -> Sequence[Tool]:
        """Leave out the tools the caller cannot call (unless `hide_forbidden` is off)."""
        return self._visible(context, await call_next(context))

    async def on_list_prompts(
        self,
        context: MiddlewareContext[mt.ListPromptsRequest],
        call_next: CallNext[mt.ListPromptsRequest, Sequence[Prompt]],
    ) -> Sequence[Prompt]:
        """Leave out the prompts the caller cannot get (unless `hide_forbidden` is off)."""
        return self._visible(context, await call_next(context))

    async def on_list_resources(
        self,
        context: MiddlewareContext[mt.ListResourcesRequest],
        call_next: CallNext[mt.ListResourcesRequest, Sequence[Resource]],
    ) -> Sequence[Resource]:
        """Leave out the resources the caller cannot read (unless `hide_forbidden` is off)."""
        return self._visible(context, await call_next(context))

    async def on_list_resource_templates(
        self,
        context: MiddlewareContext[mt.ListResourceTemplatesRequest],
        call_next: CallNext[mt.ListResourceTemplatesRequest, Sequence[ResourceTemplate]],
    ) -> Sequence[ResourceTemplate]:
        """Leave out the templates the caller cannot read (unless `hide_forbidden` is off)."""
        return self._visible(context, await call_next(context))

    def _enforced(self, context: MiddlewareContext[Any]) -> bool:
        return self.policy is not None and _is_http(context)

    def _visible(self, context: MiddlewareContext[Any], components: Sequence[_C]) -> Sequence[_C]:
        if not self.hide_forbidden or self.policy is None or not _is_http(context):
            return components
        _, scopes = _caller()
        policy = self.policy
        return [c for c in components if policy.allows(scopes, c.name, c.tags)]

    def _refusal(
        self, scopes: frozenset[str], name: str, tags: frozenset[str] | None
    ) -> AuthorizationError | None:
        if self.policy is None or tags is None:
            # No policy, or an unknown component: FastMCP answers "not found" itself.
            return None
        decision = self.policy.evaluate(scopes, name, tags)
        if decision.allowed:
            return None
        return AuthorizationError(
            decision.missing, operation=name, required_scopes=decision.required
        )

    async def _judge(self, target: tuple[str, frozenset[str]] | None) -> None:
        if target is None:
            return
        with _request_context_bound():
            principal, scopes = _caller()
            refusal = self._refusal(scopes, *target)
            if refusal is not None:
                self._audit_denied(principal, refusal)
                raise _as_fastmcp_error(refusal)

    def _audit_denied(self, principal: Principal | None, refusal: AuthorizationError) -> None:
        if self.audit is not None:
            self.audit.authz_denied(
                principal,
                refusal.operation or "",
                refusal.missing_scopes,
                required_scopes=refusal.required_scopes,
            )

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


def _as_fastmcp_error(refusal: AuthorizationError) -> InsufficientScopeError:
    return InsufficientScopeError(list(refusal.missing_scopes), message=refusal.message)


def _server(context: MiddlewareContext[Any]) -> FastMCP | None:
    return context.fastmcp_context.fastmcp if context.fastmcp_context is not None else None


async def _completion_target(server: FastMCP, message: object) -> tuple[str, frozenset[str]] | None:
    """(name, tags) of the prompt or resource template a completion request refers to."""
    ref = message.get("ref") if isinstance(message, Mapping) else getattr(message, "ref", None)
    if isinstance(ref, Mapping):
        kind, name, uri = ref.get("type"), ref.get("name"), ref.get("uri")
    else:
        kind, name, uri = (getattr(ref, field, None) for field in ("type", "name", "uri"))
    if kind == "ref/prompt" and isinstance(name, str):
        return await prompt_target(server, name)
    if kind == "ref/resource" and isinstance(uri, str):
        return await resource_target(server, uri)
    return None


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
