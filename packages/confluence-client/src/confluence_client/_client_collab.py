"""Comment, label, attachment, version and user operations of :class:`ConfluenceClient`."""

from __future__ import annotations

import mimetypes
from collections.abc import AsyncIterator, Iterable

from confluence_client._client_base import (
    ClientBase,
    check_cursor,
    check_format,
    iterate,
    non_blank,
    paging,
)
from confluence_client._errors import InvalidInputError
from confluence_client._models import (
    Attachment,
    BodyFormat,
    Comment,
    Label,
    PageVersion,
    ResultPage,
    User,
)
from confluence_client._validation import (
    check_attachment_id,
    check_content_id,
    check_file_name,
    check_label_name,
    check_limit,
    check_text,
    check_version_number,
)

__all__ = ["CollaborationOperations", "DEFAULT_MAX_DOWNLOAD_BYTES"]

DEFAULT_MAX_DOWNLOAD_BYTES = 25 * 1024 * 1024


class CollaborationOperations(ClientBase):
    """Footer comments, labels, attachments, page versions and users."""

    # --- comments ----------------------------------------------------------------------
    async def list_comments(
        self,
        page_id: str | int,
        *,
        limit: int = 25,
        cursor: str | None = None,
        body_format: BodyFormat | None = "storage",
    ) -> ResultPage[Comment]:
        """One page of a page's top-level footer comments (see ``list_comment_replies``)."""
        return await self._backend.list_comments(
            check_content_id(page_id), *paging(limit, cursor, body_format)
        )

    def iter_comments(
        self, page_id: str | int, *, limit: int = 100, body_format: BodyFormat | None = "storage"
    ) -> AsyncIterator[Comment]:
        """Every top-level footer comment of a page."""
        pid, size, fmt = check_content_id(page_id), check_limit(limit), check_format(body_format)
        return iterate(lambda c: self._backend.list_comments(pid, size, c, fmt))

    async def list_comment_replies(
        self,
        comment_id: str | int,
        *,
        limit: int = 25,
        cursor: str | None = None,
        body_format: BodyFormat | None = "storage",
    ) -> ResultPage[Comment]:
        """One page of the direct replies to a footer comment."""
        return await self._backend.list_comment_replies(
            check_content_id(comment_id, "comment_id"), *paging(limit, cursor, body_format)
        )

    def iter_comment_replies(
        self,
        comment_id: str | int,
        *,
        limit: int = 100,
        body_format: BodyFormat | None = "storage",
    ) -> AsyncIterator[Comment]:
        """Every direct reply to a footer comment."""
        cid = check_content_id(comment_id, "comment_id")
        size, fmt = check_limit(limit), check_format(body_format)
        return iterate(lambda c: self._backend.list_comment_replies(cid, size, c, fmt))

    async def get_comment(
        self, comment_id: str | int, *, body_format: BodyFormat | None = "storage"
    ) -> Comment:
        """One footer comment (or reply) by id, with its ``page_id``."""
        return await self._backend.get_comment(
            check_content_id(comment_id, "comment_id"), check_format(body_format)
        )

    async def add_comment(self, page_id: str | int, body: str) -> Comment:
        """Add a footer comment (storage format) to a page."""
        return await self._backend.add_comment(check_content_id(page_id), non_blank(body))

    async def reply_to_comment(self, comment_id: str | int, body: str) -> Comment:
        """Reply to a footer comment."""
        return await self._backend.reply_to_comment(
            check_content_id(comment_id, "comment_id"), non_blank(body)
        )

    # --- labels ------------------------------------------------------------------------
    async def list_labels(
        self, page_id: str | int, *, limit: int = 25, cursor: str | None = None
    ) -> ResultPage[Label]:
        """One page of a page's labels."""
        return await self._backend.list_labels(
            check_content_id(page_id), check_limit(limit), check_cursor(cursor)
        )

    def iter_labels(self, page_id: str | int, *, limit: int = 100) -> AsyncIterator[Label]:
        """Every label of a page."""
        pid, size = check_content_id(page_id), check_limit(limit)
        return iterate(lambda c: self._backend.list_labels(pid, size, c))

    async def add_labels(self, page_id: str | int, names: Iterable[str]) -> list[Label]:
        """Add labels (lower-cased; duplicates ignored); returns the page's labels after."""
        if isinstance(names, str):
            raise InvalidInputError(
                "names must be a list of label names, not a string", field="names"
            )
        cleaned = list(dict.fromkeys(check_label_name(n, "names") for n in names))
        if not cleaned or len(cleaned) > 50:
            raise InvalidInputError("names must hold 1 to 50 labels", field="names")
        return await self._backend.add_labels(check_content_id(page_id), cleaned)

    async def remove_label(self, page_id: str | int, name: str) -> None:
        """Remove one label from a page (:class:`NotFoundError` if it is not there)."""
        await self._backend.remove_label(check_content_id(page_id), check_label_name(name, "name"))

    # --- attachments -------------------------------------------------------------------
    async def list_attachments(
        self, page_id: str | int, *, limit: int = 25, cursor: str | None = None
    ) -> ResultPage[Attachment]:
        """One page of a page's attachments (metadata only)."""
        return await self._backend.list_attachments(
            check_content_id(page_id), check_limit(limit), check_cursor(cursor)
        )

    def iter_attachments(
        self, page_id: str | int, *, limit: int = 100
    ) -> AsyncIterator[Attachment]:
        """Every attachment of a page."""
        pid, size = check_content_id(page_id), check_limit(limit)
        return iterate(lambda c: self._backend.list_attachments(pid, size, c))

    async def get_attachment(self, attachment_id: str | int) -> Attachment:
        """Attachment metadata by id (``att123`` or ``123``)."""
        return await self._backend.get_attachment(check_attachment_id(attachment_id))

    async def download_attachment(
        self, attachment: Attachment | str | int, *, max_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES
    ) -> bytes:
        """The attachment's bytes; over ``max_bytes`` raises :class:`DownloadTooLargeError`
        without reading the rest."""
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
            raise InvalidInputError("max_bytes must be a positive integer", field="max_bytes")
        meta = (
            attachment
            if isinstance(attachment, Attachment)
            else await self.get_attachment(attachment)
        )
        return await self._backend.download_attachment(meta, max_bytes)

    async def upload_attachment(
        self,
        page_id: str | int,
        filename: str,
        content: bytes,
        *,
        media_type: str | None = None,
        comment: str | None = None,
    ) -> Attachment:
        """Attach a file to a page (a new version if the name exists)."""
        name = check_file_name(filename)
        if not isinstance(content, bytes | bytearray):
            raise InvalidInputError("content must be bytes", field="content")
        kind = media_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        if comment is not None and not isinstance(comment, str):
            raise InvalidInputError("comment must be a string", field="comment")
        return await self._backend.upload_attachment(
            check_content_id(page_id), name, bytes(content), kind, comment
        )

    async def upload_attachments(
        self,
        page_id: str | int,
        files: Iterable[tuple[str, bytes] | tuple[str, bytes, str]],
        *,
        comment: str | None = None,
    ) -> list[Attachment]:
        """Attach several files ``(filename, content[, media_type])`` in one request; a
        reused name becomes a new version. Returns them in the order given."""
        checked: list[tuple[str, bytes, str]] = []
        for item in files:
            if not isinstance(item, tuple) or len(item) not in (2, 3):
                raise InvalidInputError(
                    "files must hold (filename, content[, media_type]) tuples", field="files"
                )
            name = check_file_name(item[0])
            if not isinstance(item[1], bytes | bytearray):
                raise InvalidInputError("content must be bytes", field="content")
            kind = (item[2] if len(item) == 3 else None) or mimetypes.guess_type(name)[0]
            checked.append((name, bytes(item[1]), kind or "application/octet-stream"))
        if not 1 <= len(checked) <= 20:
            raise InvalidInputError("files must hold 1 to 20 files", field="files")
        if len({name for name, _, _ in checked}) != len(checked):
            raise InvalidInputError("files must have distinct names", field="files")
        if comment is not None and not isinstance(comment, str):
            raise InvalidInputError("comment must be a string", field="comment")
        return await self._backend.upload_attachments(check_content_id(page_id), checked, comment)

    async def delete_attachment(self, attachment_id: str | int, *, purge: bool = False) -> None:
        """Move an attachment to the trash; ``purge=True`` deletes it for good."""
        await self._backend.delete_attachment(check_attachment_id(attachment_id), bool(purge))

    async def get_trashed_attachment(self, attachment_id: str | int) -> Attachment:
        """A trashed attachment's metadata (its ``page_id`` too), e.g. to check before
        restoring it. Same deployments as :meth:`restore_attachment`."""
        return await self._backend.get_trashed_attachment(check_attachment_id(attachment_id))

    async def restore_attachment(self, attachment_id: str | int) -> Attachment:
        """Take a trashed attachment out of the trash (Cloud with an API token, Data Center).

        Through the OAuth gateway this raises :class:`NotSupportedError`: v2 has no restore
        and the gateway refuses the v1 content endpoints.
        """
        return await self._backend.restore_attachment(check_attachment_id(attachment_id))

    # --- versions ----------------------------------------------------------------------
    async def list_versions(
        self, page_id: str | int, *, limit: int = 25, cursor: str | None = None
    ) -> ResultPage[PageVersion]:
        """One page of a page's versions, newest first."""
        return await self._backend.list_versions(
            check_content_id(page_id), check_limit(limit), check_cursor(cursor)
        )

    def iter_versions(self, page_id: str | int, *, limit: int = 100) -> AsyncIterator[PageVersion]:
        """Every version of a page, newest first."""
        pid, size = check_content_id(page_id), check_limit(limit)
        return iterate(lambda c: self._backend.list_versions(pid, size, c))

    async def get_version(self, page_id: str | int, number: int) -> PageVersion:
        """One version's metadata; fetch its content with ``get_page(id, version=n)``."""
        return await self._backend.get_version(
            check_content_id(page_id), check_version_number(number, "number")
        )

    # --- users -------------------------------------------------------------------------
    async def get_current_user(self) -> User:
        """The user the credentials belong to."""
        return await self._backend.get_current_user()

    async def list_user_groups(self, user_id: str) -> list[str]:
        """Group names of a user (Cloud account id, Data Center user key)."""
        return await self._backend.list_user_groups(check_text(user_id, "user_id", max_length=200))

    async def can_user_edit(self, content_id: str | int, user_id: str) -> bool:
        """Whether a user may edit a page or comment (Confluence's own permission check)."""
        return await self._backend.can_edit(
            check_content_id(content_id), check_text(user_id, "user_id", max_length=200)
        )

    async def search_users(
        self, query: str, *, limit: int = 25, cursor: str | None = None
    ) -> ResultPage[User]:
        """Users whose name matches ``query`` (escaped into CQL)."""
        return await self._backend.search_users(
            check_text(query, "query", max_length=200, controls="blank"),
            check_limit(limit),
            check_cursor(cursor),
        )
