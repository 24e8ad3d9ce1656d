"""v1 content restrictions (users) and v2 space permissions; ``may`` is what the permission
check (``routes/v1_people``) applies on top of space edit rights.

A page's ``read`` restriction limits who sees it (and, as in Confluence, its descendants);
``update`` limits who edits it. No restriction means everyone with space access may.
Group restrictions are not kept by the fake.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .._errors import FakeBadRequestError
from .._http import Site, no_content, site_of, store_of
from .._shapes_v1 import user_json
from .._store import FakeStore
from ._common import path_id, v2_list

__all__ = ["ROUTES", "SPACE_ROUTES", "may"]

_OPERATIONS = ("read", "update")


def _operation(request: Request) -> str:
    op = str(request.path_params["op"])
    if op not in _OPERATIONS:
        raise FakeBadRequestError(f"operationKey must be read or update, got {op!r}")
    return op


def _restriction_json(store: FakeStore, site: Site, page_id: str, op: str) -> dict[str, Any]:
    users = sorted(store.restrictions.get(page_id, {}).get(op, set()))
    return {
        "operation": op,
        "restrictions": {
            "user": {
                "results": [user_json(store, site, u) for u in users],
                "start": 0,
                "limit": 200,
                "size": len(users),
            },
            "group": {"results": [], "start": 0, "limit": 200, "size": 0},
        },
        "_links": {"self": f"{site.base}/rest/api/content/{page_id}/restriction/byOperation/{op}"},
    }


def may(store: FakeStore, page_id: str, account_id: str, op: str) -> bool:
    """Whether a user may ``read`` or ``update`` a page under the restrictions kept."""
    chain = [*store.ancestors(page_id), store.get_page(page_id)]
    for page in chain:  # read restrictions are inherited from ancestors
        allowed = store.restrictions.get(page.id, {}).get("read")
        if allowed and account_id not in allowed:
            return False
    if op == "update":
        allowed = store.restrictions.get(page_id, {}).get("update")
        return not allowed or account_id in allowed
    return True


async def by_operation(request: Request) -> Response:
    store = store_of(request)
    with store.lock:
        page_id = store.get_page(path_id(request)).id
        site = site_of(request)
        body = {op: _restriction_json(store, site, page_id, op) for op in _OPERATIONS}
        body["_links"] = {"base": site.base}
        return JSONResponse(body)


def _account(request: Request, store: FakeStore) -> str:
    raw = request.query_params.get("accountId") or request.query_params.get("userName")
    if not raw:
        raise FakeBadRequestError("accountId (Cloud) or userName (Data Center) is required")
    user = store.find_user(raw)
    if user is None:
        raise FakeBadRequestError(f"No user {raw!r}")
    return user.account_id


async def user_restriction(request: Request) -> Response:
    """GET: 200 if the user is in the restriction, else 404; PUT adds; DELETE removes."""
    store = store_of(request)
    op = _operation(request)
    with store.lock:
        page_id = store.get_page(path_id(request)).id
        account = _account(request, store)
        users = store.restrictions.setdefault(page_id, {}).setdefault(op, set())
        if request.method == "PUT":
            users.add(account)
        elif request.method == "DELETE":
            users.discard(account)
        elif account not in users:
            return JSONResponse({"statusCode": 404, "message": "Not restricted"}, 404)
    return no_content() if request.method != "GET" else JSONResponse({})


async def space_permissions(request: Request) -> Response:
    """v2 ``/spaces/{id}/permissions``: every user reads and writes; the first administers."""
    store = store_of(request)
    with store.lock:
        store.get_space(path_id(request))
        users = list(store.users.values())
        rows: list[dict[str, Any]] = []
        for n, user in enumerate(users):
            keys = [("read", "space"), ("create", "page"), ("delete", "page")]
            if n == 0:
                keys.append(("administer", "space"))
            for key, target in keys:
                rows.append(
                    {
                        "id": str(len(rows) + 1),
                        "principal": {"type": "user", "id": user.account_id},
                        "operation": {"key": key, "targetType": target},
                    }
                )
        return v2_list(request, rows, lambda row: row)


ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/content/{id}/restriction/byOperation", by_operation, ["GET"]),
    ("/content/{id}/restriction/byOperation/{op}/user", user_restriction, ["GET", "PUT", "DELETE"]),
]
SPACE_ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/spaces/{id}/permissions", space_permissions, ["GET"]),
]
