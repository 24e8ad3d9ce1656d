"""Helpers shared by the route modules: ids, query parameters, v2 list responses."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import JSONResponse

from .._errors import FakeBadRequestError
from .._http import site_of, store_of
from .._pagination import (
    MAX_V2_LIMIT,
    cursor_page,
    decode_cursor,
    encode_cursor,
    link_with,
    parse_limit,
    parse_start,
)

__all__ = [
    "numeric_id",
    "path_id",
    "multi",
    "int_param",
    "bool_param",
    "v2_list",
    "user_id",
    "sort_pages",
    "v1_path",
    "v1_list",
    "search_window",
]

T = TypeVar("T")


def numeric_id(raw: str, what: str = "id") -> str:
    """A numeric id string, else 400 (as Confluence answers for ``/pages/abc``)."""
    if not raw.isdigit():
        raise FakeBadRequestError(f"{what} must be a numeric id, got {raw!r}")
    return raw


def path_id(request: Request, name: str = "id") -> str:
    """A numeric path parameter."""
    return numeric_id(str(request.path_params[name]), name)


def multi(request: Request, name: str) -> list[str]:
    """A multi-valued parameter: repeated and/or comma-separated."""
    values: list[str] = []
    for raw in request.query_params.getlist(name):
        values += [v.strip() for v in raw.split(",") if v.strip()]
    return values


def int_param(request: Request, name: str, default: int | None = None) -> int | None:
    """An integer query parameter, 400 when not a number."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise FakeBadRequestError(f"{name} must be an integer, got {raw!r}") from None


def bool_param(request: Request, name: str) -> bool:
    """A boolean query parameter (``true``/``false``), 400 otherwise."""
    raw = request.query_params.get(name, "false").lower()
    if raw not in ("true", "false"):
        raise FakeBadRequestError(f"{name} must be true or false, got {raw!r}")
    return raw == "true"


def user_id(request: Request) -> str:
    """The authenticated user's account id."""
    uid: str | None = getattr(request.state, "fake_user_id", None)
    return uid or store_of(request).current_user().account_id


def v2_list(
    request: Request,
    items: Sequence[T],
    to_json: Callable[[T], dict[str, Any]],
    *,
    default_limit: int = 25,
    max_limit: int = MAX_V2_LIMIT,
) -> JSONResponse:
    """A v2 list: ``results``, ``_links.next`` and a ``Link`` header while more remain."""
    limit = parse_limit(request.query_params.get("limit"), default=default_limit, maximum=max_limit)
    offset = decode_cursor(request.query_params.get("cursor"))
    chunk, nxt = cursor_page(items, offset, limit)
    links: dict[str, str] = {"base": site_of(request).base}
    headers: dict[str, str] = {}
    if nxt is not None:
        link = link_with(
            request.url.path, request.query_params.multi_items(), cursor=encode_cursor(nxt)
        )
        links["next"] = link
        headers["Link"] = f'<{link}>; rel="next", <{links["base"]}>; rel="base"'
    return JSONResponse({"results": [to_json(x) for x in chunk], "_links": links}, headers=headers)


_PAGE_SORTS: dict[str, Callable[[Any], Any]] = {
    "id": lambda p: int(p.id),
    "title": lambda p: p.title.lower(),
    "created-date": lambda p: (p.created_at, int(p.id)),
    "modified-date": lambda p: (p.modified_at, int(p.id)),
    "child-position": lambda p: (p.position, int(p.id)),
}


def sort_pages(request: Request, pages: list[T], default: str | None = None) -> list[T]:
    """Apply ``sort`` (``id``, ``-title``, ``modified-date``, ...); 400 on an unknown key."""
    raw = request.query_params.get("sort") or default
    if not raw:
        return pages
    key = raw.lstrip("-")
    if key not in _PAGE_SORTS:
        raise FakeBadRequestError(f"Invalid sort {raw!r}; expected one of {sorted(_PAGE_SORTS)}")
    return sorted(pages, key=_PAGE_SORTS[key], reverse=raw.startswith("-"))


def v1_path(request: Request) -> str:
    """The request path relative to the site base (``/rest/api/...``), as v1 links are."""
    return request.url.path.removeprefix(site_of(request).prefix)


def v1_list(
    request: Request,
    items: Sequence[T],
    to_json: Callable[[T], dict[str, Any]],
    *,
    default_limit: int = 25,
    max_limit: int = 200,
) -> JSONResponse:
    """A v1 / Data Center list with offset pagination (``start``, ``limit``, ``size``)."""
    site = site_of(request)
    start = parse_start(request.query_params.get("start"))
    limit = parse_limit(request.query_params.get("limit"), default=default_limit, maximum=max_limit)
    chunk = list(items[start : start + limit])
    pairs = request.query_params.multi_items()
    links = {"base": site.base, "context": site.prefix, "self": site.base + v1_path(request)}
    if start + limit < len(items):
        links["next"] = link_with(
            v1_path(request), pairs, start=str(start + limit), limit=str(limit)
        )
    if start > 0:
        prev = str(max(0, start - limit))
        links["prev"] = link_with(v1_path(request), pairs, start=prev, limit=str(limit))
    return JSONResponse(
        {
            "results": [to_json(x) for x in chunk],
            "start": start,
            "limit": limit,
            "size": len(chunk),
            "_links": links,
        }
    )


def search_window(request: Request, total: int) -> tuple[int, int, dict[str, str]]:
    """Offset, limit and ``_links`` for a search (cursor on Cloud, start on Data Center)."""
    site = site_of(request)
    limit = parse_limit(request.query_params.get("limit"), default=25, maximum=250)
    cursor = request.query_params.get("cursor")
    offset = decode_cursor(cursor) if cursor else parse_start(request.query_params.get("start"))
    links = {"base": site.base, "context": site.prefix, "self": site.base + v1_path(request)}
    if offset + limit < total:
        pairs = [(k, v) for k, v in request.query_params.multi_items() if k != "start"]
        if site.kind == "dc":
            links["next"] = link_with(v1_path(request), pairs, start=str(offset + limit))
        else:
            links["next"] = link_with(
                v1_path(request), pairs, next="true", cursor=encode_cursor(offset + limit)
            )
    return offset, limit, links
