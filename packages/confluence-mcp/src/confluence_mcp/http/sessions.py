"""Session caps: per client, server-wide, and a short life for sessions nobody uses.

Each Streamable HTTP session holds a server task and its streams (tens of KB); each legacy
SSE stream is a session for as long as it is open. Without caps one client can fill the
server-wide limit and lock everyone else out for the idle timeout. :class:`SessionLimiter`
keeps, per *client* (the authenticated principal, else the client IP):

- at most ``per_client`` open sessions (``MCP_MAX_SESSIONS_PER_PRINCIPAL``): another one is
  refused with 429 and ``Retry-After``;
- at most ``max_sessions`` in all (``MCP_MAX_SESSIONS``): 503;
- a session that never made a request after its ``initialized`` notification is closed after
  ``unused_timeout`` seconds of idleness (a real client calls ``tools/list`` at once);
  sessions in use expire after ``MCP_SESSION_IDLE_TIMEOUT`` in the MCP SDK itself.

Expired sessions are swept when a new one is asked for, so room is made exactly when it is
needed. A request that may open a session takes a slot when it is let in (check and take in
one step, so concurrent ``initialize`` requests cannot all pass the check) and gives it back
if no session comes of it (error, refusal by the SDK, disconnect). A session is closed with
the protocol's own ``DELETE`` (with the credential that opened it), so the SDK frees it as if
the client had. Each client's refusal is audited once, until it has room again.

A request without a session id that is refused (bad JSON, not ``initialize``, a wrong
``Accept``, a method other than POST) is answered without the ``Mcp-Session-Id`` the SDK put
on it: the SDK discarded that session at once, so a client must not be told to use it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from confluence_mcp.http.responses import is_modern_request, send_json

if TYPE_CHECKING:
    from mcp_auth import AuditLogger

__all__ = ["SessionLimiter", "SessionLimitMiddleware", "UNUSED_SESSION_TIMEOUT"]

UNUSED_SESSION_TIMEOUT = 60.0
_SESSION_HEADER = b"mcp-session-id"
_RETRY_AFTER = 60


@dataclass
class _Session:
    client: str
    scope: dict[str, Any]
    last_seen: float
    requests: int = 0
    in_flight: int = 0


@dataclass
class SessionLimiter:
    """The shared state of every :class:`SessionLimitMiddleware` of one server."""

    max_sessions: int
    per_client: int
    idle_timeout: float
    streamable_paths: frozenset[str]
    sse_paths: frozenset[str] = frozenset()
    unused_timeout: float = UNUSED_SESSION_TIMEOUT
    clock: Callable[[], float] = time.monotonic
    _sessions: dict[str, _Session] = field(default_factory=dict)
    _streams: dict[str, int] = field(default_factory=dict)
    _pending: dict[str, int] = field(default_factory=dict)
    _audited: set[str] = field(default_factory=set)

    def is_streamable(self, path: str | None) -> bool:
        """True for a Streamable HTTP endpoint, space-scoped ones (``/mcp/spaces/KEY``) too."""
        if path is None:
            return False
        return path in self.streamable_paths or any(
            path.startswith(base.rstrip("/") + "/spaces/") for base in self.streamable_paths
        )

    def open_count(self, client: str | None = None) -> int:
        """Open sessions, SSE streams and reserved slots (of ``client``, or in all)."""
        if client is None:
            return len(self._sessions) + sum(self._streams.values()) + sum(self._pending.values())
        sessions = sum(1 for session in self._sessions.values() if session.client == client)
        return sessions + self._streams.get(client, 0) + self._pending.get(client, 0)

    def refusal(self, client: str) -> int | None:
        """None when ``client`` may open a session, else the HTTP status refusing it."""
        if self.open_count(client) >= self.per_client:
            return 429
        if self.open_count() >= self.max_sessions:
            return 503
        return None

    def reserve(self, client: str) -> int | None:
        """Take a slot for a session ``client`` is opening, or the status refusing it.

        Check and take are one synchronous step: no other request can pass the check in
        between. The slot is given back with :meth:`release` or turned into a session by
        :meth:`add`.
        """
        status = self.refusal(client)
        if status is None:
            self._pending[client] = self._pending.get(client, 0) + 1
        return status

    def release(self, client: str) -> None:
        """Give back a slot taken by :meth:`reserve` (no session came of it, or it is added)."""
        left = self._pending.get(client, 0) - 1
        if left > 0:
            self._pending[client] = left
        else:
            self._pending.pop(client, None)

    def first_refusal(self, client: str) -> bool:
        """True the first time ``client`` is refused since it last had room (audit once)."""
        if client in self._audited:
            return False
        self._audited.add(client)
        return True

    def expired(self) -> list[tuple[str, dict[str, Any]]]:
        """Forget sessions past their timeout; returns them (id, opening scope) to close."""
        now = self.clock()
        gone = []
        for session_id, session in list(self._sessions.items()):
            if session.in_flight:
                continue
            # requests counts those after initialize; the first is the initialized notice.
            limit = self.unused_timeout if session.requests <= 1 else self.idle_timeout
            if now - session.last_seen >= limit:
                gone.append((session_id, session.scope))
                self.forget(session_id)
        return gone

    def add(self, session_id: str, client: str, scope: Scope) -> None:
        """Track a session the MCP app just opened for ``client``."""
        self._sessions[session_id] = _Session(client, dict(scope), self.clock())

    def forget(self, session_id: str) -> None:
        """Stop tracking a session (closed, expired or unknown to the SDK)."""
        session = self._sessions.pop(session_id, None)
        if session is not None:
            self._audited.discard(session.client)

    def begin(self, session_id: str) -> bool:
        """A request on a tracked session starts; False if the session is not tracked."""
        session = self._sessions.get(session_id)
        if session is None:
            return False
        session.requests += 1
        session.in_flight += 1
        session.last_seen = self.clock()
        return True

    def end(self, session_id: str) -> None:
        """A request on a tracked session ended."""
        session = self._sessions.get(session_id)
        if session is not None:
            session.in_flight = max(0, session.in_flight - 1)
            session.last_seen = self.clock()

    def stream_opened(self, client: str) -> None:
        """A legacy SSE stream (a session while it is open) started."""
        self._streams[client] = self._streams.get(client, 0) + 1

    def stream_closed(self, client: str) -> None:
        """A legacy SSE stream ended."""
        left = self._streams.get(client, 0) - 1
        if left > 0:
            self._streams[client] = left
        else:
            self._streams.pop(client, None)
        self._audited.discard(client)

    def room_again(self, client: str) -> None:
        """``client`` has room again (a slot came back): its next refusal is audited."""
        self._audited.discard(client)


def client_key(scope: Scope) -> str:
    """The principal a request was authenticated as, else its client IP."""
    from confluence_mcp.http.ratelimit import principal_key, scope_principal

    principal = scope_principal(scope)
    if principal is not None:
        return "principal:" + principal_key(principal)
    client = scope.get("client")
    return f"ip:{client[0] if client else 'unknown'}"


class SessionLimitMiddleware:
    """Pure ASGI middleware applying a :class:`SessionLimiter` to the MCP endpoints."""

    def __init__(
        self, app: ASGIApp, *, limiter: SessionLimiter, audit: AuditLogger | None = None
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.audit = audit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path") if scope["type"] == "http" else None
        limiter = self.limiter
        if path in limiter.sse_paths and scope["method"] == "GET":
            await self._legacy_stream(scope, receive, send)
            return
        if not limiter.is_streamable(path):
            await self.app(scope, receive, send)
            return
        session_id = _header(scope, _SESSION_HEADER)
        if session_id is None and scope["method"] == "POST":
            await self._opening(scope, receive, _no_session_on_error(send))
        elif session_id is not None and limiter.begin(session_id):
            await self._on_session(session_id, scope, receive, send)
        elif session_id is None:
            await self.app(scope, receive, _no_session_on_error(send))
        else:
            await self.app(scope, receive, send)

    async def _opening(self, scope: Scope, receive: Receive, send: Send) -> None:
        limiter = self.limiter
        for session_id, opening_scope in limiter.expired():
            await self._close(session_id, opening_scope)
        client = client_key(scope)
        if is_modern_request(scope):
            # A sessionless (2026-07-28) request never opens a session: checked, no slot held.
            if not await self._refused(client, scope, send, reserve=False):
                await self.app(scope, receive, send)
            return
        if await self._refused(client, scope, send):
            return
        # The slot is held from here: until the session is tracked, or for good if none opens.
        reserved = True

        async def watch(message: Message) -> None:
            nonlocal reserved
            if message["type"] == "http.response.start" and reserved:
                reserved = False
                limiter.release(client)
                opened = _header({"headers": message.get("headers", [])}, _SESSION_HEADER)
                if message["status"] < 400 and opened is not None:
                    limiter.add(opened, client, scope)
                else:
                    limiter.room_again(client)
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            if reserved:  # no response started: an exception, a cancel or a disconnect
                limiter.release(client)
                limiter.room_again(client)

    async def _on_session(
        self, session_id: str, scope: Scope, receive: Receive, send: Send
    ) -> None:
        limiter = self.limiter

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status = message["status"]
                if status == 404 or (scope["method"] == "DELETE" and status < 400):
                    limiter.forget(session_id)
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            limiter.end(session_id)

    async def _legacy_stream(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = client_key(scope)
        # No await between the check and stream_opened: the open stream is the slot.
        if await self._refused(client, scope, send, reserve=False):
            return
        self.limiter.stream_opened(client)
        try:
            await self.app(scope, receive, send)
        finally:
            self.limiter.stream_closed(client)

    async def _refused(
        self, client: str, scope: Scope, send: Send, *, reserve: bool = True
    ) -> bool:
        """Send the refusal and return True, else take a slot for ``client`` (see reserve)."""
        limiter = self.limiter
        status = limiter.reserve(client) if reserve else limiter.refusal(client)
        if status is None:
            return False
        if self.limiter.first_refusal(client) and self.audit is not None:
            from confluence_mcp.http.ratelimit import scope_principal

            cap = self.limiter.per_client if status == 429 else self.limiter.max_sessions
            which = "per client" if status == 429 else "in all"
            self.audit.rate_limit_exceeded(
                scope_principal(scope), limit=f"sessions {cap} {which}", retry_after=_RETRY_AFTER
            )
        description = (
            "too many open sessions for this client: close unused ones (DELETE) or retry later"
            if status == 429
            else "the server has too many open sessions: retry later"
        )
        await send_json(
            send,
            status,
            {"error": "too_many_sessions", "error_description": description},
            [(b"retry-after", str(_RETRY_AFTER).encode())],
        )
        return True

    async def _close(self, session_id: str, opening_scope: dict[str, Any]) -> None:
        """End a session with the protocol's DELETE, as the client that opened it."""
        headers = [
            (key, value)
            for key, value in opening_scope.get("headers", [])
            if key.lower() not in (b"content-length", b"content-type", _SESSION_HEADER)
        ]
        headers.append((_SESSION_HEADER, session_id.encode("latin-1")))
        scope = {**opening_scope, "method": "DELETE", "headers": headers, "query_string": b""}
        sent_body = False

        async def receive() -> Message:
            nonlocal sent_body
            if not sent_body:
                sent_body = True
                return {"type": "http.request", "body": b"", "more_body": False}
            return {"type": "http.disconnect"}

        async def discard(_message: Message) -> None:
            return None

        try:
            await self.app(scope, receive, discard)
        except Exception:  # the session may already be gone: nothing left to free
            return


def _no_session_on_error(send: Send) -> Send:
    """``send``, dropping the session id from an error response (no session was opened)."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] >= 400:
            headers = message.get("headers") or []
            kept = [(key, value) for key, value in headers if key.lower() != _SESSION_HEADER]
            if len(kept) != len(headers):
                message = {**message, "headers": kept}
        await send(message)

    return sending


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None
