"""Confluence Data Center (and Server): the v1 ``rest/api`` content API, offset pagination.

Offsets are never computed here: the ``_links.next`` Confluence returns (with its
``start=``) is followed as given, like Cloud cursors.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

from confluence_client._errors import (
    ConflictError,
    InvalidInputError,
    MalformedResponseError,
    NotFoundError,
    NotSupportedError,
)
from confluence_client._models import (
    Attachment,
    BodyFormat,
    Comment,
    ContentProperty,
    ContentType,
    Label,
    Page,
    PageVersion,
    PageViews,
    ResultPage,
    Space,
    SpacePermission,
    Task,
)
from confluence_client._parse_common import obj
from confluence_client._parse_v1 import (
    parse_ancestors,
    parse_attachment,
    parse_comment,
    parse_label,
    parse_page,
    parse_space,
    parse_version,
)
from confluence_client._properties import parse_property
from confluence_client._transport import Transport
from confluence_client._v1_shared import V1Operations

__all__ = ["DataCenterBackend"]

_CONTENT = "rest/api/content"
_PAGE_EXPAND = "version,space,ancestors,history"
_COMMENT_EXPAND = "version,container,ancestors,history"
_INLINE_EXPAND = ",extensions.inlineProperties,extensions.resolution"
_SPACE_EXPAND = "description.plain,homepage"


def _expand(base: str, body_format: BodyFormat | None) -> str:
    if body_format is None:
        return base
    if body_format == "atlas_doc_format":
        raise InvalidInputError("Data Center has no atlas_doc_format bodies", field="body_format")
    return f"{base},body.{body_format}"


def _property_path(page_id: str, key: str) -> str:
    return f"rest/api/content/{page_id}/property/{quote(key, safe='')}"


class DataCenterBackend(V1Operations):
    """Data Center operations over ``rest/api``."""

    _USER_PARAM = "key"

    def __init__(self, transport: Transport, site_url: str) -> None:
        super().__init__(transport, site_url)

    def _page(self, raw: dict[str, Any]) -> Page:
        return parse_page(raw, self._site)

    # --- pages -----------------------------------------------------------------------------
    async def get_page(
        self,
        page_id: str,
        body_format: BodyFormat | None,
        version: int | None,
        kind: ContentType = "page",
    ) -> Page:
        page = await self._get_any(page_id, body_format, version)
        if page.content_type != kind:
            # v1 serves every type at /content/{id}; Cloud's /pages/{id} 404s for a blog post.
            raise NotFoundError(f"no {kind} with id {page_id}", status_code=404)
        return page

    async def list_blogposts(
        self, space_key: str, limit: int, cursor: str | None, body_format: BodyFormat | None
    ) -> ResultPage[Page]:
        params = {
            "type": "blogpost",
            "spaceKey": space_key,
            "limit": limit,
            "expand": _expand(_PAGE_EXPAND, body_format),
        }
        return await self._list(_CONTENT, params, cursor, self._page)

    async def _get_any(
        self, page_id: str, body_format: BodyFormat | None, version: int | None
    ) -> Page:
        params: dict[str, Any] = {"expand": _expand(_PAGE_EXPAND, body_format)}
        if version is None:
            return self._page(await self._get_json(f"{_CONTENT}/{page_id}", params))
        page = self._page(
            await self._get_json(f"{_CONTENT}/{page_id}", {**params, "version": version})
        )
        if page.version_number != version:
            # Some Server/DC releases only honour ``version`` together with status=historical;
            # never hand back the current version in place of the one asked for.
            params.update(status="historical", version=version)
            page = self._page(await self._get_json(f"{_CONTENT}/{page_id}", params))
            if page.version_number != version:
                raise NotFoundError(f"page {page_id} has no version {version}", status_code=404)
        return page

    async def find_page_by_title(
        self, space_key: str, title: str, body_format: BodyFormat | None
    ) -> Page | None:
        params = {
            "type": "page",
            "spaceKey": space_key,
            "title": title,
            "expand": _expand(_PAGE_EXPAND, body_format),
        }
        found = await self._list(_CONTENT, params, None, self._page)
        return next((p for p in found.items if p.title == title), None)

    async def list_pages(
        self, space_key: str, limit: int, cursor: str | None, body_format: BodyFormat | None
    ) -> ResultPage[Page]:
        params = {
            "type": "page",
            "spaceKey": space_key,
            "limit": limit,
            "expand": _expand(_PAGE_EXPAND, body_format),
        }
        return await self._list(_CONTENT, params, cursor, self._page)

    async def list_root_pages(
        self, space_key: str, limit: int, cursor: str | None
    ) -> ResultPage[Page]:
        params = {"depth": "root", "limit": limit, "expand": _PAGE_EXPAND}
        endpoint = f"rest/api/space/{space_key}/content/page"
        return await self._list(endpoint, params, cursor, self._page)

    async def list_children(self, page_id: str, limit: int, cursor: str | None) -> ResultPage[Page]:
        params = {"limit": limit, "expand": _PAGE_EXPAND}
        return await self._list(f"{_CONTENT}/{page_id}/child/page", params, cursor, self._page)

    async def list_tree_children(
        self, parent: Page, limit: int, cursor: str | None
    ) -> ResultPage[Page]:
        return await self.list_children(parent.id, limit, cursor)  # no folders on DC

    async def get_ancestors(self, page_id: str) -> list[Page]:
        body = await self._get_json(f"{_CONTENT}/{page_id}", {"expand": "ancestors"})
        return parse_ancestors(body, self._site)

    async def iter_descendants(self, page_id: str, limit: int) -> AsyncIterator[Page]:
        endpoint = f"{_CONTENT}/{page_id}/descendant/page"
        cursor: str | None = None
        while True:
            batch = await self._list(
                endpoint, {"limit": limit, "expand": _PAGE_EXPAND}, cursor, self._page
            )
            for page in batch.items:
                yield page
            if batch.next_cursor is None:
                return
            cursor = batch.next_cursor

    async def create_page(
        self,
        space_key: str,
        title: str,
        body: str,
        parent_id: str | None,
        kind: ContentType = "page",
    ) -> Page:
        payload: dict[str, Any] = {
            "type": kind,
            "title": title,
            "space": {"key": space_key},
            "body": {"storage": {"value": body, "representation": "storage"}},
        }
        if parent_id is not None:
            payload["ancestors"] = [{"id": parent_id}]
        response = await self._http.request(
            "POST", _CONTENT, json_body=payload, params={"expand": _PAGE_EXPAND}
        )
        return self._page(response.json())

    async def update_page(
        self,
        current: Page,
        title: str,
        body: str,
        message: str | None,
        minor_edit: bool,
        parent_id: str | None,
    ) -> Page:
        base = current.version_number or 1
        payload: dict[str, Any] = {
            "id": current.id,
            "type": current.content_type,
            "title": title,
            "body": {"storage": {"value": body, "representation": "storage"}},
            "version": {"number": base + 1, "message": message or "", "minorEdit": minor_edit},
        }
        if current.space_key is not None:
            payload["space"] = {"key": current.space_key}
        if parent_id is not None:
            payload["ancestors"] = [{"id": parent_id}]
        try:
            response = await self._http.request(
                "PUT",
                f"{_CONTENT}/{current.id}",
                json_body=payload,
                params={"expand": _PAGE_EXPAND},
                idempotent=False,
            )
        except ConflictError as exc:
            current_version = exc.current_version
            if current_version is None:
                try:
                    current_version = (await self._get_any(current.id, None, None)).version_number
                except NotFoundError:
                    current_version = None
            raise ConflictError(
                f"page {current.id} changed since version {base}"
                + (f" (now at {current_version})" if current_version is not None else ""),
                status_code=exc.status_code,
                method=exc.method,
                path=exc.path,
                detail=exc.detail,
                current_version=current_version,
                provided_version=base,
            ) from None
        return self._page(response.json())

    async def delete_page(self, page_id: str, purge: bool, kind: ContentType = "page") -> None:
        endpoint = f"{_CONTENT}/{page_id}"
        if kind != "page":
            await self.get_page(page_id, None, None, kind)  # v1 would delete any type
        try:
            await self._http.request("DELETE", endpoint)
        except NotFoundError:
            if not purge:
                raise
        if purge:
            await self._http.request("DELETE", endpoint, params={"status": "trashed"})

    # --- spaces ----------------------------------------------------------------------------
    async def list_spaces(self, limit: int, cursor: str | None) -> ResultPage[Space]:
        params = {"limit": limit, "expand": _SPACE_EXPAND}
        return await self._list(
            "rest/api/space", params, cursor, lambda raw: parse_space(raw, self._site)
        )

    async def get_space(self, space_key: str) -> Space:
        body = await self._get_json(f"rest/api/space/{space_key}", {"expand": _SPACE_EXPAND})
        return parse_space(body, self._site)

    async def get_space_by_id(self, space_id: str) -> Space:
        found = await self._list(
            "rest/api/space",
            {"spaceId": space_id, "expand": _SPACE_EXPAND},
            None,
            lambda raw: parse_space(raw, self._site),
        )
        match = next((s for s in found.items if s.id == space_id), None)
        if match is None:
            raise NotFoundError(f"no space with id {space_id}", status_code=404)
        return match

    # --- comments --------------------------------------------------------------------------
    async def list_comments(
        self, page_id: str, limit: int, cursor: str | None, body_format: BodyFormat | None
    ) -> ResultPage[Comment]:
        params = {
            "limit": limit,
            "location": "footer",
            "expand": _expand(_COMMENT_EXPAND, body_format),
        }
        return await self._list(
            f"{_CONTENT}/{page_id}/child/comment",
            params,
            cursor,
            lambda raw: parse_comment(raw, self._site, page_id),
        )

    async def list_comment_replies(
        self, comment_id: str, limit: int, cursor: str | None, body_format: BodyFormat | None
    ) -> ResultPage[Comment]:
        # v1 has no replies endpoint: a comment's children are attachments. Replies are the
        # page's comments (depth=all) whose parent is this comment, so one listing page may
        # hold fewer than ``limit`` replies; its cursor still walks the page's comments.
        parent = await self.get_comment(comment_id, None)
        if parent.page_id is None:
            raise MalformedResponseError("comment has no container page")
        params = {
            "limit": limit,
            "depth": "all",
            "location": "footer",
            "expand": _expand(_COMMENT_EXPAND, body_format),
        }
        batch = await self._list(
            f"{_CONTENT}/{parent.page_id}/child/comment",
            params,
            cursor,
            lambda raw: parse_comment(raw, self._site, parent.page_id),
        )
        replies = tuple(c for c in batch.items if c.parent_comment_id == comment_id)
        return ResultPage[Comment](items=replies, next_cursor=batch.next_cursor)

    async def get_comment(self, comment_id: str, body_format: BodyFormat | None) -> Comment:
        params = {"expand": _expand(_COMMENT_EXPAND, body_format)}
        body = await self._get_json(f"{_CONTENT}/{comment_id}", params)
        if body.get("type", "comment") != "comment":
            raise NotFoundError(f"no comment with id {comment_id}", status_code=404)
        return parse_comment(body, self._site)

    async def _post_comment(self, page_id: str, body: str, parent: str | None) -> Comment:
        payload: dict[str, Any] = {
            "type": "comment",
            "container": {"id": page_id, "type": "page"},
            "body": {"storage": {"value": body, "representation": "storage"}},
        }
        if parent is not None:
            payload["ancestors"] = [{"id": parent}]
        response = await self._http.request(
            "POST",
            _CONTENT,
            json_body=payload,
            params={"expand": _COMMENT_EXPAND + ",body.storage"},
        )
        comment = parse_comment(response.json(), self._site, page_id)
        if parent is not None and comment.parent_comment_id is None:
            # Some servers ignore ``expand`` on create; the parent is the one we named.
            comment = comment.model_copy(update={"parent_comment_id": parent})
        return comment

    async def add_comment(self, page_id: str, body: str) -> Comment:
        return await self._post_comment(page_id, body, None)

    # --- permissions ------------------------------------------------------------------------
    _RESTRICTION_USER_PARAM = "userName"

    async def check_permission(self, page_id: str, account_id: str, operation: str) -> bool:
        raise self._unsupported("check a user's permission on a page")

    async def list_space_permissions(
        self, space_key: str, limit: int, cursor: str | None
    ) -> ResultPage[SpacePermission]:
        raise self._unsupported("list space permissions")

    # --- content properties -----------------------------------------------------------------
    async def list_properties(
        self, page_id: str, limit: int, cursor: str | None
    ) -> ResultPage[ContentProperty]:
        endpoint = f"rest/api/content/{page_id}/property"
        return await self._list(endpoint, {"limit": limit}, cursor, parse_property)

    async def get_property(self, page_id: str, key: str) -> ContentProperty:
        return parse_property(await self._get_json(_property_path(page_id, key)))

    async def create_property(self, page_id: str, key: str, value: Any) -> ContentProperty:
        response = await self._http.request(
            "POST", f"rest/api/content/{page_id}/property", json_body={"key": key, "value": value}
        )
        return parse_property(response.json())

    async def update_property(
        self, page_id: str, current: ContentProperty, value: Any
    ) -> ContentProperty:
        payload = {"key": current.key, "value": value, "version": {"number": current.version + 1}}
        response = await self._http.request(
            "PUT", _property_path(page_id, current.key), json_body=payload
        )
        return parse_property(response.json())

    async def delete_property(self, page_id: str, current: ContentProperty) -> None:
        await self._http.request("DELETE", _property_path(page_id, current.key))

    async def get_page_views(self, page_id: str) -> PageViews:
        raise NotSupportedError(
            "Confluence Data Center has no page analytics API", deployment="datacenter"
        )

    # --- tasks (Cloud only) ------------------------------------------------------------------
    async def list_tasks(
        self, filters: dict[str, str], limit: int, cursor: str | None
    ) -> ResultPage[Task]:
        raise self._unsupported("list tasks")

    async def get_task(self, task_id: str) -> Task:
        raise self._unsupported("read tasks")

    async def set_task_status(self, current: Task, complete: bool) -> Task:
        raise self._unsupported("complete or reopen tasks")

    # --- folders (Cloud only) ---------------------------------------------------------------
    async def create_folder(self, space_key: str, title: str, parent_id: str | None) -> Page:
        raise self._unsupported("create folders (Data Center has no folders)")

    async def get_folder(self, folder_id: str) -> Page:
        raise self._unsupported("read folders (Data Center has no folders)")

    async def list_folder_children(
        self, folder_id: str, limit: int, cursor: str | None
    ) -> ResultPage[Page]:
        raise self._unsupported("list folders (Data Center has no folders)")

    async def get_node(self, kind: str, node_id: str) -> Page:
        raise NotSupportedError(
            f"Confluence Data Center has no {kind}s (a Cloud content type)",
            deployment="datacenter",
        )

    # --- inline comments -------------------------------------------------------------------
    async def list_inline_comments(
        self,
        page_id: str,
        limit: int,
        cursor: str | None,
        body_format: BodyFormat | None,
        resolution: tuple[str, ...],
    ) -> ResultPage[Comment]:
        params = {
            "limit": limit,
            "location": "inline",
            "expand": _expand(_COMMENT_EXPAND + _INLINE_EXPAND, body_format),
        }
        batch = await self._list(
            f"{_CONTENT}/{page_id}/child/comment",
            params,
            cursor,
            lambda raw: parse_comment(raw, self._site, page_id),
        )
        if not resolution:
            return batch
        # v1 cannot filter by resolution: filter this listing page (it may come out shorter).
        kept = tuple(c for c in batch.items if c.resolution_status in resolution)
        return ResultPage[Comment](items=kept, next_cursor=batch.next_cursor)

    def _unsupported(self, what: str) -> NotSupportedError:
        return NotSupportedError(
            f"Confluence Data Center's REST API cannot {what}; use the Confluence editor",
            deployment="datacenter",
        )

    # Reading inline comments and replying to them go through the documented v1 content API
    # (an inline comment is a comment whose extensions.location is "inline"). Creating one
    # anchored to a selection, and resolving, exist only as the editor's undocumented
    # /rest/inlinecomments endpoints, which this client does not call.
    async def list_inline_comment_replies(
        self, comment_id: str, limit: int, cursor: str | None, body_format: BodyFormat | None
    ) -> ResultPage[Comment]:
        # As for footer replies: the page's comments at every depth, this comment's kept.
        parent = await self.get_inline_comment(comment_id, None)
        if parent.page_id is None:
            raise MalformedResponseError("comment has no container page")
        params = {
            "limit": limit,
            "depth": "all",
            "location": "inline",
            "expand": _expand(_COMMENT_EXPAND + _INLINE_EXPAND, body_format),
        }
        batch = await self._list(
            f"{_CONTENT}/{parent.page_id}/child/comment",
            params,
            cursor,
            lambda raw: parse_comment(raw, self._site, parent.page_id),
        )
        replies = tuple(c for c in batch.items if c.parent_comment_id == comment_id)
        return ResultPage[Comment](items=replies, next_cursor=batch.next_cursor)

    async def get_inline_comment(self, comment_id: str, body_format: BodyFormat | None) -> Comment:
        params = {"expand": _expand(_COMMENT_EXPAND + _INLINE_EXPAND, body_format)}
        body = await self._get_json(f"{_CONTENT}/{comment_id}", params)
        found = parse_comment(body, self._site)
        if body.get("type", "comment") != "comment" or found.location != "inline":
            raise NotFoundError(f"no inline comment with id {comment_id}", status_code=404)
        return found

    async def add_inline_comment(
        self, page_id: str, body: str, selection: str, match_index: int, match_count: int
    ) -> Comment:
        raise self._unsupported("add inline comments (only the editor's undocumented API can)")

    async def reply_to_inline_comment(self, comment_id: str, body: str) -> Comment:
        parent = await self.get_inline_comment(comment_id, None)
        if parent.page_id is None:
            raise MalformedResponseError("comment has no container page")
        reply = await self._post_comment(parent.page_id, body, comment_id)
        # A reply shares its parent's anchor, whatever the create answer echoes.
        return reply.model_copy(update={"location": "inline", "selection": parent.selection})

    async def resolve_inline_comment(self, current: Comment, resolved: bool) -> Comment:
        raise self._unsupported(
            "resolve or reopen inline comments (only the editor's undocumented API can)"
        )

    async def reply_to_comment(self, comment_id: str, body: str) -> Comment:
        parent = await self._get_json(f"{_CONTENT}/{comment_id}", {"expand": "container"})
        page_id = obj(parent, "container").get("id")
        if parent.get("type") != "comment" or page_id is None:
            raise NotFoundError(f"no comment with id {comment_id}", status_code=404)
        return await self._post_comment(str(page_id), body, comment_id)

    # --- labels ----------------------------------------------------------------------------
    async def list_labels(self, page_id: str, limit: int, cursor: str | None) -> ResultPage[Label]:
        return await self._list(
            f"{_CONTENT}/{page_id}/label", {"limit": limit}, cursor, parse_label
        )

    # --- attachments -----------------------------------------------------------------------
    async def list_attachments(
        self, page_id: str, limit: int, cursor: str | None
    ) -> ResultPage[Attachment]:
        return await self._list(
            f"{_CONTENT}/{page_id}/child/attachment",
            {"limit": limit, "expand": "version,container,history"},
            cursor,
            lambda raw: parse_attachment(raw, self._site, page_id),
        )

    async def get_attachment(self, attachment_id: str) -> Attachment:
        numeric = attachment_id.removeprefix("att")
        body = await self._get_json(
            f"{_CONTENT}/{numeric}", {"expand": "version,container,history"}
        )
        if body.get("type", "attachment") != "attachment":
            raise NotFoundError(f"no attachment with id {attachment_id}", status_code=404)
        return parse_attachment(body, self._site)

    async def download_attachment(self, attachment: Attachment, max_bytes: int) -> bytes:
        link = attachment.download_url
        if not link:
            raise MalformedResponseError("attachment metadata lacks a download link")
        return await self._http.download(link, max_bytes)

    async def delete_attachment(self, attachment_id: str, purge: bool) -> None:
        att_id = attachment_id if attachment_id.startswith("att") else f"att{attachment_id}"
        endpoint = f"{_CONTENT}/{att_id}"
        try:
            await self._http.request("DELETE", endpoint)
        except NotFoundError:
            if not purge:
                raise
        if purge:
            await self._http.request("DELETE", endpoint, params={"status": "trashed"})

    # --- versions --------------------------------------------------------------------------
    async def list_versions(
        self, page_id: str, limit: int, cursor: str | None
    ) -> ResultPage[PageVersion]:
        return await self._list(
            f"{_CONTENT}/{page_id}/version",
            {"limit": limit},
            cursor,
            lambda raw: parse_version(raw, page_id),
        )

    async def get_version(self, page_id: str, number: int) -> PageVersion:
        return parse_version(
            await self._get_json(f"{_CONTENT}/{page_id}/version/{number}"), page_id
        )
