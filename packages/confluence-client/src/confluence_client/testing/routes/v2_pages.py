"""v2 pages: list, get (any version, any body format), create, update, trash/purge, tree."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .._errors import FakeBadRequestError, FakeNotFoundError, FakePayloadTooLargeError
from .._http import MAX_BODY_BYTES, no_content, read_json, site_of, store_of
from .._records import PageRecord
from .._render import check_storage
from .._shapes_v2 import check_body_format, page_json
from ._common import bool_param, int_param, multi, numeric_id, path_id, sort_pages, user_id, v2_list
from ._tree_shapes import TREE_KINDS, child_json, descendant_json

__all__ = ["ROUTES", "only_pages"]

_STATUSES = ("current", "draft", "archived", "trashed", "deleted", "historical", "any")


def _statuses(request: Request, default: tuple[str, ...]) -> tuple[str, ...]:
    wanted = multi(request, "status")
    for s in wanted:
        if s not in _STATUSES:
            raise FakeBadRequestError(f"Invalid status {s!r}")
    if "any" in wanted:
        return ("current", "draft", "archived", "trashed")
    return tuple(wanted) or default


async def list_pages(request: Request) -> Response:
    store = store_of(request)
    fmt = check_body_format(request.query_params.get("body-format"))
    ids = {numeric_id(i) for i in multi(request, "id")}
    space_ids = set(multi(request, "space-id"))
    title = request.query_params.get("title")
    statuses = _statuses(request, ("current", "archived"))
    with store.lock:
        pages = [
            p
            for p in store.list_pages(statuses=statuses, title=title)
            if (not ids or p.id in ids) and (not space_ids or p.space_id in space_ids)
        ]
        pages = sort_pages(request, pages, "id")
        site = site_of(request)
        return v2_list(request, pages, lambda p: page_json(store, site, p, fmt))


def _body_value(payload: dict[str, Any]) -> str:
    body = payload.get("body")
    if not isinstance(body, dict):
        raise FakeBadRequestError("body is required: {representation, value}")
    if "storage" in body and isinstance(body["storage"], dict):
        body = body["storage"]  # the v1-style nesting; Confluence accepts it here too
    representation = body.get("representation", "storage")
    if representation not in ("storage", "wiki"):
        raise FakeBadRequestError(f"Unsupported body representation {representation!r}")
    value = body.get("value")
    if not isinstance(value, str):
        raise FakeBadRequestError("body.value must be a string")
    if len(value.encode()) > MAX_BODY_BYTES:
        raise FakePayloadTooLargeError("Page body exceeds the 5 MB limit")
    if representation == "storage":
        check_storage(value)
    return value


def only_pages(store: Any, page_id: str) -> None:
    """404 for a blog post id on a ``/pages`` path (and the reverse), as Confluence answers."""
    page = store.pages.get(page_id)
    if page is not None and page.kind != "page":
        raise FakeNotFoundError(f"No page with id {page_id}")


def _object(payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise FakeBadRequestError("The request body must be a JSON object")
    return payload


async def create_page(request: Request) -> Response:
    store = store_of(request)
    payload = _object(await read_json(request))
    space_id, title = payload.get("spaceId"), payload.get("title")
    if not isinstance(space_id, str | int) or not str(space_id).isdigit():
        raise FakeBadRequestError("spaceId is required (a numeric id)")
    if not isinstance(title, str):
        raise FakeBadRequestError("title is required")
    status = payload.get("status", "current")
    if status not in ("current", "draft"):
        raise FakeBadRequestError("status must be current or draft")
    parent = payload.get("parentId")
    with store.lock:
        space = store.get_space(str(space_id))
        if parent is None and not bool_param(request, "root-level"):
            parent = space.homepage_id
        page = store.add_page(
            space.id,
            title,
            _body_value(payload),
            parent_id=None if parent is None else numeric_id(str(parent), "parentId"),
            author_id=user_id(request),
            status=status,
        )
        return JSONResponse(page_json(store, site_of(request), page, "storage"))


async def get_page(request: Request) -> Response:
    store = store_of(request)
    page_id = path_id(request)
    fmt = check_body_format(request.query_params.get("body-format"))
    wanted = _statuses(request, ("current", "archived", "draft"))
    number = int_param(request, "version")
    with store.lock:
        only_pages(store, page_id)
        page = store.get_page(page_id, allow_trashed=True)
        if page.status not in wanted:
            raise FakeNotFoundError(f"No content with id {page_id} and status {page.status}")
        version = None
        if number is not None and number != page.version:
            version = _find_version(page, number)
        return JSONResponse(page_json(store, site_of(request), page, fmt, version))


def _find_version(page: PageRecord, number: int) -> Any:
    for v in page.versions:
        if v.number == number:
            return v
    raise FakeNotFoundError(f"Page {page.id} has no version {number}")


async def update_page(request: Request) -> Response:
    store = store_of(request)
    page_id = path_id(request)
    payload = _object(await read_json(request))
    if str(payload.get("id", page_id)) != page_id:
        raise FakeBadRequestError("The id in the body does not match the path")
    version = payload.get("version")
    if not isinstance(version, dict) or not isinstance(version.get("number"), int):
        raise FakeBadRequestError("version.number is required")
    status = payload.get("status", "current")
    if status not in ("current", "draft", "archived"):
        raise FakeBadRequestError("status must be current, draft or archived")
    title = payload.get("title")
    if not isinstance(title, str):
        raise FakeBadRequestError("title is required")
    kwargs: dict[str, Any] = {}
    if "parentId" in payload:
        parent = payload["parentId"]
        kwargs["parent_id"] = None if parent is None else numeric_id(str(parent), "parentId")
    with store.lock:
        only_pages(store, page_id)
        page = store.update_page(
            page_id,
            version=version["number"],
            title=title,
            body=_body_value(payload),
            message=str(version.get("message") or ""),
            minor_edit=bool(version.get("minorEdit", False)),
            status=status,
            author_id=user_id(request),
            **kwargs,
        )
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
    store = store_of(request)
    depth = int_param(request, "depth", 5) or 5
    if not 1 <= depth <= 5:
        raise FakeBadRequestError("depth must be between 1 and 5")
    with store.lock:
        found = store.descendants(path_id(request), depth, kinds=TREE_KINDS)
        return v2_list(request, found, descendant_json)


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
