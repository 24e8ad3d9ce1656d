"""Comment threads: top-level comments, each followed by its replies, in as few requests as
the deployment allows.

Data Center lists a page's comments at every depth in one (paged) listing, each naming its
parent, so every thread of a page costs those pages together. Cloud's v2 API lists replies
per comment only (its page listings hold root comments): one request per comment there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Literal

from confluence_client._client_base import ClientBase, check_format
from confluence_client._errors import InvalidInputError, MalformedResponseError, NotSupportedError
from confluence_client._models import BodyFormat, Comment

__all__ = ["CommentThreadOperations"]

# A page-wide listing stops here: a page with more comments than this is an outlier, and
# the threads then hold the replies found so far.
_MAX_SCANNED = 5000
_PAGE_SIZE = 250

Children = Callable[[str, int], Awaitable[Sequence[Comment]]]


class CommentThreadOperations(ClientBase):
    """Read comments together with their replies."""

    async def with_replies(
        self,
        comments: Sequence[Comment],
        *,
        location: Literal["footer", "inline"] = "footer",
        max_replies: int = 100,
        body_format: BodyFormat | None = "storage",
    ) -> list[Comment]:
        """``comments`` (top-level ones of one page), each followed by its replies depth-first
        (a reply's replies follow it); at most ``max_replies`` replies in all, earlier
        threads first."""
        if location not in ("footer", "inline"):
            raise InvalidInputError("location must be footer or inline", field="location")
        if isinstance(max_replies, bool) or not isinstance(max_replies, int) or max_replies < 0:
            raise InvalidInputError("max_replies must be 0 or more", field="max_replies")
        fmt = check_format(body_format)
        if not comments or max_replies == 0:
            return list(comments)
        children = await self._page_wide_children(comments, location, fmt)
        if children is None:
            children = self._per_comment_children(location, fmt)
        out: list[Comment] = []
        budget = max_replies
        for comment in comments:
            out.append(comment)
            thread = await _thread(children, comment.id, budget)
            budget -= len(thread)
            out.extend(thread)
        return out

    async def _page_wide_children(
        self, comments: Sequence[Comment], location: str, fmt: BodyFormat | None
    ) -> Children | None:
        """Replies by parent from one listing of the page's comments at every depth, or
        ``None`` where the deployment has no such listing (or the page is unknown)."""
        pages = {c.page_id for c in comments}
        if len(pages) != 1 or None in pages:
            return None
        page_id = str(next(iter(pages)))
        by_parent: dict[str, list[Comment]] = {}
        cursor: str | None = None
        scanned = 0
        while scanned < _MAX_SCANNED:
            try:
                batch = await self._backend.list_page_comments_all_depths(
                    page_id, location, _PAGE_SIZE, cursor, fmt
                )
            except NotSupportedError:
                return None
            for found in batch.items:
                if found.parent_comment_id is not None:
                    by_parent.setdefault(found.parent_comment_id, []).append(found)
            scanned += len(batch.items)
            if batch.next_cursor is None:
                break
            if batch.next_cursor == cursor:
                raise MalformedResponseError("pagination did not advance (same next link twice)")
            cursor = batch.next_cursor

        async def children(parent: str, limit: int) -> Sequence[Comment]:
            return by_parent.get(parent, [])[:limit]

        return children

    def _per_comment_children(self, location: str, fmt: BodyFormat | None) -> Children:
        backend = self._backend
        listing = (
            backend.list_inline_comment_replies
            if location == "inline"
            else backend.list_comment_replies
        )

        async def children(parent: str, limit: int) -> Sequence[Comment]:
            return (await listing(parent, min(_PAGE_SIZE, limit), None, fmt)).items

        return children


async def _thread(children: Children, root: str, budget: int) -> list[Comment]:
    """Up to ``budget`` replies under ``root``, depth-first."""
    out: list[Comment] = []

    async def walk(parent: str) -> None:
        if len(out) >= budget:
            return
        for reply in await children(parent, budget - len(out)):
            if len(out) >= budget:
                return
            out.append(reply)
            await walk(reply.id)

    await walk(root)
    return out
