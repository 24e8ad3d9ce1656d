"""Per-request context the audit log picks up without threading it through every call.

The transport layer (for example `mcp_auth.fastmcp`) binds a `RequestContext` when a request
arrives; every audit event emitted while handling it carries the request id, the remote
address and the user agent. A server that acts upstream with a per-principal credential binds
the upstream account (`bind_upstream_account`) so that events also name who acted upstream.
The active OpenTelemetry trace id is read when `opentelemetry-api` is importable and a span
is recording; OpenTelemetry is never a hard dependency.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass
from types import ModuleType

__all__ = [
    "RequestContext",
    "bind_request_context",
    "bind_upstream_account",
    "current_upstream_account",
    "current_request_context",
    "new_request_id",
    "reset_request_context",
    "set_request_context",
    "current_trace_ids",
]


@dataclass(frozen=True, slots=True)
class RequestContext:
    """What the audit log records about the request being handled (never credentials)."""

    request_id: str | None = None
    remote_addr: str | None = None
    user_agent: str | None = None


_request_context: ContextVar[RequestContext | None] = ContextVar(
    "mcp_auth_request_context", default=None
)


def new_request_id() -> str:
    """A fresh random request id (32 hex characters)."""
    # 128 random bits, as uuid4 has (bar its version bits), without building a UUID object:
    # about a sixth of uuid4()'s cost, paid on every HTTP request.
    return os.urandom(16).hex()


def current_request_context() -> RequestContext | None:
    """The context bound for the current task, or None outside a request."""
    return _request_context.get()


def set_request_context(context: RequestContext) -> Token[RequestContext | None]:
    """Bind `context` for the current task; pass the returned token to `reset_request_context`."""
    return _request_context.set(context)


def reset_request_context(token: Token[RequestContext | None]) -> None:
    """Restore the context that was bound before `set_request_context` returned `token`."""
    _request_context.reset(token)


@contextmanager
def bind_request_context(
    request_id: str | None = None,
    remote_addr: str | None = None,
    user_agent: str | None = None,
) -> Iterator[RequestContext]:
    """Bind a request context for the duration of a `with` block (a request id is generated
    when none is given)."""
    context = RequestContext(
        request_id=request_id or new_request_id(),
        remote_addr=remote_addr,
        user_agent=user_agent,
    )
    token = _request_context.set(context)
    try:
        yield context
    finally:
        _request_context.reset(token)


_upstream_account: ContextVar[str | None] = ContextVar("mcp_auth_upstream_account", default=None)


def current_upstream_account() -> str | None:
    """The upstream account bound for the current task (see `bind_upstream_account`)."""
    return _upstream_account.get()


@contextmanager
def bind_upstream_account(account: str | None) -> Iterator[None]:
    """While the block runs, audit events name `account` as the upstream identity used (an
    account id or email, never a credential)."""
    token = _upstream_account.set(account)
    try:
        yield
    finally:
        _upstream_account.reset(token)


_UNRESOLVED = object()
_otel_trace: ModuleType | object | None = _UNRESOLVED


def _load_otel_trace() -> ModuleType | None:
    # Import once, lazily: most users never install OpenTelemetry, and those who do should
    # not pay for the import unless an audit event is actually written.
    global _otel_trace
    if _otel_trace is _UNRESOLVED:
        try:
            from opentelemetry import trace
        except ImportError:  # pragma: no cover - OpenTelemetry is installed in the dev group
            _otel_trace = None
        else:
            _otel_trace = trace
    return _otel_trace if isinstance(_otel_trace, ModuleType) else None


def current_trace_ids() -> tuple[str | None, str | None]:
    """(trace id, span id) of the active OpenTelemetry span in W3C hex form, or (None, None)."""
    trace = _load_otel_trace()
    if trace is None:
        return None, None
    span_context = trace.get_current_span().get_span_context()
    if not span_context.is_valid:
        return None, None
    return f"{span_context.trace_id:032x}", f"{span_context.span_id:016x}"
