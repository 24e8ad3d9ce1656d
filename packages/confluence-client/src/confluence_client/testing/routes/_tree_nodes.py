"""Body-less content-tree nodes (folders, whiteboards, databases): their v2 shape and the
routes they share, and the ``descendants`` listing, which pages share with them too."""

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

__all__ = [
    "get_node",
    "list_descendants",
    "node_children",
    "node_descendants",
    "node_json",
    "tree_node",
]


def node_json(store: FakeStore, site: Site, node: PageRecord) -> dict[str, Any]:
    """A v2 folder, whiteboard or database (``WhiteboardSingle`` / ``DatabaseSingle``)."""
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


def tree_node(store: FakeStore, kind: str, node_id: str) -> PageRecord:
    """The node ``node_id``, 404 unless it is a ``kind``."""
    node = store.get_page(node_id)
    if node.kind != kind:
        raise FakeNotFoundError(f"No {kind} with id {node_id}")
    return node


def _kind_of(request: Request) -> str:
    # The route's first segment names the type: /whiteboards/..., /databases/..., /folders/...
    return request.url.path.split("/api/v2/", 1)[1].split("/", 1)[0].removesuffix("s")


def list_descendants(request: Request, kind: str | None = None) -> Response:
    """``/{type}/{id}/descendants``: depth 1 to 5 (default 5); with ``kind``, 404 unless the
    node is one."""
    store = store_of(request)
    depth = int_param(request, "depth", 5) or 5
    if not 1 <= depth <= 5:
        raise FakeBadRequestError("depth must be between 1 and 5")
    with store.lock:
        root = path_id(request) if kind is None else tree_node(store, kind, path_id(request)).id
        found = store.descendants(root, depth, kinds=TREE_KINDS)
        return v2_list(request, found, descendant_json)


async def get_node(request: Request) -> Response:
    store = store_of(request)
    with store.lock:
        node = tree_node(store, _kind_of(request), path_id(request))
        return JSONResponse(node_json(store, site_of(request), node))


async def node_children(request: Request) -> Response:
    """``/{type}/{id}/direct-children``: pages and other nodes below one."""
    store = store_of(request)
    with store.lock:
        node = tree_node(store, _kind_of(request), path_id(request))
        kids = sort_pages(request, store.children(node.id, node.space_id, kinds=TREE_KINDS))
        return v2_list(request, kids, child_json)


async def node_descendants(request: Request) -> Response:
    """``/folders|whiteboards|databases/{id}/descendants``."""
    return list_descendants(request, _kind_of(request))
