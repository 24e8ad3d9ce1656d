"""v2 footer comments: per page, create, reply, get, edit, delete, replies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .._errors import FakeBadRequestError, FakePayloadTooLargeError
from .._http import MAX_BODY_BYTES, Site, no_content, read_json, site_of, store_of
from .._render import check_storage
from .._shapes_v2 import check_body_format, comment_json
from .._store import FakeStore
from ._common import numeric_id, path_id, user_id, v2_list

__all__ = ["ROUTES", "comment_body", "list_replies"]

C = TypeVar("C")


def comment_body(payload: Any) -> str:
    if not isinstance(payload, dict) or not isinstance(payload.get("body"), dict):
        raise FakeBadRequestError("body is required: {representation, value}")
    body = payload["body"]
    if body.get("representation", "storage") != "storage":
        raise FakeBadRequestError("Only the storage representation is supported")
    value = body.get("value")
    if not isinstance(value, str) or not value.strip():
        raise FakeBadRequestError("body.value must be a non-empty string")
    if len(value.encode()) > MAX_BODY_BYTES:
        raise FakePayloadTooLargeError("Comment body exceeds the 5 MB limit")
    check_storage(value)
    return value


async def page_comments(request: Request) -> Response:
    store = store_of(request)
    fmt = check_body_format(request.query_params.get("body-format"))
    with store.lock:
        comments = store.page_comments(path_id(request))
        if request.query_params.get("sort", "created-date").startswith("-"):
            comments.reverse()
        return v2_list(request, comments, lambda c: comment_json(store, site_of(request), c, fmt))


async def all_comments(request: Request) -> Response:
    store = store_of(request)
    fmt = check_body_format(request.query_params.get("body-format"))
    with store.lock:
        comments = sorted(
            (c for c in store.comments.values() if store.visible(c.page_id)),
            key=lambda c: int(c.id),
        )
        return v2_list(request, comments, lambda c: comment_json(store, site_of(request), c, fmt))


async def create_comment(request: Request) -> Response:
    store = store_of(request)
    payload = await read_json(request)
    value = comment_body(payload)
    page_id, parent = payload.get("pageId"), payload.get("parentCommentId")
    if page_id is None and parent is None:
        raise FakeBadRequestError("pageId or parentCommentId is required")
    with store.lock:
        comment = store.add_comment(
            numeric_id(str(page_id), "pageId") if page_id is not None else "",
            value,
            parent_comment_id=numeric_id(str(parent), "parentCommentId") if parent else None,
            author_id=user_id(request),
        )
        return JSONResponse(
            comment_json(store, site_of(request), comment, "storage"), status_code=201
        )


async def get_comment(request: Request) -> Response:
    store = store_of(request)
    fmt = check_body_format(request.query_params.get("body-format"))
    with store.lock:
        return JSONResponse(
            comment_json(store, site_of(request), store.get_comment(path_id(request)), fmt)
        )


async def update_comment(request: Request) -> Response:
    store = store_of(request)
    payload = await read_json(request)
    value = comment_body(payload)
    version = payload.get("version")
    if not isinstance(version, dict) or not isinstance(version.get("number"), int):
        raise FakeBadRequestError("version.number is required")
    with store.lock:
        comment = store.update_comment(path_id(request), value, version["number"])
        return JSONResponse(comment_json(store, site_of(request), comment, "storage"))


async def delete_comment(request: Request) -> Response:
    store_of(request).delete_comment(path_id(request))
    return no_content()


def list_replies(
    request: Request,
    get: Callable[[FakeStore, str], C],
    replies: Callable[[FakeStore, str], list[C]],
    shape: Callable[[FakeStore, Site, C, str | None], dict[str, Any]],
) -> Response:
    """``/{id}/children`` of a footer or inline comment: its direct replies (``get`` 404s
    for an unknown comment)."""
    store = store_of(request)
    fmt = check_body_format(request.query_params.get("body-format"))
    with store.lock:
        get(store, path_id(request))
        found = replies(store, path_id(request))
        return v2_list(request, found, lambda c: shape(store, site_of(request), c, fmt))


async def comment_children(request: Request) -> Response:
    return list_replies(request, FakeStore.get_comment, FakeStore.replies, comment_json)


ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/pages/{id}/footer-comments", page_comments, ["GET"]),
    ("/footer-comments", all_comments, ["GET"]),
    ("/footer-comments", create_comment, ["POST"]),
    ("/footer-comments/{id}", get_comment, ["GET"]),
    ("/footer-comments/{id}", update_comment, ["PUT"]),
    ("/footer-comments/{id}", delete_comment, ["DELETE"]),
    ("/footer-comments/{id}/children", comment_children, ["GET"]),
]
