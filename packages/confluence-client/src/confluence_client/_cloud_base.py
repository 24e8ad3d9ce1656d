"""Confluence Cloud's common ground: v2 paths, parsing with space keys, and spaces.

v2 addresses spaces by id while callers name them by key; every Cloud operation mixin
resolves keys through the client's `SpaceCache` here.
"""

from __future__ import annotations

from typing import Any

from confluence_client._errors import NotFoundError
from confluence_client._models import BodyFormat, ContentType, Page, ResultPage, Space
from confluence_client._parse_v2 import parse_page, parse_space
from confluence_client._spaces import SpaceCache
from confluence_client._transport import Transport
from confluence_client._v1_shared import V1Operations

__all__ = ["V2", "PATHS", "NODE_PATHS", "CloudBase", "storage_body", "with_format"]

V2 = "api/v2"
PATHS: dict[str, str] = {"page": "pages", "blogpost": "blogposts"}
# Content-tree nodes besides pages: each type has its own v2 route family.
NODE_PATHS: dict[str, str] = {
    "page": "pages",
    "folder": "folders",
    "whiteboard": "whiteboards",
    "database": "databases",
}


def storage_body(value: str) -> dict[str, str]:
    """A v2 request body in storage format."""
    return {"representation": "storage", "value": value}


def with_format(params: dict[str, Any], body_format: BodyFormat | None) -> dict[str, Any]:
    """``params`` asking for bodies in ``body_format`` (none when it is None)."""
    if body_format is not None:
        params["body-format"] = body_format
    return params


class CloudBase(V1Operations):
    """Cloud helpers and spaces. Space keys are resolved to ids through the `SpaceCache`."""

    def __init__(self, transport: Transport, site_url: str, spaces: SpaceCache) -> None:
        super().__init__(transport, site_url)
        self._spaces = spaces
        self._through_gateway = transport.api_base_url != site_url

    # --- parsing --------------------------------------------------------------------------
    def _page(self, raw: dict[str, Any]) -> Page:
        page = parse_page(raw, self._site)
        key = self._spaces.key_for(page.space_id) if page.space_id else None
        return page.model_copy(update={"space_key": key}) if key else page

    def _typed(self, raw: dict[str, Any], kind: ContentType) -> Page:
        page = self._page(raw)
        return page if kind == "page" else page.model_copy(update={"content_type": kind})

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

    # --- spaces ---------------------------------------------------------------------------
    def _remember(self, space: Space) -> Space:
        return self._spaces.remember(space)

    async def _space_id(self, space_key: str) -> str:
        cached = self._spaces.id_for(space_key)
        return cached if cached is not None else (await self.get_space(space_key)).id

    async def list_spaces(self, limit: int, cursor: str | None) -> ResultPage[Space]:
        params = {"limit": limit, "description-format": "plain"}
        return await self._list(
            f"{V2}/spaces",
            params,
            cursor,
            lambda raw: self._remember(parse_space(raw, self._site)),
        )

    async def get_space(self, space_key: str) -> Space:
        found = await self._list(
            f"{V2}/spaces",
            {"keys": space_key, "description-format": "plain", "limit": 1},
            None,
            lambda raw: parse_space(raw, self._site),
        )
        match = next((s for s in found.items if s.key == space_key), None)
        if match is None:
            raise NotFoundError(f"no space with key {space_key!r}", status_code=404)
        return self._remember(match)

    async def get_space_by_id(self, space_id: str) -> Space:
        body = await self._get_json(f"{V2}/spaces/{space_id}", {"description-format": "plain"})
        return self._remember(parse_space(body, self._site))
