"""The verifier protocol every authentication method implements."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from mcp_auth._principal import AuthMethod, Principal

__all__ = ["TokenVerifier"]


@runtime_checkable
class TokenVerifier(Protocol):
    """Turns a bearer token into a `Principal` or refuses it.

    `verify` raises `AuthenticationError` with a `RefusalReason`; it never returns None and
    never lets another exception escape for a bad token (an unreachable upstream is
    `UPSTREAM_UNAVAILABLE`: fail closed). `recognizes` is a cheap shape test (no I/O) a chain
    uses to route a token to the verifier that can judge it.
    """

    @property
    def method(self) -> AuthMethod: ...

    def recognizes(self, token: str) -> bool: ...

    async def verify(self, token: str) -> Principal: ...
