"""What a caller is told when an id names a blog post (or another type) where a page was
expected.

Data Center's answer shows the type, and the SDK raises ``ContentTypeMismatchError``; Cloud's
typed paths answer a plain 404. Both get the way to address the item. The type itself is
named only for an item in an allowed space: the space filter reveals nothing about others.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from fastmcp.exceptions import ToolError

from confluence_mcp.errors import NOT_FOUND_MESSAGE

if TYPE_CHECKING:
    from confluence_client import NotFoundError
    from confluence_mcp.services import Services

__all__ = [
    "EDITS_HINT",
    "EDITS_INSTEAD",
    "MOVE_HINT",
    "MOVE_INSTEAD",
    "TYPE_HINT",
    "VERSIONS_HINT",
    "VERSIONS_INSTEAD",
    "not_found_as_page",
    "not_found_in_tree",
    "reading_page",
]

_NAMES = {"blogpost": "blog post"}

# What page-only tools tell a caller who gave a blog post id: ``instead`` where Data Center
# said the type (in an allowed space), the ``hint`` where nobody did (Cloud, another space).
EDITS_INSTEAD = (
    "section and text edits work on pages only; change a blog post with update_page and "
    "content_type=blogpost."
)
EDITS_HINT = (
    "Section and text edits work on pages only: if search gave the id the type blogpost, "
    "use update_page with content_type=blogpost."
)
MOVE_INSTEAD = "only pages move; a blog post has no parent page."
MOVE_HINT = "Only pages move: if search gave the id the type blogpost, it has no parent page."
VERSIONS_INSTEAD = (
    "this tool reads page versions; read a blog post with get_page and content_type=blogpost "
    "(list_page_versions lists its versions)."
)
VERSIONS_HINT = (
    "Only page versions are read here: if search gave the id the type blogpost, read it with "
    "get_page and content_type=blogpost (list_page_versions lists its versions)."
)
TYPE_HINT = "If search gave it the type blogpost, pass content_type=blogpost."


def _name(kind: str) -> str:
    return _NAMES.get(kind, kind)


def _shown_type(services: Services, exc: NotFoundError) -> tuple[str, str, str] | None:
    """(id, expected, actual) when ``exc`` says the id has another type and its space is
    allowed; else ``None`` (then it reads as any other "not found")."""
    from confluence_client import ContentTypeMismatchError

    if not isinstance(exc, ContentTypeMismatchError):
        return None
    if not services.guard.allows_key(exc.space_key):
        return None
    return exc.content_id, exc.expected, exc.actual


def _error(message: str) -> ToolError:
    return ToolError(message, log_level=logging.INFO)  # the caller's mistake, as any not-found


def not_found_as_page(
    services: Services,
    exc: NotFoundError,
    *,
    accepted: Collection[str],
    hint: str,
    instead: str | None = None,
) -> ToolError:
    """Name the id's type and the ``content_type`` to pass when the tool accepts that type;
    for another type, name it and what to do ``instead``; otherwise (or when the type is not
    to be told) the usual "not found" plus ``hint``."""
    shown = _shown_type(services, exc)
    if shown is not None:
        content_id, expected, actual = shown
        said = f"Item {content_id} is a {_name(actual)}, not a {_name(expected)}"
        if actual in accepted:
            return _error(f"{said}: pass content_type={actual} to address it.")
        if instead is not None:
            return _error(f"{said}: {instead}")
    return _error(f"{NOT_FOUND_MESSAGE} {hint}")


@contextmanager
def reading_page(
    services: Services,
    page_id: str,
    *,
    accepted: Collection[str] = ("page",),
    hint: str,
    instead: str | None = None,
) -> Iterator[None]:
    """Around a tool's read of ``page_id``: its "not found" becomes
    :func:`not_found_as_page`'s message. Another id's "not found" (a parent, a comment) is
    left as it is."""
    from confluence_client import ContentTypeMismatchError, NotFoundError

    try:
        yield
    except NotFoundError as exc:
        if isinstance(exc, ContentTypeMismatchError) and exc.content_id != page_id:
            raise
        raise not_found_as_page(
            services, exc, accepted=accepted, hint=hint, instead=instead
        ) from None


def not_found_in_tree(services: Services, exc: NotFoundError) -> ToolError:
    """For a page-tree walk from an id that is no page (or folder)."""
    shown = _shown_type(services, exc)
    if shown is not None and shown[2] == "blogpost":
        return _error(
            f"Item {shown[0]} is a blog post, which has no page tree (blog posts sit beside "
            "it, with no child pages): read it with get_page and content_type=blogpost."
        )
    return _error(
        f"{NOT_FOUND_MESSAGE} A blog post has no page tree: if search gave the id the type "
        "blogpost, read it with get_page and content_type=blogpost."
    )
