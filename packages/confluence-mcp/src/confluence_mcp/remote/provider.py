"""``ConfluenceAuthProvider``: mcp-auth's FastMCP provider plus the per-principal limits.

The rate limit and the session cap must run after authentication (they need the principal)
and before the MCP handler, which is exactly the end of the provider's middleware list.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic import AnyHttpUrl
from starlette.middleware import Middleware

from confluence_mcp.http.ratelimit import PrincipalRateLimitMiddleware, RateLimiter
from confluence_mcp.http.sessions import SessionLimiter, SessionLimitMiddleware
from mcp_auth import ChainVerifier, TokenVerifier
from mcp_auth.fastmcp import MCPAuthProvider

if TYPE_CHECKING:
    from confluence_mcp.remote.metrics import MetricsRecorder
    from mcp_auth import AuditLogger, ScopePolicy

__all__ = ["ConfluenceAuthProvider"]


class ConfluenceAuthProvider(MCPAuthProvider):
    """An :class:`MCPAuthProvider` whose middleware ends with a per-principal rate limit."""

    def __init__(
        self,
        verifier: TokenVerifier,
        *,
        limiter: RateLimiter | None = None,
        metrics: MetricsRecorder | None = None,
        sessions: SessionLimiter | None = None,
        **options: Any,
    ) -> None:
        super().__init__(verifier, **options)
        self.limiter = limiter
        self.metrics = metrics
        self.sessions = sessions
        self._other_paths: set[str] = set()

    def set_mcp_path(self, mcp_path: str | None) -> None:
        """Keep the first endpoint as the protected resource; protect later ones too.

        The server builds two transport apps from one FastMCP server (Streamable HTTP at
        ``/mcp``, legacy SSE at ``/sse``), and each tells the provider its path. The first
        is the canonical resource (metadata, audience); without this, the second call would
        move the resource to ``/sse`` and leave ``/mcp`` outside the 403 scope gate.
        """
        current = self._mcp_path
        if current and mcp_path and mcp_path != current:
            self._other_paths.add(mcp_path.rstrip("/") or "/")
            return
        super().set_mcp_path(mcp_path)

    def _get_resource_url(self, path: str | None = None) -> AnyHttpUrl | None:
        """The canonical resource for every endpoint: a legacy SSE 401 then points at the
        same RFC 9728 document as Streamable HTTP."""
        current = self._mcp_path
        if current and path and path != current:
            path = current
        return super()._get_resource_url(path)

    @property
    def protected_paths(self) -> frozenset[str]:
        """Every MCP endpoint path served with this provider."""
        return super().protected_paths | frozenset(self._other_paths)

    @classmethod
    def from_verifiers(
        cls,
        verifiers: Sequence[TokenVerifier],
        *,
        base_url: str,
        authorization_servers: Sequence[str] = (),
        policy: ScopePolicy | None = None,
        audit: AuditLogger | None = None,
        limiter: RateLimiter | None = None,
        metrics: MetricsRecorder | None = None,
        sessions: SessionLimiter | None = None,
    ) -> ConfluenceAuthProvider:
        """One verifier as is, several as a :class:`ChainVerifier`."""
        verifier = verifiers[0] if len(verifiers) == 1 else ChainVerifier(verifiers)
        return cls(
            verifier,
            base_url=base_url,
            authorization_servers=authorization_servers,
            policy=policy,
            audit=audit,
            limiter=limiter,
            metrics=metrics,
            sessions=sessions,
            resource_name="Confluence MCP server",
        )

    def get_middleware(self) -> list[Middleware]:
        """mcp-auth's middleware, then the per-principal rate limit and session cap."""
        middleware = super().get_middleware()
        if self.limiter is not None:
            middleware.append(
                Middleware(
                    PrincipalRateLimitMiddleware,
                    limiter=self.limiter,
                    audit=self.audit,
                    metrics=self.metrics,
                )
            )
        if self.sessions is not None:
            middleware.append(
                Middleware(SessionLimitMiddleware, limiter=self.sessions, audit=self.audit)
            )
        return middleware
