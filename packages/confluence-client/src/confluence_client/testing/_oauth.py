"""A fake Atlassian authorization server (OAuth 2.0 3LO): apps, consent, codes and tokens.

It behaves like ``auth.atlassian.com`` where tests can tell: the redirect URI must match the
app's exactly, PKCE (S256) is checked when the client sent a challenge, each refresh returns a
new refresh token and disables the one used (a reused one gets 403 ``invalid_grant``), and a
revoked grant refuses its refresh tokens and access tokens alike. Consent is scripted instead
of clicked: :meth:`FakeAuthorizationServer.consent_as` names the fake user who approves the
next authorizations, :meth:`deny` makes them refuse. Thread-safe: the server thread and the
test thread both use it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from ._store import FakeStore

__all__ = ["FakeAuthorizationServer", "OAuthApp", "OAuthGrantError", "AuthorizeRefusal"]

_CODE_TTL = 600.0


class OAuthGrantError(Exception):
    """A refused token request; ``body`` is Atlassian's error JSON, ``status`` its HTTP code."""

    def __init__(self, error: str, description: str, status: int = 403) -> None:
        super().__init__(f"{error}: {description}")
        self.status = status
        self.body = {"error": error, "error_description": description}


class AuthorizeRefusal(Exception):
    """An authorize request that must not redirect (unknown app, redirect URI mismatch)."""


@dataclass(frozen=True, slots=True)
class OAuthApp:
    """An OAuth 2.0 (3LO) app as registered in the developer console."""

    client_id: str
    client_secret: str = field(repr=False)
    redirect_uris: tuple[str, ...]


@dataclass(slots=True)
class _Code:
    client_id: str
    redirect_uri: str
    user_id: str
    scope: str
    challenge: str | None
    expires_at: float


@dataclass(slots=True)
class _Grant:
    """One user's consent to one app: the refresh token chain and its access tokens."""

    user_id: str
    client_id: str
    scope: str
    revoked: bool = False


