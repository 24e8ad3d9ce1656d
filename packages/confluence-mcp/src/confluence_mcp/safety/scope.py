"""Per-request safety bookkeeping shared by the converter, handlers and the middleware.

The middleware opens a :class:`SafetyScope` around each tool call, resource read and prompt;
work done deeper (hidden elements pruned before conversion, authors of the content shown)
is noted on it through :func:`current_scope`. Outside a request there is no scope and notes
are dropped.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from confluence_client import Page

__all__ = [
    "SafetyScope",
    "body_author",
    "current_scope",
    "note_author",
    "note_container",
    "open_scope",
]


@dataclass
class SafetyScope:
    """What one request's safety pass found (mutable: worker threads share the object)."""

    hidden_removed: int = 0
    # (content id, author id or None) of user-written content the handler returned.
    authors: list[tuple[str, str | None]] = field(default_factory=list)
    # content id -> the page whose edit rights decide its author's trust (comments).
    containers: dict[str, str] = field(default_factory=dict)


_SCOPE: ContextVar[SafetyScope | None] = ContextVar("confluence_mcp_safety", default=None)


def current_scope() -> SafetyScope | None:
    """The scope of the request being handled, if any."""
    return _SCOPE.get()


def note_author(content_id: str, author_id: str | None) -> None:
    """Record that content written by ``author_id`` is part of the answer."""
    scope = _SCOPE.get()
    if scope is not None:
        scope.authors.append((content_id, author_id))


def note_container(content_id: str, page_id: str) -> None:
    """Record that ``content_id`` (a comment) belongs to ``page_id``: its author's trust is
    whether they may edit that page. A comment has no restrictions of its own and its author
    may normally edit it, so the page is the question that tells editors apart; it is also
    one lookup per author and page rather than one per comment."""
    scope = _SCOPE.get()
    if scope is not None:
        scope.containers[content_id] = page_id


def body_author(page: Page) -> str | None:
    """Who wrote the page's current body: its version's author, else its creator."""
    if page.version is not None and page.version.author_id:
        return page.version.author_id
    return page.author_id


@contextmanager
def open_scope() -> Iterator[SafetyScope]:
    """A fresh scope for the duration of one request."""
    scope = SafetyScope()
    token = _SCOPE.set(scope)
    try:
        yield scope
    finally:
        _SCOPE.reset(token)
