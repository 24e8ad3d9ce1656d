"""Inline comments in the fake's store: anchored to a text selection, resolvable.

Adding a top-level inline comment wraps the chosen occurrence of the selection in an
``ac:inline-comment-marker`` in the page's current body (no new page version, as in
Confluence). Replies share their parent's anchor.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from .._selection import selection_spans
from ._errors import FakeBadRequestError, FakeNotFoundError, VersionConflictError
from ._records import InlineCommentRecord
from ._store_core import StoreCore

__all__ = ["InlineCommentStore", "RESOLUTION_STATUSES"]

RESOLUTION_STATUSES = ("open", "reopened", "resolved", "dangling")


class InlineCommentStore(StoreCore):
    """The inline-comment part of :class:`FakeStore`."""

    def add_inline_comment(
        self,
        page_id: str,
        body: str,
        selection: str,
        *,
        match_index: int = 0,
        match_count: int | None = None,
        author_id: str | None = None,
        created_at: datetime | None = None,
    ) -> InlineCommentRecord:
        """Anchor a new comment to occurrence ``match_index`` (zero-based) of ``selection``."""
        with self._lock:
            page = self.get_page(page_id)
            if not body.strip():
                raise FakeBadRequestError("A comment body is required")
            spans = selection_spans(page.body, selection) if selection.strip() else []
            if not spans:
                raise FakeBadRequestError("The text selection was not found in the page")
            if match_count is not None and match_count != len(spans):
                raise FakeBadRequestError(
                    f"textSelectionMatchCount is {match_count} but the selection occurs "
                    f"{len(spans)} times"
                )
            if not 0 <= match_index < len(spans):
                raise FakeBadRequestError("textSelectionMatchIndex is out of range")
            start, end = spans[match_index]
            comment_id = self.next_id()
            # Derived from the id so seeded bodies are the same on every run.
            ref = str(uuid.uuid5(uuid.NAMESPACE_URL, f"inline-comment:{comment_id}"))
            text = page.body
            page.current.body = (
                f'{text[:start]}<ac:inline-comment-marker ac:ref="{ref}">'
                f"{text[start:end]}</ac:inline-comment-marker>{text[end:]}"
            )
            return self._keep(
                InlineCommentRecord(
                    comment_id,
                    page.id,
                    body,
                    author_id or self.current_user().account_id,
                    created_at or self.now(),
                    selection,
                    ref,
                )
            )

    def reply_inline_comment(
        self,
        parent_id: str,
        body: str,
        *,
        author_id: str | None = None,
        created_at: datetime | None = None,
    ) -> InlineCommentRecord:
        """Reply to an inline comment (same page, same anchor)."""
        with self._lock:
            parent = self.get_inline_comment(parent_id)
            if not body.strip():
                raise FakeBadRequestError("A comment body is required")
            return self._keep(
                InlineCommentRecord(
                    self.next_id(),
                    parent.page_id,
                    body,
                    author_id or self.current_user().account_id,
                    created_at or self.now(),
                    parent.selection,
                    parent.marker_ref,
                    parent_comment_id=parent.id,
                )
            )

    def _keep(self, comment: InlineCommentRecord) -> InlineCommentRecord:
        self.inline_comments[comment.id] = comment
        return comment

    def get_inline_comment(self, comment_id: str) -> InlineCommentRecord:
        """An inline comment by id."""
        with self._lock:
            comment = self.inline_comments.get(comment_id)
            if comment is None or not self.visible(comment.page_id):
                raise FakeNotFoundError(f"No inline comment with id {comment_id}")
            return comment

    def page_inline_comments(
        self, page_id: str, *, top_level_only: bool = True
    ) -> list[InlineCommentRecord]:
        """A page's inline comments in id order (top-level ones unless told otherwise)."""
        with self._lock:
            self.get_page(page_id)
            return sorted(
                (
                    c
                    for c in self.inline_comments.values()
                    if c.page_id == page_id and (not top_level_only or c.parent_comment_id is None)
                ),
                key=lambda c: int(c.id),
            )

    def inline_replies(self, comment_id: str) -> list[InlineCommentRecord]:
        """Direct replies to an inline comment, in id order."""
        with self._lock:
            return sorted(
                (c for c in self.inline_comments.values() if c.parent_comment_id == comment_id),
                key=lambda c: int(c.id),
            )

    def update_inline_comment(
        self,
        comment_id: str,
        version: int,
        *,
        body: str | None = None,
        resolved: bool | None = None,
        user_id: str | None = None,
    ) -> InlineCommentRecord:
        """Edit and/or resolve (``True``) or reopen (``False``); ``version`` = current + 1."""
        with self._lock:
            comment = self.get_inline_comment(comment_id)
            if version != comment.version + 1:
                raise VersionConflictError(comment.version, version)
            if resolved is not None:
                if comment.parent_comment_id is not None:
                    raise FakeBadRequestError("Only a top-level inline comment can be resolved")
                if comment.resolution == "dangling":
                    raise FakeBadRequestError("A dangling comment cannot be updated")
                target = "resolved" if resolved else "reopened"
                if (comment.resolution == "resolved") != resolved:
                    comment.resolution = target
                    comment.resolution_by = user_id or self.current_user().account_id
                    comment.resolution_at = self.now()
            if body is not None:
                comment.body = body
            comment.version = version
            return comment

    def delete_inline_comment(self, comment_id: str) -> None:
        """Delete an inline comment and its replies."""
        with self._lock:
            self.get_inline_comment(comment_id)
            for reply in self.inline_replies(comment_id):
                self.delete_inline_comment(reply.id)
            del self.inline_comments[comment_id]
