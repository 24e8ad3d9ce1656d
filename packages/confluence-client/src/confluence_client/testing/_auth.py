"""The credentials the fake accepts: basic (user + API token) and bearer (PAT / OAuth)."""

from __future__ import annotations

import base64
import binascii
import hmac
from dataclasses import dataclass, field

__all__ = ["Credentials"]


@dataclass(slots=True)
class Credentials:
    """Accepted credentials; ``bearer_tokens`` are extra bearer tokens (e.g. OAuth ones)."""

    username: str = "fake@example.com"
    api_token: str = "fake-api-token"  # noqa: S105 - a fake server's documented default
    personal_token: str = "fake-pat"  # noqa: S105
    bearer_tokens: set[str] = field(default_factory=set)

    def __repr__(self) -> str:
        # Never show secrets, even in a fake.
        return f"Credentials(username={self.username!r}, api_token=***, personal_token=***)"

    def check(self, authorization: str | None, *, allow_bearer: bool = True) -> str | None:
        """The login name for a valid ``Authorization`` header, else None.

        ``allow_bearer=False`` is the Cloud site domain, where (as in Confluence Cloud) only
        basic auth works: OAuth tokens are for the gateway, PATs for Data Center.
        """
        if not authorization:
            return None
        scheme, _, value = authorization.strip().partition(" ")
        value = value.strip()
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(value, validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                return None
            user, sep, token = decoded.partition(":")
            ok = sep and _same(user, self.username) and _same(token, self.api_token)
            return user if ok else None
        if scheme.lower() == "bearer" and value and allow_bearer:
            tokens = {self.personal_token, *self.bearer_tokens}
            if any(_same(value, t) for t in tokens):
                return self.username
        return None


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
