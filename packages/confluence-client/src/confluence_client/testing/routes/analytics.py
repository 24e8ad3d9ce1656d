"""Cloud v1 analytics: a page's view count and distinct viewers (Data Center has none)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .._errors import FakeNotFoundError
from .._http import store_of
from ._common import path_id

__all__ = ["ROUTES"]


def _viewers(request: Request) -> tuple[str, list[str]]:
    store = store_of(request)
    with store.lock:
        page_id = path_id(request)
        page = store.pages.get(page_id)
        if page is None or page.status != "current" or not store.visible(page_id):
            raise FakeNotFoundError(f"No content with id {page_id}")
        return page_id, list(store.page_views.get(page_id, []))


async def views(request: Request) -> Response:
    page_id, seen = _viewers(request)
    return JSONResponse({"id": int(page_id), "count": len(seen)})


async def viewers(request: Request) -> Response:
    page_id, seen = _viewers(request)
    return JSONResponse({"id": int(page_id), "count": len(set(seen))})


ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/analytics/content/{id}/views", views, ["GET"]),
    ("/analytics/content/{id}/viewers", viewers, ["GET"]),
]
