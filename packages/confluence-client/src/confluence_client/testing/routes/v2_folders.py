"""v2 folders (Cloud): create, get, delete, direct children. Folders hold pages and folders
in the page tree; pages move into one by taking it as ``parentId``. Newer than the 2024 API
document, so their shapes follow Atlassian's current reference instead."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .._errors import FakeBadRequestError, FakeNotFoundError
from .._http import Site, iso, no_content, read_json, site_of, store_of
from .._records import PageRecord
from .._shapes_v2 import webui_page
from .._store import FakeStore
from ._common import numeric_id, path_id, sort_pages, user_id, v2_list
from ._tree_shapes import TREE_KINDS, child_json

__all__ = ["ROUTES", "folder_json"]


def folder_json(store: FakeStore, site: Site, folder: PageRecord) -> dict[str, Any]:
    """A v2 folder."""
    space = store.spaces[folder.space_id]
    v = folder.current
    data: dict[str, Any] = {
        "id": folder.id,
        "type": "folder",
        "status": folder.status,
        "title": folder.title,
        "spaceId": folder.space_id,
        "position": folder.position,
        "authorId": folder.author_id,
        "ownerId": folder.author_id,
        "createdAt": iso(folder.created_at),
        "version": {
            "createdAt": iso(v.created_at),
            "message": v.message,
            "number": v.number,
            "minorEdit": v.minor_edit,
            "authorId": v.author_id,
        },
        "_links": {
            "webui": webui_page(space.key, folder),
            "base": site.base,
        },
    }
    if v.parent_id is not None:
        data["parentId"] = v.parent_id
        data["parentType"] = store.pages[v.parent_id].kind
    return data


def _folder(store: FakeStore, folder_id: str) -> PageRecord:
    folder = store.get_page(folder_id)
    if folder.kind != "folder":
        raise FakeNotFoundError(f"No folder with id {folder_id}")
    return folder


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
        return JSONResponse(folder_json(store, site_of(request), folder))


async def get_folder(request: Request) -> Response:
    store = store_of(request)
    with store.lock:
        return JSONResponse(folder_json(store, site_of(request), _folder(store, path_id(request))))


async def delete_folder(request: Request) -> Response:
    store = store_of(request)
    with store.lock:
        store.trash_page(_folder(store, path_id(request)).id)
    return no_content()


async def folder_children(request: Request) -> Response:
    store = store_of(request)
    with store.lock:
        folder = _folder(store, path_id(request))
        kids = sort_pages(request, store.children(folder.id, folder.space_id, kinds=TREE_KINDS))
        return v2_list(request, kids, child_json)


ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/folders", create_folder, ["POST"]),
    ("/folders/{id}", get_folder, ["GET"]),
    ("/folders/{id}", delete_folder, ["DELETE"]),
    ("/folders/{id}/direct-children", folder_children, ["GET"]),
]
