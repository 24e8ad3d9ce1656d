"""v1 / Data Center content: list, get, create, update, trash/purge, children, history."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .._cql import parse_cql
from .._errors import (
    FakeBadRequestError,
    FakeNotFoundError,
    FakePayloadTooLargeError,
    VersionConflictError,
)
from .._http import MAX_BODY_BYTES, no_content, read_json, site_of, store_of
from .._records import AttachmentRecord, CommentRecord, PageRecord
from .._render import check_storage
from .._search import search_content
from .._shapes_v1 import comment_json, content_json, page_json, parse_expand, version_json
from .._store import FakeStore
from ._common import int_param, numeric_id, path_id, search_window, user_id, v1_list

__all__ = ["ROUTES", "find_content"]


def find_content(
    store: FakeStore, raw_id: str, *, allow_trashed: bool = False
) -> PageRecord | CommentRecord | AttachmentRecord:
    """A page, comment or attachment by v1 content id (attachments as ``att123``)."""
    if raw_id.startswith("att") and raw_id[3:].isdigit():
        return store.get_attachment(raw_id[3:], allow_trashed=allow_trashed)
    content_id = numeric_id(raw_id)
    if content_id in store.comments:
        return store.comments[content_id]
    if content_id in store.attachments:
        return store.attachments[content_id]
    return store.get_page(content_id, allow_trashed=allow_trashed)


def _storage(payload: dict[str, Any]) -> str | None:
    body = payload.get("body")
    if body is None:
        return None
    storage = body.get("storage") if isinstance(body, dict) else None
    if not isinstance(storage, dict) or not isinstance(storage.get("value"), str):
        raise FakeBadRequestError("body.storage.value is required (only storage is supported)")
    representation = storage.get("representation", "storage")
    if representation not in ("storage", "wiki"):
        raise FakeBadRequestError("Only the storage representation is supported")
    value: str = storage["value"]
    if len(value.encode()) > MAX_BODY_BYTES:
        raise FakePayloadTooLargeError("Content body exceeds the 5 MB limit")
    if representation == "storage":
        check_storage(value)
    return value


def _expand(request: Request, default: set[str]) -> set[str]:
    """Create / update answers honour ``expand`` (adding to what Confluence always returns)."""
    return default | parse_expand(request.query_params.get("expand"))


def _payload(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise FakeBadRequestError("The request body must be a JSON object")
    return raw


async def list_content(request: Request) -> Response:
    store = store_of(request)
    kind = request.query_params.get("type", "page")
    if kind not in ("page", "blogpost"):
        raise FakeBadRequestError(f"Unsupported content type {kind!r}")
    key, title = request.query_params.get("spaceKey"), request.query_params.get("title")
    status = request.query_params.get("status", "current")
    statuses = ("current", "draft", "trashed") if status == "any" else (status,)
    expand = parse_expand(request.query_params.get("expand"))
    site = site_of(request)
    with store.lock:
        space_id = store.get_space_by_key(key).id if key else None
        pages = store.list_pages(space_id=space_id, statuses=statuses, title=title, kind=kind)
        return v1_list(request, pages, lambda p: page_json(store, site, p, expand))


async def get_content(request: Request) -> Response:
    store = store_of(request)
    status = request.query_params.get("status", "current")
    expand = parse_expand(request.query_params.get("expand", "space,history,version"))
    number = int_param(request, "version")
    site = site_of(request)
    with store.lock:
        raw_id = str(request.path_params["id"])
        if raw_id in store.inline_comments:
            # Inline comments are comments to v1 (extensions.location says which kind).
            return JSONResponse(comment_json(store, site, store.inline_comments[raw_id], expand))
        item = find_content(store, raw_id, allow_trashed=True)
        if (
            item.status != status
            and status != "any"
            and not (status == "current" and item.status in ("draft", "historical"))
        ):
            raise FakeNotFoundError(f"No content found with id: {item.id}")
        if isinstance(item, PageRecord) and number is not None and number != item.version:
            old = next((v for v in item.versions if v.number == number), None)
            if old is None:
                raise FakeNotFoundError(f"Content {item.id} has no version {number}")
            return JSONResponse(page_json(store, site, item, expand, old))
        return JSONResponse(content_json(store, site, item, expand))


async def create_content(request: Request) -> Response:
    store = store_of(request)
    payload = _payload(await read_json(request))
    kind = payload.get("type")
    value = _storage(payload)
    site = site_of(request)
    if kind == "comment":
        container = payload.get("container") or {}
        ancestors = payload.get("ancestors") or []
        parent = str(ancestors[-1]["id"]) if ancestors and isinstance(ancestors[-1], dict) else None
        with store.lock:
            if parent is not None and parent in store.inline_comments:
                # A reply to an inline comment joins its thread (same anchor), as in Confluence.
                reply = store.reply_inline_comment(parent, value or "", author_id=user_id(request))
                expand = _expand(request, {"body.storage", "version", "container"})
                return JSONResponse(comment_json(store, site, reply, expand))
            comment = store.add_comment(
                numeric_id(str(container.get("id", "")), "container.id") if not parent else "",
                value or "",
                parent_comment_id=parent,
                author_id=user_id(request),
            )
            expand = _expand(request, {"body.storage", "version", "container"})
            return JSONResponse(comment_json(store, site, comment, expand))
    if kind not in ("page", "blogpost"):
        raise FakeBadRequestError("type must be page or comment")
    space, title = payload.get("space"), payload.get("title")
    if not isinstance(space, dict) or not isinstance(space.get("key"), str):
        raise FakeBadRequestError("space.key is required")
    if not isinstance(title, str):
        raise FakeBadRequestError("title is required")
    ancestors = payload.get("ancestors") or []
    with store.lock:
        space_rec = store.get_space_by_key(space["key"])
        parent = (
            numeric_id(str(ancestors[-1].get("id")), "ancestors.id")
            if ancestors and isinstance(ancestors[-1], dict)
            else space_rec.homepage_id
        )
        if kind == "blogpost":
            parent = None  # blog posts live outside the page tree
        page = store.add_page(
            space_rec.id,
            title,
            value or "",
            parent_id=parent,
            author_id=user_id(request),
            status=payload.get("status", "current")
            if payload.get("status") == "draft"
            else "current",
            kind=kind,
        )
        expand = _expand(request, {"space", "version", "body.storage", "ancestors"})
        return JSONResponse(page_json(store, site, page, expand))


async def update_content(request: Request) -> Response:
    store = store_of(request)
    payload = _payload(await read_json(request))
    version = payload.get("version")
    if not isinstance(version, dict) or not isinstance(version.get("number"), int):
        raise FakeBadRequestError("version.number is required")
    site = site_of(request)
    with store.lock:
        item = find_content(store, str(request.path_params["id"]), allow_trashed=True)
        if isinstance(item, CommentRecord):
            comment = store.update_comment(
                item.id, _storage(payload) or item.body, version["number"]
            )
            expand = _expand(request, {"body.storage", "version"})
            return JSONResponse(comment_json(store, site, comment, expand))
        if isinstance(item, AttachmentRecord):
            return JSONResponse(_restore_attachment(request, store, item, payload, version))
        kwargs: dict[str, Any] = {}
        ancestors = payload.get("ancestors")
        if isinstance(ancestors, list) and ancestors:
            kwargs["parent_id"] = numeric_id(str(ancestors[-1].get("id")), "ancestors.id")
        title = payload.get("title")
        page = store.update_page(
            item.id,
            version=version["number"],
            title=title if isinstance(title, str) else None,
            body=_storage(payload),
            message=str(version.get("message") or ""),
            minor_edit=bool(version.get("minorEdit", False)),
            status=payload.get("status", "current"),
            author_id=user_id(request),
            **kwargs,
        )
        expand = _expand(request, {"space", "version", "body.storage", "ancestors"})
        return JSONResponse(page_json(store, site, page, expand))


def _restore_attachment(
    request: Request,
    store: FakeStore,
    att: AttachmentRecord,
    payload: dict[str, Any],
    version: dict[str, Any],
) -> dict[str, Any]:
    """The one attachment change v1 ``PUT content/{id}`` makes: out of the trash (status
    ``current``, version incremented; nothing else changes). The rest goes through
    ``/child/attachment``."""
    if att.status != "trashed" or payload.get("status") != "current":
        raise FakeBadRequestError("Update attachments through /child/attachment")
    if version["number"] != att.version + 1:
        raise VersionConflictError(att.version, version["number"])
    att.status = "current"
    expand = _expand(request, {"version", "container"})
    return content_json(store, site_of(request), att, expand)


async def delete_content(request: Request) -> Response:
    store = store_of(request)
    with store.lock:
        item = find_content(store, str(request.path_params["id"]), allow_trashed=True)
        if isinstance(item, CommentRecord):
            store.delete_comment(item.id)
        elif isinstance(item, AttachmentRecord):
            if item.status != "trashed":
                store.trash_attachment(item.id)
            elif request.query_params.get("status") == "trashed":
                store.purge_attachment(item.id)
            else:
                raise FakeNotFoundError(f"No content found with id: {item.id}")
        elif item.status == "trashed":
            if request.query_params.get("status") != "trashed":
                raise FakeNotFoundError(f"No content found with id: {item.id}")
            store.purge_page(item.id)
        else:
            store.trash_page(item.id)
    return no_content()


async def history(request: Request) -> Response:
    store = store_of(request)
    site = site_of(request)
    with store.lock:
        page = store.get_page(path_id(request))
        last = page.current
        return JSONResponse(
            {
                "latest": True,
                "createdBy": page_json(store, site, page, {"history"})["history"]["createdBy"],
                "createdDate": page_json(store, site, page, {"history"})["history"]["createdDate"],
                "lastUpdated": version_json(
                    store,
                    site,
                    last.number,
                    last.author_id,
                    last.created_at,
                    last.message,
                    last.minor_edit,
                ),
                "_links": {"self": f"{site.base}/rest/api/content/{page.id}/history"},
            }
        )


async def versions(request: Request) -> Response:
    store = store_of(request)
    site = site_of(request)
    with store.lock:
        page = store.get_page(path_id(request))
        return v1_list(
            request,
            list(reversed(page.versions)),
            lambda v: version_json(
                store, site, v.number, v.author_id, v.created_at, v.message, v.minor_edit
            ),
        )


async def one_version(request: Request) -> Response:
    store = store_of(request)
    site = site_of(request)
    number = numeric_id(str(request.path_params["n"]), "versionNumber")
    with store.lock:
        page = store.get_page(path_id(request))
        for v in page.versions:
            if v.number == int(number):
                data = version_json(
                    store, site, v.number, v.author_id, v.created_at, v.message, v.minor_edit
                )
                data["content"] = page_json(
                    store, site, page, {"body.storage"}, v if v is not page.current else None
                )
                return JSONResponse(data)
        raise FakeNotFoundError(f"Content {page.id} has no version {number}")


async def move(request: Request) -> Response:
    store = store_of(request)
    page = store.move_page(
        path_id(request), str(request.path_params["position"]), path_id(request, "target")
    )
    return JSONResponse({"pageId": page.id})


async def content_search(request: Request) -> Response:
    """``/content/search?cql=``: a ContentArray of matches (cursor pagination on Cloud)."""
    store = store_of(request)
    cql = request.query_params.get("cql", "").strip()
    if not cql:
        raise FakeBadRequestError("The cql parameter is required")
    query = parse_cql(cql)
    expand = parse_expand(request.query_params.get("expand"))
    site = site_of(request)
    with store.lock:
        found = search_content(
            store,
            query,
            user_id(request),
            datetime.now(timezone.utc),
            data_center=site.kind == "dc",
        )
        results = [content_json(store, site, item, expand) for item, _ in found]
    offset, limit, links = search_window(request, len(results))
    chunk = results[offset : offset + limit]
    return JSONResponse(
        {"results": chunk, "start": offset, "limit": limit, "size": len(chunk), "_links": links}
    )


ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/content/search", content_search, ["GET"]),
    ("/content/{id}/move/{position}/{target}", move, ["PUT"]),
    ("/content", list_content, ["GET"]),
    ("/content", create_content, ["POST"]),
    ("/content/{id}", get_content, ["GET"]),
    ("/content/{id}", update_content, ["PUT"]),
    ("/content/{id}", delete_content, ["DELETE"]),
    ("/content/{id}/history", history, ["GET"]),
    ("/content/{id}/version", versions, ["GET"]),
    ("/content/{id}/version/{n}", one_version, ["GET"]),
]
