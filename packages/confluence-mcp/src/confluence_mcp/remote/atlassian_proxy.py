"""``oauth`` mode: this server is its MCP clients' OAuth 2.1 authorization server, in front
of Atlassian (OAuth 2.0 3LO), through FastMCP's ``OAuthProxy``.

What the proxy does (FastMCP 4.2): dynamic client registration and Client ID Metadata
Documents for MCP clients, PKCE from the client (and its own PKCE towards Atlassian), a
consent page bound to the browser by a cookie before anyone is sent to Atlassian, exact
redirect-URI checks, and its own signed access tokens whose audience is this MCP endpoint:
the client's token never reaches Atlassian, Atlassian's never reaches the client.

What this subclass adds, Atlassian's specifics: the ``audience``/``prompt`` parameters and the
configured Atlassian scopes; the token endpoint answered by
:class:`~confluence_mcp.remote.atlassian_tokens.StoreBackedUpstreamClient` (Atlassian tokens
live in the encrypted credential store, per person; the proxy's own state, also encrypted,
holds only a handle); the account and cloud id recorded as the token's claims; and Atlassian
scopes translated to the server's MCP scopes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastmcp.server.auth import AccessToken, TokenVerifier
from fastmcp.server.auth.oauth_proxy import OAuthProxy

from confluence_mcp.remote.atlassian_tokens import HANDLE_PREFIX, StoreBackedUpstreamClient
from confluence_mcp.remote.scopes import SCOPE_ADMIN, SCOPE_DELETE, SCOPE_READ, SCOPE_WRITE

if TYPE_CHECKING:
    from key_value.aio.protocols import AsyncKeyValue

    from confluence_mcp.remote.atlassian_reconnect import Reconnector
    from confluence_mcp.remote.atlassian_tokens import AtlassianTokens

__all__ = ["MCP_SCOPES", "AtlassianOAuthProxy", "mcp_scopes_for"]

MCP_SCOPES = (SCOPE_READ, SCOPE_WRITE, SCOPE_DELETE, SCOPE_ADMIN)
# The MCP client's token lives this long; Atlassian's are renewed behind it.
MCP_TOKEN_LIFETIME_SECONDS = 3600


def mcp_scopes_for(atlassian_scopes: list[str]) -> list[str]:
    """The MCP scopes an Atlassian grant supports: reading needs a Confluence ``read:`` or
    ``search:`` scope, writing a ``write:`` one; deleting a ``delete:`` one (granular) or the
    classic ``write:confluence-content``; admin tools space or permission management."""
    confluence = [s for s in atlassian_scopes if "confluence" in s]
    granted: set[str] = set()
    if any(s.startswith(("read:", "search:")) for s in confluence):
        granted.add(SCOPE_READ)
    if any(s.startswith("write:") for s in confluence):
        granted.add(SCOPE_WRITE)
    if any(s.startswith("delete:") or s == "write:confluence-content" for s in confluence):
        granted.add(SCOPE_DELETE)
    if any(s in ("write:confluence-space", "manage:confluence-configuration") for s in confluence):
        granted.add(SCOPE_ADMIN)
    return sorted(granted)


class _StoreHandle(TokenVerifier):
    """The proxy's upstream "token" is our handle; who it names is checked per request by
    :class:`~confluence_mcp.remote.oauth_session.OAuthSessionVerifier` against the store."""

    async def verify_token(self, token: str) -> AccessToken | None:
        if not token.startswith(HANDLE_PREFIX):
            return None
        return AccessToken(token=token, client_id="atlassian", scopes=[])


class AtlassianOAuthProxy(OAuthProxy):
    """FastMCP's ``OAuthProxy`` configured for Atlassian 3LO (see the module doc)."""

    def __init__(
        self,
        tokens: AtlassianTokens,
        *,
        client_id: str,
        client_secret: str,
        scopes: list[str],
        base_url: str,
        storage: AsyncKeyValue,
        auth_url: str = "https://auth.atlassian.com",
    ) -> None:
        self.tokens = tokens
        # Set by the oauth mode's builder: the reconnect links' flow (same callback URL).
        self.reconnector: Reconnector | None = None
        auth_url = auth_url.rstrip("/")
        super().__init__(
            upstream_authorization_endpoint=f"{auth_url}/authorize",
            upstream_token_endpoint=f"{auth_url}/oauth/token",
            upstream_client_id=client_id,
            upstream_client_secret=client_secret,
            token_verifier=_StoreHandle(),
            base_url=base_url,
            valid_scopes=list(MCP_SCOPES),
            # Atlassian knows nothing of RFC 8707 resources; its audience is set below.
            forward_resource=False,
            extra_authorize_params={
                "audience": "api.atlassian.com",
                "prompt": "consent",
                "scope": " ".join(scopes),
            },
            client_storage=storage,
            require_authorization_consent=True,
            fastmcp_access_token_expiry_seconds=MCP_TOKEN_LIFETIME_SECONDS,
        )

    def _create_upstream_oauth_client(self) -> Any:
        return StoreBackedUpstreamClient(self.tokens)

    async def _extract_upstream_claims(self, idp_tokens: dict[str, Any]) -> dict[str, Any] | None:
        claims = idp_tokens.get("atlassian")
        return dict(claims) if isinstance(claims, dict) else None

    def _translate_scopes_from_idp(self, scopes: list[str]) -> list[str]:
        # Also called on a client's refresh with the MCP scopes it already holds: keep those.
        kept = {s for s in scopes if s in MCP_SCOPES}
        return sorted(kept | set(mcp_scopes_for(scopes)))
