"""v2 inline comments: per page, create (anchored or reply), get, edit/resolve, delete, replies."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .._errors import FakeBadRequestError
from .._http import Site, iso, no_content, read_json, site_of, store_of
from .._records import InlineCommentRecord
from .._shapes_v2 import check_body_format, comment_json
from .._store import FakeStore
from ._common import numeric_id, path_id, user_id, v2_list
from .v2_comments import comment_body, list_replies

__all__ = ["ROUTES", "inline_comment_json"]


def inline_comment_json(
    store: FakeStore, site: Site, comment: InlineCommentRecord, body_format: str | None = None
) -> dict[str, Any]:
    """A v2 inline comment: a footer comment's fields plus its resolution and anchor
    (``properties``)."""
    data = comment_json(store, site, comment, body_format)
    data["resolutionStatus"] = comment.resolution
    data["properties"] = {
        "inlineMarkerRef": comment.marker_ref,
        "inlineOriginalSelection": comment.selection,
    }
    if comment.resolution_by is not None and comment.resolution_at is not None:
        data["resolutionLastModifierId"] = comment.resolution_by
        data["resolutionLastModifiedAt"] = iso(comment.resolution_at)
    return data


def _shape(request: Request, store: FakeStore, fmt: str | None) -> Any:
    site = site_of(request)
    return lambda c: inline_comment_json(store, site, c, fmt)


async def page_inline_comments(request: Request) -> Response:
    store = store_of(request)
    fmt = check_body_format(request.query_params.get("body-format"))
    status = request.query_params.get("resolution-status")
    with store.lock:
        comments = store.page_inline_comments(path_id(request))
        if status:
            wanted = set(status.split(","))
            comments = [c for c in comments if c.resolution in wanted]
        if request.query_params.get("sort", "created-date").startswith("-"):
            comments.reverse()
        return v2_list(request, comments, _shape(request, store, fmt))


async def create_inline_comment(request: Request) -> Response:
    store = store_of(request)
    payload = await read_json(request)
    value = comment_body(payload)
    page_id, parent = payload.get("pageId"), payload.get("parentCommentId")
    with store.lock:
        if parent is not None:
            comment = store.reply_inline_comment(
                numeric_id(str(parent), "parentCommentId"), value, author_id=user_id(request)
            )
        elif page_id is not None:
            anchor = payload.get("inlineCommentProperties")
            if not isinstance(anchor, dict) or not isinstance(anchor.get("textSelection"), str):
                raise FakeBadRequestError("inlineCommentProperties.textSelection is required")
            index, count = (
                anchor.get("textSelectionMatchIndex", 0),
                anchor.get("textSelectionMatchCount"),
            )
            if not isinstance(index, int) or (count is not None and not isinstance(count, int)):
                raise FakeBadRequestError("textSelectionMatchIndex/Count must be integers")
            comment = store.add_inline_comment(
                numeric_id(str(page_id), "pageId"),
                value,
                anchor["textSelection"],
                match_index=index,
                match_count=count,
                author_id=user_id(request),
            )
        else:
            raise FakeBadRequestError("pageId or parentCommentId is required")
        return JSONResponse(_shape(request, store, "storage")(comment), status_code=201)


async def get_inline_comment(request: Request) -> Response:
    store = store_of(request)
    fmt = check_body_format(request.query_params.get("body-format"))
    with store.lock:
        comment = store.get_inline_comment(path_id(request))
        return JSONResponse(_shape(request, store, fmt)(comment))


async def update_inline_comment(request: Request) -> Response:
    store = store_of(request)
    payload = await read_json(request)
    if not isinstance(payload, dict):
        raise FakeBadRequestError("A JSON object is required")
    version = payload.get("version")
    if not isinstance(version, dict) or not isinstance(version.get("number"), int):
        raise FakeBadRequestError("version.number is required")
    resolved = payload.get("resolved")
    if resolved is not None and not isinstance(resolved, bool):
        raise FakeBadRequestError("resolved must be a boolean")
    body = comment_body(payload) if "body" in payload else None
    with store.lock:
        comment = store.update_inline_comment(
            path_id(request),
            version["number"],
            body=body,
            resolved=resolved,
            user_id=user_id(request),
        )
        return JSONResponse(_shape(request, store, "storage")(comment))


async def delete_inline_comment(request: Request) -> Response:
    store_of(request).delete_inline_comment(path_id(request))
    return no_content()


async def inline_comment_children(request: Request) -> Response:
    return list_replies(
        request, FakeStore.get_inline_comment, FakeStore.inline_replies, inline_comment_json
    )


ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/pages/{id}/inline-comments", page_inline_comments, ["GET"]),
    ("/inline-comments", create_inline_comment, ["POST"]),
    ("/inline-comments/{id}", get_inline_comment, ["GET"]),
    ("/inline-comments/{id}", update_inline_comment, ["PUT"]),
    ("/inline-comments/{id}", delete_inline_comment, ["DELETE"]),
    ("/inline-comments/{id}/children", inline_comment_children, ["GET"]),
]
