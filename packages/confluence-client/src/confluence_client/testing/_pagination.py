"""Cursor (v2) and offset (v1 / Data Center) pagination, Confluence style."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Sequence
from typing import TypeVar
from urllib.parse import urlencode

from ._errors import FakeBadRequestError

__all__ = [
    "encode_cursor",
    "decode_cursor",
    "parse_limit",
    "parse_start",
    "cursor_page",
    "link_with",
    "MAX_V2_LIMIT",
]

T = TypeVar("T")
MAX_V2_LIMIT = 250
_CURSOR_TAG = "fake-confluence"


def encode_cursor(offset: int) -> str:
    """An opaque cursor for the item at ``offset`` (clients must never build these)."""
    raw = json.dumps({"t": _CURSOR_TAG, "o": offset}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The offset a cursor stands for (0 for none); 400 when it is not one of ours."""
    if not cursor:
        return 0
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        offset = data["o"] if data.get("t") == _CURSOR_TAG else None
    except (binascii.Error, ValueError, TypeError, KeyError, AttributeError):
        offset = None
    if not isinstance(offset, int) or offset < 0:
        raise FakeBadRequestError(f"Invalid cursor: {cursor}")
    return offset


def parse_limit(raw: str | None, *, default: int = 25, maximum: int = MAX_V2_LIMIT) -> int:
    """A page size: default when absent, clamped to ``maximum``, 400 when not positive."""
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise FakeBadRequestError(f"limit must be an integer, got {raw!r}") from None
    if value < 1:
        raise FakeBadRequestError(f"limit must be at least 1, got {value}")
    return min(value, maximum)


def parse_start(raw: str | None) -> int:
    """A v1 ``start`` offset (0 when absent), 400 when negative or not a number."""
    if raw is None or raw == "":
        return 0
    try:
        value = int(raw)
    except ValueError:
        raise FakeBadRequestError(f"start must be an integer, got {raw!r}") from None
    if value < 0:
        raise FakeBadRequestError(f"start must not be negative, got {value}")
    return value


def cursor_page(items: Sequence[T], offset: int, limit: int) -> tuple[list[T], int | None]:
    """One page of ``items`` from ``offset`` and the next offset (None on the last page)."""
    chunk = list(items[offset : offset + limit])
    nxt = offset + limit
    return chunk, (nxt if nxt < len(items) else None)


def link_with(path: str, pairs: Iterable[tuple[str, str]], **changes: str) -> str:
    """``path?query`` with the named parameters replaced (others kept in order, these last)."""
    kept = [(k, v) for k, v in pairs if k not in changes]
    return f"{path}?{urlencode([*kept, *changes.items()])}"
