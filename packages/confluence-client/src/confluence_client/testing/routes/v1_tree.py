"""v1 / Data Center page tree: children and descendants (pages and comments)."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .._errors import FakeBadRequestError
from .._http import site_of, store_of
from .._records import CommentRecord, InlineCommentRecord
from .._shapes_v1 import comment_json, page_json, parse_expand
from ._common import multi, path_id, v1_list

__all__ = ["ROUTES"]


async def child_pages(request: Request) -> Response:
    store = store_of(request)
    expand = parse_expand(request.query_params.get("expand"))
    site = site_of(request)
    with store.lock:
        page = store.get_page(path_id(request))
        kids = store.children(page.id, page.space_id)
        return v1_list(request, kids, lambda p: page_json(store, site, p, expand))


async def child_comments(request: Request) -> Response:
    store = store_of(request)
    expand = parse_expand(request.query_params.get("expand"))
    depth_all = request.query_params.get("depth", "") == "all"
    site = site_of(request)
    content_id = path_id(request)
    # ``location`` (repeatable: footer, inline, resolved) filters; without it, all comments.
    locations = set(multi(request, "location")) or {"footer", "inline"}
    with store.lock:
        comments: list[CommentRecord | InlineCommentRecord] = []
        if content_id in store.comments:
            # Replies of a comment, as Server / Data Center list them.
            comments += store.replies(content_id)
        elif content_id in store.inline_comments:
            comments += store.inline_replies(content_id)
        else:
            if "footer" in locations:
                comments += store.page_comments(content_id, top_level_only=not depth_all)
            if "inline" in locations:
                comments += store.page_inline_comments(content_id, top_level_only=not depth_all)
            comments.sort(key=lambda c: int(c.id))
        return v1_list(request, comments, lambda c: comment_json(store, site, c, expand))


async def descendant_pages(request: Request) -> Response:
    store = store_of(request)
    expand = parse_expand(request.query_params.get("expand"))
    site = site_of(request)
    with store.lock:
        found = [p for p, _ in store.descendants(path_id(request))]
        return v1_list(request, found, lambda p: page_json(store, site, p, expand))


async def descendant_comments(request: Request) -> Response:
    store = store_of(request)
    expand = parse_expand(request.query_params.get("expand"))
    site = site_of(request)
    with store.lock:
        found = store.page_comments(path_id(request), top_level_only=False)
        return v1_list(request, found, lambda c: comment_json(store, site, c, expand))


async def _by_type(request: Request, handlers: dict[str, Any]) -> Response:
    """``/child`` and ``/descendant``: one listing per expanded type (``page``, ``comment``)."""
    wanted = parse_expand(request.query_params.get("expand")) or {"page"}
    unknown = {w.split(".")[0] for w in wanted} - set(handlers) - {"attachment"}
    if unknown:
        raise FakeBadRequestError(f"Unsupported child types: {sorted(unknown)}")
    store = store_of(request)
    store.get_page(path_id(request))
    out: dict[str, Any] = {"_links": {"base": site_of(request).base}}
    for kind, handler in handlers.items():
        if kind in wanted:
            out[kind] = _listing(await handler(request))
    return JSONResponse(out)


def _listing(response: Response) -> Any:
    return json.loads(bytes(response.body))


async def children(request: Request) -> Response:
    return await _by_type(request, {"page": child_pages, "comment": child_comments})


async def descendants(request: Request) -> Response:
    return await _by_type(request, {"page": descendant_pages, "comment": descendant_comments})


ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/content/{id}/child", children, ["GET"]),
    ("/content/{id}/child/page", child_pages, ["GET"]),
    ("/content/{id}/child/comment", child_comments, ["GET"]),
    ("/content/{id}/descendant", descendants, ["GET"]),
    ("/content/{id}/descendant/page", descendant_pages, ["GET"]),
    ("/content/{id}/descendant/comment", descendant_comments, ["GET"]),
]
