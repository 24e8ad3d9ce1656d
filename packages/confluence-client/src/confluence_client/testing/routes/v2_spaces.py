"""v2 spaces: list (by ids / keys), get, and a space's pages."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .._errors import FakeBadRequestError
from .._http import site_of, store_of
from .._shapes_v2 import check_body_format, page_json, space_json
from ._common import multi, path_id, sort_pages, v2_list

__all__ = ["ROUTES"]


def _description_format(request: Request) -> str | None:
    raw = request.query_params.get("description-format")
    if raw not in (None, "", "plain", "view"):
        raise FakeBadRequestError("description-format must be plain or view")
    return raw or None


async def list_spaces(request: Request) -> Response:
    store = store_of(request)
    ids, keys = set(multi(request, "ids")), set(multi(request, "keys"))
    types, statuses = set(multi(request, "type")), set(multi(request, "status"))
    fmt = _description_format(request)
    spaces = [
        s
        for s in store.list_spaces()
        if (not ids or s.id in ids)
        and (not keys or s.key in keys)
        and (not types or s.type in types)
        and (not statuses or s.status in statuses)
    ]
    sort = request.query_params.get("sort")
    if sort:
        field = sort.lstrip("-")
        if field not in ("id", "key", "name"):
            raise FakeBadRequestError(f"Invalid sort {sort!r}")
        spaces.sort(
            key=lambda s: int(s.id) if field == "id" else getattr(s, field),
            reverse=sort.startswith("-"),
        )
    return v2_list(request, spaces, lambda s: space_json(s, fmt))


async def get_space(request: Request) -> Response:
    fmt = _description_format(request)
    return JSONResponse(space_json(store_of(request).get_space(path_id(request)), fmt))


async def space_pages(request: Request) -> Response:
    store = store_of(request)
    fmt = check_body_format(request.query_params.get("body-format"))
    depth = request.query_params.get("depth", "all")
    if depth not in ("all", "root"):
        raise FakeBadRequestError("depth must be all or root")
    statuses = tuple(multi(request, "status")) or ("current", "archived")
    title = request.query_params.get("title")
    with store.lock:
        space = store.get_space(path_id(request))
        pages = store.list_pages(space_id=space.id, statuses=statuses, title=title)
        if depth == "root":
            pages = [p for p in pages if p.parent_id is None]
        pages = sort_pages(request, pages, "id")
        site = site_of(request)
        return v2_list(request, pages, lambda p: page_json(store, site, p, fmt))


ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/spaces", list_spaces, ["GET"]),
    ("/spaces/{id}", get_space, ["GET"]),
    ("/spaces/{id}/pages", space_pages, ["GET"]),
]
