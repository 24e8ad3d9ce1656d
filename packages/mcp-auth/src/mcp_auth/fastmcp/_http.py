"""The HTTP layer around FastMCP's bearer authentication.

FastMCP's own pieces stay in charge (its `BearerAuthBackend` calls the verifier, its
`RequireAuthMiddleware` answers 401 with the challenge); `AuthRequestMiddleware` wraps them
to fix what they leave out for an audited resource server:

- binds the request context (request id, remote address, user agent) for the audit log;
- refuses a token sent in the query string (400): MCP forbids it, and the access log would
  record it;
- records `auth.failure` / `missing` when a protected route answers 401 to a request that
  carried no bearer token (the verifier never sees such a request);
- puts the verifier's reason (`AuthenticationError.message`: "API key revoked: ...") in a
  refused token's 401, instead of FastMCP's text about re-registering an OAuth client;
- answers 503 instead of FastMCP's 500 (an uncaught `TokenVerificationError`) when the
  token could not be judged, for example the introspection endpoint is down: the request
  still fails closed, and the client is not told to throw a good token away.
"""

from __future__ import annotations

import json
import re

from fastmcp.server.auth import TokenVerificationError
from mcp.server.auth.middleware.bearer_auth import BearerAuthBackend
from starlette.authentication import AuthCredentials, BaseUser
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mcp_auth._audit import AuditLogger
from mcp_auth._context import reset_request_context, set_request_context
from mcp_auth._errors import RefusalReason
from mcp_auth.fastmcp._metadata import quote_param
from mcp_auth.fastmcp._request import (
    has_bearer_credentials,
    has_query_token,
    request_context_from_scope,
)
from mcp_auth.fastmcp._verifier import REFUSAL_MESSAGE

__all__ = ["REFUSAL_KEY", "UNJUDGED_KEY", "AuditingBearerBackend", "AuthRequestMiddleware"]

UNJUDGED_KEY = "mcp_auth.token_unjudged"
"""ASGI scope flag: the bearer token could not be verified either way."""

REFUSAL_KEY = "mcp_auth.refusal_message"
"""ASGI scope entry: why the bearer token was refused, safe to show the client."""

_DESCRIPTION_RE = re.compile(r'error_description="(?:[^"\\]|\\.)*"')

_RETRY_AFTER_SECONDS = "5"


class AuditingBearerBackend(BearerAuthBackend):
    """FastMCP's bearer backend, except that an undecidable token marks the request instead
    of crashing it (the request stays unauthenticated: protected routes still refuse it)."""

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        marker = REFUSAL_MESSAGE.set(None)
        try:
            result: tuple[AuthCredentials, BaseUser] | None = await super().authenticate(conn)
        except TokenVerificationError:
            conn.scope[UNJUDGED_KEY] = True
            return None
        finally:
            refusal = REFUSAL_MESSAGE.get()
            REFUSAL_MESSAGE.reset(marker)
        if result is None and refusal:
            conn.scope[REFUSAL_KEY] = refusal
        return result


class AuthRequestMiddleware:
    """Pure ASGI middleware placed in front of FastMCP's authentication middleware."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        audit: AuditLogger | None = None,
        request_id_header: str = "x-request-id",
    ) -> None:
        self.app = app
        self.audit = audit
        self.request_id_header = request_id_header.lower().encode("latin-1")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        context = request_context_from_scope(scope, request_id_header=self.request_id_header)
        token = set_request_context(context)
        try:
            if has_query_token(scope):
                if self.audit is not None:
                    self.audit.auth_failure(
                        RefusalReason.MALFORMED, detail="access token in the query string"
                    )
                await _send_json(
                    send,
                    400,
                    {
                        "error": "invalid_request",
                        "error_description": "send the access token in the Authorization "
                        "header, never in the URL",
                    },
                    [(b"cache-control", b"no-store")],
                )
                return
            await self.app(scope, receive, self._watch(scope, send))
        finally:
            reset_request_context(token)

    def _watch(self, scope: Scope, send: Send) -> Send:
        replaced = False

        async def watched_send(message: Message) -> None:
            nonlocal replaced
            if replaced:
                # The body of the 401 we replaced: drop it, ours is already sent.
                return
            if message["type"] == "http.response.start" and message["status"] == 401:
                if scope.get(UNJUDGED_KEY):
                    replaced = True
                    await _send_json(
                        send,
                        503,
                        {
                            "error": "temporarily_unavailable",
                            "error_description": "the access token cannot be verified right "
                            "now; retry later",
                        },
                        [(b"retry-after", _RETRY_AFTER_SECONDS.encode())],
                    )
                    return
                if self.audit is not None and not has_bearer_credentials(scope):
                    self.audit.auth_failure(
                        RefusalReason.MISSING, detail="no credentials presented"
                    )
                refusal = scope.get(REFUSAL_KEY)
                if refusal:
                    replaced = True
                    await _send_json(
                        send,
                        401,
                        {"error": "invalid_token", "error_description": refusal},
                        _with_description(message.get("headers", []), refusal),
                    )
                    return
            await send(message)

        return watched_send


def _with_description(
    headers: list[tuple[bytes, bytes]], description: str
) -> list[tuple[bytes, bytes]]:
    """FastMCP's 401 headers (the challenge) with our `error_description` in the challenge."""
    replacement = "error_description=" + quote_param(description)
    kept: list[tuple[bytes, bytes]] = []
    for name, value in headers:
        if name.lower() in (b"content-type", b"content-length"):
            continue
        if name.lower() == b"www-authenticate":
            text = value.decode("latin-1")
            found = _DESCRIPTION_RE.search(text)
            if found is not None:
                text = text[: found.start()] + replacement + text[found.end() :]
            value = text.encode("latin-1", "replace")
        kept.append((name, value))
    return kept


async def _send_json(
    send: Send, status: int, body: dict[str, str], extra_headers: list[tuple[bytes, bytes]]
) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *extra_headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
