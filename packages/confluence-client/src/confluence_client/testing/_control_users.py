"""Control routes for people: ``/__fake__/users`` and ``/__fake__/restrictions/{page_id}``.

``POST /__fake__/users`` adds a user who can sign in as themselves::

    {"display_name": "Ann", "email": "ann@example.com", "username": "ann",
     "api_token": "...", "personal_token": "..."}      → 201 {"accountId", "email", "username"}

``PUT /__fake__/restrictions/{page_id}`` sets who may read and/or update a page (users by
account id, email or user name; an empty list lifts the restriction, a missing key keeps it)::

    {"read": ["ann@example.com"], "update": ["ann"]}   → 200 {"read": [ids], "update": [ids]}

A read restriction makes the page (and its descendants) 404 for everyone else, in every API
family, search included (see ``_visibility``).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ._errors import FakeBadRequestError
from ._http import read_json
from ._store import FakeStore

__all__ = ["people_routes"]

_USER_FIELDS = {"display_name", "email", "username", "api_token", "personal_token"}
_OPERATIONS = ("read", "update")


def people_routes(prefix: str, store: FakeStore) -> list[Route]:
    """The two routes under ``prefix``, acting on ``store``."""

    async def add_user(request: Request) -> Response:
        payload = await read_json(request)
        if not isinstance(payload, dict) or not {"display_name", "email"} <= set(payload):
            raise FakeBadRequestError("Send a JSON object with display_name and email")
        unknown = set(payload) - _USER_FIELDS
        if unknown:
            raise FakeBadRequestError(f"Unknown user fields: {sorted(unknown)}")
        if not all(isinstance(value, str) and value for value in payload.values()):
            raise FakeBadRequestError("Every user field must be a non-empty string")
        with store.lock:
            for login in (payload["email"], payload.get("username")):
                if login is not None and store.find_user(login) is not None:
                    raise FakeBadRequestError(f"A user {login!r} already exists")
            user = store.add_user(
                payload["display_name"], payload["email"], username=payload.get("username")
            )
            store.set_user_tokens(
                user.account_id,
                api_token=payload.get("api_token"),
                personal_token=payload.get("personal_token"),
            )
        body = {"accountId": user.account_id, "email": user.email, "username": user.username}
        return JSONResponse(body, status_code=201)

    async def set_restrictions(request: Request) -> Response:
        payload: Any = await read_json(request)
        if not isinstance(payload, dict) or not set(payload) <= set(_OPERATIONS) or not payload:
            raise FakeBadRequestError('Send {"read": [users], "update": [users]} (either key)')
        with store.lock:
            page = store.get_page(str(request.path_params["page_id"]), allow_trashed=True)
            ids: dict[str, set[str]] = {}
            for op, logins in payload.items():
                if not isinstance(logins, list) or not all(isinstance(x, str) for x in logins):
                    raise FakeBadRequestError(f"{op} must be a list of users")
                ids[op] = {_account_id(store, login) for login in logins}
            kept = store.restrictions.setdefault(page.id, {})
            for op, accounts in ids.items():
                if accounts:
                    kept[op] = accounts
                else:
                    kept.pop(op, None)
            body = {op: sorted(kept.get(op, set())) for op in _OPERATIONS}
        return JSONResponse(body)

    return [
        Route(f"{prefix}/users", add_user, methods=["POST"]),
        Route(f"{prefix}/restrictions/{{page_id}}", set_restrictions, methods=["PUT"]),
    ]


def _account_id(store: FakeStore, login: str) -> str:
    user = store.find_user(login)
    if user is None:
        raise FakeBadRequestError(f"No user {login!r}")
    return user.account_id
