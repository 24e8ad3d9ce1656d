"""Inline comment operations of :class:`ConfluenceClient`: list, anchor, reply, resolve."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable

from confluence_client._client_base import (
    ClientBase,
    check_format,
    iterate,
    non_blank,
    paging,
)
from confluence_client._errors import InvalidInputError
from confluence_client._models import BodyFormat, Comment, Page, ResultPage
from confluence_client._selection import selection_spans
from confluence_client._validation import check_content_id, check_limit, check_text

__all__ = ["InlineCommentOperations", "RESOLUTION_STATUSES"]

RESOLUTION_STATUSES: tuple[str, ...] = ("open", "reopened", "resolved", "dangling")


def _check_resolution(values: Iterable[str] | None) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        values = [values]
    picked = tuple(dict.fromkeys(values))
    unknown = [v for v in picked if v not in RESOLUTION_STATUSES]
    if unknown:
        raise InvalidInputError(
            f"resolution_status must be among {list(RESOLUTION_STATUSES)}, got {unknown}",
            field="resolution_status",
        )
    return picked


def _writable(comment: Comment) -> bool:
    """Whether ``comment`` holds what its update carries: its version and storage body."""
    body = comment.body
    return comment.version is not None and body is not None and body.representation == "storage"


class InlineCommentOperations(ClientBase):
    """Comments anchored to a text selection; resolvable. Data Center can only list them."""

    async def list_inline_comments(
        self,
        page_id: str | int,
        *,
        resolution_status: Iterable[str] | None = None,
        limit: int = 25,
        cursor: str | None = None,
        body_format: BodyFormat | None = "storage",
    ) -> ResultPage[Comment]:
        """One page of a page's top-level inline comments (``selection`` and
        ``resolution_status`` set), optionally only those with the given statuses."""
        return await self._backend.list_inline_comments(
            check_content_id(page_id),
            *paging(limit, cursor, body_format),
            _check_resolution(resolution_status),
        )

    def iter_inline_comments(
        self, page_id: str | int, *, limit: int = 100, body_format: BodyFormat | None = "storage"
    ) -> AsyncIterator[Comment]:
        """Every top-level inline comment of a page."""
        pid, size, fmt = check_content_id(page_id), check_limit(limit), check_format(body_format)
        return iterate(lambda c: self._backend.list_inline_comments(pid, size, c, fmt, ()))

    async def list_inline_comment_replies(
        self,
        comment_id: str | int,
        *,
        limit: int = 25,
        cursor: str | None = None,
        body_format: BodyFormat | None = "storage",
    ) -> ResultPage[Comment]:
        """One page of the replies to an inline comment (Cloud)."""
        return await self._backend.list_inline_comment_replies(
            check_content_id(comment_id, "comment_id"), *paging(limit, cursor, body_format)
        )

    async def get_inline_comment(
        self, comment_id: str | int, *, body_format: BodyFormat | None = "storage"
    ) -> Comment:
        """One inline comment (or reply) by id (Cloud)."""
        return await self._backend.get_inline_comment(
            check_content_id(comment_id, "comment_id"), check_format(body_format)
        )

    async def add_inline_comment(
        self,
        page_id: str | int,
        body: str,
        selection: str,
        *,
        match_index: int = 0,
        page: Page | None = None,
    ) -> Comment:
        """Anchor a comment to occurrence ``match_index`` (zero-based) of ``selection`` in the
        page's text (Cloud). The page is read first to count the occurrences Confluence needs,
        unless ``page`` is that page as the caller just read it with its storage body; a
        selection crossing formatting (``a <b>b</b>``) is not found."""
        pid = check_content_id(page_id)
        text = check_text(selection, "selection", max_length=1000)
        if isinstance(match_index, bool) or not isinstance(match_index, int) or match_index < 0:
            raise InvalidInputError("match_index must be an integer >= 0", field="match_index")
        storage = non_blank(body)
        if page is not None and page.id != pid:
            raise InvalidInputError(f"page is page {page.id}, not page {pid}", field="page")
        if page is None or page.body is None or page.body.representation != "storage":
            page = await self._backend.get_page(pid, "storage", None)
        count = len(selection_spans(page.body.value if page.body is not None else "", text))
        if count == 0:
            raise InvalidInputError(
                f"selection {text!r} does not occur in the page's text", field="selection"
            )
        if match_index >= count:
            raise InvalidInputError(
                f"selection occurs {count} time(s); match_index must be below that",
                field="match_index",
            )
        return await self._backend.add_inline_comment(pid, storage, text, match_index, count)

    async def reply_to_inline_comment(self, comment_id: str | int, body: str) -> Comment:
        """Reply to an inline comment (Cloud)."""
        return await self._backend.reply_to_inline_comment(
            check_content_id(comment_id, "comment_id"), non_blank(body)
        )

    async def resolve_inline_comment(
        self, comment_id: str | int, resolved: bool = True, *, current: Comment | None = None
    ) -> Comment:
        """Resolve (``True``) or reopen (``False``) a top-level inline comment (Cloud).

        The write carries the comment's next version and its storage body, so the comment is
        read first, unless ``current`` is that comment as the caller just read it with its
        storage body (one request fewer). A comment changed since is refused by Confluence.
        """
        if not isinstance(resolved, bool):
            raise InvalidInputError("resolved must be a boolean", field="resolved")
        checked = check_content_id(comment_id, "comment_id")
        if current is not None and current.id != checked:
            raise InvalidInputError(
                f"current is comment {current.id}, not comment {checked}", field="current"
            )
        if current is None or not _writable(current):
            current = await self._backend.get_inline_comment(checked, "storage")
        return await self._backend.resolve_inline_comment(current, resolved)
