"""Atlassian OAuth 2.0 (3LO): authorization URL, code exchange, rotating refresh, cloud ids.

What an app needs around :class:`~confluence_client.OAuthToken`::

    oauth = AtlassianOAuth(client_id, client_secret)
    url = oauth.authorization_url(callback, ["read:confluence-content.all", "offline_access"],
                                  state=state, code_challenge=challenge)
    tokens = await oauth.exchange_code(code, callback, code_verifier=verifier)
    sites = await oauth.accessible_resources(tokens.access_token)   # -> cloud ids
    tokens = await oauth.refresh(tokens.refresh_token)              # store the NEW refresh token

Atlassian rotates refresh tokens: each refresh returns a new one and disables the one sent,
so the caller must persist ``tokens.refresh_token`` after every refresh; replaying a spent
or revoked one raises :class:`InvalidGrantError` (the user must sign in again).

Errors (both under the SDK's root :class:`~confluence_client.ConfluenceError`)::

    OAuthError              the authorization server refused or failed; ``error`` is its code
    └── InvalidGrantError   invalid_grant: code or refresh token spent, revoked or unknown
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from confluence_client._config import DEFAULT_API_GATEWAY_URL
from confluence_client._errors import ConfluenceError, TransportError

__all__ = [
    "DEFAULT_AUTH_URL",
    "AccessibleResource",
    "AtlassianAccount",
    "AtlassianOAuth",
    "InvalidGrantError",
    "OAuthError",
    "OAuthTokens",
]

DEFAULT_AUTH_URL = "https://auth.atlassian.com"
"""Atlassian's authorization server (``/authorize``, ``/oauth/token``)."""


class OAuthError(ConfluenceError):
    """The authorization server refused a request; ``error`` is its OAuth error code."""

    def __init__(self, message: str, *, error: str, status_code: int | None = None) -> None:
        super().__init__(message, status_code=status_code)
        self.error = error


class InvalidGrantError(OAuthError):
    """The code or refresh token is spent, revoked or unknown: sign in again."""


@dataclass(frozen=True, slots=True)
class OAuthTokens:
    """A token response; ``refresh_token`` is None without the ``offline_access`` scope."""

    access_token: str = field(repr=False)
    expires_in: int
    scopes: tuple[str, ...]
    refresh_token: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class AccessibleResource:
    """A site the token may reach: ``id`` is the cloud id for the API gateway."""

    id: str
    url: str
    name: str
    scopes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AtlassianAccount:
    """The user a token acts for (``GET /me``)."""

    account_id: str
    name: str
    email: str | None = None


class AtlassianOAuth:
    """An OAuth 2.0 (3LO) app's calls to Atlassian; ``auth_url`` and ``api_url`` are the
    authorization server and API gateway bases (tests point both at the fake)."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        auth_url: str = DEFAULT_AUTH_URL,
        api_url: str = DEFAULT_API_GATEWAY_URL,
        timeout: float = 15.0,
    ) -> None:
        self.client_id = client_id
        self._secret = client_secret
        self.auth_url = auth_url.rstrip("/")
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"AtlassianOAuth(client_id={self.client_id!r}, auth_url={self.auth_url!r})"

    def authorization_url(
        self,
        redirect_uri: str,
        scopes: list[str],
        *,
        state: str,
        code_challenge: str | None = None,
    ) -> str:
        """Where to send the user's browser (``prompt=consent``, gateway audience)."""
        query = {
            "audience": "api.atlassian.com",
            "client_id": self.client_id,
            "scope": " ".join(scopes),
            "redirect_uri": redirect_uri,
            "state": state,
            "response_type": "code",
            "prompt": "consent",
        }
        if code_challenge is not None:
            query |= {"code_challenge": code_challenge, "code_challenge_method": "S256"}
        return f"{self.auth_url}/authorize?{urlencode(query)}"

    async def exchange_code(
        self, code: str, redirect_uri: str, *, code_verifier: str | None = None
    ) -> OAuthTokens:
        """Trade an authorization code for tokens."""
        body = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        if code_verifier is not None:
            body["code_verifier"] = code_verifier
        return await self._token(body)

    async def refresh(self, refresh_token: str) -> OAuthTokens:
        """New tokens for a refresh token, which is spent: keep the returned one."""
        return await self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})

    async def accessible_resources(self, access_token: str) -> list[AccessibleResource]:
        """The sites (cloud ids) the user granted this app."""
        data = await self._get("/oauth/token/accessible-resources", access_token)
        if not isinstance(data, list):
            raise OAuthError("accessible-resources did not return a list", error="bad_response")
        return [
            AccessibleResource(
                str(item["id"]),
                str(item.get("url", "")),
                str(item.get("name", "")),
                tuple(str(s) for s in item.get("scopes", [])),
            )
            for item in data
            if isinstance(item, dict) and item.get("id")
        ]

    async def current_account(self, access_token: str) -> AtlassianAccount:
        """The account the token acts for (needs the ``read:me`` scope on Atlassian)."""
        data = await self._get("/me", access_token)
        if not isinstance(data, dict) or not data.get("account_id"):
            raise OAuthError("/me did not return an account", error="bad_response")
        email = data.get("email")
        return AtlassianAccount(
            str(data["account_id"]), str(data.get("name", "")), str(email) if email else None
        )

    # ---- HTTP ------------------------------------------------------------------------
    async def _token(self, body: dict[str, str]) -> OAuthTokens:
        payload = {**body, "client_id": self.client_id, "client_secret": self._secret}
        status, data = await asyncio.to_thread(
            self._send, "POST", f"{self.auth_url}/oauth/token", json=payload
        )
        if status != 200 or not isinstance(data, dict) or "access_token" not in data:
            raise _refusal(status, data, "token request")
        refresh = data.get("refresh_token")
        return OAuthTokens(
            access_token=str(data["access_token"]),
            expires_in=int(data.get("expires_in", 3600)),
            scopes=tuple(str(data.get("scope", "")).split()),
            refresh_token=str(refresh) if refresh else None,
        )

    async def _get(self, path: str, access_token: str) -> Any:
        headers = {"Authorization": f"Bearer {access_token}", "Accept": "application/json"}
        status, data = await asyncio.to_thread(
            self._send, "GET", f"{self.api_url}{path}", headers=headers
        )
        if status != 200:
            raise _refusal(status, data, f"GET {path}")
        return data

    def _send(self, method: str, url: str, **kwargs: Any) -> tuple[int, Any]:
        # Lazily: importing the SDK's errors must not load the HTTP stack.
        from confluence_client._atlassian import requests

        try:
            response = requests.request(method, url, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise TransportError(
                f"Atlassian authorization request failed ({type(exc).__name__})"
            ) from None
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, None


def _refusal(status: int, data: Any, what: str) -> OAuthError:
    error = str(data.get("error", "")) if isinstance(data, dict) else ""
    description = str(data.get("error_description", "")) if isinstance(data, dict) else ""
    message = f"Atlassian refused the {what} ({status}{': ' + error if error else ''})"
    if description:
        message += f": {description}"
    if error == "invalid_grant":
        return InvalidGrantError(message, error=error, status_code=status)
    return OAuthError(message, error=error or "http_error", status_code=status)
