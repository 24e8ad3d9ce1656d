"""The fake Atlassian authorization server's HTTP face and its ``/__fake__/oauth`` controls.

- ``GET /authorize``: 302 to the app's callback with ``code`` (or ``error=access_denied``);
  400 without redirecting for an unknown app or a redirect URI it did not register.
- ``POST /oauth/token``: JSON or form body, ``authorization_code`` / ``refresh_token``.
- ``GET /oauth/token/accessible-resources`` and ``GET /me`` with the bearer access token.

Controls (no auth): ``POST /__fake__/oauth/apps`` ``{client_id, client_secret,
redirect_uris}``, ``POST /__fake__/oauth/consent`` ``{"user": login}`` or ``{"deny": true}``,
``POST /__fake__/oauth/revoke`` ``{"user": login}``, ``POST /__fake__/oauth/expire``,
``PUT /__fake__/oauth/settings`` ``{"access_token_ttl": seconds}``, ``GET /__fake__/oauth``.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from .._errors import FakeBadRequestError
from .._forms import read_form
from .._http import read_json
from .._oauth import AuthorizeRefusal, FakeAuthorizationServer, OAuthGrantError

__all__ = ["control_routes", "is_oauth_path", "routes"]


def is_oauth_path(path: str) -> bool:
    """Whether the authorization server answers ``path`` itself (no Confluence credentials)."""
    return path in ("/authorize", "/me") or path.startswith("/oauth/")


_UNAUTHORIZED = {"code": 401, "message": "Unauthorized"}


def _server(request: Request) -> FakeAuthorizationServer:
    server: FakeAuthorizationServer = request.app.state.oauth
    return server


async def authorize(request: Request) -> Response:
    try:
        target = _server(request).authorize(dict(request.query_params))
    except AuthorizeRefusal as exc:
        return PlainTextResponse(f"Something went wrong: {exc}", status_code=400)
    return RedirectResponse(target, status_code=302)


async def token(request: Request) -> Response:
    if request.headers.get("content-type", "").startswith("application/json"):
        payload: Any = await read_json(request)
        form = {k: str(v) for k, v in payload.items()} if isinstance(payload, dict) else {}
    else:
        form = dict((await read_form(request)).fields)  # a repeated field: its last value
    try:
        body = _server(request).token(form)
    except OAuthGrantError as exc:
        return JSONResponse(exc.body, status_code=exc.status)
    return JSONResponse(body, headers={"cache-control": "no-store"})


def _bearer_user(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return _server(request).user_for(value.strip())


async def accessible_resources(request: Request) -> Response:
    if _bearer_user(request) is None:
        return JSONResponse(_UNAUTHORIZED, status_code=401)
    server = _server(request)
    site = str(request.base_url).rstrip("/")
    return JSONResponse(
        [
            {
                "id": server.cloud_id,
                "url": site,
                "name": "fake",
                "scopes": ["read:confluence-content.all", "write:confluence-content"],
                "avatarUrl": f"{site}/avatar.png",
            }
        ]
    )


async def me(request: Request) -> Response:
    uid = _bearer_user(request)
    if uid is None:
        return JSONResponse(_UNAUTHORIZED, status_code=401)
    user = _server(request).store.get_user(uid)
    return JSONResponse(
        {
            "account_id": user.account_id,
            "email": user.email,
            "name": user.display_name,
            "account_status": "active",
        }
    )


def routes() -> list[Route]:
    """The authorization server's own routes (not under any Confluence base)."""
    return [
        Route("/authorize", authorize, methods=["GET"]),
        Route("/oauth/token", token, methods=["POST"]),
        Route("/oauth/token/accessible-resources", accessible_resources, methods=["GET"]),
        Route("/me", me, methods=["GET"]),
    ]


def control_routes(prefix: str) -> list[Route]:
    """Routes under ``{prefix}/oauth`` that script consent, revoke grants and set lifetimes."""

    async def state(request: Request) -> Response:
        server = _server(request)
        return JSONResponse(
            {
                "refreshes": server.refreshes,
                "reused_refresh_tokens": server.reused_refresh_tokens,
                "access_token_ttl": server.access_token_ttl,
            }
        )

    async def add_app(request: Request) -> Response:
        payload = await _object(request)
        uris = payload.get("redirect_uris")
        if not isinstance(uris, list) or not all(isinstance(u, str) for u in uris):
            raise FakeBadRequestError("redirect_uris must be a list of URLs")
        app = _server(request).register_app(
            _text(payload, "client_id"), _text(payload, "client_secret"), uris
        )
        return JSONResponse({"client_id": app.client_id}, status_code=201)

    async def consent(request: Request) -> Response:
        payload = await _object(request)
        if payload.get("deny") is True:
            _server(request).deny()
        else:
            _known(lambda: _server(request).consent_as(_text(payload, "user")))
        return Response(status_code=204)

    async def revoke(request: Request) -> Response:
        payload = await _object(request)
        count = _known(lambda: _server(request).revoke(_text(payload, "user")))
        return JSONResponse({"revoked": count})

    async def expire(request: Request) -> Response:
        _server(request).expire_access_tokens()
        return Response(status_code=204)

    async def settings(request: Request) -> Response:
        ttl = (await _object(request)).get("access_token_ttl")
        if isinstance(ttl, bool) or not isinstance(ttl, int) or ttl < 1:
            raise FakeBadRequestError("access_token_ttl must be a positive integer")
        _server(request).access_token_ttl = ttl
        return Response(status_code=204)

    base = f"{prefix}/oauth"
    return [
        Route(base, state, methods=["GET"]),
        Route(f"{base}/apps", add_app, methods=["POST"]),
        Route(f"{base}/consent", consent, methods=["POST"]),
        Route(f"{base}/revoke", revoke, methods=["POST"]),
        Route(f"{base}/expire", expire, methods=["POST"]),
        Route(f"{base}/settings", settings, methods=["PUT"]),
    ]


async def _object(request: Request) -> dict[str, Any]:
    payload = await read_json(request)
    if not isinstance(payload, dict):
        raise FakeBadRequestError("Send a JSON object")
    return payload


def _text(payload: dict[str, Any], name: str) -> str:
    value = payload.get(name)
    if not isinstance(value, str) or not value:
        raise FakeBadRequestError(f"{name} is required")
    return value


def _known(action: Any) -> Any:
    try:
        return action()
    except KeyError as exc:
        raise FakeBadRequestError(str(exc.args[0])) from None
