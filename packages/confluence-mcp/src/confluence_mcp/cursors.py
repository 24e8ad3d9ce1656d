"""Opaque, tamper-evident ``next_cursor`` values.

The SDK's cursors are Confluence's own (a v2 token, or the v1 "next" link with its query
string, CQL included), and the SDK sends them upstream as they are. A caller who could write
one could make the server send a query of their choosing (other CQL, a larger ``limit``).
So every cursor a tool hands out is sealed here: the SDK cursor, compressed, plus an
HMAC-SHA256 over it and its *binding*:

- the listing (tool name) that issued it,
- the caller (the authenticated principal, empty without authentication),
- the request the server itself built (for ``search`` the scoped CQL and the limit, for a
  page listing the page id and limit).

Opening checks the MAC in constant time before anything is decoded; a cursor that was forged,
edited, or issued for another listing, caller or query is refused with "invalid cursor".
The key is random per process (cursors die with it), or derived from ``MCP_CURSOR_KEY`` so
that replicas accept each other's cursors.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import zlib
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from fastmcp.exceptions import ToolError

from confluence_mcp.caller import caller_identity

if TYPE_CHECKING:
    from confluence_client import ResultPage

__all__ = ["INVALID_CURSOR", "CursorSealer"]

INVALID_CURSOR = (
    "invalid cursor: pass back next_cursor exactly as the previous call returned it, with the "
    "same arguments"
)
_VERSION = "c1"
_MAX_INFLATED = 64 * 1024
_T = TypeVar("_T")


class CursorSealer:
    """Seals SDK cursors for callers and opens them again (see the module doc)."""

    def __init__(self, secret: str | None = None) -> None:
        if secret:
            self._key = hashlib.sha256(b"confluence-mcp cursor key\0" + secret.encode()).digest()
        else:
            self._key = secrets.token_bytes(32)

    def seal(self, cursor: str | None, *, listing: str, binding: str) -> str | None:
        """The caller-facing form of the SDK's ``cursor`` (None stays None)."""
        if cursor is None:
            return None
        payload = zlib.compress(cursor.encode("utf-8"), 9)
        mac = self._mac(payload, listing, binding)
        return f"{_VERSION}.{_b64(payload)}.{_b64(mac)}"

    def open(self, token: str | None, *, listing: str, binding: str) -> str | None:
        """The SDK cursor inside ``token``; :class:`ToolError` unless this server sealed it
        for this listing, this caller and this request."""
        if token is None:
            return None
        version, _, rest = token.partition(".")
        encoded_payload, _, encoded_mac = rest.partition(".")
        try:
            payload = _unb64(encoded_payload)
            mac = _unb64(encoded_mac)
        except ValueError:
            raise ToolError(INVALID_CURSOR) from None
        expected = self._mac(payload, listing, binding)
        if version != _VERSION or not hmac.compare_digest(mac, expected):
            raise ToolError(INVALID_CURSOR)
        try:
            inflater = zlib.decompressobj()
            cursor = inflater.decompress(payload, _MAX_INFLATED)
            return cursor.decode("utf-8")
        except (zlib.error, UnicodeDecodeError):  # only if our own key leaked or changed
            raise ToolError(INVALID_CURSOR) from None

    async def fetch(
        self,
        token: str | None,
        call: Callable[[str | None], Awaitable[ResultPage[_T]]],
        *,
        listing: str,
        binding: str,
    ) -> tuple[ResultPage[_T], str | None]:
        """One page of a listing: opens ``token`` (refused as :meth:`open` does), awaits
        ``call`` with the SDK cursor inside it, and returns the page with its next cursor
        sealed for the same listing and binding."""
        found = await call(self.open(token, listing=listing, binding=binding))
        return found, self.seal(found.next_cursor, listing=listing, binding=binding)

    def _mac(self, payload: bytes, listing: str, binding: str) -> bytes:
        mac = hmac.new(self._key, _VERSION.encode(), hashlib.sha256)
        for part in (listing, caller_identity(), binding):
            data = part.encode("utf-8", "surrogatepass")
            # Length-prefixed: no choice of parts can shift bytes from one into the next.
            mac.update(len(data).to_bytes(8, "big") + data)
        mac.update(payload)
        return mac.digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    if not text or len(text) > 16_384:
        raise ValueError("bad cursor part")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise ValueError("bad cursor part") from exc
