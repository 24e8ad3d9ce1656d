"""Content properties of pages: v2 ``pages/{id}/properties`` and v1 ``content/{id}/property``."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .._errors import (
    FakeBadRequestError,
    FakeConfluenceError,
    FakeNotFoundError,
    VersionConflictError,
)
from .._http import iso, no_content, read_json, store_of
from .._records import PageRecord, PropertyRecord
from .._store import FakeStore
from ._common import path_id, user_id, v1_list, v1_path, v2_list

__all__ = ["V1_ROUTES", "V2_ROUTES"]

_MAX_VALUE_BYTES = 32_768


class _KeyExistsError(FakeConfluenceError):
    """Creating a key the page already has (409), as Confluence answers."""

    status = 409
    code = "CONFLICT"
    title = "Conflict"


def _page(store: FakeStore, page_id: str) -> PageRecord:
    page = store.pages.get(page_id)
    if page is None or page.status != "current" or not store.visible(page_id):
        raise FakeNotFoundError(f"No content with id {page_id}")
    return page


def _of_page(store: FakeStore, page_id: str) -> list[PropertyRecord]:
    found = [p for p in store.properties.values() if p.page_id == page_id]
    return sorted(found, key=lambda p: p.key)


def _by_key(store: FakeStore, page_id: str, key: str) -> PropertyRecord:
    for prop in _of_page(store, page_id):
        if prop.key == key:
            return prop
    raise FakeNotFoundError(f"No property with key {key!r} on content {page_id}")


def _version(prop: PropertyRecord) -> dict[str, Any]:
    return {
        "number": prop.version,
        "message": "",
        "minorEdit": False,
        "createdAt": iso(prop.when),
        "authorId": prop.author_id,
    }


def v2_json(prop: PropertyRecord) -> dict[str, Any]:
    """A v2 ContentProperty."""
    return {"id": prop.id, "key": prop.key, "value": prop.value, "version": _version(prop)}


def _v1_json(request: Request, prop: PropertyRecord) -> dict[str, Any]:
    version = {"when": iso(prop.when), "message": "", "number": prop.version, "minorEdit": False}
    base = v1_path(request).split("/property")[0]
    return {
        "id": prop.id,
        "key": prop.key,
        "value": prop.value,
        "version": version,
        "_links": {"self": f"{base}/property/{prop.key}"},
        "_expandable": {"content": base},
    }


def _payload(raw: Any, *, need_version: bool) -> tuple[str, Any, int | None]:
    if not isinstance(raw, dict) or not isinstance(raw.get("key"), str) or not raw["key"]:
        raise FakeBadRequestError("A property needs a non-empty string key")
    if "value" not in raw:
        raise FakeBadRequestError("A property needs a value")
    if len(json.dumps(raw["value"]).encode()) > _MAX_VALUE_BYTES:
        raise FakeBadRequestError(f"Property values are limited to {_MAX_VALUE_BYTES} bytes")
    number = raw.get("version", {}).get("number") if isinstance(raw.get("version"), dict) else None
    if need_version and (not isinstance(number, int) or isinstance(number, bool)):
        raise FakeBadRequestError("version.number is required to update a property")
    return raw["key"], raw["value"], number


def _create(request: Request, store: FakeStore, page_id: str, raw: Any) -> PropertyRecord:
    key, value, _ = _payload(raw, need_version=False)
    _page(store, page_id)
    if any(p.key == key for p in _of_page(store, page_id)):
        raise _KeyExistsError(f"A property with key {key!r} already exists on content {page_id}")
    prop = PropertyRecord(store.next_id(), page_id, key, value, 1, user_id(request), store.now())
    store.properties[prop.id] = prop
    return prop


def _update(request: Request, store: FakeStore, prop: PropertyRecord, raw: Any) -> None:
    key, value, number = _payload(raw, need_version=True)
    if key != prop.key:
        raise FakeBadRequestError("A property's key cannot be changed")
    if number != prop.version + 1:
        raise VersionConflictError(prop.version, int(number or 0))
    prop.value, prop.version = value, prop.version + 1
    prop.author_id, prop.when = user_id(request), store.now()


async def v2_list_properties(request: Request) -> Response:
    store = store_of(request)
    key = request.query_params.get("key")
    with store.lock:
        page_id = path_id(request)
        _page(store, page_id)
        found = [p for p in _of_page(store, page_id) if key is None or p.key == key]
        if request.query_params.get("sort") == "-key":
            found.reverse()
        return v2_list(request, found, v2_json)


async def v2_create_property(request: Request) -> Response:
    store = store_of(request)
    raw = await read_json(request)
    with store.lock:
        return JSONResponse(v2_json(_create(request, store, path_id(request), raw)))


def _v2_property(request: Request, store: FakeStore) -> PropertyRecord:
    page_id = path_id(request)
    _page(store, page_id)
    prop = store.properties.get(path_id(request, "property_id"))
    if prop is None or prop.page_id != page_id:
        raise FakeNotFoundError("No property with this id on this page")
    return prop


async def v2_get_property(request: Request) -> Response:
    store = store_of(request)
    with store.lock:
        return JSONResponse(v2_json(_v2_property(request, store)))


async def v2_update_property(request: Request) -> Response:
    store = store_of(request)
    raw = await read_json(request)
    with store.lock:
        prop = _v2_property(request, store)
        _update(request, store, prop, raw)
        return JSONResponse(v2_json(prop))


async def v2_delete_property(request: Request) -> Response:
    store = store_of(request)
    with store.lock:
        del store.properties[_v2_property(request, store).id]
    return no_content()


async def v1_list_properties(request: Request) -> Response:
    store = store_of(request)
    with store.lock:
        page_id = path_id(request)
        _page(store, page_id)
        found = _of_page(store, page_id)
        return v1_list(request, found, lambda p: _v1_json(request, p), default_limit=10)


async def v1_create_property(request: Request) -> Response:
    store = store_of(request)
    raw = await read_json(request)
    with store.lock:
        return JSONResponse(_v1_json(request, _create(request, store, path_id(request), raw)))


async def v1_get_property(request: Request) -> Response:
    store = store_of(request)
    with store.lock:
        page_id = path_id(request)
        _page(store, page_id)
        prop = _by_key(store, page_id, str(request.path_params["key"]))
        return JSONResponse(_v1_json(request, prop))


async def v1_update_property(request: Request) -> Response:
    store = store_of(request)
    raw = await read_json(request)
    with store.lock:
        page_id = path_id(request)
        _page(store, page_id)
        prop = _by_key(store, page_id, str(request.path_params["key"]))
        _update(request, store, prop, raw)
        return JSONResponse(_v1_json(request, prop))


async def v1_delete_property(request: Request) -> Response:
    store = store_of(request)
    with store.lock:
        page_id = path_id(request)
        _page(store, page_id)
        del store.properties[_by_key(store, page_id, str(request.path_params["key"])).id]
    return no_content()


V2_ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/pages/{id}/properties", v2_list_properties, ["GET"]),
    ("/pages/{id}/properties", v2_create_property, ["POST"]),
    ("/pages/{id}/properties/{property_id}", v2_get_property, ["GET"]),
    ("/pages/{id}/properties/{property_id}", v2_update_property, ["PUT"]),
    ("/pages/{id}/properties/{property_id}", v2_delete_property, ["DELETE"]),
]
V1_ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/content/{id}/property", v1_list_properties, ["GET"]),
    ("/content/{id}/property", v1_create_property, ["POST"]),
    ("/content/{id}/property/{key}", v1_get_property, ["GET"]),
    ("/content/{id}/property/{key}", v1_update_property, ["PUT"]),
    ("/content/{id}/property/{key}", v1_delete_property, ["DELETE"]),
]
