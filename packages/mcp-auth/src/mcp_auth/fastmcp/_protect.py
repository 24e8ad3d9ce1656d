"""`protect()`: auth provider and scope middleware on a FastMCP server in one call."""

from __future__ import annotations

from collections.abc import Sequence

from fastmcp import FastMCP

from mcp_auth._audit import AuditLogger
from mcp_auth._scopes import ScopePolicy
from mcp_auth._verifier import TokenVerifier
from mcp_auth.fastmcp._middleware import ScopeMiddleware
from mcp_auth.fastmcp._provider import MCPAuthProvider

__all__ = ["protect"]


def protect(
    server: FastMCP,
    verifier: TokenVerifier,
    *,
    base_url: str,
    policy: ScopePolicy | None = None,
    audit: AuditLogger | None = None,
    authorization_servers: Sequence[str] = (),
    required_scopes: Sequence[str] = (),
    hide_forbidden: bool = True,
    step_up: bool = True,
    resource_name: str | None = None,
) -> MCPAuthProvider:
    """Install an `MCPAuthProvider` as `server.auth` and add a `ScopeMiddleware`.

    Call it before building the HTTP app (`server.run(transport="http")`,
    `server.http_app()`). Returns the provider, whose `resource_url` and
    `resource_metadata_url` are known once the app is built. For finer control build
    `MCPAuthProvider` and `ScopeMiddleware` yourself.
    """
    provider = MCPAuthProvider(
        verifier,
        base_url=base_url,
        authorization_servers=authorization_servers,
        policy=policy,
        audit=audit,
        required_scopes=required_scopes,
        step_up=step_up,
        resource_name=resource_name,
    )
    server.auth = provider
    server.add_middleware(ScopeMiddleware(policy, audit=audit, hide_forbidden=hide_forbidden))
    return provider
