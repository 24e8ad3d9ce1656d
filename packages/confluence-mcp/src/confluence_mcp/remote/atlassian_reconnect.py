"""``oauth`` mode: the reconnect link. A person whose Atlassian grant is gone (revoked, or its
refresh refused) opens it in a browser, consents at Atlassian again, and the MCP session they
already have works again, without their MCP client signing in anew.

The link carries a signed, short-lived ticket naming the person (their principal id). The
flow is bound to the browser that opened the link (a cookie holds the nonce the signed
``state`` names) and uses PKCE; the callback is the app's one callback URL
(``/auth/callback``), told apart from the proxy's sign-ins by the ``state`` prefix. The tokens
are stored only if Atlassian signed in the account the ticket names: a link opened by someone
else cannot make this session act as another account.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import logging
import secrets
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from confluence_mcp.errors import CredentialError

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

    from confluence_mcp.remote.atlassian_tokens import AtlassianTokens

__all__ = ["RECONNECT_PATH", "Reconnector"]

_log = logging.getLogger("confluence_mcp.oauth")

RECONNECT_PATH = "/auth/reconnect"
# "~", not ".": a value shaped like a JWT in a query string is refused as a leaked credential.
_STATE_PREFIX = "reconnect~"
_TTL_SECONDS = 900
_COOKIE = "mcp_reconnect"


class Reconnector:
    """Issues reconnect links and runs their browser flow (see the module doc)."""

    def __init__(
        self,
        tokens: AtlassianTokens,
        *,
        base_url: str,
        client_secret: str,
        scopes: list[str],
    ) -> None:
        self.tokens = tokens
        self.base_url = base_url.rstrip("/")
        self.callback_url = f"{self.base_url}/auth/callback"
        self.scopes = scopes
        self._key = hashlib.sha256(b"confluence-mcp reconnect\0" + client_secret.encode()).digest()
        self._secure = self.base_url.startswith("https://")

    def url_for(self, principal_key: str) -> str:
        """The link that restores ``principal_key``'s Atlassian sign-in (15 minutes)."""
        ticket = self._sign({"k": principal_key, "p": "ticket"})
        return f"{self.base_url}{RECONNECT_PATH}?{urlencode({'ticket': ticket})}"

    async def start(self, request: Request) -> Response:
        """``GET /auth/reconnect?ticket=...``: on to Atlassian's consent screen."""
        payload = self._verify(request.query_params.get("ticket", ""), "ticket")
        if payload is None:
            return _page("This reconnect link is invalid or expired.", 400)
        nonce = secrets.token_urlsafe(24)
        state = _STATE_PREFIX + self._sign({"k": payload["k"], "n": nonce, "p": "state"})
        target = self.tokens.oauth.authorization_url(
            self.callback_url,
            self.scopes,
            state=state,
            code_challenge=_s256(self._verifier(state)),
        )
        response = RedirectResponse(target, status_code=302)
        response.set_cookie(
            _COOKIE,
            nonce,
            max_age=_TTL_SECONDS,
            path="/auth",
            secure=self._secure,
            httponly=True,
            samesite="lax",
        )
        return response

    def wrap_callback(self, proxy_callback: ASGIApp) -> ASGIApp:
        """The callback endpoint: reconnections here, the proxy's sign-ins to ``proxy_callback``."""
        return _Callback(self, proxy_callback)

    async def finish(self, request: Request) -> Response:
        """The callback of a reconnection: store the tokens if the account is the ticket's."""
        state = request.query_params.get("state", "")
        payload = self._verify(state.removeprefix(_STATE_PREFIX), "state")
        if payload is None:
            return _page("This reconnection expired; open the link again.", 400)
        cookie = request.cookies.get(_COOKIE, "")
        if not hmac.compare_digest(cookie.encode(), str(payload["n"]).encode()):
            # The callback reached another browser than the one that opened the link.
            return _page("This reconnection was started in another browser.", 403)
        if "code" not in request.query_params:
            return _page("The Atlassian sign-in was cancelled.", 400)
        try:
            await self.tokens.sign_in(
                request.query_params["code"],
                self.callback_url,
                self._verifier(state),
                expected_key=str(payload["k"]),
            )
        except CredentialError as exc:
            return _page(f"Not reconnected: {exc.message}.", 403)
        except Exception as exc:
            _log.warning("reconnection failed at Atlassian (%s)", type(exc).__name__)
            return _page("Atlassian could not complete the sign-in; try the link again.", 502)
        response = _page("Reconnected: you can go back to your assistant.", 200)
        response.delete_cookie(_COOKIE, path="/auth")
        return response

    # ---- signed tokens ------------------------------------------------------------------
    def _sign(self, payload: dict[str, Any]) -> str:
        body = _b64(json.dumps({**payload, "exp": int(time.time()) + _TTL_SECONDS}).encode())
        return f"{body}~{_b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest())}"

    def _verify(self, token: str, purpose: str) -> dict[str, Any] | None:
        body, _, signature = token.partition("~")
        expected = _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest())
        if not body or not hmac.compare_digest(signature.encode(), expected.encode()):
            return None
        try:
            payload: dict[str, Any] = json.loads(base64.urlsafe_b64decode(body + "=="))
        except ValueError:
            return None
        fresh = isinstance(payload.get("exp"), int) and payload["exp"] > time.time()
        return payload if fresh and payload.get("p") == purpose and payload.get("k") else None

    def _verifier(self, state: str) -> str:
        # PKCE verifier derived from the signed state: nothing to store between the two legs.
        return _b64(hmac.new(self._key, b"pkce\0" + state.encode(), hashlib.sha256).digest())


class _Callback:
    """An ASGI app (not a function: Starlette would treat that as a request handler)."""

    def __init__(self, reconnector: Reconnector, proxy_callback: ASGIApp) -> None:
        self.reconnector = reconnector
        self.proxy_callback = proxy_callback

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if query.get("state", [""])[0].startswith(_STATE_PREFIX):
            response = await self.reconnector.finish(Request(scope, receive))
            await response(scope, receive, send)
        else:
            await self.proxy_callback(scope, receive, send)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _s256(verifier: str) -> str:
    return _b64(hashlib.sha256(verifier.encode()).digest())


def _page(message: str, status: int) -> HTMLResponse:
    text = html.escape(message)
    body = f"<!doctype html><title>Confluence MCP</title><p>{text}</p>"
    return HTMLResponse(body, status_code=status, headers={"cache-control": "no-store"})
