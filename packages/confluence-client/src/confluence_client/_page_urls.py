"""Parse the page URL shapes people paste: Cloud, Data Center, display and tiny links.

Recognised (any host, optional context path such as ``/wiki`` or ``/confluence``):

- ``.../spaces/KEY/pages/123456/Optional+Title``        (Cloud)
- ``.../spaces/KEY/pages/edit-v2/123456``               (Cloud editor)
- ``.../pages/viewpage.action?pageId=123456``           (Data Center, old Cloud)
- ``.../display/KEY/Page+Title``                        (Data Center)
- ``.../x/AbCd``                                        (tiny link: base64 of the page id)
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote_plus, urlsplit

from confluence_client._errors import InvalidInputError

__all__ = ["PageRef", "parse_page_url", "tiny_code_to_page_id", "page_id_to_tiny_code"]

_SPACES_PAGES = re.compile(r"/spaces/([^/]+)/pages/(?:edit-v2/)?([0-9]+)(?:/|$)")
_DISPLAY = re.compile(r"/display/([^/]+)/([^/]+)/?$")
_TINY = re.compile(r"/x/([A-Za-z0-9_-]{1,11})/?$")


@dataclass(frozen=True, slots=True)
class PageRef:
    """What a URL identifies: a page id, or a space key plus title."""

    page_id: str | None = None
    space_key: str | None = None
    title: str | None = None


def _invalid(url: str) -> InvalidInputError:
    shown = url if len(url) <= 120 else url[:117] + "..."
    return InvalidInputError(f"not a recognised Confluence page URL: {shown!r}", field="url")


def tiny_code_to_page_id(code: str) -> str:
    """Decode a ``/x/<code>`` tiny link: url-safe base64 of the little-endian page id."""
    standard = code.replace("-", "/").replace("_", "+")
    padded = standard.ljust(11, "A") + "="
    try:
        raw = base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInputError(f"not a tiny link code: {code!r}", field="url") from exc
    (page_id,) = struct.unpack("<Q", raw)
    if page_id == 0:
        raise InvalidInputError(f"not a tiny link code: {code!r}", field="url")
    return str(page_id)


def page_id_to_tiny_code(page_id: str | int) -> str:
    """Encode a page id as Confluence's tiny link code (inverse of the above)."""
    encoded = base64.b64encode(struct.pack("<Q", int(page_id))).decode("ascii")
    return encoded.rstrip("=").rstrip("A").replace("/", "-").replace("+", "_")


def parse_page_url(url: str) -> PageRef:
    """Return the page reference a Confluence page URL carries.

    Raises:
        InvalidInputError: the URL is not one of the recognised shapes.
    """
    if not isinstance(url, str) or not url.strip():
        raise InvalidInputError("url must be a non-empty string", field="url")
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise _invalid(url)
    path = parts.path
    page_ids = parse_qs(parts.query).get("pageId")
    if page_ids and path.endswith("viewpage.action"):
        candidate = page_ids[0].strip()
        if candidate.isdigit():
            return PageRef(page_id=candidate)
        raise _invalid(url)
    if match := _SPACES_PAGES.search(path):
        return PageRef(page_id=match.group(2), space_key=unquote_plus(match.group(1)))
    if match := _DISPLAY.search(path):
        title = unquote_plus(match.group(2))
        if title:
            return PageRef(space_key=unquote_plus(match.group(1)), title=title)
    if match := _TINY.search(path):
        return PageRef(page_id=tiny_code_to_page_id(match.group(1)))
    raise _invalid(url)
