"""Confluence Data Center pages and blog posts: read, list, walk, create, update, delete."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from confluence_client._datacenter_base import CONTENT, PAGE_EXPAND, DataCenterBase, expand
from confluence_client._errors import ContentTypeMismatchError, NotFoundError
from confluence_client._models import BodyFormat, ContentType, Page, ResultPage
from confluence_client._parse_v1 import parse_ancestors

__all__ = ["DataCenterPages"]


class DataCenterPages(DataCenterBase):
    """Pages and blog posts through ``rest/api/content`` (every type lives there)."""

    async def get_page(
        self,
        page_id: str,
        body_format: BodyFormat | None,
        version: int | None,
        kind: ContentType = "page",
    ) -> Page:
        page = await self._get_any(page_id, body_format, version)
        if page.content_type != kind:
            # v1 serves every type at /content/{id} (Cloud's /pages/{id} 404s for a blog post):
            # the answer shows the type, so the error says it.
            raise ContentTypeMismatchError(
                f"no {kind} with id {page_id}: it is a {page.content_type}",
                content_id=page_id,
                expected=kind,
                actual=page.content_type,
                space_key=page.space_key,
            )
        return page

    async def _get_any(
        self, page_id: str, body_format: BodyFormat | None, version: int | None
    ) -> Page:
        params: dict[str, Any] = {"expand": expand(PAGE_EXPAND, body_format)}
        if version is None:
            return self._page(await self._get_json(f"{CONTENT}/{page_id}", params))
        page = self._page(
            await self._get_json(f"{CONTENT}/{page_id}", {**params, "version": version})
        )
        if page.version_number != version:
            # Some Server/DC releases only honour ``version`` together with status=historical;
            # never hand back the current version in place of the one asked for.
            params.update(status="historical", version=version)
            page = self._page(await self._get_json(f"{CONTENT}/{page_id}", params))
            if page.version_number != version:
                raise NotFoundError(f"page {page_id} has no version {version}", status_code=404)
        return page

    async def _in_space(
        self,
        kind: ContentType,
        space_key: str,
        cursor: str | None,
        body_format: BodyFormat | None,
        **query: Any,
    ) -> ResultPage[Page]:
        """One page of a space's pages or blog posts, ``query`` narrowing the listing."""
        params = {
            "type": kind,
            "spaceKey": space_key,
            **query,
            "expand": expand(PAGE_EXPAND, body_format),
        }
        return await self._list(CONTENT, params, cursor, self._page)

    async def list_blogposts(
        self, space_key: str, limit: int, cursor: str | None, body_format: BodyFormat | None
    ) -> ResultPage[Page]:
        return await self._in_space("blogpost", space_key, cursor, body_format, limit=limit)

    async def find_page_by_title(
        self, space_key: str, title: str, body_format: BodyFormat | None
    ) -> Page | None:
        found = await self._in_space("page", space_key, None, body_format, title=title)
        return next((p for p in found.items if p.title == title), None)

    async def list_pages(
        self, space_key: str, limit: int, cursor: str | None, body_format: BodyFormat | None
    ) -> ResultPage[Page]:
        return await self._in_space("page", space_key, cursor, body_format, limit=limit)

    async def list_root_pages(
        self, space_key: str, limit: int, cursor: str | None
    ) -> ResultPage[Page]:
        params = {"depth": "root", "limit": limit, "expand": PAGE_EXPAND}
        endpoint = f"rest/api/space/{space_key}/content/page"
        return await self._list(endpoint, params, cursor, self._page)

    async def list_children(self, page_id: str, limit: int, cursor: str | None) -> ResultPage[Page]:
        params = {"limit": limit, "expand": PAGE_EXPAND}
        return await self._list(f"{CONTENT}/{page_id}/child/page", params, cursor, self._page)

    async def list_tree_children(
        self, parent: Page, limit: int, cursor: str | None
    ) -> ResultPage[Page]:
        return await self.list_children(parent.id, limit, cursor)  # no folders on DC

    async def get_ancestors(self, page_id: str) -> list[Page]:
        body = await self._get_json(f"{CONTENT}/{page_id}", {"expand": "ancestors"})
        return parse_ancestors(body, self._site)

    async def iter_descendants(self, page_id: str, limit: int) -> AsyncIterator[Page]:
        endpoint = f"{CONTENT}/{page_id}/descendant/page"
        cursor: str | None = None
        while True:
            batch = await self._list(
                endpoint, {"limit": limit, "expand": PAGE_EXPAND}, cursor, self._page
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
            "POST", CONTENT, json_body=payload, params={"expand": PAGE_EXPAND}
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
        raw = await self._put_version(
            f"{CONTENT}/{current.id}",
            payload,
            current,
            lambda: self._get_any(current.id, None, None),
            params={"expand": PAGE_EXPAND},
        )
        return self._page(raw)

    async def delete_page(self, page_id: str, purge: bool, kind: ContentType = "page") -> None:
        if kind != "page":
            await self.get_page(page_id, None, None, kind)  # v1 would delete any type
        await self._delete(f"{CONTENT}/{page_id}", purge)
