"""v2 labels, attachments and page versions (read-only in v2, as in Confluence)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .._errors import FakeBadRequestError, FakeNotFoundError
from .._http import no_content, store_of
from .._shapes_v2 import attachment_json, detailed_version_json, label_json, page_version_json
from ._common import bool_param, path_id, v2_list

__all__ = ["ROUTES", "attachment_id"]


def attachment_id(raw: str) -> str:
    """The numeric part of an attachment id (``att123`` or ``123``); 400 otherwise."""
    digits = raw[3:] if raw.startswith("att") else raw
    if not digits.isdigit():
        raise FakeBadRequestError(f"Invalid attachment id {raw!r}")
    return digits


async def page_labels(request: Request) -> Response:
    store = store_of(request)
    prefix = request.query_params.get("prefix")
    with store.lock:
        labels = [
            lb
            for lb in store.get_page(path_id(request)).labels
            if prefix is None or lb.prefix == prefix
        ]
        return v2_list(request, labels, label_json)


async def page_attachments(request: Request) -> Response:
    store = store_of(request)
    filename = request.query_params.get("filename")
    media_type = request.query_params.get("mediaType")
    with store.lock:
        found = [
            a
            for a in store.page_attachments(path_id(request))
            if (filename is None or a.title == filename)
            and (media_type is None or a.media_type == media_type)
        ]
        return v2_list(request, found, lambda a: attachment_json(store, a))


async def all_attachments(request: Request) -> Response:
    store = store_of(request)
    with store.lock:
        found = sorted(
            (a for a in store.attachments.values() if store.visible(a.page_id)),
            key=lambda a: int(a.id),
        )
        return v2_list(request, found, lambda a: attachment_json(store, a))


async def get_attachment(request: Request) -> Response:
    store = store_of(request)
    with store.lock:
        att = store.get_attachment(attachment_id(str(request.path_params["id"])))
        return JSONResponse(attachment_json(store, att))


async def delete_attachment(request: Request) -> Response:
    """Trash an attachment; ``purge=true`` deletes a trashed one for good."""
    store = store_of(request)
    att_id = attachment_id(str(request.path_params["id"]))
    if bool_param(request, "purge"):
        store.purge_attachment(att_id)
    else:
        store.trash_attachment(att_id)
    return no_content()


async def page_versions(request: Request) -> Response:
    store = store_of(request)
    with store.lock:
        page = store.get_page(path_id(request))
        versions = list(reversed(page.versions))  # newest first, as Confluence lists them
        if request.query_params.get("sort") == "modified-date":
            versions.reverse()
        return v2_list(request, versions, lambda v: page_version_json(page, v))


async def page_version(request: Request) -> Response:
    store = store_of(request)
    raw = str(request.path_params["n"])
    if not raw.isdigit():
        raise FakeBadRequestError(f"version-number must be a number, got {raw!r}")
    with store.lock:
        page = store.get_page(path_id(request))
        for v in page.versions:
            if v.number == int(raw):
                return JSONResponse(detailed_version_json(page, v))
        raise FakeNotFoundError(f"Page {page.id} has no version {raw}")


ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/pages/{id}/labels", page_labels, ["GET"]),
    ("/pages/{id}/attachments", page_attachments, ["GET"]),
    ("/attachments", all_attachments, ["GET"]),
    ("/attachments/{id}", get_attachment, ["GET"]),
    ("/attachments/{id}", delete_attachment, ["DELETE"]),
    ("/pages/{id}/versions", page_versions, ["GET"]),
    ("/pages/{id}/versions/{n}", page_version, ["GET"]),
]
