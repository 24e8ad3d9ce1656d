"""A verifier wrapper that writes exactly one audit event per verification."""

from __future__ import annotations

from mcp_auth._audit import AuditLogger
from mcp_auth._errors import AuthenticationError
from mcp_auth._principal import AuthMethod, Principal
from mcp_auth._verifier import TokenVerifier

__all__ = ["AuditedVerifier"]


class AuditedVerifier:
    """Wraps a `TokenVerifier` (typically the top-level one, such as a chain) so that every
    `verify` call writes one `auth.success` or one `auth.failure` event.

    Wrap only the outermost verifier: wrapping the members of a chain as well would record
    one decision twice.
    """

    def __init__(self, verifier: TokenVerifier, audit: AuditLogger) -> None:
        self.verifier = verifier
        self.audit = audit

    @property
    def method(self) -> AuthMethod:
        """The wrapped verifier's method."""
        return self.verifier.method

    def recognizes(self, token: str) -> bool:
        """Delegates to the wrapped verifier (no audit event: nothing is decided)."""
        return self.verifier.recognizes(token)

    async def verify(self, token: str) -> Principal:
        """Verify through the wrapped verifier and audit the decision."""
        try:
            principal = await self.verifier.verify(token)
        except AuthenticationError as error:
            self.audit.auth_failure(
                error.reason,
                auth_method=error.method,
                detail=error.message,
                credential_id=error.credential_id,
            )
            raise
        key_id = principal.claims.get("key_id")
        self.audit.auth_success(
            principal, credential_id=key_id if isinstance(key_id, str) else None
        )
        return principal

    def __repr__(self) -> str:
        return f"AuditedVerifier({self.verifier!r})"
