"""v2 folders (Cloud): create, get, delete, direct children, descendants. Folders hold pages
and folders in the page tree; pages move into one by taking it as ``parentId``. Newer than the
2024 API document, so their shapes follow Atlassian's current reference instead."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .._errors import FakeBadRequestError
from .._http import no_content, read_json, site_of, store_of
from ._common import numeric_id, path_id, user_id
from ._tree_nodes import get_node, node_children, node_descendants, node_json, tree_node

__all__ = ["ROUTES"]


async def create_folder(request: Request) -> Response:
    store = store_of(request)
    payload = await read_json(request)
    if not isinstance(payload, dict):
        raise FakeBadRequestError("The request body must be a JSON object")
    space_id, title, parent = payload.get("spaceId"), payload.get("title"), payload.get("parentId")
    if not isinstance(space_id, str | int) or not str(space_id).isdigit():
        raise FakeBadRequestError("spaceId is required (a numeric id)")
    if not isinstance(title, str) or not title.strip():
        raise FakeBadRequestError("title is required")
    with store.lock:
        space = store.get_space(str(space_id))
        folder = store.add_page(
            space.id,
            title,
            "",
            parent_id=numeric_id(str(parent), "parentId") if parent is not None else None,
            author_id=user_id(request),
            kind="folder",
        )
        return JSONResponse(node_json(store, site_of(request), folder))


async def delete_folder(request: Request) -> Response:
    store = store_of(request)
    with store.lock:
        store.trash_page(tree_node(store, "folder", path_id(request)).id)
    return no_content()


ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/folders", create_folder, ["POST"]),
    ("/folders/{id}", get_node, ["GET"]),
    ("/folders/{id}", delete_folder, ["DELETE"]),
    ("/folders/{id}/direct-children", node_children, ["GET"]),
    ("/folders/{id}/descendants", node_descendants, ["GET"]),
]
