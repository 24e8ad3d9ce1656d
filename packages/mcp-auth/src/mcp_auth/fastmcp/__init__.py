"""FastMCP integration: mcp-auth verifiers, scope policy and audit log on a FastMCP server.

Needs the `mcp-auth[fastmcp]` extra. The shortest path is `protect(server, verifier,
base_url=..., policy=..., audit=...)`; the parts it combines are public too:

- `MCPAuthProvider`: the FastMCP auth provider (token verification through any mcp-auth
  verifier, RFC 9728 metadata, 401/403/503 answers, request context for the audit log);
- `ScopeMiddleware`: the scope policy per tool call and the `tool.call` audit trail;
- `FastMCPVerifier`: the bare adapter, for composing with other FastMCP providers;
- `current_principal()` / `principal_from_access_token()`: the caller inside a tool.
"""

from mcp_auth.fastmcp._access import (
    PRINCIPAL_CLAIM,
    access_token_from_principal,
    current_principal,
    principal_from_access_token,
)
from mcp_auth.fastmcp._metadata import bearer_challenge, metadata_url_for
from mcp_auth.fastmcp._middleware import ScopeMiddleware
from mcp_auth.fastmcp._protect import protect
from mcp_auth.fastmcp._provider import MCPAuthProvider
from mcp_auth.fastmcp._request import REQUEST_CONTEXT_KEY, request_context_from_scope
from mcp_auth.fastmcp._stepup import INSUFFICIENT_SCOPE_ERROR_CODE, InsufficientScopeGate
from mcp_auth.fastmcp._verifier import FastMCPVerifier

__all__ = [
    # one call
    "protect",
    # the parts
    "MCPAuthProvider",
    "ScopeMiddleware",
    "FastMCPVerifier",
    "InsufficientScopeGate",
    "INSUFFICIENT_SCOPE_ERROR_CODE",
    # the caller
    "current_principal",
    "principal_from_access_token",
    "access_token_from_principal",
    "PRINCIPAL_CLAIM",
    # the request (audit context kept in the ASGI scope)
    "REQUEST_CONTEXT_KEY",
    "request_context_from_scope",
    # helpers
    "bearer_challenge",
    "metadata_url_for",
]
