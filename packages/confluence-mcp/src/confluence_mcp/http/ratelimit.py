"""Inbound rate limits with the ``limits`` library: per client IP, then per principal.

The per-IP limit (``MCP_IP_RATE_LIMIT``) runs before authentication, so a flood of bad
tokens is cut off before any verifier (or introspection endpoint) is called. The
per-principal limit (``MCP_RATE_LIMIT``) runs right after authentication, keyed on who the
token belongs to. A refused request gets 429 with ``Retry-After`` (whole seconds) and writes
a ``rate_limit.exceeded`` audit event. Counters live in memory, per process: with several
replicas each enforces its own share.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Receive, Scope, Send

from confluence_mcp.http.responses import send_json

if TYPE_CHECKING:
    from confluence_mcp.remote.metrics import MetricsRecorder
    from mcp_auth import AuditLogger, Principal

__all__ = [
    "IPRateLimitMiddleware",
    "PrincipalRateLimitMiddleware",
    "RateLimiter",
    "principal_key",
    "scope_principal",
]


class RateLimiter:
    """A moving-window limiter for one rate expression, e.g. ``"120/minute"``."""

    def __init__(self, rate: str) -> None:
        self.rate = rate
        self._items: list[RateLimitItem] = parse_many(rate)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def hit(self, key: str) -> float | None:
        """Count one request for ``key``; None when allowed, else seconds until a retry fits."""
        refused = [item for item in self._items if not self._limiter.hit(item, key)]
        if not refused:
            return None
        now = time.time()
        waits = [self._limiter.get_window_stats(item, key).reset_time - now for item in refused]
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
    seconds = int(retry_after)
    if audit is not None:
        audit.rate_limit_exceeded(principal, limit=f"{kind} {limiter.rate}", retry_after=seconds)
    if metrics is not None:
        metrics.rate_limited(kind, principal.subject if principal else None)
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
            retry_after = self.limiter.hit(f"ip:{address}")
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
            retry_after = self.limiter.hit(principal_key(principal))
            if retry_after is not None:
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
