"""Who is calling a tool, and may they read Confluence content through this server?

Without authentication (stdio, a loopback HTTP server) there is no principal and the caller
may read. With it, reading is what the scope policy grants for ``get_page``: a write-only or
delete-only key must not learn page content (headings, labels) from error texts or results.
"""

from __future__ import annotations

__all__ = ["caller_identity", "caller_may_read"]


def caller_identity() -> str:
    """Who is calling (auth method, subject, client id), or ``""`` without authentication."""
    from mcp_auth.fastmcp import current_principal

    principal = current_principal()
    if principal is None:
        return ""
    return f"{principal.auth_method.value}\0{principal.subject}\0{principal.client_id or ''}"


def caller_may_read() -> bool:
    """True unless the caller is authenticated without the scope that reading needs."""
    from mcp_auth.fastmcp import current_principal

    principal = current_principal()
    if principal is None:
        return True
    from confluence_mcp.remote.auth import confluence_scope_policy

    return confluence_scope_policy().allows(principal, "get_page", {"read"})
