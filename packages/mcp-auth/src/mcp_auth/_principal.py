"""The authenticated caller, in one shape whichever verifier accepted the token."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from mcp_auth._compat import StrEnum

__all__ = ["AuthMethod", "Principal"]


class AuthMethod(StrEnum):
    """Which kind of verifier authenticated a principal."""

    API_KEY = "api_key"
    JWT = "jwt"
    OAUTH_INTROSPECTION = "oauth_introspection"
    # Tokens the server issued itself, as an OAuth proxy in front of another provider.
    OAUTH_PROXY = "oauth_proxy"


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller.

    `subject` identifies the user or bot, `client_id` the application acting for it (always a
    plain string, never a serialised structure), `claims` a selection of extra claims a server
    may use for its own decisions (for example a space allow-list).
    """

    subject: str
    auth_method: AuthMethod
    scopes: frozenset[str] = frozenset()
    client_id: str | None = None
    issuer: str | None = None
    expires_at: datetime | None = None
    claims: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def has_scopes(self, required: frozenset[str] | set[str]) -> bool:
        """True when every scope in `required` was granted."""
        return required <= self.scopes
