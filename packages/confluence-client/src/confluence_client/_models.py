"""Typed, immutable models of what Confluence returns.

The models are deployment-neutral: Cloud v2, Cloud v1 and Data Center v1 JSON are all parsed
into the same shapes (see ``_parse_v1`` and ``_parse_v2``), so callers never branch on the
deployment. Ids are strings of digits (attachments: ``att`` + digits), as Confluence sends them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "BodyFormat",
    "ContentType",
    "ContentBody",
    "User",
    "PageVersion",
    "Space",
    "Page",
    "PageTreeNode",
    "Comment",
    "Label",
    "Attachment",
    "LongTask",
    "PageRestrictions",
    "SpacePermission",
    "Task",
    "Template",
    "ContentProperty",
    "PageViews",
    "SearchResult",
    "ResultPage",
]

BodyFormat = Literal["storage", "view", "atlas_doc_format"]
"""Body representations the client can fetch; writes always use ``storage``."""

ContentType = Literal["page", "blogpost"]
"""What the page operations act on: pages (in the tree) or blog posts (dated, no parent)."""

T = TypeVar("T")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ContentBody(_Model):
    """A body in one representation (``storage`` XHTML, rendered ``view`` HTML, ...)."""

    representation: str
    value: str


class User(_Model):
    """A Confluence user. Cloud identifies users by ``account_id``; Data Center by
    ``user_key`` and ``username``."""

    display_name: str
    account_id: str | None = None
    user_key: str | None = None
    username: str | None = None
    email: str | None = None
    account_type: str | None = None

    @property
    def id(self) -> str | None:
        """The deployment's stable user id (account id on Cloud, user key on Data Center)."""
        return self.account_id or self.user_key


class PageVersion(_Model):
    """One version of a page (or comment): number and who/when/why."""

    number: int
    message: str | None = None
    minor_edit: bool = False
    author_id: str | None = None
    created_at: datetime | None = None
    page_id: str | None = None


class Space(_Model):
    """A space."""

    id: str
    key: str
    name: str
    type: str | None = None
    status: str | None = None
    description: str | None = None
    homepage_id: str | None = None
    web_url: str | None = None


class Page(_Model):
    """A page, with its body when one was requested.

    ``version`` is what an update must quote as ``expected_version``.
    """

    id: str
    title: str
    status: str = "current"
    space_id: str | None = None
    space_key: str | None = None
    parent_id: str | None = None
    author_id: str | None = None
    created_at: datetime | None = None
    version: PageVersion | None = None
    body: ContentBody | None = None
    web_url: str | None = None
    tiny_url: str | None = None
    content_type: str = "page"

    @property
    def version_number(self) -> int | None:
        """The page's version number, when the response carried it."""
        return self.version.number if self.version is not None else None


class PageTreeNode(_Model):
    """A page and its descendants, as returned by :meth:`ConfluenceClient.get_page_tree`."""

    page: Page
    children: tuple[PageTreeNode, ...] = ()

    def walk(self) -> Iterator[tuple[int, Page]]:
        """Yield ``(depth, page)`` depth-first, the root at depth 0."""
        stack: list[tuple[int, PageTreeNode]] = [(0, self)]
        while stack:
            depth, node = stack.pop()
            yield depth, node.page
            stack.extend((depth + 1, child) for child in reversed(node.children))


class Comment(_Model):
    """A footer comment on a page; replies name their parent comment."""

    id: str
    page_id: str | None = None
    parent_comment_id: str | None = None
    author_id: str | None = None
    created_at: datetime | None = None
    version: PageVersion | None = None
    body: ContentBody | None = None
    web_url: str | None = None
    location: str = "footer"
    resolution_status: str | None = None
    selection: str | None = None


class Label(_Model):
    """A label on a page."""

    name: str
    prefix: str = "global"
    id: str | None = None


class Attachment(_Model):
    """Attachment metadata; fetch the bytes with ``download_attachment``."""

    id: str
    title: str
    media_type: str | None = None
    file_size: int | None = None
    page_id: str | None = None
    comment: str | None = None
    version: PageVersion | None = None
    created_at: datetime | None = None
    download_url: str | None = None
    web_url: str | None = None


class SearchResult(_Model):
    """One CQL search hit. ``content_id`` is set for content (pages, comments, ...)."""

    title: str
    content_id: str | None = None
    content_type: str | None = None
    excerpt: str | None = None
    space_key: str | None = None
    space_name: str | None = None
    last_modified: datetime | None = None
    web_url: str | None = None


class ResultPage(_Model, Generic[T]):
    """One page of a paginated listing.

    ``next_cursor`` is opaque: pass it back to the same listing call to get the next page;
    ``None`` means this was the last page. ``total_size`` is set when Confluence reports it.
    """

    items: tuple[T, ...] = Field(default_factory=tuple)
    next_cursor: str | None = None
    total_size: int | None = None


class LongTask(_Model):
    """A Confluence long-running task (e.g. a page-tree copy) as last polled."""

    id: str
    percentage: int = 0
    finished: bool = False
    successful: bool = False
    message: str | None = None
    destination_id: str | None = None


class PageRestrictions(_Model):
    """Who a page is restricted to, per operation; empty means not restricted (the space's
    permissions apply). Group restrictions are listed by name."""

    page_id: str
    read_users: tuple[User, ...] = ()
    read_groups: tuple[str, ...] = ()
    update_users: tuple[User, ...] = ()
    update_groups: tuple[str, ...] = ()


class SpacePermission(_Model):
    """One grant of a space permission (Cloud): a principal may do ``operation`` on ``target``."""

    principal_type: str
    principal_id: str
    operation: str
    target: str


class Template(_Model):
    """A page template (global when ``space_key`` is None); ``body`` (storage) and
    ``variables`` come with :meth:`ConfluenceClient.get_template`."""

    id: str
    name: str
    description: str | None = None
    space_key: str | None = None
    body: str | None = None
    variables: tuple[str, ...] = ()


class ContentProperty(_Model):
    """A content property of a page: a key with a JSON value, versioned on its own."""

    key: str
    value: Any = None
    version: int
    id: str | None = None


class PageViews(_Model):
    """A page's analytics (Cloud): total views and distinct viewers."""

    page_id: str
    views: int
    viewers: int


class Task(_Model):
    """An inline task of a page (Cloud): ``status`` is ``complete`` or ``incomplete``."""

    id: str
    page_id: str | None = None
    space_id: str | None = None
    status: str
    body: str | None = None
    assigned_to: str | None = None
    created_by: str | None = None
    completed_by: str | None = None
