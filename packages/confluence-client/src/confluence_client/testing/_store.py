"""The fake's in-memory, thread-safe store of spaces, pages, comments, labels and attachments.

Every public method takes the store's lock, so tests may seed or inspect it from their own
thread while the server answers requests. Records returned are live objects: treat them as
read-only and change state through the methods, which enforce Confluence's rules (version
increments, unique titles per space, trash before purge).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from ._errors import FakeBadRequestError, FakeNotFoundError, VersionConflictError
from ._records import AttachmentRecord, CommentRecord, LabelRecord, PageRecord
from ._store_inline import InlineCommentStore

__all__ = ["FakeStore"]


class FakeStore(InlineCommentStore):
    """In-memory Confluence content: the page tree plus labels, comments and attachments."""

    # ---- labels ------------------------------------------------------------------------
    def add_label(self, page_id: str, name: str, prefix: str = "global") -> LabelRecord:
        """Attach a label (idempotent); names are lower-cased like Confluence does."""
        with self._lock:
            page = self.get_page(page_id)
            clean = name.strip().lower()
            if not clean or any(ch.isspace() for ch in clean):
                raise FakeBadRequestError(f"Invalid label name: {name!r}")
            label = self._labels.get((prefix, clean))
            if label is None:
                label = LabelRecord(self.next_id(), clean, prefix)
                self._labels[(prefix, clean)] = label
            if label not in page.labels:
                page.labels.append(label)
            return label

    def remove_label(self, page_id: str, name: str) -> None:
        """Remove a label from a page (404 when the page does not carry it)."""
        with self._lock:
            page = self.get_page(page_id)
            for label in page.labels:
                if label.name == name.lower():
                    page.labels.remove(label)
                    return
            raise FakeNotFoundError(f"Label {name} is not on content {page_id}")

    # ---- comments ----------------------------------------------------------------------
    def add_comment(
        self,
        page_id: str,
        body: str,
        *,
        parent_comment_id: str | None = None,
        author_id: str | None = None,
        created_at: datetime | None = None,
    ) -> CommentRecord:
        """Add a footer comment, or a reply when ``parent_comment_id`` is given."""
        with self._lock:
            if parent_comment_id is not None:
                page_id = self.get_comment(parent_comment_id).page_id
            self.get_page(page_id)
            if not body.strip():
                raise FakeBadRequestError("A comment body is required")
            comment = CommentRecord(
                self.next_id(),
                page_id,
                body,
                author_id or self.current_user().account_id,
                created_at or self.now(),
                parent_comment_id,
            )
            self.comments[comment.id] = comment
            return comment

    def get_comment(self, comment_id: str) -> CommentRecord:
        """A comment by id."""
        with self._lock:
            comment = self.comments.get(comment_id)
            if comment is None or not self.visible(comment.page_id):
                raise FakeNotFoundError(f"No comment with id {comment_id}")
            return comment

    def update_comment(self, comment_id: str, body: str, version: int) -> CommentRecord:
        """Edit a comment; ``version`` must be current + 1."""
        with self._lock:
            comment = self.get_comment(comment_id)
            if version != comment.version + 1:
                raise VersionConflictError(comment.version, version)
            comment.body = body
            comment.version = version
            return comment

    def delete_comment(self, comment_id: str) -> None:
        """Delete a comment and its replies."""
        with self._lock:
            self.get_comment(comment_id)
            for reply in self.replies(comment_id):
                self.delete_comment(reply.id)
            del self.comments[comment_id]

    def page_comments(self, page_id: str, *, top_level_only: bool = True) -> list[CommentRecord]:
        """Footer comments of a page in id order (top-level ones unless told otherwise)."""
        with self._lock:
            self.get_page(page_id)
            return sorted(
                (
                    c
                    for c in self.comments.values()
                    if c.page_id == page_id and (not top_level_only or c.parent_comment_id is None)
                ),
                key=lambda c: int(c.id),
            )

    def replies(self, comment_id: str) -> list[CommentRecord]:
        """Direct replies to a comment, in id order."""
        with self._lock:
            return sorted(
                (
                    c
                    for c in self.comments.values()
                    if c.parent_comment_id == comment_id and self.visible(c.page_id)
                ),
                key=lambda c: int(c.id),
            )

    # ---- attachments -------------------------------------------------------------------
    def add_attachment(
        self,
        page_id: str,
        filename: str,
        data: bytes,
        *,
        media_type: str = "application/octet-stream",
        comment: str = "",
        replace: bool = False,
        author_id: str | None = None,
        created_at: datetime | None = None,
    ) -> AttachmentRecord:
        """Attach a file; the same name again is a new version only when ``replace``."""
        with self._lock:
            self.get_page(page_id)
            if not filename:
                raise FakeBadRequestError("An attachment needs a file name")
            existing = next(
                (
                    a
                    for a in self.attachments.values()
                    if a.page_id == page_id and a.title == filename and a.status == "current"
                ),
                None,
            )
            author = author_id or self.current_user().account_id
            when = created_at or self.now()
            if existing is not None:
                if not replace:
                    raise FakeBadRequestError(
                        "Cannot add a new attachment with same file name as an existing "
                        "attachment: " + filename
                    )
                existing.data = data
                existing.media_type = media_type
                existing.comment = comment
                existing.version += 1
                existing.author_id = author
                existing.created_at = when
                return existing
            att_id = self.next_id()
            att = AttachmentRecord(
                att_id,
                page_id,
                filename,
                media_type,
                data,
                author,
                when,
                file_id=f"f{int(att_id):08x}-0000-4000-8000-{int(att_id):012d}",
                comment=comment,
            )
            self.attachments[att.id] = att
            return att

    def get_attachment(
        self, attachment_id: str, *, allow_trashed: bool = False
    ) -> AttachmentRecord:
        """An attachment by id (trashed ones only when ``allow_trashed``)."""
        with self._lock:
            att = self.attachments.get(attachment_id)
            if att is None or (att.status == "trashed" and not allow_trashed):
                raise FakeNotFoundError(f"No attachment with id {attachment_id}")
            if not self.visible(att.page_id):
                raise FakeNotFoundError(f"No attachment with id {attachment_id}")
            return att

    def trash_attachment(self, attachment_id: str) -> AttachmentRecord:
        """Move an attachment to the trash (it leaves the page's listings)."""
        with self._lock:
            att = self.get_attachment(attachment_id)
            att.status = "trashed"
            return att

    def purge_attachment(self, attachment_id: str) -> None:
        """Delete a trashed attachment for good (it must be trashed first, as in Confluence)."""
        with self._lock:
            att = self.get_attachment(attachment_id, allow_trashed=True)
            if att.status != "trashed":
                raise FakeBadRequestError("Only a trashed attachment can be purged; trash it first")
            del self.attachments[att.id]

    def page_attachments(self, page_id: str) -> list[AttachmentRecord]:
        """Attachments of a page in id order."""
        with self._lock:
            self.get_page(page_id)
            return sorted(
                (
                    a
                    for a in self.attachments.values()
                    if a.page_id == page_id and a.status == "current"
                ),
                key=lambda a: int(a.id),
            )

    def iter_content(self) -> Iterator[PageRecord | CommentRecord | AttachmentRecord]:
        """Every page, comment and attachment (a snapshot list, safe to iterate unlocked)."""
        with self._lock:
            items: list[PageRecord | CommentRecord | AttachmentRecord] = [
                *self.pages.values(),
                *self.comments.values(),
                *self.attachments.values(),
            ]
            # Search and CQL see only what the request's user may read.
            items = [
                item
                for item in items
                if self.visible(item.id if isinstance(item, PageRecord) else item.page_id)
            ]
        return iter(sorted(items, key=lambda r: int(r.id)))