class FakeAuthorizationServer:
    """State behind ``/authorize``, ``/oauth/token`` and ``/oauth/token/accessible-resources``.

    ``access_token_ttl`` (seconds) is the ``expires_in`` of tokens issued from now on;
    ``refreshes`` counts successful refresh grants, ``reused_refresh_tokens`` the refused
    replays of rotated ones.
    """

    def __init__(self, store: FakeStore, cloud_id: str, *, access_token_ttl: int = 3600) -> None:
        self.store = store
        self.cloud_id = cloud_id
        self.access_token_ttl = access_token_ttl
        self.refreshes = 0
        self.reused_refresh_tokens = 0
        self._lock = threading.Lock()
        self._apps: dict[str, OAuthApp] = {}
        self._consent: str | None = None  # login of the user who approves; None: the default
        self._deny = False
        self._codes: dict[str, _Code] = {}
        self._grants: dict[str, _Grant] = {}
        self._refresh: dict[str, str] = {}  # live refresh token -> grant id
        self._rotated: dict[str, str] = {}  # spent refresh token -> grant id
        self._access: dict[str, tuple[str, float]] = {}  # access token -> (grant id, expiry)

    # ---- test controls -----------------------------------------------------------------
    def register_app(
        self, client_id: str, client_secret: str, redirect_uris: list[str]
    ) -> OAuthApp:
        """Register (or replace) an app; its redirect URIs are matched exactly."""
        app = OAuthApp(client_id, client_secret, tuple(redirect_uris))
        with self._lock:
            self._apps[client_id] = app
        return app

    def consent_as(self, login: str) -> None:
        """The fake user (account id, email or username) who approves the next authorizations."""
        if self.store.find_user(login) is None:
            raise KeyError(f"No fake user {login!r}")
        with self._lock:
            self._consent, self._deny = login, False

    def deny(self) -> None:
        """Make the next authorizations end with ``error=access_denied``."""
        with self._lock:
            self._deny = True

    def revoke(self, login: str) -> int:
        """Revoke every grant of a user (as they would in their Atlassian profile); returns
        how many. Its refresh and access tokens stop working at once."""
        user = self.store.find_user(login)
        if user is None:
            raise KeyError(f"No fake user {login!r}")
        with self._lock:
            grants = [g for g in self._grants.values() if g.user_id == user.account_id]
            for grant in grants:
                grant.revoked = True
            return len(grants)

    def expire_access_tokens(self) -> None:
        """Make every access token issued so far expired."""
        with self._lock:
            self._access = {t: (g, 0.0) for t, (g, _) in self._access.items()}

    def reset(self) -> None:
        """Forget grants, codes and tokens (apps stay registered)."""
        with self._lock:
            self._codes.clear()
            self._grants.clear()
            self._refresh.clear()
            self._rotated.clear()
            self._access.clear()
            self._consent, self._deny = None, False
            self.refreshes = self.reused_refresh_tokens = 0

    # ---- protocol ------------------------------------------------------------------------
    def authorize(self, params: dict[str, str]) -> str:
        """Where ``/authorize`` redirects the browser; raises :class:`AuthorizeRefusal` when it
        must not redirect at all (an unknown app or a redirect URI it did not register)."""
        with self._lock:
            app = self._apps.get(params.get("client_id", ""))
            if app is None:
                raise AuthorizeRefusal("Unknown client_id")
            redirect_uri = params.get("redirect_uri", "")
            if redirect_uri not in app.redirect_uris:
                raise AuthorizeRefusal("redirect_uri does not match the app's callback URL")
            state = params.get("state", "")
            problem = _authorize_problem(params)
            if problem is not None:
                return _redirect(
                    redirect_uri, error="invalid_request", description=problem, state=state
                )
            if self._deny:
                return _redirect(redirect_uri, error="access_denied", state=state)
            user = (
                self.store.find_user(self._consent) if self._consent else self.store.current_user()
            )
            assert user is not None  # consent_as checked it
            code = secrets.token_urlsafe(24)
            self._codes[code] = _Code(
                app.client_id,
                redirect_uri,
                user.account_id,
                params.get("scope", ""),
                params.get("code_challenge") or None,
                time.time() + _CODE_TTL,
            )
        return _redirect(redirect_uri, code=code, state=state)

    def token(self, form: dict[str, str]) -> dict[str, object]:
        """The ``/oauth/token`` answer for an ``authorization_code`` or ``refresh_token`` grant."""
        with self._lock:
            app = self._apps.get(form.get("client_id", ""))
            if app is None or not _same(form.get("client_secret", ""), app.client_secret):
                raise OAuthGrantError("access_denied", "Unauthorized", 401)
            grant_type = form.get("grant_type")
            if grant_type == "authorization_code":
                return self._exchange_code(app, form)
            if grant_type == "refresh_token":
                return self._refresh_grant(app, form.get("refresh_token", ""))
            raise OAuthGrantError("unsupported_grant_type", "Unsupported grant type", 400)

    def user_for(self, access_token: str) -> str | None:
        """The account id an access token acts as, or None (unknown, expired or revoked)."""
        with self._lock:
            entry = self._access.get(access_token)
            if entry is None:
                return None
            grant = self._grants[entry[0]]
            if grant.revoked or entry[1] <= time.time():
                return None
            return grant.user_id

    # ---- internals (lock held) ------------------------------------------------------------
    def _exchange_code(self, app: OAuthApp, form: dict[str, str]) -> dict[str, object]:
        code = self._codes.pop(form.get("code", ""), None)
        if code is None or code.expires_at <= time.time() or code.client_id != app.client_id:
            raise OAuthGrantError("invalid_grant", "Invalid authorization code")
        if form.get("redirect_uri") != code.redirect_uri:
            raise OAuthGrantError("invalid_grant", "redirect_uri does not match")
        if code.challenge is not None and _s256(form.get("code_verifier", "")) != code.challenge:
            raise OAuthGrantError("invalid_grant", "Invalid code_verifier")
        grant_id = secrets.token_hex(8)
        self._grants[grant_id] = _Grant(code.user_id, app.client_id, code.scope)
        return self._issue(grant_id)

    def _refresh_grant(self, app: OAuthApp, refresh_token: str) -> dict[str, object]:
        grant_id = self._refresh.pop(refresh_token, None)
        if grant_id is None:
            if refresh_token in self._rotated:
                self.reused_refresh_tokens += 1
            raise OAuthGrantError("invalid_grant", "Unknown or invalid refresh token.")
        grant = self._grants[grant_id]
        self._rotated[refresh_token] = grant_id
        if grant.revoked or grant.client_id != app.client_id:
            raise OAuthGrantError("invalid_grant", "Unknown or invalid refresh token.")
        self.refreshes += 1
        return self._issue(grant_id)

    def _issue(self, grant_id: str) -> dict[str, object]:
        grant = self._grants[grant_id]
        access = "fake-at-" + secrets.token_urlsafe(24)
        self._access[access] = (grant_id, time.time() + self.access_token_ttl)
        body: dict[str, object] = {
            "access_token": access,
            "expires_in": self.access_token_ttl,
            "scope": grant.scope,
            "token_type": "Bearer",
        }
        if "offline_access" in grant.scope.split():
            refresh = "fake-rt-" + secrets.token_urlsafe(24)
            self._refresh[refresh] = grant_id
            body["refresh_token"] = refresh
        return body


def _authorize_problem(params: dict[str, str]) -> str | None:
    if params.get("response_type") != "code":
        return "response_type must be code"
    if params.get("audience") != "api.atlassian.com":
        return "audience must be api.atlassian.com"
    if not params.get("scope"):
        return "scope is required"
    method = params.get("code_challenge_method")
    if params.get("code_challenge") and method not in (None, "S256"):
        return "code_challenge_method must be S256"
    return None


def _redirect(uri: str, *, state: str, **values: str) -> str:
    query = {k if k != "description" else "error_description": v for k, v in values.items()}
    if state:
        query["state"] = state
    return f"{uri}{'&' if '?' in uri else '?'}{urlencode(query)}"


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
