"""v1 group membership and the content permission check (who may edit what)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .._errors import FakeBadRequestError, FakeNotFoundError
from .._http import store_of
from .._records import PageRecord
from .v1_content import find_content
from .v1_restrictions import may

__all__ = ["ROUTES"]


async def member_of(request: Request) -> Response:
    store = store_of(request)
    q = request.query_params
    login = q.get("accountId") or q.get("key") or q.get("username")
    if not login:
        raise FakeBadRequestError("accountId (Cloud) or key / username (Data Center) is required")
    user = store.find_user(login)
    if user is None:
        raise FakeNotFoundError(f"No user found for {login}")
    groups = [{"type": "group", "name": name, "id": f"group-{name}"} for name in user.groups]
    return JSONResponse(
        {"results": groups, "start": 0, "limit": 200, "size": len(groups), "_links": {}}
    )


async def permission_check(request: Request) -> Response:
    store = store_of(request)
    try:
        payload: Any = await request.json()
    except ValueError:
        raise FakeBadRequestError("The body must be JSON") from None
    subject = payload.get("subject") if isinstance(payload, dict) else None
    operation = payload.get("operation") if isinstance(payload, dict) else None
    if not isinstance(subject, dict) or not isinstance(subject.get("identifier"), str):
        raise FakeBadRequestError("subject.identifier is required")
    if operation not in {"read", "update", "delete"}:
        raise FakeBadRequestError("operation must be read, update or delete")
    user = store.find_user(subject["identifier"])
    if user is None:
        return JSONResponse({"hasPermission": False, "errors": []})
    with store.lock:
        content = find_content(store, request.path_params["id"])
        page = content if isinstance(content, PageRecord) else store.get_page(content.page_id)
        space = store.get_space(page.space_id)
        allowed = operation == "read" or space.editors is None or user.account_id in space.editors
        # Page restrictions narrow that further (read ones are inherited from ancestors).
        op = "read" if operation == "read" else "update"
        allowed = allowed and may(store, page.id, user.account_id, op)
    return JSONResponse({"hasPermission": allowed, "errors": []})


ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/user/memberof", member_of, ["GET"]),
    ("/content/{id}/permission/check", permission_check, ["POST"]),
]
