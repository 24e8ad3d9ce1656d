"""v1 copy: one page (``/content/{id}/copy``), a page tree as a long task
(``/content/{id}/pagehierarchy/copy``) and the long task's status (``/longtask/{id}``)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .._errors import FakeBadRequestError
from .._http import Site, read_json, site_of, store_of
from .._records import LongTaskRecord
from .._shapes_v1 import page_json
from .._store_copy import advance_long_task, copy_page, start_tree_copy
from ._common import numeric_id, path_id, user_id

__all__ = ["ROUTES", "long_task_json"]


def _flag(payload: dict[str, Any], key: str) -> bool:
    value = payload.get(key, False)
    if not isinstance(value, bool):
        raise FakeBadRequestError(f"{key} must be a boolean")
    return value


async def copy_one(request: Request) -> Response:
    store = store_of(request)
    payload = await read_json(request)
    if not isinstance(payload, dict) or not isinstance(payload.get("destination"), dict):
        raise FakeBadRequestError("destination is required: {type, value}")
    destination = payload["destination"]
    kind, value = destination.get("type"), str(destination.get("value", ""))
    title = payload.get("pageTitle")
    if title is not None and (not isinstance(title, str) or not title.strip()):
        raise FakeBadRequestError("pageTitle must be a non-empty string")
    with store.lock:
        source = path_id(request)
        if kind == "space":
            space = store.get_space_by_key(value)
            new = copy_page(
                store,
                source,
                space_id=space.id,
                title=title,
                author_id=user_id(request),
                attachments=_flag(payload, "copyAttachments"),
                labels=_flag(payload, "copyLabels"),
            )
        elif kind == "parent_page":
            new = copy_page(
                store,
                source,
                parent_id=numeric_id(value, "destination.value"),
                title=title,
                author_id=user_id(request),
                attachments=_flag(payload, "copyAttachments"),
                labels=_flag(payload, "copyLabels"),
            )
        else:
            raise FakeBadRequestError("destination.type must be space or parent_page")
        expand = {"space", "version", "ancestors"}
        return JSONResponse(page_json(store, site_of(request), new, expand))


async def copy_tree(request: Request) -> Response:
    store = store_of(request)
    payload = await read_json(request)
    if not isinstance(payload, dict) or payload.get("destinationPageId") is None:
        raise FakeBadRequestError("destinationPageId is required")
    options = payload.get("titleOptions") or {}
    if not isinstance(options, dict):
        raise FakeBadRequestError("titleOptions must be an object")
    descendants = payload.get("copyDescendants", True)
    task = start_tree_copy(
        store,
        path_id(request),
        numeric_id(str(payload["destinationPageId"]), "destinationPageId"),
        prefix=str(options.get("prefix") or ""),
        search=str(options.get("search") or ""),
        replace=str(options.get("replace") or ""),
        descendants=bool(descendants),
        attachments=_flag(payload, "copyAttachments"),
        labels=_flag(payload, "copyLabels"),
    )
    site = site_of(request)
    return JSONResponse(
        {"id": task.id, "links": {"status": f"{site.prefix}/rest/api/longtask/{task.id}"}},
        status_code=202,
    )


def long_task_json(site: Site, task: LongTaskRecord) -> dict[str, Any]:
    """A v1 long task status (``LongTaskStatusWithLinks``)."""
    copied = len(task.copied)
    data: dict[str, Any] = {
        "id": task.id,
        "name": {"key": "com.atlassian.confluence.pages.copy.hierarchy", "args": []},
        "elapsedTime": 1000 * (task.total - len(task.pending)),
        "percentageComplete": task.percentage,
        "successful": task.finished and task.error is None,
        "finished": task.finished,
        "messages": [{"translation": f"Copied {copied} of {task.total} pages", "args": []}],
        "status": "STATUS_COPIED_PAGES" if task.finished else "STATUS_COPYING_PAGES",
        "additionalDetails": {
            "destinationId": task.copied.get(task.root_id),
            "totalPageNeedToCopy": task.total,
        },
        "_links": {"base": site.base, "self": f"{site.base}/rest/api/longtask/{task.id}"},
    }
    if task.error is not None:
        data["errors"] = [{"translation": task.error, "args": []}]
    return data


async def long_task(request: Request) -> Response:
    store = store_of(request)
    task = advance_long_task(store, str(request.path_params["id"]))
    return JSONResponse(long_task_json(site_of(request), task))


ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/content/{id}/copy", copy_one, ["POST"]),
    ("/content/{id}/pagehierarchy/copy", copy_tree, ["POST"]),
    ("/longtask/{id}", long_task, ["GET"]),
]
