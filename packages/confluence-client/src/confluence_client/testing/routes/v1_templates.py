"""v1 page templates: a space's or the global ones, and one by id (with its storage body)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .._errors import FakeNotFoundError
from .._http import Site, site_of, store_of
from .._records import TemplateRecord
from .._shapes_v1 import space_json
from .._store import FakeStore
from ._common import numeric_id, v1_list

__all__ = ["ROUTES"]


def template_json(
    store: FakeStore, site: Site, template: TemplateRecord, with_body: bool
) -> dict[str, Any]:
    """A v1 ContentTemplate."""
    data: dict[str, Any] = {
        "templateId": template.id,
        "name": template.name,
        "description": template.description,
        "templateType": "page",
        "labels": [],
        "_links": {"base": site.base, "self": f"{site.base}/rest/api/template/{template.id}"},
    }
    if template.space_id is not None:
        data["space"] = space_json(store, site, store.spaces[template.space_id], set())
    if with_body:
        data["body"] = {"storage": {"value": template.body, "representation": "storage"}}
    return data


async def page_templates(request: Request) -> Response:
    store = store_of(request)
    key = request.query_params.get("spaceKey")
    site = site_of(request)
    with store.lock:
        space_id = store.get_space_by_key(key).id if key else None
        found = sorted(
            (t for t in store.templates.values() if t.space_id == space_id),
            key=lambda t: int(t.id),
        )
        return v1_list(request, found, lambda t: template_json(store, site, t, False))


async def one_template(request: Request) -> Response:
    store = store_of(request)
    template_id = numeric_id(str(request.path_params["id"]), "contentTemplateId")
    with store.lock:
        template = store.templates.get(template_id)
        if template is None:
            raise FakeNotFoundError(f"No template with id {template_id}")
        return JSONResponse(template_json(store, site_of(request), template, True))


ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/template/page", page_templates, ["GET"]),
    ("/template/{id}", one_template, ["GET"]),
]
