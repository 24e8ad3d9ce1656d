"""Plain records the fake's store keeps: users, spaces, pages, comments, labels, attachments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = [
    "PropertyRecord",
    "UserRecord",
    "SpaceRecord",
    "LabelRecord",
    "VersionRecord",
    "PageRecord",
    "CommentRecord",
    "InlineCommentRecord",
    "AttachmentRecord",
    "LongTaskRecord",
    "TemplateRecord",
    "TaskRecord",
]


@dataclass(slots=True)
class UserRecord:
    """A Confluence user (Cloud account id; Data Center username and user key)."""

    account_id: str
    display_name: str
    email: str
    username: str
    user_key: str
    groups: tuple[str, ...] = ()


@dataclass(slots=True)
class SpaceRecord:
    """A space; ``id`` is numeric, ``key`` the short upper-case key."""

    id: str
    key: str
    name: str
    description: str
    author_id: str
    created_at: datetime
    type: str = "global"
    status: str = "current"
    homepage_id: str | None = None
    # Account ids allowed to edit the space's content; None means every user may.
    editors: frozenset[str] | None = None


@dataclass(slots=True)
class LabelRecord:
    """A label; ids are shared by every page carrying the same prefix:name."""

    id: str
    name: str
    prefix: str = "global"


@dataclass(slots=True)
class VersionRecord:
    """One saved version of a page: its title, storage body and parent at that time."""

    number: int
    title: str
    body: str
    parent_id: str | None
    author_id: str
    created_at: datetime
    message: str = ""
    minor_edit: bool = False


@dataclass(slots=True)
class PageRecord:
    """A page or blog post with its full version history (``versions[-1]`` is the current one)."""

    id: str
    space_id: str
    status: str
    position: int
    author_id: str
    created_at: datetime
    versions: list[VersionRecord]
    labels: list[LabelRecord] = field(default_factory=list)
    kind: str = "page"  # or "blogpost": no parent, not in the page tree

    @property
    def current(self) -> VersionRecord:
        """The latest version."""
        return self.versions[-1]

    @property
    def title(self) -> str:
        """The current title."""
        return self.current.title

    @property
    def parent_id(self) -> str | None:
        """The current parent page id, or None for a root page."""
        return self.current.parent_id

    @property
    def body(self) -> str:
        """The current storage-format body."""
        return self.current.body

    @property
    def version(self) -> int:
        """The current version number."""
        return self.current.number

    @property
    def modified_at(self) -> datetime:
        """When the current version was saved."""
        return self.current.created_at


@dataclass(slots=True)
class CommentRecord:
    """A footer comment on a page; replies carry ``parent_comment_id``."""

    id: str
    page_id: str
    body: str
    author_id: str
    created_at: datetime
    parent_comment_id: str | None = None
    version: int = 1
    status: str = "current"


@dataclass(slots=True)
class InlineCommentRecord:
    """An inline comment: anchored to ``selection`` in its page by ``marker_ref`` (replies
    share their parent's anchor); ``resolution`` is open, reopened, resolved or dangling."""

    id: str
    page_id: str
    body: str
    author_id: str
    created_at: datetime
    selection: str
    marker_ref: str
    parent_comment_id: str | None = None
    version: int = 1
    status: str = "current"
    resolution: str = "open"
    resolution_by: str | None = None
    resolution_at: datetime | None = None


@dataclass(slots=True)
class AttachmentRecord:
    """A file attached to a page; the bytes live in ``data``."""

    id: str
    page_id: str
    title: str
    media_type: str
    data: bytes
    author_id: str
    created_at: datetime
    file_id: str
    comment: str = ""
    version: int = 1
    status: str = "current"


@dataclass(slots=True)
class LongTaskRecord:
    """A page-tree copy: ``pending`` (source id, new parent's source id) pairs left to copy."""

    id: str
    root_id: str
    destination_parent: str
    pending: list[tuple[str, str | None]]
    total: int
    prefix: str = ""
    search: str = ""
    replace: str = ""
    attachments: bool = False
    labels: bool = False
    copied: dict[str, str] = field(default_factory=dict)  # source id -> new id
    error: str | None = None

    @property
    def finished(self) -> bool:
        """Every page copied, or stopped by an error."""
        return not self.pending or self.error is not None

    @property
    def percentage(self) -> int:
        """Progress as Confluence reports it (0-100)."""
        return 100 if self.finished else int(100 * (self.total - len(self.pending)) / self.total)


@dataclass(slots=True)
class TemplateRecord:
    """A page template: global when ``space_id`` is None."""

    id: str
    name: str
    description: str
    body: str
    space_id: str | None = None


@dataclass(slots=True)
class TaskRecord:
    """An inline task (``ac:task``) of a page; ``status`` is complete or incomplete."""

    id: str
    page_id: str
    body: str
    created_by: str
    created_at: datetime
    assigned_to: str | None = None
    status: str = "incomplete"
    completed_by: str | None = None
    completed_at: datetime | None = None


@dataclass(slots=True)
class PropertyRecord:
    """A content property of a page: a key, a JSON value and its own version number."""

    id: str
    page_id: str
    key: str
    value: Any
    version: int
    author_id: str
    when: datetime
