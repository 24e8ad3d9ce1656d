"""The operations each deployment implements (Cloud: v2 + v1; Data Center: v1).

The public :class:`ConfluenceClient` validates arguments, then calls one of these; backends
receive only normalised, already-checked values.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Protocol

from confluence_client._models import (
    Attachment,
    BodyFormat,
    Comment,
    ContentProperty,
    ContentType,
    Label,
    LongTask,
    Page,
    PageRestrictions,
    PageVersion,
    PageViews,
    ResultPage,
    SearchResult,
    Space,
    SpacePermission,
    Task,
    Template,
    User,
)

__all__ = ["Backend"]


class Backend(Protocol):
    """One deployment's implementation of every client operation."""

    # pages
    async def get_page(
        self,
        page_id: str,
        body_format: BodyFormat | None,
        version: int | None,
        kind: ContentType = "page",
    ) -> Page: ...
    async def find_page_by_title(
        self, space_key: str, title: str, body_format: BodyFormat | None
    ) -> Page | None: ...
    async def list_pages(
        self, space_key: str, limit: int, cursor: str | None, body_format: BodyFormat | None
    ) -> ResultPage[Page]: ...
    async def list_children(
        self, page_id: str, limit: int, cursor: str | None
    ) -> ResultPage[Page]: ...
    async def list_tree_children(
        self, parent: Page, limit: int, cursor: str | None
    ) -> ResultPage[Page]: ...
    async def list_root_pages(
        self, space_key: str, limit: int, cursor: str | None
    ) -> ResultPage[Page]: ...
    async def get_ancestors(self, page_id: str) -> list[Page]: ...
    def iter_descendants(self, page_id: str, limit: int) -> AsyncIterator[Page]: ...
    async def create_page(
        self,
        space_key: str,
        title: str,
        body: str,
        parent_id: str | None,
        kind: ContentType = "page",
    ) -> Page: ...
    async def update_page(
        self,
        current: Page,
        title: str,
        body: str,
        message: str | None,
        minor_edit: bool,
        parent_id: str | None,
    ) -> Page: ...
    async def delete_page(self, page_id: str, purge: bool, kind: ContentType = "page") -> None: ...
    async def list_blogposts(
        self, space_key: str, limit: int, cursor: str | None, body_format: BodyFormat | None
    ) -> ResultPage[Page]: ...

    # search
    async def search(
        self, cql: str, limit: int, cursor: str | None
    ) -> ResultPage[SearchResult]: ...

    # spaces
    async def list_spaces(self, limit: int, cursor: str | None) -> ResultPage[Space]: ...
    async def get_space(self, space_key: str) -> Space: ...
    async def get_space_by_id(self, space_id: str) -> Space: ...

    # comments
    async def list_comments(
        self, page_id: str, limit: int, cursor: str | None, body_format: BodyFormat | None
    ) -> ResultPage[Comment]: ...
    async def list_comment_replies(
        self, comment_id: str, limit: int, cursor: str | None, body_format: BodyFormat | None
    ) -> ResultPage[Comment]: ...
    async def get_comment(self, comment_id: str, body_format: BodyFormat | None) -> Comment: ...
    # Every comment of a page at every depth (replies name their parent), or NotSupportedError
    # where replies are listed per comment only (Cloud v2).
    async def list_page_comments_all_depths(
        self,
        page_id: str,
        location: str,
        limit: int,
        cursor: str | None,
        body_format: BodyFormat | None,
    ) -> ResultPage[Comment]: ...
    async def add_comment(self, page_id: str, body: str) -> Comment: ...
    async def reply_to_comment(self, comment_id: str, body: str) -> Comment: ...

    # inline comments
    async def list_inline_comments(
        self,
        page_id: str,
        limit: int,
        cursor: str | None,
        body_format: BodyFormat | None,
        resolution: tuple[str, ...],
    ) -> ResultPage[Comment]: ...
    async def list_inline_comment_replies(
        self, comment_id: str, limit: int, cursor: str | None, body_format: BodyFormat | None
    ) -> ResultPage[Comment]: ...
    async def get_inline_comment(
        self, comment_id: str, body_format: BodyFormat | None
    ) -> Comment: ...
    async def add_inline_comment(
        self, page_id: str, body: str, selection: str, match_index: int, match_count: int
    ) -> Comment: ...
    async def reply_to_inline_comment(self, comment_id: str, body: str) -> Comment: ...
    async def resolve_inline_comment(self, current: Comment, resolved: bool) -> Comment: ...

    # labels
    async def list_labels(
        self, page_id: str, limit: int, cursor: str | None
    ) -> ResultPage[Label]: ...
    async def add_labels(self, page_id: str, names: list[str]) -> list[Label]: ...
    async def remove_label(self, page_id: str, name: str) -> None: ...

    # attachments
    async def list_attachments(
        self, page_id: str, limit: int, cursor: str | None
    ) -> ResultPage[Attachment]: ...
    async def get_attachment(self, attachment_id: str) -> Attachment: ...
    async def download_attachment(self, attachment: Attachment, max_bytes: int) -> bytes: ...
    async def upload_attachment(
        self, page_id: str, filename: str, content: bytes, media_type: str, comment: str | None
    ) -> Attachment: ...
    async def upload_attachments(
        self, page_id: str, files: list[tuple[str, bytes, str]], comment: str | None
    ) -> list[Attachment]: ...
    async def delete_attachment(self, attachment_id: str, purge: bool) -> None: ...
    async def get_trashed_attachment(self, attachment_id: str) -> Attachment: ...
    async def restore_attachment(self, attachment_id: str) -> Attachment: ...

    # versions
    async def list_versions(
        self, page_id: str, limit: int, cursor: str | None
    ) -> ResultPage[PageVersion]: ...
    async def get_version(self, page_id: str, number: int) -> PageVersion: ...

    # folders (Cloud)
    async def create_folder(self, space_key: str, title: str, parent_id: str | None) -> Page: ...
    async def get_folder(self, folder_id: str) -> Page: ...
    async def list_folder_children(
        self, folder_id: str, limit: int, cursor: str | None
    ) -> ResultPage[Page]: ...
    async def get_node(self, kind: str, node_id: str) -> Page: ...  # whiteboard | database

    # restrictions and permissions
    async def get_restrictions(self, page_id: str) -> PageRestrictions: ...
    async def set_user_restriction(
        self, page_id: str, operation: str, user: str, add: bool
    ) -> None: ...
    async def check_permission(self, page_id: str, account_id: str, operation: str) -> bool: ...
    async def list_space_permissions(
        self, space_key: str, limit: int, cursor: str | None
    ) -> ResultPage[SpacePermission]: ...

    # templates
    async def list_templates(
        self, space_key: str | None, limit: int, cursor: str | None
    ) -> ResultPage[Template]: ...
    async def get_template(self, template_id: str) -> Template: ...

    # content properties
    async def list_properties(
        self, page_id: str, limit: int, cursor: str | None
    ) -> ResultPage[ContentProperty]: ...
    async def get_property(self, page_id: str, key: str) -> ContentProperty: ...
    async def create_property(self, page_id: str, key: str, value: Any) -> ContentProperty: ...
    async def update_property(
        self, page_id: str, current: ContentProperty, value: Any
    ) -> ContentProperty: ...
    async def delete_property(self, page_id: str, current: ContentProperty) -> None: ...

    # analytics (Cloud)
    async def get_page_views(self, page_id: str) -> PageViews: ...

    # tasks (Cloud)
    async def list_tasks(
        self, filters: dict[str, str], limit: int, cursor: str | None
    ) -> ResultPage[Task]: ...
    async def get_task(self, task_id: str) -> Task: ...
    async def set_task_status(self, current: Task, complete: bool) -> Task: ...

    # copy
    async def copy_page(self, page_id: str, payload: dict[str, Any]) -> Page: ...
    async def start_tree_copy(self, page_id: str, payload: dict[str, Any]) -> str: ...
    async def get_long_task(self, task_id: str) -> LongTask: ...

    # users
    async def get_current_user(self) -> User: ...
    async def list_user_groups(self, user_id: str) -> list[str]: ...
    async def can_edit(self, content_id: str, user_id: str) -> bool: ...
    async def search_users(
        self, query: str, limit: int, cursor: str | None
    ) -> ResultPage[User]: ...
