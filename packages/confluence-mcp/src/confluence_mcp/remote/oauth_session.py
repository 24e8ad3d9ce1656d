"""``oauth`` mode: the mcp-auth verifier for the access tokens the OAuth proxy issues.

The proxy's JWT issuer checks signature, expiry, issuer and audience (this MCP endpoint, so a
token minted for another server is refused); the proxy then finds the grant behind the token.
The principal is the Atlassian account (its subject is the account id, so its principal id is
the key its tokens are stored under); its scopes are the MCP scopes of the Atlassian grant.
A token whose person has no stored credential any more (signed out after a refused refresh)
is refused with 401: the MCP client then starts a new sign-in by itself.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from confluence_mcp.errors import CredentialError
from confluence_mcp.identity.credentials import subject_principal_id
from mcp_auth import AuthenticationError, AuthMethod, Principal, RefusalReason

if TYPE_CHECKING:
    from confluence_mcp.remote.atlassian_proxy import AtlassianOAuthProxy

__all__ = ["OAuthSessionVerifier"]


class OAuthSessionVerifier:
    """mcp-auth verifier for :class:`~confluence_mcp.remote.atlassian_proxy.AtlassianOAuthProxy`
    tokens (see the module doc)."""

    def __init__(self, proxy: AtlassianOAuthProxy) -> None:
        self.proxy = proxy

    @property
    def method(self) -> AuthMethod:
        """Always ``AuthMethod.OAUTH_PROXY``."""
        return AuthMethod.OAUTH_PROXY

    def recognizes(self, token: str) -> bool:
        """A compact JWS (the proxy's tokens are HS256 JWTs)."""
        return token.count(".") == 2

    async def verify(self, token: str) -> Principal:
        """The Atlassian account behind the token, or :class:`AuthenticationError`."""
        try:
            payload: dict[str, Any] = self.proxy.jwt_issuer.verify_token(token)
        except Exception:
            raise self._refused(RefusalReason.BAD_SIGNATURE) from None
        access = await self.proxy.load_access_token(token)
        if access is None:
            raise self._refused(RefusalReason.REVOKED)
        claims: dict[str, Any] = (access.claims or {}).get("upstream_claims") or {}
        account = claims.get("sub")
        if not account:
            raise self._refused(RefusalReason.REVOKED)
        try:
            signed_in = await self.proxy.tokens.store.get(subject_principal_id(str(account)))
        except CredentialError:
            raise self._refused(RefusalReason.UPSTREAM_UNAVAILABLE) from None
        if signed_in is None:
            raise self._refused(RefusalReason.REVOKED)
        exp = payload.get("exp")
        return Principal(
            subject=str(account),
            auth_method=AuthMethod.OAUTH_PROXY,
            scopes=frozenset(str(payload.get("scope", "")).split()),
            client_id=str(payload.get("client_id") or "") or None,
            issuer=str(payload.get("iss") or "") or None,
            expires_at=(
                datetime.fromtimestamp(exp, tz=UTC) if isinstance(exp, int | float) else None
            ),
            claims={"cloud_id": claims["cloud_id"]} if claims.get("cloud_id") else {},
        )

    def _refused(self, reason: RefusalReason) -> AuthenticationError:
        return AuthenticationError(reason, f"token refused: {reason.value}", method=self.method)

    def __repr__(self) -> str:
        return "OAuthSessionVerifier()"
