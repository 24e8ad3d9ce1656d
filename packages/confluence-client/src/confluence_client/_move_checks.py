"""Why Confluence refused a page move: a look at the new parent after the refusal.

Confluence answers a bad ``parentId`` with a bare 400 (or a 404, for a parent that is no
page) whose wording differs between releases. The parent is read only once a move failed,
so a good move costs nothing more; what the read shows becomes an :class:`InvalidMoveError`.
"""

from __future__ import annotations

from confluence_client._backend import Backend
from confluence_client._errors import ApiError, ConfluenceError, InvalidMoveError, NotFoundError
from confluence_client._models import Page

__all__ = ["explain_refused_move"]


async def explain_refused_move(
    backend: Backend, page: Page, parent_id: str, refusal: ApiError
) -> ConfluenceError:
    """The error to raise for ``refusal`` of moving ``page`` under ``parent_id``: an
    :class:`InvalidMoveError` when the parent shows why, else ``refusal`` itself."""
    try:
        parent = await backend.get_page(parent_id, None, None)
    except NotFoundError:
        try:
            await backend.get_page(parent_id, None, None, "blogpost")
        except ConfluenceError:
            return refusal  # no page or blog post (or a folder): Confluence's answer stands
        return _invalid(
            refusal, page, parent_id, "not_a_page", f"{parent_id} is a blog post, not a page"
        )
    except ConfluenceError:
        return refusal
    if _other_space(page, parent):
        return _invalid(
            refusal, page, parent_id, "other_space", f"page {parent_id} is in another space"
        )
    try:
        above = [a.id for a in await backend.get_ancestors(parent_id)]
    except ConfluenceError:
        return refusal
    if page.id in above:
        return _invalid(
            refusal, page, parent_id, "own_descendant", f"page {parent_id} is below page {page.id}"
        )
    return refusal


def _other_space(page: Page, parent: Page) -> bool:
    if page.space_id is not None and parent.space_id is not None:
        return page.space_id != parent.space_id
    if page.space_key is not None and parent.space_key is not None:
        return page.space_key.upper() != parent.space_key.upper()
    return False


def _invalid(
    refusal: ApiError, page: Page, parent_id: str, reason: str, why: str
) -> InvalidMoveError:
    return InvalidMoveError(
        f"page {page.id} cannot move under {parent_id}: {why}",
        reason=reason,
        page_id=page.id,
        parent_id=parent_id,
        status_code=refusal.status_code,
        method=refusal.method,
        path=refusal.path,
        detail=refusal.detail,
    )
