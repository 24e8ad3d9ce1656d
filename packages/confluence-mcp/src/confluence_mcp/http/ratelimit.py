"""Inbound rate limits with the ``limits`` library: per client IP, then per principal.

The per-IP limit (``MCP_IP_RATE_LIMIT``) runs before authentication, so a flood of bad
tokens is cut off before any verifier (or introspection endpoint) is called. The
per-principal limit (``MCP_RATE_LIMIT``) runs right after authentication, keyed on who the
token belongs to. A refused request gets 429 with ``Retry-After`` (whole seconds) and writes
a ``rate_limit.exceeded`` audit event; a refused ``tools/call`` is answered instead with the
tool's error result saying when to retry, since clients swallow a 429 and the model never
sees it. Counters live where ``MCP_RATE_LIMIT_STORAGE`` says
(:mod:`confluence_mcp.http.limit_storage`): in the process, or in Redis shared by every
replica.
"""

from __future__ import annotations

import logging
import math
import time
from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Receive, Scope, Send

from confluence_mcp.http.limit_storage import storage_errors
from confluence_mcp.http.responses import (
    is_modern_request,
    read_tools_call_id,
    send_json,
    send_tool_error,
)

if TYPE_CHECKING:
    from limits import RateLimitItem
    from limits.aio.storage import Storage

    from confluence_mcp.remote.metrics import MetricsRecorder
    from mcp_auth import AuditLogger, Principal

__all__ = [
    "IPRateLimitMiddleware",
    "PrincipalRateLimitMiddleware",
    "RateLimiter",
    "principal_key",
    "scope_principal",
]


_LOG = logging.getLogger("confluence_mcp.remote")
# Every key this server writes starts with it: a Redis shared with other services (or other
# deployments of this one, with their own MCP_RATE_LIMIT_STORAGE database) stays apart.
_NAMESPACE = "confluence-mcp"


class RateLimiter:
    """A moving-window limiter for one rate expression, e.g. ``"120/minute"``.

    ``storage`` is a ``limits`` asynchronous storage (default: this process's memory). When a
    shared storage fails (Redis down or slow), requests are let through and the failure is
    logged: the limit protects Confluence, it must not take the service down with Redis.
    """

    def __init__(self, rate: str, storage: Storage | None = None) -> None:
        # Here, not at the top: the access log and session limits import this module for
        # its principal helpers, and a server with both limits off never loads ``limits``.
        from limits import parse_many
        from limits.aio.storage import MemoryStorage
        from limits.aio.strategies import MovingWindowRateLimiter

        self.rate = rate
        self._items: list[RateLimitItem] = parse_many(rate)
        self._storage = storage if storage is not None else MemoryStorage()
        self._limiter = MovingWindowRateLimiter(self._storage)
        shared = not isinstance(self._storage, MemoryStorage)
        self._unavailable = storage_errors(self._storage) if shared else ()

    async def hit(self, key: str) -> float | None:
        """Count one request for ``key``; None when allowed, else seconds until a retry fits."""
        try:
            return await self._hit(key)
        except self._unavailable as exc:
            _LOG.warning(
                "rate-limit storage unavailable, request let through: %s", type(exc).__name__
            )
            return None

    async def _hit(self, key: str) -> float | None:
        refused = [
            item for item in self._items if not await self._limiter.hit(item, _NAMESPACE, key)
        ]
        if not refused:
            return None
        now = time.time()
        waits = [
            (await self._limiter.get_window_stats(item, _NAMESPACE, key)).reset_time - now
            for item in refused
        ]
        return max(1.0, math.ceil(max(waits)))


def principal_key(principal: Principal) -> str:
    """The rate-limit bucket of a principal: its method, subject and client id."""
    return f"{principal.auth_method.value}:{principal.subject}:{principal.client_id or ''}"


