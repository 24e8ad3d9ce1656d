"""Web links the APIs hand out: tiny links (``/x/<code>``) redirect to the page's web UI."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from .._errors import FakeNotFoundError
from .._http import site_of, store_of
from .._shapes_v2 import tiny_code_to_id, webui_page

__all__ = ["ROUTES"]


async def tiny_link(request: Request) -> Response:
    store = store_of(request)
    code = str(request.path_params["code"])
    page_id = tiny_code_to_id(code)
    with store.lock:
        page = store.pages.get(page_id or "")
        if page is None or page.status == "trashed" or not store.visible(page.id):
            raise FakeNotFoundError(f"No page for tiny link {code}")
        webui = webui_page(store.spaces[page.space_id].key, page)
    return RedirectResponse(site_of(request).base + webui, status_code=302)


ROUTES: list[tuple[str, Any, list[str]]] = [("/x/{code}", tiny_link, ["GET"])]
