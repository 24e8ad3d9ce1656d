"""The JWT compact shape, recognised without PyJWT (which loads cryptography)."""

from __future__ import annotations

import re

__all__ = ["looks_like_jwt"]

_JWT_RE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_MAX_TOKEN_LENGTH = 16 * 1024


def looks_like_jwt(token: str) -> bool:
    """True for the JWS compact shape `header.payload.signature` (no I/O, no decoding)."""
    return len(token) <= _MAX_TOKEN_LENGTH and _JWT_RE.fullmatch(token) is not None
