"""The ASGI layer in front of the routes: request log, injected faults, then authentication.

It runs in that order on purpose: a fault stands for the network or Atlassian's edge, which
answer before Confluence looks at credentials, and every answer — faults and 401s included —
lands in the request log so tests can count upstream calls. The authenticated user is bound
for the route (``_visibility``): pages their read restrictions exclude do not exist for them.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._auth import Credentials, parse_authorization
from ._faults import FaultInjector, FaultRule
from ._http import error_body
from ._oauth import FakeAuthorizationServer
from ._requestlog import RequestLog, RequestRecord
from ._store import FakeStore
from ._visibility import viewing_as
from .routes.oauth import is_oauth_path

__all__ = ["GatewayMiddleware", "CONTROL_PREFIX"]

CONTROL_PREFIX = "/__fake__"
_UNAUTHENTICATED = "Current user not permitted to use Confluence"


class GatewayMiddleware:
    """Logs, injects faults and checks credentials for every non-control request."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        store: FakeStore,
        credentials: Credentials,
        faults: FaultInjector,
        log: RequestLog,
        cloud_id: str,
        oauth: FakeAuthorizationServer | None = None,
    ) -> None:
        self.app = app
        self.oauth = oauth
        self.gateway_prefix = f"/ex/confluence/{cloud_id}/"
        self.store = store
        self.credentials = credentials
        self.faults = faults
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        path: str = scope["path"]
        query = scope.get("query_string", b"").decode("latin-1")
        delay, fault = self.faults.draw(method, path)
        fault_name = fault.kind if fault else None
        recorded = False

        async def logged_send(message: Message) -> None:
            nonlocal recorded
            if message["type"] == "http.response.start" and not recorded:
                # Log before the client can see the answer, so a test that counts requests
                # right after its call returns never races the server.
                recorded = True
                self.log.record(RequestRecord(method, path, query, message["status"], fault_name))
            await send(message)

        if delay:
            # A slow server has the whole request before it stalls: read the body first, so
            # a client that gives up meanwhile still leaves its write to be applied (as on
            # the real service), instead of the fake dropping it on the disconnect.
            receive = await _buffered(receive)
            await asyncio.sleep(delay)
        if fault is not None and fault.kind in ("error", "rate_limit"):
            await self._send_fault(fault, path, logged_send)
        elif fault is not None and fault.kind == "drop_connection":
            await _drop(logged_send)
        elif path.startswith("/ex/confluence/") and not path.startswith(self.gateway_prefix):
            body = error_body(path, 404, "No Confluence site with this cloud id")
            await _send_json(logged_send, 404, body, {})
        elif is_oauth_path(path):
            await self.app(scope, receive, logged_send)  # the authorization server's own
        elif not self._authenticate(scope):  # binds the user below: their restrictions apply
            await _send_json(
                logged_send,
                401,
                error_body(path, 401, _UNAUTHENTICATED),
                {"www-authenticate": 'Basic realm="Confluence"'},
            )
        else:
            with viewing_as(scope["state"]["fake_user_id"]):
                await self._serve(scope, receive, logged_send, fault)

    async def _serve(
        self, scope: Scope, receive: Receive, logged_send: Send, fault: FaultRule | None
    ) -> None:
        if fault is not None and fault.kind == "malformed_json":
            await self.app(scope, receive, _truncating(logged_send))
        elif fault is not None and fault.kind in ("apply_then_drop", "apply_then_corrupt"):
            # The route runs to the end (the write is stored), its answer is thrown away.
            status = await _serve_silently(self.app, scope, receive)
            if fault.kind == "apply_then_drop":
                await _drop(_with_status(logged_send, status))
            else:
                await _send_raw(logged_send, status, b"<html>upstream proxy error")
        else:
            await self.app(scope, receive, logged_send)

    def _authenticate(self, scope: Scope) -> bool:
        header = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                header = value.decode("latin-1")
        on_site = scope["path"] == "/wiki" or scope["path"].startswith("/wiki/")
        if self.oauth is not None and header and scope["path"].startswith(self.gateway_prefix):
            # A 3LO access token acts as the user who consented, on the gateway only.
            scheme, _, token = header.partition(" ")
            account_id = self.oauth.user_for(token.strip()) if scheme.lower() == "bearer" else None
            if account_id is not None:
                scope.setdefault("state", {})["fake_user_id"] = account_id
                return True
        login = self.credentials.check(header, allow_bearer=not on_site)
        if login is not None:
            user = self.store.find_user(login)
        else:
            # Another user's own token (basic API token; a PAT only off the Cloud site).
            parsed = parse_authorization(header)
            if parsed is None or (parsed[0] is None and on_site):
                return False
            user = self.store.authenticate(*parsed)
            if user is None:
                return False
        scope.setdefault("state", {})["fake_user_id"] = user.account_id if user else None
        return True

    async def _send_fault(self, fault: FaultRule, path: str, send: Send) -> None:
        if fault.kind == "error":
            status = fault.status or 500
            await _send_json(send, status, error_body(path, status, "Injected server error"), {})
            return
        reset = datetime.now(timezone.utc) + timedelta(seconds=fault.reset_after)
        headers = {
            "x-ratelimit-limit": "100",
            "x-ratelimit-remaining": "0",
            "x-ratelimit-reset": reset.strftime("%Y-%m-%dT%H:%M:%S.")
            + f"{reset.microsecond // 1000:03d}Z",
            "x-ratelimit-nearlimit": "true",
        }
        if fault.retry_after is not None:
            headers["retry-after"] = str(fault.retry_after)
        status = fault.status or 429
        await _send_json(send, status, error_body(path, status, "Rate limit exceeded"), headers)


async def _send_json(send: Send, status: int, body: Any, headers: dict[str, str]) -> None:
    raw = json.dumps(body).encode()
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(raw)).encode()),
    ]
    raw_headers += [(k.encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": raw})


async def _drop(send: Send) -> None:
    # Promise more bytes than we send, then stop: the server closes the socket mid-body,
    # which every HTTP client reports as a broken connection.
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")],
        }
    )
    await send({"type": "http.response.body", "body": b'{"results": [', "more_body": True})


async def _buffered(receive: Receive) -> Receive:
    """Read the request body now; the returned ``receive`` replays it, then waits as usual."""
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            break

    async def replay() -> Message:
        return messages.pop(0) if messages else await receive()

    return replay


async def _serve_silently(app: ASGIApp, scope: Scope, receive: Receive) -> int:
    """Run ``app`` to completion, discarding its answer; return the status it chose."""
    status = 500

    async def swallow(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])

    await app(scope, receive, swallow)
    return status


def _with_status(send: Send, status: int) -> Send:
    """A ``send`` that reports ``status`` on the response start (the log shows the route's)."""

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "status": status}
        await send(message)

    return wrapped


async def _send_raw(send: Send, status: int, body: bytes) -> None:
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _truncating(send: Send) -> Send:
    """A ``send`` that buffers the app's response and forwards its first half only."""
    start: dict[str, Any] = {}
    chunks: list[bytes] = []

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
            return
        if message["type"] != "http.response.body":  # pragma: no cover - ASGI extensions
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        full = b"".join(chunks)
        cut = full[: max(1, len(full) // 2)]  # an empty body (204) stays empty
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(cut)).encode()))
        await send({"type": "http.response.start", "status": start["status"], "headers": headers})
        await send({"type": "http.response.body", "body": cut})

    return wrapped
