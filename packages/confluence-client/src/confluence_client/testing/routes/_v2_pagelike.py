"""What v2 pages and blog posts share: listing, reading (any version), and the checks on a
create or update body. Each route module says which kind, statuses and shape it serves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .._errors import FakeBadRequestError, FakeNotFoundError, FakePayloadTooLargeError
from .._http import MAX_BODY_BYTES, Site, read_json, site_of, store_of
from .._records import PageRecord, VersionRecord
from .._render import check_storage
from .._shapes_v2 import check_body_format
from .._store import FakeStore
from ._common import int_param, multi, numeric_id, path_id, sort_pages, user_id, v2_list

__all__ = [
    "Edit",
    "Shape",
    "body_value",
    "get_content",
    "json_object",
    "list_content",
    "read_edit",
    "read_new",
    "statuses",
]

Shape = Callable[[FakeStore, Site, PageRecord, str | None, VersionRecord | None], dict[str, Any]]
"""``page_json`` or ``blogpost_json``."""

_STATUSES = ("current", "draft", "archived", "trashed", "deleted", "historical", "any")


def statuses(request: Request, default: tuple[str, ...]) -> tuple[str, ...]:
    """The ``status`` filter of a request (``any`` stands for every live status)."""
    wanted = multi(request, "status")
    for s in wanted:
        if s not in _STATUSES:
            raise FakeBadRequestError(f"Invalid status {s!r}")
    if "any" in wanted:
        return ("current", "draft", "archived", "trashed")
    return tuple(wanted) or default


def json_object(payload: Any) -> dict[str, Any]:
    """The request's JSON body, which must be an object."""
    if not isinstance(payload, dict):
        raise FakeBadRequestError("The request body must be a JSON object")
    return payload


def body_value(payload: dict[str, Any]) -> str:
    """The storage (or wiki) value of a create/update body, checked and size-limited."""
    body = payload.get("body")
    if not isinstance(body, dict):
        raise FakeBadRequestError("body is required: {representation, value}")
    if "storage" in body and isinstance(body["storage"], dict):
        body = body["storage"]  # the v1-style nesting; Confluence accepts it here too
    representation = body.get("representation", "storage")
    if representation not in ("storage", "wiki"):
        raise FakeBadRequestError(f"Unsupported body representation {representation!r}")
    value = body.get("value")
    if not isinstance(value, str):
        raise FakeBadRequestError("body.value must be a string")
    if len(value.encode()) > MAX_BODY_BYTES:
        raise FakePayloadTooLargeError("Page body exceeds the 5 MB limit")
    if representation == "storage":
        check_storage(value)
    return value


def _status(payload: dict[str, Any], allowed: tuple[str, ...]) -> str:
    status = payload.get("status", "current")
    if status not in allowed:
        names = ", ".join(allowed[:-1])
        raise FakeBadRequestError(f"status must be {names} or {allowed[-1]}")
    return str(status)


def list_content(
    request: Request, kind: str, space_ids: set[str], default: tuple[str, ...], shape: Shape
) -> Response:
    """A v2 list of pages or blog posts (``id``, ``title``, ``status``, ``sort`` filters)."""
    store = store_of(request)
    fmt = check_body_format(request.query_params.get("body-format"))
    ids = {numeric_id(i) for i in multi(request, "id")}
    title = request.query_params.get("title")
    wanted = statuses(request, default)
    with store.lock:
        found = [
            p
            for p in store.list_pages(statuses=wanted, title=title, kind=kind)
            if (not ids or p.id in ids) and (not space_ids or p.space_id in space_ids)
        ]
        found = sort_pages(request, found, "id")
        site = site_of(request)
        return v2_list(request, found, lambda p: shape(store, site, p, fmt, None))


def _find_version(page: PageRecord, number: int) -> VersionRecord:
    for v in page.versions:
        if v.number == number:
            return v
    raise FakeNotFoundError(f"Page {page.id} has no version {number}")


def get_content(
    request: Request,
    find: Callable[[FakeStore, str], PageRecord],
    default: tuple[str, ...],
    shape: Shape,
) -> Response:
    """One page or blog post (``find`` refuses the other kind), at any saved ``version``."""
    store = store_of(request)
    content_id = path_id(request)
    fmt = check_body_format(request.query_params.get("body-format"))
    wanted = statuses(request, default)
    number = int_param(request, "version")
    with store.lock:
        content = find(store, content_id)
        if content.status not in wanted:
            raise FakeNotFoundError(f"No content with id {content_id} and status {content.status}")
        version = None
        if number is not None and number != content.version:
            version = _find_version(content, number)
        return JSONResponse(shape(store, site_of(request), content, fmt, version))


async def read_new(request: Request) -> tuple[dict[str, Any], str, str, str]:
    """A create body: the payload, its space id, title and status (current or draft)."""
    payload = json_object(await read_json(request))
    space_id, title = payload.get("spaceId"), payload.get("title")
    if not isinstance(space_id, str | int) or not str(space_id).isdigit():
        raise FakeBadRequestError("spaceId is required (a numeric id)")
    if not isinstance(title, str):
        raise FakeBadRequestError("title is required")
    return payload, str(space_id), title, _status(payload, ("current", "draft"))


@dataclass(frozen=True)
class Edit:
    """A checked update body for the content at the request's path."""

    content_id: str
    payload: dict[str, Any]
    version: dict[str, Any]
    status: str
    title: str

    def apply(self, request: Request, store: FakeStore, **extra: Any) -> PageRecord:
        """Store the new version (the body is checked here, under the store's lock)."""
        return store.update_page(
            self.content_id,
            version=self.version["number"],
            title=self.title,
            body=body_value(self.payload),
            message=str(self.version.get("message") or ""),
            minor_edit=bool(self.version.get("minorEdit", False)),
            status=self.status,
            author_id=user_id(request),
            **extra,
        )


async def read_edit(request: Request, allowed: tuple[str, ...]) -> Edit:
    """An update body: its id matches the path, it has ``version.number`` and a title."""
    content_id = path_id(request)
    payload = json_object(await read_json(request))
    if str(payload.get("id", content_id)) != content_id:
        raise FakeBadRequestError("The id in the body does not match the path")
    version = payload.get("version")
    if not isinstance(version, dict) or not isinstance(version.get("number"), int):
        raise FakeBadRequestError("version.number is required")
    status = _status(payload, allowed)
    title = payload.get("title")
    if not isinstance(title, str):
        raise FakeBadRequestError("title is required")
    return Edit(content_id, payload, version, status, title)