def scope_principal(scope: Scope) -> Principal | None:
    """The principal FastMCP's authentication put in the ASGI scope, if any."""
    from mcp_auth.fastmcp import principal_from_access_token

    user = scope.get("user")
    access_token = getattr(user, "access_token", None)
    if access_token is None:
        return None
    return principal_from_access_token(access_token)


def _record(
    retry_after: float,
    limiter: RateLimiter,
    *,
    principal: Principal | None,
    kind: str,
    audit: AuditLogger | None,
    metrics: MetricsRecorder | None,
) -> int:
    seconds = int(retry_after)
    if audit is not None:
        audit.rate_limit_exceeded(principal, limit=f"{kind} {limiter.rate}", retry_after=seconds)
    if metrics is not None:
        metrics.rate_limited(kind, principal.subject if principal else None)
    return seconds


async def _refuse_tool_call(
    send: Send,
    request_id: str | int,
    retry_after: float,
    limiter: RateLimiter,
    *,
    principal: Principal,
    audit: AuditLogger | None,
    metrics: MetricsRecorder | None,
    modern: bool,
) -> None:
    """The tool's error result (200): the model reads it and can wait before retrying."""
    seconds = _record(
        retry_after, limiter, principal=principal, kind="principal", audit=audit, metrics=metrics
    )
    text = (
        f"Rate limit exceeded for this caller ({limiter.rate}): retry after {seconds} "
        f"second{'s' if seconds != 1 else ''}. Nothing was done."
    )
    await send_tool_error(
        send,
        request_id,
        text,
        meta={"retry_after": seconds},
        headers=[(b"retry-after", str(seconds).encode())],
        modern=modern,
    )


async def _refuse(
    send: Send,
    retry_after: float,
    limiter: RateLimiter,
    *,
    principal: Principal | None,
    kind: str,
    audit: AuditLogger | None,
    metrics: MetricsRecorder | None,
) -> None:
    seconds = _record(
        retry_after, limiter, principal=principal, kind=kind, audit=audit, metrics=metrics
    )
    await send_json(
        send,
        429,
        {
            "error": "rate_limited",
            "error_description": f"too many requests; retry after {seconds} s",
        },
        [(b"retry-after", str(seconds).encode())],
    )


class IPRateLimitMiddleware:
    """Per client IP, before authentication (health paths are exempt: probes must not be
    starved by a flood)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limiter: RateLimiter,
        audit: AuditLogger | None = None,
        metrics: MetricsRecorder | None = None,
        exempt_paths: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.audit = audit
        self.metrics = metrics
        self.exempt_paths = exempt_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path") not in self.exempt_paths:
            client = scope.get("client")
            address = str(client[0]) if client else "unknown"
            retry_after = await self.limiter.hit(f"ip:{address}")
            if retry_after is not None:
                await _refuse(
                    send,
                    retry_after,
                    self.limiter,
                    principal=None,
                    kind="ip",
                    audit=self.audit,
                    metrics=self.metrics,
                )
                return
        await self.app(scope, receive, send)


class PrincipalRateLimitMiddleware:
    """Per authenticated principal; placed after FastMCP's authentication middleware."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limiter: RateLimiter,
        audit: AuditLogger | None = None,
        metrics: MetricsRecorder | None = None,
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.audit = audit
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal = scope_principal(scope) if scope["type"] == "http" else None
        if principal is not None:
            retry_after = await self.limiter.hit(principal_key(principal))
            if retry_after is not None:
                request_id = await read_tools_call_id(scope, receive)
                if request_id is not None:
                    await _refuse_tool_call(
                        send,
                        request_id,
                        retry_after,
                        self.limiter,
                        principal=principal,
                        audit=self.audit,
                        metrics=self.metrics,
                        modern=is_modern_request(scope),
                    )
                    return
                await _refuse(
                    send,
                    retry_after,
                    self.limiter,
                    principal=principal,
                    kind="principal",
                    audit=self.audit,
                    metrics=self.metrics,
                )
                return
        await self.app(scope, receive, send)
