"""Confluence Cloud: the v2 API for content, v1 where v2 has no equivalent."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from confluence_client._errors import (
    ConflictError,
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
from confluence_client._parse_v1 import parse_ancestors
from confluence_client._parse_v2 import (
    parse_attachment,
    parse_comment,
    parse_inline_comment,
    parse_label,
    parse_page,
    parse_space,
    parse_space_permission,
    parse_task,
    parse_version,
)
from confluence_client._properties import parse_property
from confluence_client._spaces import SpaceCache
from confluence_client._transport import Transport
from confluence_client._v1_shared import V1Operations

__all__ = ["CloudBackend"]

_V2 = "api/v2"
_PATHS: dict[str, str] = {"page": "pages", "blogpost": "blogposts"}
# Content-tree nodes besides pages: each type has its own v2 route family.
_NODE_PATHS: dict[str, str] = {
    "page": "pages",
    "folder": "folders",
    "whiteboard": "whiteboards",
    "database": "databases",
}
_MAX_DESCENDANT_DEPTH = 5  # v2 /descendants answers at most 5 levels per call


class CloudBackend(V1Operations):
    """Cloud operations. Space keys are resolved to ids through the client's `SpaceCache`."""

    def __init__(self, transport: Transport, site_url: str, spaces: SpaceCache) -> None:
        super().__init__(transport, site_url)
        self._spaces = spaces
        self._through_gateway = transport.api_base_url != site_url

    # --- helpers -------------------------------------------------------------------------
    def _page(self, raw: dict[str, Any]) -> Page:
        page = parse_page(raw, self._site)
        key = self._spaces.key_for(page.space_id) if page.space_id else None
        return page.model_copy(update={"space_key": key}) if key else page

    def _remember(self, space: Space) -> Space:
        return self._spaces.remember(space)

    async def _space_id(self, space_key: str) -> str:
        cached = self._spaces.id_for(space_key)
        return cached if cached is not None else (await self.get_space(space_key)).id

    @staticmethod
    def _fmt(params: dict[str, Any], body_format: BodyFormat | None) -> dict[str, Any]:
        if body_format is not None:
            params["body-format"] = body_format
        return params

    # --- pages -----------------------------------------------------------------------------
    async def get_page(
        self,
        page_id: str,
        body_format: BodyFormat | None,
        version: int | None,
        kind: ContentType = "page",
    ) -> Page:
        params = self._fmt({}, body_format)
        if version is not None:
            params["version"] = version
        raw = await self._get_json(f"{_V2}/{_PATHS[kind]}/{page_id}", params)
        return self._typed(raw, kind)

    def _typed(self, raw: dict[str, Any], kind: ContentType) -> Page:
        page = self._page(raw)
        return page if kind == "page" else page.model_copy(update={"content_type": kind})

    async def list_blogposts(
        self, space_key: str, limit: int, cursor: str | None, body_format: BodyFormat | None
    ) -> ResultPage[Page]:
        space_id = await self._space_id(space_key)
        params = self._fmt({"limit": limit, "status": "current"}, body_format)
        return await self._list(
            f"{_V2}/spaces/{space_id}/blogposts",
            params,
            cursor,
            lambda raw: self._typed(raw, "blogpost"),
        )

    async def find_page_by_title(
        self, space_key: str, title: str, body_format: BodyFormat | None
    ) -> Page | None:
        params = self._fmt(
            {"space-id": await self._space_id(space_key), "title": title, "status": "current"},
            body_format,
        )
        found = await self._list(f"{_V2}/pages", params, None, self._page)
        return next((p for p in found.items if p.title == title), None)

    async def list_pages(
        self, space_key: str, limit: int, cursor: str | None, body_format: BodyFormat | None
    ) -> ResultPage[Page]:
        space_id = await self._space_id(space_key)
        params = self._fmt({"limit": limit, "status": "current", "depth": "all"}, body_format)
        return await self._list(f"{_V2}/spaces/{space_id}/pages", params, cursor, self._page)

    async def list_root_pages(
        self, space_key: str, limit: int, cursor: str | None
    ) -> ResultPage[Page]:
        space_id = await self._space_id(space_key)
        params = {"limit": limit, "status": "current", "depth": "root"}
        return await self._list(f"{_V2}/spaces/{space_id}/pages", params, cursor, self._page)

    async def list_children(self, page_id: str, limit: int, cursor: str | None) -> ResultPage[Page]:
        # sort=id: Confluence's direct-children cursor skips items under the default order.
        params = {"limit": limit, "sort": "id"}
        result = await self._list(
            f"{_V2}/pages/{page_id}/direct-children", params, cursor, self._child
        )
        # direct-children items omit parentId: it is the page we asked about.
        pages = tuple(
            p if p.parent_id else p.model_copy(update={"parent_id": page_id})
            for p in result.items
            if p is not None
        )
        return ResultPage[Page](
            items=pages, next_cursor=result.next_cursor, total_size=result.total_size
        )

    def _typed_child(self, raw: dict[str, Any]) -> Page:
        kind = str(raw.get("type", "page"))
        page = self._page(raw)
        if kind == "page":
            return page
        update: dict[str, Any] = {"content_type": kind}
        if page.web_url is None and page.space_key is not None:
            # Tree listings carry no links; Cloud opens these at /spaces/KEY/<type>/ID.
            update["web_url"] = f"{self._site}/spaces/{page.space_key}/{kind}/{page.id}"
        return page.model_copy(update=update)

    async def get_node(self, kind: str, node_id: str) -> Page:
        """A whiteboard or database (metadata only: their content has no REST body)."""
        body = await self._get_json(f"{_V2}/{_NODE_PATHS[kind]}/{node_id}")
        return self._typed_child({**body, "type": kind})

    async def create_folder(self, space_key: str, title: str, parent_id: str | None) -> Page:
        payload: dict[str, Any] = {"spaceId": await self._space_id(space_key), "title": title}
        if parent_id is not None:
            payload["parentId"] = parent_id
        response = await self._http.request("POST", f"{_V2}/folders", json_body=payload)
        return self._typed_child({**response.json(), "type": "folder"})

    async def get_folder(self, folder_id: str) -> Page:
        body = await self._get_json(f"{_V2}/folders/{folder_id}")
        return self._typed_child({**body, "type": "folder"})

    async def list_folder_children(
        self, folder_id: str, limit: int, cursor: str | None
    ) -> ResultPage[Page]:
        result = await self._list(
            f"{_V2}/folders/{folder_id}/direct-children",
            {"limit": limit, "sort": "id"},
            cursor,
            self._typed_child,
        )
        kids = tuple(
            p if p.parent_id else p.model_copy(update={"parent_id": folder_id})
            for p in result.items
        )
        return ResultPage[Page](items=kids, next_cursor=result.next_cursor)

    async def list_tree_children(
        self, parent: Page, limit: int, cursor: str | None
    ) -> ResultPage[Page]:
        """A tree node's children: pages and folders (typed), below a page or a folder."""
        path = _NODE_PATHS.get(parent.content_type)
        if path is None:
            return ResultPage[Page]()  # blog posts and unknown types have no children
        if parent.space_id is not None and self._spaces.key_for(parent.space_id) is None:
            await self.get_space_by_id(parent.space_id)  # children's links need the key
        result = await self._list(
            f"{_V2}/{path}/{parent.id}/direct-children",
            {"limit": limit, "sort": "id"},
            cursor,
            self._tree_child,
        )
        kids = tuple(
            p if p.parent_id else p.model_copy(update={"parent_id": parent.id})
            for p in result.items
            if p is not None
        )
        return ResultPage[Page](items=kids, next_cursor=result.next_cursor)

    def _tree_child(self, raw: dict[str, Any]) -> Page | None:
        # Embeds (Smart Links) and types newer than this client are left out of trees.
        return self._typed_child(raw) if raw.get("type", "page") in _NODE_PATHS else None

    def _child(self, raw: dict[str, Any]) -> Page | None:
        # direct-children mixes folders, whiteboards, databases... keep pages only.
        return self._page(raw) if raw.get("type", "page") == "page" else None

    async def get_ancestors(self, page_id: str) -> list[Page]:
        if not self._through_gateway:
            # One v1 call returns titled ancestors; v2 returns bare ids (one fetch each).
            # OAuth tokens cannot use v1 content endpoints (410 Gone on the gateway).
            body = await self._get_json(f"rest/api/content/{page_id}", {"expand": "ancestors"})
            return parse_ancestors(body, self._site)
        body = await self._get_json(f"{_V2}/pages/{page_id}/ancestors")
        results = body.get("results")
        if not isinstance(results, list):
            raise MalformedResponseError("expected ancestors in 'results'")
        ids = [
            str(a["id"]) for a in results if isinstance(a, dict) and a.get("type", "page") == "page"
        ]
        # v2 answers ids only; fetch the pages concurrently (bounded by the client's cap).
        return list(await asyncio.gather(*(self.get_page(i, None, None) for i in ids)))

    async def iter_descendants(self, page_id: str, limit: int) -> AsyncIterator[Page]:
        pending = [("pages", page_id)]
        while pending:
            path, root = pending.pop(0)
            endpoint = f"{_V2}/{path}/{root}/descendants"
            cursor: str | None = None
            while True:
                params = {"limit": limit, "depth": _MAX_DESCENDANT_DEPTH}
                batch = await self._list(endpoint, params, cursor, lambda raw: raw)
                for raw in batch.items:
                    # Folders, whiteboards and databases are tree nodes; embeds are left out.
                    kind = str(raw.get("type", "page"))
                    if kind not in _NODE_PATHS:
                        continue
                    if raw.get("depth") == _MAX_DESCENDANT_DEPTH:
                        # Deeper levels need another call, on the node type's own route.
                        pending.append((_NODE_PATHS[kind], str(raw["id"])))
                    yield self._typed_child(raw)
                if batch.next_cursor is None:
                    break
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
            "spaceId": await self._space_id(space_key),
            "status": "current",
            "title": title,
            "body": {"representation": "storage", "value": body},
        }
        if parent_id is not None:
            payload["parentId"] = parent_id
        response = await self._http.request("POST", f"{_V2}/{_PATHS[kind]}", json_body=payload)
        return self._typed(response.json(), kind)

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
        kind: ContentType = "blogpost" if current.content_type == "blogpost" else "page"
        payload: dict[str, Any] = {
            "id": current.id,
            "status": "current",
            "title": title,
            "body": {"representation": "storage", "value": body},
            "version": {"number": base + 1, "message": message or "", "minorEdit": minor_edit},
        }
        if parent_id is not None:
            payload["parentId"] = parent_id
        try:
            # Not retried on 5xx/timeouts: a repeat of a PUT that did land would read as a conflict.
            response = await self._http.request(
                "PUT",
                f"{_V2}/{_PATHS[kind]}/{current.id}",
                json_body=payload,
                idempotent=False,
            )
        except ConflictError as exc:
            raise await self._conflict(exc, current.id, base, kind) from None
        return self._typed(response.json(), kind)

    async def _conflict(
        self, exc: ConflictError, page_id: str, provided: int, kind: ContentType = "page"
    ) -> ConflictError:
        current = exc.current_version
        if current is None:
            try:
                current = (await self.get_page(page_id, None, None, kind)).version_number
            except NotFoundError:
                current = None
        return ConflictError(
            f"page {page_id} changed since version {provided}"
            + (f" (now at {current})" if current is not None else ""),
            status_code=exc.status_code,
            method=exc.method,
            path=exc.path,
            detail=exc.detail,
            current_version=current,
            provided_version=provided,
        )

    async def delete_page(self, page_id: str, purge: bool, kind: ContentType = "page") -> None:
        endpoint = f"{_V2}/{_PATHS[kind]}/{page_id}"
        try:
            await self._http.request("DELETE", endpoint)
        except NotFoundError:
            if not purge:
                raise  # already trashed pages are 404 here; purge them below
        if purge:
            await self._http.request("DELETE", endpoint, params={"purge": "true"})

    # --- spaces ----------------------------------------------------------------------------
    async def list_spaces(self, limit: int, cursor: str | None) -> ResultPage[Space]:
        params = {"limit": limit, "description-format": "plain"}
        return await self._list(
            f"{_V2}/spaces",
            params,
            cursor,
            lambda raw: self._remember(parse_space(raw, self._site)),
        )

    async def get_space(self, space_key: str) -> Space:
        found = await self._list(
            f"{_V2}/spaces",
            {"keys": space_key, "description-format": "plain", "limit": 1},
            None,
            lambda raw: parse_space(raw, self._site),
        )
        match = next((s for s in found.items if s.key == space_key), None)
        if match is None:
            raise NotFoundError(f"no space with key {space_key!r}", status_code=404)
        return self._remember(match)

    async def get_space_by_id(self, space_id: str) -> Space:
        body = await self._get_json(f"{_V2}/spaces/{space_id}", {"description-format": "plain"})
        return self._remember(parse_space(body, self._site))

    # --- comments --------------------------------------------------------------------------
    async def list_comments(
        self, page_id: str, limit: int, cursor: str | None, body_format: BodyFormat | None
    ) -> ResultPage[Comment]:
        params = self._fmt({"limit": limit}, body_format)
        return await self._list(
            f"{_V2}/pages/{page_id}/footer-comments",
            params,
            cursor,
            lambda raw: parse_comment(raw, self._site),
        )

    async def list_comment_replies(
        self, comment_id: str, limit: int, cursor: str | None, body_format: BodyFormat | None
    ) -> ResultPage[Comment]:
        params = self._fmt({"limit": limit}, body_format)
        return await self._list(
            f"{_V2}/footer-comments/{comment_id}/children",
            params,
            cursor,
            lambda raw: parse_comment(raw, self._site),
        )

    async def get_comment(self, comment_id: str, body_format: BodyFormat | None) -> Comment:
        params = self._fmt({}, body_format)
        body = await self._get_json(f"{_V2}/footer-comments/{comment_id}", params)
        return parse_comment(body, self._site)

    async def _post_comment(self, payload: dict[str, Any]) -> Comment:
        payload["body"] = {"representation": "storage", "value": payload.pop("value")}
        response = await self._http.request("POST", f"{_V2}/footer-comments", json_body=payload)
        return parse_comment(response.json(), self._site)

    async def add_comment(self, page_id: str, body: str) -> Comment:
        return await self._post_comment({"pageId": page_id, "value": body})

    async def reply_to_comment(self, comment_id: str, body: str) -> Comment:
        return await self._post_comment({"parentCommentId": comment_id, "value": body})

    # --- inline comments -------------------------------------------------------------------
    def _inline(self, raw: dict[str, Any]) -> Comment:
        return parse_inline_comment(raw, self._site)

    async def list_inline_comments(
        self,
        page_id: str,
        limit: int,
        cursor: str | None,
        body_format: BodyFormat | None,
        resolution: tuple[str, ...],
    ) -> ResultPage[Comment]:
        params = self._fmt({"limit": limit}, body_format)
        if resolution:
            params["resolution-status"] = ",".join(resolution)
        return await self._list(
            f"{_V2}/pages/{page_id}/inline-comments", params, cursor, self._inline
        )

    async def list_inline_comment_replies(
        self, comment_id: str, limit: int, cursor: str | None, body_format: BodyFormat | None
    ) -> ResultPage[Comment]:
        params = self._fmt({"limit": limit}, body_format)
        return await self._list(
            f"{_V2}/inline-comments/{comment_id}/children", params, cursor, self._inline
        )

    async def get_inline_comment(self, comment_id: str, body_format: BodyFormat | None) -> Comment:
        params = self._fmt({}, body_format)
        return self._inline(await self._get_json(f"{_V2}/inline-comments/{comment_id}", params))

    async def _post_inline(self, payload: dict[str, Any], body: str) -> Comment:
        payload["body"] = {"representation": "storage", "value": body}
        response = await self._http.request("POST", f"{_V2}/inline-comments", json_body=payload)
        return self._inline(response.json())

    async def add_inline_comment(
        self, page_id: str, body: str, selection: str, match_index: int, match_count: int
    ) -> Comment:
        anchor = {
            "textSelection": selection,
            "textSelectionMatchCount": match_count,
            "textSelectionMatchIndex": match_index,
        }
        return await self._post_inline({"pageId": page_id, "inlineCommentProperties": anchor}, body)

    async def reply_to_inline_comment(self, comment_id: str, body: str) -> Comment:
        return await self._post_inline({"parentCommentId": comment_id}, body)

    async def resolve_inline_comment(self, current: Comment, resolved: bool) -> Comment:
        number = current.version.number if current.version is not None else 1
        payload: dict[str, Any] = {"version": {"number": number + 1}, "resolved": resolved}
        if current.body is not None:
            payload["body"] = {"representation": "storage", "value": current.body.value}
        response = await self._http.request(
            "PUT",
            f"{_V2}/inline-comments/{current.id}",
            json_body=payload,
            idempotent=False,
        )
        return self._inline(response.json())

    # --- labels ----------------------------------------------------------------------------
    async def list_labels(self, page_id: str, limit: int, cursor: str | None) -> ResultPage[Label]:
        return await self._list(
            f"{_V2}/pages/{page_id}/labels", {"limit": limit}, cursor, parse_label
        )

    # --- attachments -----------------------------------------------------------------------
    async def list_attachments(
        self, page_id: str, limit: int, cursor: str | None
    ) -> ResultPage[Attachment]:
        return await self._list(
            f"{_V2}/pages/{page_id}/attachments",
            {"limit": limit},
            cursor,
            lambda raw: parse_attachment(raw, self._site),
        )

    async def get_attachment(self, attachment_id: str) -> Attachment:
        att_id = attachment_id if attachment_id.startswith("att") else f"att{attachment_id}"
        return parse_attachment(await self._get_json(f"{_V2}/attachments/{att_id}"), self._site)

    async def delete_attachment(self, attachment_id: str, purge: bool) -> None:
        att_id = attachment_id if attachment_id.startswith("att") else f"att{attachment_id}"
        endpoint = f"{_V2}/attachments/{att_id}"
        try:
            await self._http.request("DELETE", endpoint)
        except NotFoundError:
            if not purge:
                raise  # a trashed attachment is 404 here; purge it below
        if purge:
            await self._http.request("DELETE", endpoint, params={"purge": "true"})

    def _no_trash_on_gateway(self) -> None:
        if self._through_gateway:
            # v2 has no restore; the gateway answers 410 Gone to v1 content endpoints.
            raise NotSupportedError(
                "the OAuth gateway cannot restore attachments (v1 content endpoints answer 410"
                " there; v2 has no restore): restore it from the space's trash in Confluence",
                deployment="cloud",
            )

    async def get_trashed_attachment(self, attachment_id: str) -> Attachment:
        self._no_trash_on_gateway()
        return await super().get_trashed_attachment(attachment_id)

    async def restore_attachment(self, attachment_id: str) -> Attachment:
        self._no_trash_on_gateway()
        return await super().restore_attachment(attachment_id)

    # --- analytics --------------------------------------------------------------------------
    async def get_page_views(self, page_id: str) -> PageViews:
        base = f"rest/api/analytics/content/{page_id}"
        views, viewers = await asyncio.gather(
            self._get_json(f"{base}/views"), self._get_json(f"{base}/viewers")
        )
        try:
            return PageViews(page_id=page_id, views=views["count"], viewers=viewers["count"])
        except (KeyError, ValueError) as exc:
            raise MalformedResponseError("unexpected analytics shape", path=base) from exc

    # --- content properties -----------------------------------------------------------------
    async def list_properties(
        self, page_id: str, limit: int, cursor: str | None
    ) -> ResultPage[ContentProperty]:
        endpoint = f"{_V2}/pages/{page_id}/properties"
        return await self._list(endpoint, {"limit": limit}, cursor, parse_property)

    async def get_property(self, page_id: str, key: str) -> ContentProperty:
        found = await self._list(
            f"{_V2}/pages/{page_id}/properties", {"key": key}, None, parse_property
        )
        for prop in found.items:
            if prop.key == key:
                return prop
        raise NotFoundError(f"page {page_id} has no property {key!r}", status_code=404)

    async def create_property(self, page_id: str, key: str, value: Any) -> ContentProperty:
        response = await self._http.request(
            "POST", f"{_V2}/pages/{page_id}/properties", json_body={"key": key, "value": value}
        )
        return parse_property(response.json())

    async def update_property(
        self, page_id: str, current: ContentProperty, value: Any
    ) -> ContentProperty:
        payload = {"key": current.key, "value": value, "version": {"number": current.version + 1}}
        response = await self._http.request(
            "PUT", f"{_V2}/pages/{page_id}/properties/{current.id}", json_body=payload
        )
        return parse_property(response.json())

    async def delete_property(self, page_id: str, current: ContentProperty) -> None:
        await self._http.request("DELETE", f"{_V2}/pages/{page_id}/properties/{current.id}")

    async def list_tasks(
        self, filters: dict[str, str], limit: int, cursor: str | None
    ) -> ResultPage[Task]:
        params: dict[str, Any] = {"limit": limit, "body-format": "storage", **filters}
        space_key = params.pop("space-key", None)
        if space_key is not None:
            params["space-id"] = await self._space_id(space_key)
        return await self._list(f"{_V2}/tasks", params, cursor, parse_task)

    async def get_task(self, task_id: str) -> Task:
        return parse_task(
            await self._get_json(f"{_V2}/tasks/{task_id}", {"body-format": "storage"})
        )

    async def set_task_status(self, current: Task, complete: bool) -> Task:
        task_id = current.id
        payload = {
            "id": task_id,
            "status": "complete" if complete else "incomplete",
            "pageId": current.page_id,
            "spaceId": current.space_id,
        }
        response = await self._http.request("PUT", f"{_V2}/tasks/{task_id}", json_body=payload)
        return parse_task(response.json())

    async def check_permission(self, page_id: str, account_id: str, operation: str) -> bool:
        response = await self._http.request(
            "POST",
            f"rest/api/content/{page_id}/permission/check",
            json_body={
                "subject": {"type": "user", "identifier": account_id},
                "operation": operation,
            },
            idempotent=True,
        )
        body = response.json()
        allowed = body.get("hasPermission") if isinstance(body, dict) else None
        if not isinstance(allowed, bool):
            raise MalformedResponseError("permission check without hasPermission")
        return allowed

    async def list_space_permissions(
        self, space_key: str, limit: int, cursor: str | None
    ) -> ResultPage[SpacePermission]:
        space_id = await self._space_id(space_key)
        return await self._list(
            f"{_V2}/spaces/{space_id}/permissions",
            {"limit": limit},
            cursor,
            parse_space_permission,
        )

    async def download_attachment(self, attachment: Attachment, max_bytes: int) -> bytes:
        link = attachment.download_url
        if self._through_gateway or not link or not link.startswith(self._site + "/"):
            # OAuth tokens are refused on the site domain; the v1 download path works everywhere.
            if attachment.page_id is None:
                raise MalformedResponseError("attachment metadata lacks its page id")
            link = (
                f"rest/api/content/{attachment.page_id}/child/attachment/{attachment.id}/download"
            )
        return await self._http.download(link, max_bytes)

    # --- versions --------------------------------------------------------------------------
    async def list_versions(
        self, page_id: str, limit: int, cursor: str | None
    ) -> ResultPage[PageVersion]:
        return await self._list(
            f"{_V2}/pages/{page_id}/versions",
            {"limit": limit},
            cursor,
            lambda raw: parse_version(raw, page_id),
        )

    async def get_version(self, page_id: str, number: int) -> PageVersion:
        return parse_version(
            await self._get_json(f"{_V2}/pages/{page_id}/versions/{number}"), page_id
        )
