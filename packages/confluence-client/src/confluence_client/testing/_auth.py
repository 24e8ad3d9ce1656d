"""The credentials the fake accepts: basic (user + API token) and bearer (PAT / OAuth).

:class:`Credentials` are the server's default user's; other users' tokens live in the store
(``FakeStore.set_user_tokens``, the seed, ``POST /__fake__/users``) and are checked by the
gateway with :func:`parse_authorization` + ``FakeStore.authenticate``."""

from __future__ import annotations

import base64
import binascii
import hmac
from dataclasses import dataclass, field

__all__ = ["Credentials", "parse_authorization"]


def parse_authorization(header: str | None) -> tuple[str | None, str] | None:
    """``(login, api_token)`` for basic auth, ``(None, token)`` for a bearer token, else None."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        user, sep, token = decoded.partition(":")
        return (user, token) if sep else None
    if scheme.lower() == "bearer" and value:
        return None, value
    return None


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
        parsed = parse_authorization(authorization)
        if parsed is None:
            return None
        user, secret = parsed
        if user is not None:
            ok = _same(user, self.username) and _same(secret, self.api_token)
            return user if ok else None
        if allow_bearer:
            tokens = {self.personal_token, *self.bearer_tokens}
            if any(_same(secret, t) for t in tokens):
                return self.username
        return None


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
