"""Who is looking: per-user read restrictions, applied to every API family at once.

The gateway binds the authenticated user's account id (:func:`viewing_as`) for each request;
the store's lookups and listings then treat a page whose read restriction (its own or an
ancestor's, inherited as in Confluence) leaves that user out as absent: 404 by id, missing
from listings, children, search, comments and attachments. Control routes and code outside a
request bind nobody and see everything.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._records import PageRecord

__all__ = ["current_viewer", "page_visible", "viewing_as"]

_viewer: ContextVar[str | None] = ContextVar("fake_confluence_viewer", default=None)


@contextmanager
def viewing_as(account_id: str | None) -> Iterator[None]:
    """Apply ``account_id``'s read restrictions while the block runs (None: see all)."""
    token = _viewer.set(account_id)
    try:
        yield
    finally:
        _viewer.reset(token)


def current_viewer() -> str | None:
    """The account id whose restrictions apply now, or None."""
    return _viewer.get()


def page_visible(
    pages: Mapping[str, PageRecord],
    restrictions: Mapping[str, Mapping[str, set[str]]],
    page_id: str,
) -> bool:
    """Whether the current viewer may read ``page_id`` (its own and its ancestors' read
    restrictions; a page without any is readable by all)."""
    viewer = _viewer.get()
    if viewer is None:
        return True
    seen: set[str] = set()
    current: str | None = page_id
    while current is not None and current not in seen:
        seen.add(current)
        allowed = restrictions.get(current, {}).get("read")
        if allowed and viewer not in allowed:
            return False
        page = pages.get(current)
        current = page.parent_id if page is not None else None
    return True
