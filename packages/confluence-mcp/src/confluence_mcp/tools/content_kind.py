"""What a caller is told when an id names a blog post (or another type) where a page was
expected.

Data Center's answer shows the type, and the SDK raises ``ContentTypeMismatchError``; Cloud's
typed paths answer a plain 404. Both get the way to address the item. The type itself is
named only for an item in an allowed space: the space filter reveals nothing about others.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import TYPE_CHECKING

from fastmcp.exceptions import ToolError

from confluence_mcp.errors import NOT_FOUND_MESSAGE

if TYPE_CHECKING:
    from confluence_client import NotFoundError
    from confluence_mcp.services import Services

__all__ = ["not_found_as_page", "not_found_in_tree"]

_NAMES = {"blogpost": "blog post"}


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
    services: Services, exc: NotFoundError, *, accepted: Collection[str], hint: str
) -> ToolError:
    """For a tool taking ``content_type``: name the id's type and the ``content_type`` to
    pass when the tool accepts it; otherwise the usual "not found" plus ``hint``."""
    shown = _shown_type(services, exc)
    if shown is not None and shown[2] in accepted:
        content_id, expected, actual = shown
        return _error(
            f"Item {content_id} is a {_name(actual)}, not a {_name(expected)}: "
            f"pass content_type={actual} to address it."
        )
    return _error(f"{NOT_FOUND_MESSAGE} {hint}")


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
