"""Opaque cursors that carry Confluence's own ``_links.next`` and nothing else.

A cursor is the next link, resolved against the API base and base64url-encoded. It is
followed exactly as Confluence gave it (cursor or ``start`` offsets alike). Because cursors
come back from callers (and, through a server, from anyone), a decoded cursor must point at
the very endpoint of the listing it is passed to: a forged cursor cannot reach another path
or host.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from confluence_client._errors import InvalidInputError, MalformedResponseError
from confluence_client._models import ResultPage

__all__ = ["encode_next_link", "decode_cursor", "result_page"]

T = TypeVar("T")


def _resolve(api_base_url: str, link: str) -> str:
    """Absolute URL of a next link.

    v2 links start with the site path (``/wiki/api/v2/...``); v1 links are relative to the
    API base (``/rest/api/...``); behind the OAuth gateway the base path is
    ``/ex/confluence/<id>/wiki`` while v2 links still start with ``/wiki``.
    """
    if link.startswith(("http://", "https://")):
        return link
    parts = urlsplit(api_base_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    base_path = parts.path.rstrip("/")
    if not link.startswith("/"):
        link = "/" + link
    if base_path and link.startswith(base_path + "/"):
        return origin + link
    if base_path.endswith("/wiki") and link.startswith("/wiki/"):
        return origin + base_path[: -len("/wiki")] + link
    return origin + base_path + link


def encode_next_link(api_base_url: str, link: str) -> str:
    """The opaque cursor for a ``_links.next`` value."""
    absolute = urlsplit(_resolve(api_base_url, link))
    relative = absolute.path + (f"?{absolute.query}" if absolute.query else "")
    return base64.urlsafe_b64encode(relative.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(api_base_url: str, cursor: str, endpoint: str) -> str:
    """The absolute URL a cursor stands for, if it belongs to ``endpoint``.

    ``endpoint`` is the API path of the listing, relative to the API base
    (e.g. ``api/v2/spaces/42/pages``).
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        relative = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise InvalidInputError("cursor is not one this client issued", field="cursor") from None
    parts = urlsplit(relative)
    base = urlsplit(api_base_url)
    expected = base.path.rstrip("/") + "/" + endpoint.strip("/")
    if parts.scheme or parts.netloc or parts.path != expected or ".." in relative:
        raise InvalidInputError("cursor does not belong to this listing", field="cursor")
    return f"{base.scheme}://{base.netloc}{relative}"


def result_page(
    api_base_url: str,
    body: Any,
    parse: Callable[[dict[str, Any]], T],
    *,
    path: str,
) -> ResultPage[T]:
    """Build a :class:`ResultPage` from a list body (``results`` + ``_links.next``)."""
    if not isinstance(body, dict) or not isinstance(body.get("results"), list):
        raise MalformedResponseError("expected a list body with 'results'", path=path)
    items = []
    for raw in body["results"]:
        if not isinstance(raw, dict):
            raise MalformedResponseError("list item is not an object", path=path)
        items.append(parse(raw))
    links = body.get("_links")
    link = links.get("next") if isinstance(links, dict) else None
    cursor = encode_next_link(api_base_url, link) if isinstance(link, str) and link else None
    total = body.get("totalSize")
    return ResultPage[T](
        items=tuple(items),
        next_cursor=cursor,
        total_size=total if isinstance(total, int) and not isinstance(total, bool) else None,
    )
