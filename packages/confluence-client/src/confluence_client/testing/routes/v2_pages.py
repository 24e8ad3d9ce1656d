"""v2 pages: list, get (any version, any body format), create, update, trash/purge, tree."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .._errors import FakeBadRequestError, FakeNotFoundError
from .._http import no_content, site_of, store_of
from .._records import PageRecord
from .._shapes_v2 import page_json
from .._store import FakeStore
from ._common import bool_param, int_param, multi, numeric_id, path_id, sort_pages, user_id, v2_list
from ._tree_nodes import list_descendants
from ._tree_shapes import TREE_KINDS, child_json
from ._v2_pagelike import body_value, get_content, list_content, read_edit, read_new

__all__ = ["ROUTES", "only_pages"]


def only_pages(store: Any, page_id: str) -> None:
    """404 for a blog post id on a ``/pages`` path (and the reverse), as Confluence answers."""
    page = store.pages.get(page_id)
    if page is not None and page.kind != "page":
        raise FakeNotFoundError(f"No page with id {page_id}")


def _page(store: FakeStore, page_id: str) -> PageRecord:
    only_pages(store, page_id)
    return store.get_page(page_id, allow_trashed=True)


async def list_pages(request: Request) -> Response:
    space_ids = set(multi(request, "space-id"))
    return list_content(request, "page", space_ids, ("current", "archived"), page_json)


async def create_page(request: Request) -> Response:
    store = store_of(request)
    payload, space_id, title, status = await read_new(request)
    parent = payload.get("parentId")
    with store.lock:
        space = store.get_space(space_id)
        if parent is None and not bool_param(request, "root-level"):
            parent = space.homepage_id
        page = store.add_page(
            space.id,
            title,
            body_value(payload),
            parent_id=None if parent is None else numeric_id(str(parent), "parentId"),
            author_id=user_id(request),
            status=status,
        )
        return JSONResponse(page_json(store, site_of(request), page, "storage"))


async def get_page(request: Request) -> Response:
    return get_content(request, _page, ("current", "archived", "draft"), page_json)


async def update_page(request: Request) -> Response:
    store = store_of(request)
    edit = await read_edit(request, ("current", "draft", "archived"))
    kwargs: dict[str, Any] = {}
    if "parentId" in edit.payload:
        parent = edit.payload["parentId"]
        kwargs["parent_id"] = None if parent is None else numeric_id(str(parent), "parentId")
    with store.lock:
        only_pages(store, edit.content_id)
        page = edit.apply(request, store, **kwargs)
        return JSONResponse(page_json(store, site_of(request), page, "storage"))


async def delete_page(request: Request) -> Response:
    store = store_of(request)
    page_id = path_id(request)
    only_pages(store, page_id)
    if bool_param(request, "purge"):
        store.purge_page(page_id)
    elif bool_param(request, "draft"):
        page = store.get_page(page_id)
        if page.status != "draft":
            raise FakeNotFoundError(f"No draft with id {page_id}")
        store.trash_page(page_id)
        store.purge_page(page_id)
    else:
        store.trash_page(page_id)
    return no_content()


async def page_children(request: Request) -> Response:
    """Legacy ``/children`` and ``/direct-children`` (which adds ``type``)."""
    store = store_of(request)
    page_id = path_id(request)
    direct = request.url.path.endswith("/direct-children")
    with store.lock:
        page = store.get_page(page_id)
        # direct-children mixes every tree node type (typed); the legacy /children is pages
        # only, untyped.
        kinds = TREE_KINDS if direct else ("page",)
        kids = sort_pages(request, store.children(page.id, page.space_id, kinds=kinds))

        def legacy(p: PageRecord) -> dict[str, Any]:
            data = child_json(p)
            del data["type"]
            return data

        return v2_list(request, kids, child_json if direct else legacy)


async def page_ancestors(request: Request) -> Response:
    store = store_of(request)
    chain = store.ancestors(path_id(request))
    limit = int_param(request, "limit")
    if limit is not None and limit < 1:
        raise FakeBadRequestError("limit must be at least 1")
    # Confluence answers the nearest `limit` ancestors, still top-down.
    picked = chain[-limit:] if limit else chain
    return JSONResponse({"results": [{"id": p.id, "type": p.kind} for p in picked], "_links": {}})


async def page_descendants(request: Request) -> Response:
    return list_descendants(request)


ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/pages", list_pages, ["GET"]),
    ("/pages", create_page, ["POST"]),
    ("/pages/{id}", get_page, ["GET"]),
    ("/pages/{id}", update_page, ["PUT"]),
    ("/pages/{id}", delete_page, ["DELETE"]),
    ("/pages/{id}/children", page_children, ["GET"]),
    ("/pages/{id}/direct-children", page_children, ["GET"]),
    ("/pages/{id}/ancestors", page_ancestors, ["GET"]),
    ("/pages/{id}/descendants", page_descendants, ["GET"]),
]
