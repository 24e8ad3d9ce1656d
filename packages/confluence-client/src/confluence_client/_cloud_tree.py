"""Confluence Cloud's content tree: children, descendants, folders, whiteboards, databases."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

from confluence_client._cloud_base import NODE_PATHS, V2, CloudBase
from confluence_client._models import Page, ResultPage

__all__ = ["CloudTree"]

_MAX_DESCENDANT_DEPTH = 5  # v2 /descendants answers at most 5 levels per call


class CloudTree(CloudBase):
    """Walking the v2 tree, where pages, folders and other nodes are mixed."""

    async def _direct_children(
        self,
        route: str,
        parent_id: str,
        limit: int,
        cursor: str | None,
        parse: Callable[[dict[str, Any]], Page | None],
    ) -> tuple[ResultPage[Page | None], tuple[Page, ...]]:
        """One page of ``{route}/{parent_id}/direct-children``, parsed, and the kept items
        with their parent filled in (the listing leaves ``parentId`` out: it is ``parent_id``)."""
        # sort=id: Confluence's direct-children cursor skips items under the default order.
        result = await self._list(
            f"{V2}/{route}/{parent_id}/direct-children",
            {"limit": limit, "sort": "id"},
            cursor,
            parse,
        )
        kids = tuple(
            p if p.parent_id else p.model_copy(update={"parent_id": parent_id})
            for p in result.items
            if p is not None
        )
        return result, kids

    async def list_children(self, page_id: str, limit: int, cursor: str | None) -> ResultPage[Page]:
        result, pages = await self._direct_children("pages", page_id, limit, cursor, self._child)
        return ResultPage[Page](
            items=pages, next_cursor=result.next_cursor, total_size=result.total_size
        )

    def _child(self, raw: dict[str, Any]) -> Page | None:
        # direct-children mixes folders, whiteboards, databases... keep pages only.
        return self._page(raw) if raw.get("type", "page") == "page" else None

    async def list_folder_children(
        self, folder_id: str, limit: int, cursor: str | None
    ) -> ResultPage[Page]:
        result, kids = await self._direct_children(
            "folders", folder_id, limit, cursor, self._typed_child
        )
        return ResultPage[Page](items=kids, next_cursor=result.next_cursor)

    async def list_tree_children(
        self, parent: Page, limit: int, cursor: str | None
    ) -> ResultPage[Page]:
        """A tree node's children: pages and folders (typed), below a page or a folder."""
        route = NODE_PATHS.get(parent.content_type)
        if route is None:
            return ResultPage[Page]()  # blog posts and unknown types have no children
        if parent.space_id is not None and self._spaces.key_for(parent.space_id) is None:
            await self.get_space_by_id(parent.space_id)  # children's links need the key
        result, kids = await self._direct_children(
            route, parent.id, limit, cursor, self._tree_child
        )
        return ResultPage[Page](items=kids, next_cursor=result.next_cursor)

    def _tree_child(self, raw: dict[str, Any]) -> Page | None:
        # Embeds (Smart Links) and types newer than this client are left out of trees.
        return self._typed_child(raw) if raw.get("type", "page") in NODE_PATHS else None

    async def iter_descendants(self, page_id: str, limit: int) -> AsyncIterator[Page]:
        pending = [("pages", page_id)]
        while pending:
            route, root = pending.pop(0)
            endpoint = f"{V2}/{route}/{root}/descendants"
            cursor: str | None = None
            while True:
                params = {"limit": limit, "depth": _MAX_DESCENDANT_DEPTH}
                batch = await self._list(endpoint, params, cursor, lambda raw: raw)
                for raw in batch.items:
                    # Folders, whiteboards and databases are tree nodes; embeds are left out.
                    kind = str(raw.get("type", "page"))
                    if kind not in NODE_PATHS:
                        continue
                    if raw.get("depth") == _MAX_DESCENDANT_DEPTH:
                        # Deeper levels need another call, on the node type's own route.
                        pending.append((NODE_PATHS[kind], str(raw["id"])))
                    yield self._typed_child(raw)
                if batch.next_cursor is None:
                    break
                cursor = batch.next_cursor

    # --- nodes besides pages --------------------------------------------------------------
    async def get_node(self, kind: str, node_id: str) -> Page:
        """A whiteboard or database (metadata only: their content has no REST body)."""
        body = await self._get_json(f"{V2}/{NODE_PATHS[kind]}/{node_id}")
        return self._typed_child({**body, "type": kind})

    async def create_folder(self, space_key: str, title: str, parent_id: str | None) -> Page:
        payload: dict[str, Any] = {"spaceId": await self._space_id(space_key), "title": title}
        if parent_id is not None:
            payload["parentId"] = parent_id
        response = await self._http.request("POST", f"{V2}/folders", json_body=payload)
        return self._typed_child({**response.json(), "type": "folder"})

    async def get_folder(self, folder_id: str) -> Page:
        body = await self._get_json(f"{V2}/folders/{folder_id}")
        return self._typed_child({**body, "type": "folder"})
