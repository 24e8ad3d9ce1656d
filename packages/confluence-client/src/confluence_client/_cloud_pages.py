"""Confluence Cloud pages and blog posts: read, list, create, update, delete (v2)."""

from __future__ import annotations

import asyncio
from typing import Any

from confluence_client._cloud_base import PATHS, V2, CloudBase, storage_body, with_format
from confluence_client._errors import MalformedResponseError
from confluence_client._models import BodyFormat, ContentType, Page, ResultPage
from confluence_client._parse_v1 import parse_ancestors

__all__ = ["CloudPages"]


class CloudPages(CloudBase):
    """Pages and blog posts through ``api/v2/pages`` and ``api/v2/blogposts``."""

    async def get_page(
        self,
        page_id: str,
        body_format: BodyFormat | None,
        version: int | None,
        kind: ContentType = "page",
    ) -> Page:
        params = with_format({}, body_format)
        if version is not None:
            params["version"] = version
        raw = await self._get_json(f"{V2}/{PATHS[kind]}/{page_id}", params)
        return self._typed(raw, kind)

    async def list_blogposts(
        self, space_key: str, limit: int, cursor: str | None, body_format: BodyFormat | None
    ) -> ResultPage[Page]:
        space_id = await self._space_id(space_key)
        params = with_format({"limit": limit, "status": "current"}, body_format)
        return await self._list(
            f"{V2}/spaces/{space_id}/blogposts",
            params,
            cursor,
            lambda raw: self._typed(raw, "blogpost"),
        )

    async def find_page_by_title(
        self, space_key: str, title: str, body_format: BodyFormat | None
    ) -> Page | None:
        params = with_format(
            {"space-id": await self._space_id(space_key), "title": title, "status": "current"},
            body_format,
        )
        found = await self._list(f"{V2}/pages", params, None, self._page)
        return next((p for p in found.items if p.title == title), None)

    async def list_pages(
        self, space_key: str, limit: int, cursor: str | None, body_format: BodyFormat | None
    ) -> ResultPage[Page]:
        space_id = await self._space_id(space_key)
        params = with_format({"limit": limit, "status": "current", "depth": "all"}, body_format)
        return await self._list(f"{V2}/spaces/{space_id}/pages", params, cursor, self._page)

    async def list_root_pages(
        self, space_key: str, limit: int, cursor: str | None
    ) -> ResultPage[Page]:
        space_id = await self._space_id(space_key)
        params = {"limit": limit, "status": "current", "depth": "root"}
        return await self._list(f"{V2}/spaces/{space_id}/pages", params, cursor, self._page)

    async def get_ancestors(self, page_id: str) -> list[Page]:
        if not self._through_gateway:
            # One v1 call returns titled ancestors; v2 returns bare ids (one fetch each).
            # OAuth tokens cannot use v1 content endpoints (410 Gone on the gateway).
            body = await self._get_json(f"rest/api/content/{page_id}", {"expand": "ancestors"})
            return parse_ancestors(body, self._site)
        body = await self._get_json(f"{V2}/pages/{page_id}/ancestors")
        results = body.get("results")
        if not isinstance(results, list):
            raise MalformedResponseError("expected ancestors in 'results'")
        ids = [
            str(a["id"]) for a in results if isinstance(a, dict) and a.get("type", "page") == "page"
        ]
        # v2 answers ids only; fetch the pages concurrently (bounded by the client's cap).
        return list(await asyncio.gather(*(self.get_page(i, None, None) for i in ids)))

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
            "body": storage_body(body),
        }
        if parent_id is not None:
            payload["parentId"] = parent_id
        response = await self._http.request("POST", f"{V2}/{PATHS[kind]}", json_body=payload)
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
            "body": storage_body(body),
            "version": {"number": base + 1, "message": message or "", "minorEdit": minor_edit},
        }
        if parent_id is not None:
            payload["parentId"] = parent_id
        raw = await self._put_version(
            f"{V2}/{PATHS[kind]}/{current.id}",
            payload,
            current,
            lambda: self.get_page(current.id, None, None, kind),
        )
        return self._typed(raw, kind)

    async def delete_page(self, page_id: str, purge: bool, kind: ContentType = "page") -> None:
        await self._delete(f"{V2}/{PATHS[kind]}/{page_id}", purge)
