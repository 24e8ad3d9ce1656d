"""The one error hierarchy of mcp-auth.

```
MCPAuthError(Exception)
├── AuthenticationError          a token was refused; carries a RefusalReason
├── AuthorizationError           a principal lacks scopes; carries the missing ones
└── AuthConfigurationError(ValueError)
                                 a verifier, key file or policy is misconfigured
```

Messages are safe to show to a client and to log: they never contain a token, a secret
or a key, only what was wrong with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from mcp_auth._compat import StrEnum

if TYPE_CHECKING:
    from mcp_auth._principal import AuthMethod

__all__ = [
    "RefusalReason",
    "MCPAuthError",
    "AuthenticationError",
    "AuthorizationError",
    "AuthConfigurationError",
]


class RefusalReason(StrEnum):
    """Why a request was refused; stable codes written to the audit log."""

    MISSING = "missing"
    MALFORMED = "malformed"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    BAD_SIGNATURE = "bad_signature"
    WRONG_ISSUER = "wrong_issuer"
    WRONG_AUDIENCE = "wrong_audience"
    REVOKED = "revoked"
    UNKNOWN_KEY = "unknown_key"
    INSUFFICIENT_SCOPE = "insufficient_scope"
    UPSTREAM_UNAVAILABLE = "upstream_unavailable"


class MCPAuthError(Exception):
    """Root of every error raised by mcp-auth."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AuthenticationError(MCPAuthError):
    """A credential was refused. `reason` says why, `message` is safe to show.

    `method` names the kind of verifier that judged the token (set by the verifiers and the
    chain), `credential_id` a non-secret identifier of the credential when one is known
    (an API key's id, a JWT's `kid`), both for the audit log.
    """

    def __init__(
        self,
        reason: RefusalReason,
        message: str | None = None,
        *,
        method: AuthMethod | None = None,
        credential_id: str | None = None,
    ) -> None:
        super().__init__(message or f"token refused: {reason.value}")
        self.reason = reason
        self.method = method
        self.credential_id = credential_id


class AuthorizationError(MCPAuthError):
    """An authenticated principal lacks the scopes an operation requires."""

    reason = RefusalReason.INSUFFICIENT_SCOPE

    def __init__(
        self,
        missing_scopes: Iterable[str],
        operation: str | None = None,
        *,
        required_scopes: Iterable[str] | None = None,
    ) -> None:
        self.missing_scopes: tuple[str, ...] = tuple(sorted(set(missing_scopes)))
        self.operation = operation
        # Everything the operation needs (for a `scope=` challenge); defaults to the missing.
        self.required_scopes: tuple[str, ...] = (
            self.missing_scopes
            if required_scopes is None
            else tuple(sorted(set(required_scopes) | set(self.missing_scopes)))
        )
        target = f" for {operation!r}" if operation else ""
        super().__init__(f"insufficient scope{target}: missing {' '.join(self.missing_scopes)}")


class AuthConfigurationError(MCPAuthError, ValueError):
    """Verifier, key store or policy configuration is invalid."""
