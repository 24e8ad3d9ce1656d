"""v2 blog posts: list (all / per space), create, get (any version), update, trash/purge."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .._errors import FakeNotFoundError
from .._http import no_content, site_of, store_of
from .._records import PageRecord
from .._shapes_v2 import blogpost_json
from .._store import FakeStore
from ._common import bool_param, multi, path_id, user_id
from ._v2_pagelike import body_value, get_content, list_content, read_edit, read_new

__all__ = ["ROUTES"]


def _post(store: FakeStore, post_id: str, *, allow_trashed: bool = False) -> PageRecord:
    post = store.get_page(post_id, allow_trashed=allow_trashed)
    if post.kind != "blogpost":
        raise FakeNotFoundError(f"No blog post with id {post_id}")
    return post


def _any_post(store: FakeStore, post_id: str) -> PageRecord:
    return _post(store, post_id, allow_trashed=True)


def _listing(request: Request, space_id: str | None) -> Response:
    space_ids = set(multi(request, "space-id")) if space_id is None else {space_id}
    return list_content(request, "blogpost", space_ids, ("current",), blogpost_json)


async def list_blogposts(request: Request) -> Response:
    return _listing(request, None)


async def space_blogposts(request: Request) -> Response:
    store_of(request).get_space(path_id(request))
    return _listing(request, path_id(request))


async def create_blogpost(request: Request) -> Response:
    store = store_of(request)
    payload, space_id, title, status = await read_new(request)
    with store.lock:
        post = store.add_page(
            store.get_space(space_id).id,
            title,
            body_value(payload),
            author_id=user_id(request),
            status=status,
            kind="blogpost",
        )
        return JSONResponse(blogpost_json(store, site_of(request), post, "storage"))


async def get_blogpost(request: Request) -> Response:
    return get_content(request, _any_post, ("current", "draft"), blogpost_json)


async def update_blogpost(request: Request) -> Response:
    store = store_of(request)
    edit = await read_edit(request, ("current", "draft"))
    with store.lock:
        _post(store, edit.content_id, allow_trashed=edit.status == "current")
        post = edit.apply(request, store)
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
