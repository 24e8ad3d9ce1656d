"""v2 blog posts: list (all / per space), create, get (any version), update, trash/purge."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .._errors import FakeBadRequestError, FakeNotFoundError
from .._http import no_content, read_json, site_of, store_of
from .._records import PageRecord
from .._shapes_v2 import blogpost_json, check_body_format
from .._store import FakeStore
from ._common import bool_param, int_param, multi, numeric_id, path_id, sort_pages, user_id, v2_list
from .v2_pages import _body_value, _find_version, _object, _statuses

__all__ = ["ROUTES"]


def _post(store: FakeStore, post_id: str, *, allow_trashed: bool = False) -> PageRecord:
    post = store.get_page(post_id, allow_trashed=allow_trashed)
    if post.kind != "blogpost":
        raise FakeNotFoundError(f"No blog post with id {post_id}")
    return post


def _listing(request: Request, space_id: str | None) -> Response:
    store = store_of(request)
    fmt = check_body_format(request.query_params.get("body-format"))
    ids = {numeric_id(i) for i in multi(request, "id")}
    space_ids = set(multi(request, "space-id")) if space_id is None else {space_id}
    title = request.query_params.get("title")
    statuses = _statuses(request, ("current",))
    with store.lock:
        posts = [
            p
            for p in store.list_pages(statuses=statuses, title=title, kind="blogpost")
            if (not ids or p.id in ids) and (not space_ids or p.space_id in space_ids)
        ]
        posts = sort_pages(request, posts, "id")
        site = site_of(request)
        return v2_list(request, posts, lambda p: blogpost_json(store, site, p, fmt))


async def list_blogposts(request: Request) -> Response:
    return _listing(request, None)


async def space_blogposts(request: Request) -> Response:
    store_of(request).get_space(path_id(request))
    return _listing(request, path_id(request))


async def create_blogpost(request: Request) -> Response:
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
    with store.lock:
        post = store.add_page(
            store.get_space(str(space_id)).id,
            title,
            _body_value(payload),
            author_id=user_id(request),
            status=status,
            kind="blogpost",
        )
        return JSONResponse(blogpost_json(store, site_of(request), post, "storage"))


async def get_blogpost(request: Request) -> Response:
    store = store_of(request)
    post_id = path_id(request)
    fmt = check_body_format(request.query_params.get("body-format"))
    wanted = _statuses(request, ("current", "draft"))
    number = int_param(request, "version")
    with store.lock:
        post = _post(store, post_id, allow_trashed=True)
        if post.status not in wanted:
            raise FakeNotFoundError(f"No content with id {post_id} and status {post.status}")
        version = None
        if number is not None and number != post.version:
            version = _find_version(post, number)
        return JSONResponse(blogpost_json(store, site_of(request), post, fmt, version))


async def update_blogpost(request: Request) -> Response:
    store = store_of(request)
    post_id = path_id(request)
    payload = _object(await read_json(request))
    if str(payload.get("id", post_id)) != post_id:
        raise FakeBadRequestError("The id in the body does not match the path")
    version = payload.get("version")
    if not isinstance(version, dict) or not isinstance(version.get("number"), int):
        raise FakeBadRequestError("version.number is required")
    status = payload.get("status", "current")
    if status not in ("current", "draft"):
        raise FakeBadRequestError("status must be current or draft")
    title = payload.get("title")
    if not isinstance(title, str):
        raise FakeBadRequestError("title is required")
    with store.lock:
        _post(store, post_id, allow_trashed=status == "current")
        post = store.update_page(
            post_id,
            version=version["number"],
            title=title,
            body=_body_value(payload),
            message=str(version.get("message") or ""),
            minor_edit=bool(version.get("minorEdit", False)),
            status=status,
            author_id=user_id(request),
        )
        return JSONResponse(blogpost_json(store, site_of(request), post, "storage"))


async def delete_blogpost(request: Request) -> Response:
    store = store_of(request)
    post_id = path_id(request)
    with store.lock:
        _post(store, post_id, allow_trashed=True)
        if bool_param(request, "purge"):
            store.purge_page(post_id)
        else:
            store.trash_page(post_id)
    return no_content()


ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/blogposts", list_blogposts, ["GET"]),
    ("/blogposts", create_blogpost, ["POST"]),
    ("/blogposts/{id}", get_blogpost, ["GET"]),
    ("/blogposts/{id}", update_blogpost, ["PUT"]),
    ("/blogposts/{id}", delete_blogpost, ["DELETE"]),
    ("/spaces/{id}/blogposts", space_blogposts, ["GET"]),
]
