"""The ASGI app factory: one route table per API family, mounted on every base path."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ._auth import Credentials
from ._control import control_routes
from ._control_users import people_routes
from ._errors import FakeConfluenceError, GoneError
from ._faults import FaultInjector
from ._gateway import CONTROL_PREFIX, GatewayMiddleware
from ._http import error_body, error_response
from ._oauth import FakeAuthorizationServer
from ._requestlog import RequestLog
from ._store import FakeStore
from .routes import (
    analytics,
    links,
    oauth,
    properties,
    v1_attachments,
    v1_content,
    v1_copy,
    v1_misc,
    v1_people,
    v1_restrictions,
    v1_templates,
    v1_tree,
    v2_blogposts,
    v2_comments,
    v2_content,
    v2_folders,
    v2_inline_comments,
    v2_pages,
    v2_spaces,
    v2_tasks,
    v2_whiteboards,
)
from .routes.v1_attachments import MAX_ATTACHMENT_BYTES

__all__ = ["create_app", "DEFAULT_CLOUD_ID"]

DEFAULT_CLOUD_ID = "11111111-2222-4333-8444-555555555555"
Endpoint = Callable[[Request], Awaitable[Response]]
_V2 = [
    *v2_pages.ROUTES,
    *v2_spaces.ROUTES,
    *v2_comments.ROUTES,
    *v2_inline_comments.ROUTES,
    *v2_blogposts.ROUTES,
    *v2_folders.ROUTES,
    *v2_whiteboards.ROUTES,
    *v1_restrictions.SPACE_ROUTES,
    *v2_tasks.ROUTES,
    *properties.V2_ROUTES,
    *v2_content.ROUTES,
]
_V1 = [
    *v1_content.ROUTES,
    *v1_copy.ROUTES,
    *v1_tree.ROUTES,
    *v1_attachments.ROUTES,
    *v1_misc.ROUTES,
    *v1_restrictions.ROUTES,
    *v1_templates.ROUTES,
    *v1_people.ROUTES,
    *properties.V1_ROUTES,
]
_DOWNLOADS = v1_attachments.DOWNLOADS


def _gone(_: Endpoint) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        raise GoneError("This endpoint is no longer available on the API gateway; use the v2 API")

    return endpoint


def _routes() -> list[BaseRoute]:
    routes: list[BaseRoute] = []
    gateway = "/ex/confluence/{cloud_id}/wiki"
    for base in ("/wiki/api/v2", f"{gateway}/api/v2"):
        routes += [Route(base + path, fn, methods=methods) for path, fn, methods in _V2]
    for base in ("/wiki/rest/api", "/rest/api"):
        routes += [Route(base + path, fn, methods=methods) for path, fn, methods in _V1]
    for base in ("/wiki/rest/api", f"{gateway}/rest/api"):  # Cloud only
        routes += [Route(base + p, fn, methods=m) for p, fn, m in analytics.ROUTES]
    for path, fn, methods in _V1:
        # Like Atlassian's gateway: the v1 *content* endpoints are gone there, the rest work
        # (copying has no v2 equivalent, so it stays).
        gone = (
            path.startswith("/content")
            and "/label" not in path
            and "/child/attachment" not in path
            and not path.endswith("/copy")
            and "/restriction" not in path
            and "/permission" not in path
        )
        routes.append(
            Route(f"{gateway}/rest/api{path}", _gone(fn) if gone else fn, methods=methods)
        )
    for base in ("/wiki", "", gateway):
        routes += [Route(base + path, fn, methods=methods) for path, fn, methods in _DOWNLOADS]
        routes += [Route(base + path, fn, methods=methods) for path, fn, methods in links.ROUTES]
    return routes


async def _fake_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, FakeConfluenceError):  # pragma: no cover - registered per type
        raise exc
    return error_response(request.url.path, exc)


async def _unexpected(request: Request, exc: Exception) -> Response:
    # A bug in the fake still answers in Confluence's shape (Starlette logs the traceback).
    message = f"Internal error in the fake Confluence ({type(exc).__name__})"
    return JSONResponse(error_body(request.url.path, 500, message), 500)


async def _http_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, HTTPException):  # pragma: no cover - registered per type
        raise exc
    message = "No such endpoint" if exc.status_code == 404 else str(exc.detail)
    return JSONResponse(
        error_body(request.url.path, exc.status_code, message), exc.status_code, exc.headers
    )


def create_app(
    store: FakeStore,
    *,
    credentials: Credentials | None = None,
    faults: FaultInjector | None = None,
    request_log: RequestLog | None = None,
    cloud_id: str = DEFAULT_CLOUD_ID,
    max_attachment_bytes: int = MAX_ATTACHMENT_BYTES,
    authorization_server: FakeAuthorizationServer | None = None,
) -> Starlette:
    """An ASGI app serving ``store`` as Confluence Cloud, Data Center and the OAuth gateway,
    with the Atlassian authorization server (``/authorize``, ``/oauth/token``) beside it."""
    # `is None`, not `or`: an empty RequestLog is falsy but must still be the caller's log.
    creds = Credentials() if credentials is None else credentials
    injector = FaultInjector() if faults is None else faults
    log = RequestLog() if request_log is None else request_log
    auth_server = (
        FakeAuthorizationServer(store, cloud_id)
        if authorization_server is None
        else authorization_server
    )
    app = Starlette(
        routes=[
            *control_routes(CONTROL_PREFIX, injector, log),
            *people_routes(CONTROL_PREFIX, store),
            *oauth.control_routes(CONTROL_PREFIX),
            *oauth.routes(),
            *_routes(),
        ],
        middleware=[
            Middleware(
                GatewayMiddleware,
                store=store,
                credentials=creds,
                faults=injector,
                log=log,
                cloud_id=cloud_id,
                oauth=auth_server,
            )
        ],
        exception_handlers={
            FakeConfluenceError: _fake_error,
            HTTPException: _http_error,
            Exception: _unexpected,
        },
    )
    app.state.store = store
    app.state.faults = injector
    app.state.requests = log
    app.state.credentials = creds
    app.state.cloud_id = cloud_id
    app.state.oauth = auth_server
    app.state.max_attachment_bytes = max_attachment_bytes
    return app
