"""v1 / Data Center spaces, CQL search (content and users) and users."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .._cql import parse_cql
from .._errors import FakeBadRequestError, FakeNotFoundError
from .._http import Site, iso, site_of, store_of
from .._records import PageRecord
from .._search import asks_for_users, excerpt, search_content, search_users, text_terms
from .._shapes_v1 import content_json, page_json, parse_expand, space_json, user_json
from .._store import FakeStore
from ._common import multi, search_window, user_id, v1_list

__all__ = ["ROUTES"]

_EXCERPTS = ("highlight", "indexed", "none", "highlight_unescaped", "indexed_unescaped")


async def list_spaces(request: Request) -> Response:
    store = store_of(request)
    keys = set(multi(request, "spaceKey"))
    kind, status = request.query_params.get("type"), request.query_params.get("status")
    expand = parse_expand(request.query_params.get("expand"))
    site = site_of(request)
    spaces = [
        s
        for s in store.list_spaces()
        if (not keys or s.key in keys) and kind in (None, s.type) and status in (None, s.status)
    ]
    return v1_list(request, spaces, lambda s: space_json(store, site, s, expand))


async def get_space(request: Request) -> Response:
    store = store_of(request)
    expand = parse_expand(request.query_params.get("expand"))
    space = store.get_space_by_key(str(request.path_params["key"]))
    return JSONResponse(space_json(store, site_of(request), space, expand))


def _space_pages(store: FakeStore, request: Request, kind: str = "page") -> list[PageRecord]:
    depth = request.query_params.get("depth", "all")
    if depth not in ("all", "root"):
        raise FakeBadRequestError("depth must be all or root")
    space = store.get_space_by_key(str(request.path_params["key"]))
    pages = store.list_pages(space_id=space.id, kind=kind)
    return [p for p in pages if p.parent_id is None] if depth == "root" else pages


async def space_content(request: Request) -> Response:
    store = store_of(request)
    expand = parse_expand(request.query_params.get("expand"))
    site = site_of(request)
    out: dict[str, Any] = {"_links": {"base": site.base}}
    with store.lock:
        for kind in ("page", "blogpost"):
            found = _space_pages(store, request, kind)
            listing = v1_list(request, found, lambda p: page_json(store, site, p, expand))
            out[kind] = json.loads(bytes(listing.body))
    return JSONResponse(out)


async def space_content_of_type(request: Request) -> Response:
    store = store_of(request)
    kind = str(request.path_params["type"])
    if kind not in ("page", "blogpost"):
        raise FakeBadRequestError(f"Unsupported content type {kind!r}")
    expand = parse_expand(request.query_params.get("expand"))
    site = site_of(request)
    with store.lock:
        pages = _space_pages(store, request, kind)
        return v1_list(request, pages, lambda p: page_json(store, site, p, expand))


def _content_result(
    store: FakeStore,
    site: Site,
    item: Any,
    facts: Any,
    expand: set[str],
    terms: list[str],
    mode: str,
) -> dict[str, Any]:
    content = content_json(store, site, item, expand)
    space = store.find_space_by_key(facts.space_key)
    return {
        "content": content,
        "title": facts.title,
        "excerpt": ""
        if mode == "none"
        else excerpt(facts.text, terms, mode.startswith("highlight")),
        "url": content["_links"]["webui"],
        "resultGlobalContainer": {
            "title": space.name if space else "",
            "displayUrl": f"/spaces/{facts.space_key}",
        },
        "breadcrumbs": [],
        "entityType": "content",
        "iconCssClass": f"aui-icon content-type-{facts.kind}",
        "lastModified": iso(facts.modified),
        "friendlyLastModified": facts.modified.strftime("%b %d, %Y"),
        "score": 0.0,
    }


def _user_result(store: FakeStore, site: Site, account_id: str) -> dict[str, Any]:
    user = user_json(store, site, account_id)
    return {
        "user": user,
        "title": user["displayName"],
        "excerpt": "",
        "url": f"/people/{account_id}",
        "breadcrumbs": [],
        "entityType": "user",
        "iconCssClass": "aui-icon content-type-profile",
        "lastModified": iso(datetime.now(timezone.utc)),
        "score": 0.0,
    }


def _cql(request: Request) -> str:
    cql = request.query_params.get("cql", "").strip()
    if not cql:
        raise FakeBadRequestError("The cql parameter is required")
    return cql


async def search(request: Request) -> Response:
    store = store_of(request)
    cql = _cql(request)
    query = parse_cql(cql)
    mode = request.query_params.get("excerpt", "highlight")
    if mode not in _EXCERPTS:
        raise FakeBadRequestError(f"excerpt must be one of {_EXCERPTS}")
    expand = parse_expand(request.query_params.get("expand"), strip="content.")
    site = site_of(request)
    now = datetime.now(timezone.utc)
    if asks_for_users(query):
        users = search_users(store, cql, user_id(request), now)
        results = [_user_result(store, site, u.account_id) for u in users]
    else:
        terms = text_terms(query)
        with store.lock:
            found = search_content(
                store, query, user_id(request), now, data_center=site.kind == "dc"
            )
            results = [_content_result(store, site, i, f, expand, terms, mode) for i, f in found]
    return _search_response(request, cql, results)


async def search_user(request: Request) -> Response:
    store = store_of(request)
    cql = _cql(request)
    users = search_users(store, cql, user_id(request), datetime.now(timezone.utc))
    site = site_of(request)
    return _search_response(request, cql, [_user_result(store, site, u.account_id) for u in users])


def _search_response(request: Request, cql: str, results: list[dict[str, Any]]) -> Response:
    offset, limit, links = search_window(request, len(results))
    chunk = results[offset : offset + limit]
    return JSONResponse(
        {
            "results": chunk,
            "start": offset,
            "limit": limit,
            "size": len(chunk),
            "totalSize": len(results),
            "cqlQuery": cql,
            "searchDuration": 3,
            "_links": links,
        }
    )


async def current_user(request: Request) -> Response:
    return JSONResponse(user_json(store_of(request), site_of(request), user_id(request)))


async def get_user(request: Request) -> Response:
    store = store_of(request)
    q = request.query_params
    login = q.get("accountId") or q.get("username") or q.get("key")
    if not login:
        raise FakeBadRequestError("accountId (Cloud) or username / key (Data Center) is required")
    user = store.find_user(login)
    if user is None:
        raise FakeNotFoundError(f"No user found for {login}")
    return JSONResponse(user_json(store, site_of(request), user.account_id))


ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/space", list_spaces, ["GET"]),
    ("/space/{key}", get_space, ["GET"]),
    ("/space/{key}/content", space_content, ["GET"]),
    ("/space/{key}/content/{type}", space_content_of_type, ["GET"]),
    ("/search", search, ["GET"]),
    ("/search/user", search_user, ["GET"]),
    ("/user/current", current_user, ["GET"]),
    ("/user", get_user, ["GET"]),
]
