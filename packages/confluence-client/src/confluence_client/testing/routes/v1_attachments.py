"""v1 labels (add / remove) and attachments (multipart upload, download), plus the
``/download/attachments/...`` links both APIs hand out."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .._errors import (
    FakeBadRequestError,
    FakeNotFoundError,
    FakePayloadTooLargeError,
    ForbiddenError,
)
from .._forms import read_form
from .._http import no_content, read_json, site_of, store_of
from .._records import AttachmentRecord
from .._shapes_v1 import attachment_json, label_json, parse_expand
from ._common import path_id, user_id, v1_list
from .v2_content import attachment_id

__all__ = ["ROUTES", "DOWNLOADS", "MAX_ATTACHMENT_BYTES"]

MAX_ATTACHMENT_BYTES = 100 * 1024 * 1024
_ENVELOPE_ALLOWANCE = 1024 * 1024


async def list_labels(request: Request) -> Response:
    store = store_of(request)
    prefix = request.query_params.get("prefix")
    with store.lock:
        labels = [
            lb for lb in store.get_page(path_id(request)).labels if prefix in (None, lb.prefix)
        ]
        return v1_list(request, labels, label_json, max_limit=200)


async def add_labels(request: Request) -> Response:
    store = store_of(request)
    payload = await read_json(request)
    items = payload if isinstance(payload, list) else [payload]
    page_id = path_id(request)
    with store.lock:
        store.get_page(page_id)
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                raise FakeBadRequestError('Send [{"prefix": "global", "name": "label"}]')
            prefix = item.get("prefix", "global")
            if prefix not in ("global", "my", "team"):
                raise FakeBadRequestError(f"Invalid label prefix {prefix!r}")
            store.add_label(page_id, item["name"], prefix)
        labels = store.get_page(page_id).labels
        return JSONResponse(
            {
                "results": [label_json(lb) for lb in labels],
                "start": 0,
                "limit": 200,
                "size": len(labels),
                "_links": {},
            }
        )


async def remove_label(request: Request) -> Response:
    name = request.path_params.get("label") or request.query_params.get("name")
    if not name:
        raise FakeBadRequestError("name is required")
    store_of(request).remove_label(path_id(request), str(name))
    return no_content()


async def list_attachments(request: Request) -> Response:
    store = store_of(request)
    expand = parse_expand(request.query_params.get("expand"))
    filename = request.query_params.get("filename")
    media_type = request.query_params.get("mediaType")
    site = site_of(request)
    with store.lock:
        found = [
            a
            for a in store.page_attachments(path_id(request))
            if filename in (None, a.title) and media_type in (None, a.media_type)
        ]
        return v1_list(request, found, lambda a: attachment_json(store, site, a, expand))


async def _read_uploads(request: Request) -> tuple[list[tuple[str, bytes, str | None]], str]:
    """The uploaded files (name, bytes, media type) and the comment, after Confluence's checks."""
    # Atlassian documents "no-check"; the older "nocheck" spelling is accepted as well.
    if request.headers.get("x-atlassian-token", "").lower() not in ("nocheck", "no-check"):
        raise ForbiddenError("XSRF check failed")
    limit: int = getattr(request.app.state, "max_attachment_bytes", MAX_ATTACHMENT_BYTES)
    declared = request.headers.get("content-length", "")
    # Refuse early only when even the multipart envelope cannot explain the excess.
    if declared.isdigit() and int(declared) > limit + _ENVELOPE_ALLOWANCE:
        raise FakePayloadTooLargeError("Attachment exceeds the maximum size")
    store_of(request).get_page(path_id(request))
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise FakeBadRequestError("Send the file as multipart/form-data (field 'file')")
    form = await read_form(request)
    files = form.files_named("file")
    if not files:
        raise FakeBadRequestError("No file part named 'file' in the upload")
    if any(len(f.data) > limit for f in files):
        raise FakePayloadTooLargeError("Attachment exceeds the maximum size")
    return [(f.filename, f.data, f.content_type) for f in files], form.get("comment") or ""


async def upload_attachments(request: Request) -> Response:
    """POST adds new files (same name: 400); PUT adds or replaces (a new version)."""
    uploads, comment = await _read_uploads(request)
    store = store_of(request)
    page_id = path_id(request)
    site = site_of(request)
    with store.lock:
        created: list[AttachmentRecord] = []
        for filename, data, content_type in uploads:
            created.append(
                store.add_attachment(
                    page_id,
                    filename,
                    data,
                    media_type=content_type or "application/octet-stream",
                    comment=comment,
                    replace=request.method == "PUT",
                    author_id=user_id(request),
                )
            )
        results = [attachment_json(store, site, a, {"version", "container"}) for a in created]
    return JSONResponse({"results": results, "size": len(results), "_links": {"base": site.base}})


async def update_attachment_data(request: Request) -> Response:
    """``POST .../child/attachment/{attId}/data``: a new version of one attachment's file."""
    uploads, comment = await _read_uploads(request)
    store = store_of(request)
    site = site_of(request)
    with store.lock:
        att = store.get_attachment(attachment_id(str(request.path_params["att"])))
        if att.page_id != path_id(request) or len(uploads) != 1:
            raise FakeBadRequestError("Send exactly one file for an attachment of this content")
        _, data, content_type = uploads[0]
        updated = store.add_attachment(
            att.page_id,
            att.title,
            data,
            media_type=content_type or att.media_type,
            comment=comment,
            replace=True,
            author_id=user_id(request),
        )
        return JSONResponse(attachment_json(store, site, updated, {"version", "container"}))


def _download(att: AttachmentRecord) -> Response:
    return Response(
        att.data,
        media_type=att.media_type,
        headers={"content-disposition": f"attachment; filename*=UTF-8''{quote(att.title)}"},
    )


async def download_by_id(request: Request) -> Response:
    store = store_of(request)
    with store.lock:
        att = store.get_attachment(attachment_id(str(request.path_params["att"])))
        if att.page_id != path_id(request):
            raise FakeNotFoundError("No such attachment on this content")
        return _download(att)


async def download_by_name(request: Request) -> Response:
    store = store_of(request)
    name = str(request.path_params["filename"])
    with store.lock:
        for att in store.page_attachments(path_id(request)):
            if att.title == name:
                return _download(att)
    raise FakeNotFoundError(f"No attachment named {name}")


ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/content/{id}/label", list_labels, ["GET"]),
    ("/content/{id}/label", add_labels, ["POST"]),
    ("/content/{id}/label", remove_label, ["DELETE"]),
    ("/content/{id}/label/{label}", remove_label, ["DELETE"]),
    ("/content/{id}/child/attachment", list_attachments, ["GET"]),
    ("/content/{id}/child/attachment", upload_attachments, ["POST", "PUT"]),
    ("/content/{id}/child/attachment/{att}/data", update_attachment_data, ["POST"]),
    ("/content/{id}/child/attachment/{att}/download", download_by_id, ["GET"]),
]
DOWNLOADS: list[tuple[str, Any, list[str]]] = [
    ("/download/attachments/{id}/{filename}", download_by_name, ["GET"]),
]
