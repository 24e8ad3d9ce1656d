"""v2 whiteboards and databases (Cloud): metadata and their place in the content tree.

Both are tree nodes without a storage body (a canvas, a table of rows), so the fake keeps
them as body-less records of their own ``kind`` that pages may sit under. Whiteboards are in
the 2024 API document (``WhiteboardSingle``); databases and every ``direct-children`` and
non-page ``descendants`` route are newer, so their shapes follow Atlassian's current
reference.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .._errors import FakeBadRequestError, FakeNotFoundError
from .._http import Site, iso, site_of, store_of
from .._records import PageRecord
from .._shapes_v2 import webui_page
from .._store import FakeStore
from ._common import int_param, path_id, sort_pages, v2_list
from ._tree_shapes import TREE_KINDS, child_json, descendant_json

__all__ = ["ROUTES", "node_json"]


def node_json(store: FakeStore, site: Site, node: PageRecord) -> dict[str, Any]:
    """A v2 whiteboard or database (``WhiteboardSingle`` / ``DatabaseSingle``)."""
    space = store.spaces[node.space_id]
    v = node.current
    data: dict[str, Any] = {
        "id": node.id,
        "type": node.kind,
        "status": node.status,
        "title": node.title,
        "spaceId": node.space_id,
        "position": node.position,
        "authorId": node.author_id,
        "ownerId": node.author_id,
        "createdAt": iso(node.created_at),
        "version": {
            "createdAt": iso(v.created_at),
            "message": v.message,
            "number": v.number,
            "minorEdit": v.minor_edit,
            "authorId": v.author_id,
        },
        "_links": {"webui": webui_page(space.key, node), "base": site.base},
    }
    if node.kind == "whiteboard":
        data["_links"]["editui"] = data["_links"]["webui"]
    if v.parent_id is not None:
        data["parentId"] = v.parent_id
        data["parentType"] = store.pages[v.parent_id].kind
    return data


def _kind_of(request: Request) -> str:
    # The route's first segment names the type: /whiteboards/..., /databases/..., /folders/...
    return request.url.path.split("/api/v2/", 1)[1].split("/", 1)[0].removesuffix("s")


def _node(store: FakeStore, kind: str, node_id: str) -> PageRecord:
    node = store.get_page(node_id)
    if node.kind != kind:
        raise FakeNotFoundError(f"No {kind} with id {node_id}")
    return node


async def get_node(request: Request) -> Response:
    store = store_of(request)
    with store.lock:
        node = _node(store, _kind_of(request), path_id(request))
        return JSONResponse(node_json(store, site_of(request), node))


async def node_children(request: Request) -> Response:
    """``/whiteboards|databases/{id}/direct-children``: pages and other nodes below one."""
    store = store_of(request)
    with store.lock:
        node = _node(store, _kind_of(request), path_id(request))
        kids = sort_pages(request, store.children(node.id, node.space_id, kinds=TREE_KINDS))
        return v2_list(request, kids, child_json)


async def node_descendants(request: Request) -> Response:
    """``/folders|whiteboards|databases/{id}/descendants`` (as for pages: depth 1 to 5)."""
    store = store_of(request)
    depth = int_param(request, "depth", 5) or 5
    if not 1 <= depth <= 5:
        raise FakeBadRequestError("depth must be between 1 and 5")
    with store.lock:
        node = _node(store, _kind_of(request), path_id(request))
        found = store.descendants(node.id, depth, kinds=TREE_KINDS)
        return v2_list(request, found, descendant_json)


ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/whiteboards/{id}", get_node, ["GET"]),
    ("/databases/{id}", get_node, ["GET"]),
    ("/whiteboards/{id}/direct-children", node_children, ["GET"]),
    ("/databases/{id}/direct-children", node_children, ["GET"]),
    ("/folders/{id}/descendants", node_descendants, ["GET"]),
    ("/whiteboards/{id}/descendants", node_descendants, ["GET"]),
    ("/databases/{id}/descendants", node_descendants, ["GET"]),
]
