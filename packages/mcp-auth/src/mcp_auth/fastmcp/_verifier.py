"""The adapter that makes any mcp-auth `TokenVerifier` a FastMCP token verifier."""

from __future__ import annotations

import logging
from contextvars import ContextVar

from fastmcp.server.auth import AccessToken, TokenVerificationError
from fastmcp.server.auth import TokenVerifier as FastMCPTokenVerifier

from mcp_auth._audit import AuditLogger
from mcp_auth._audited import AuditedVerifier
from mcp_auth._errors import AuthenticationError, RefusalReason
from mcp_auth._verifier import TokenVerifier
from mcp_auth.fastmcp._access import access_token_from_principal

__all__ = ["REFUSAL_MESSAGE", "FastMCPVerifier"]

_log = logging.getLogger("mcp_auth.fastmcp")

REFUSAL_MESSAGE: ContextVar[str | None] = ContextVar("mcp_auth_refusal_message", default=None)
"""The client-safe message of the last refusal in this context: FastMCP only sees None, and
the HTTP layer puts the message in the 401 instead of FastMCP's generic text."""


class FastMCPVerifier(FastMCPTokenVerifier):
    """A `fastmcp.server.auth.TokenVerifier` backed by an mcp-auth verifier (or chain).

    An accepted token becomes an `AccessToken` carrying the principal (see
    `principal_from_access_token`); a refused one becomes None, which FastMCP answers with
    401 `invalid_token`. A token that could not be judged (`UPSTREAM_UNAVAILABLE`, or a
    verifier that broke its contract by raising something else) raises FastMCP's
    `TokenVerificationError`: the request fails closed, and `MCPAuthProvider` answers it
    with 503 rather than telling the client its token is bad.

    With `audit`, every verification writes one `auth.success` or `auth.failure` event.
    Pass the raw verifier, not one already wrapped in `AuditedVerifier`, or each decision
    is recorded twice.
    """

    def __init__(
        self,
        verifier: TokenVerifier,
        *,
        audit: AuditLogger | None = None,
        required_scopes: list[str] | None = None,
        base_url: str | None = None,
    ) -> None:
        super().__init__(base_url=base_url, required_scopes=required_scopes)
        self.verifier = verifier
        self.audit = audit
        self._checked: TokenVerifier = (
            AuditedVerifier(verifier, audit) if audit is not None else verifier
        )

    async def verify_token(self, token: str) -> AccessToken | None:
        """Verify `token`; None when refused, `TokenVerificationError` when undecidable."""
        try:
            principal = await self._checked.verify(token)
        except AuthenticationError as error:
            if error.reason is RefusalReason.UPSTREAM_UNAVAILABLE:
                raise TokenVerificationError(error.message) from None
            REFUSAL_MESSAGE.set(error.message)
            return None
        except Exception as error:
            # A verifier must refuse with AuthenticationError. Anything else is a bug or an
            # outage we cannot classify: fail closed, and log the type only, since a broken
            # verifier may well have put the token into its exception message.
            kind = type(error).__name__
            _log.error("token verifier %s raised %s", type(self.verifier).__name__, kind)
            if self.audit is not None:
                self.audit.auth_failure(
                    RefusalReason.UPSTREAM_UNAVAILABLE,
                    auth_method=self.verifier.method,
                    detail=f"verifier raised {kind}",
                )
            raise TokenVerificationError("token verification failed") from None
        return access_token_from_principal(principal, token)

    def __repr__(self) -> str:
        return f"FastMCPVerifier({self.verifier!r})"
