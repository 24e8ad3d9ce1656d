"""``oauth`` mode: each person's Atlassian tokens, kept in the encrypted credential store.

:class:`AtlassianTokens` is the one place that holds and renews Atlassian tokens:

- :meth:`~AtlassianTokens.sign_in` trades the authorization code for tokens, learns the
  site (accessible-resources: the cloud id) and the account (``/me``), and stores them under
  that person's principal id (``user:<account id>``, the MCP principal's subject);
- :meth:`~AtlassianTokens.refresh` is the per-user modes' refresher: it renews an access token
  close to expiry and writes the ROTATED refresh token back in one store write; a refused
  refresh token (revoked, or already spent) deletes the credential and tells the user to sign
  in again. A refresh that lost a race to another task or replica (its refresh token was
  spent by the winner) takes the winner's tokens instead of signing the user out.

FastMCP's OAuth proxy never sees an Atlassian token: :class:`StoreBackedUpstreamClient`
answers its code exchanges and refreshes with an opaque handle naming the principal.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pydantic import SecretStr

from confluence_mcp.errors import CredentialError
from confluence_mcp.identity.credentials import UpstreamCredential, subject_principal_id

if TYPE_CHECKING:
    from confluence_client.oauth import AtlassianOAuth
    from confluence_mcp.identity.credentials import CredentialStore

__all__ = ["HANDLE_PREFIX", "AtlassianTokens", "StoreBackedUpstreamClient", "sign_in_message"]

_log = logging.getLogger("confluence_mcp.oauth")

HANDLE_PREFIX = "store:"
"""What the OAuth proxy holds instead of Atlassian tokens: ``store:<principal id>``."""

REFRESH_MARGIN_SECONDS = 60


def sign_in_message(public_url: str, reconnect_url: str | None = None) -> str:
    """What a user whose Atlassian grant is gone is told (with a link that restores it for
    this session, when there is one)."""
    message = (
        "Your Atlassian sign-in for this server is no longer valid (access was revoked, or "
        "could not be renewed). Sign in again: "
    )
    if reconnect_url is not None:
        message += f"open {reconnect_url} in your browser, or "
    return message + (
        "reconnect this server in your MCP client, which opens the sign-in page of "
        f"{public_url} in your browser."
    )


class AtlassianTokens:
    """Sign-in and rotating refresh of Atlassian tokens, per principal (see the module doc)."""

    def __init__(
        self,
        oauth: AtlassianOAuth,
        store: CredentialStore,
        *,
        public_url: str,
        site_url: str | None = None,
    ) -> None:
        self.oauth = oauth
        self.store = store
        self.public_url = public_url
        self._site_host = urlsplit(site_url).netloc.lower() if site_url else None
        # One refresh per person at a time here; a lock lives only while someone holds it.
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        # Set by the oauth mode: the link that restores one person's sign-in in a browser.
        self.reconnect_url: Callable[[str], str] | None = None

    def signed_out(self, key: str) -> CredentialError:
        """The error telling the person behind ``key`` to sign in again."""
        link = self.reconnect_url(key) if self.reconnect_url is not None else None
        return CredentialError(
            sign_in_message(self.public_url, link), sign_in_url=link or self.public_url
        )

    async def sign_in(
        self,
        code: str,
        redirect_uri: str,
        code_verifier: str | None,
        *,
        expected_key: str | None = None,
    ) -> tuple[str, UpstreamCredential, tuple[str, ...]]:
        """Exchange the code; store and return (principal id, credential, Atlassian scopes).
        With ``expected_key`` (a reconnection) another account's tokens are refused, never
        stored: a reconnect link opened by someone else cannot swap whose account is used."""
        tokens = await self.oauth.exchange_code(code, redirect_uri, code_verifier=code_verifier)
        if tokens.refresh_token is None:
            _log.warning("Atlassian issued no refresh token: is offline_access in the scopes?")
        sites = await self.oauth.accessible_resources(tokens.access_token)
        chosen = [s for s in sites if urlsplit(s.url).netloc.lower() == self._site_host]
        if not (chosen or sites):
            raise CredentialError("this Atlassian account granted this server no site")
        site = (chosen or sites)[0]
        account = await self.oauth.current_account(tokens.access_token)
        credential = UpstreamCredential(
            kind="oauth",
            secret=SecretStr(tokens.access_token),
            refresh_token=SecretStr(tokens.refresh_token) if tokens.refresh_token else None,
            expires_at=_expiry(tokens.expires_in),
            cloud_id=site.id,
            account_id=account.account_id,
            email=account.email,
            display_name=account.name,
        )
        key = subject_principal_id(account.account_id)
        if expected_key is not None and key != expected_key:
            raise CredentialError("signed in to Atlassian as another account than this session's")
        await self.store.put(key, credential)
        return key, credential, tokens.scopes

    async def refresh(self, key: str, credential: UpstreamCredential) -> UpstreamCredential:
        """A fresh credential for ``key`` (renewed at Atlassian only if still due), or
        :class:`CredentialError` telling the user to sign in again."""
        from confluence_client import TransportError
        from confluence_client.oauth import InvalidGrantError, OAuthError

        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        async with lock:
            stored = await self.store.get(key)
            if stored is None:
                raise self.signed_out(key)
            if not stored.expired(REFRESH_MARGIN_SECONDS):
                return stored  # renewed meanwhile by another request or replica
            if stored.refresh_token is None:
                await self.store.delete(key)
                raise self.signed_out(key)
            try:
                tokens = await self.oauth.refresh(stored.refresh_token.get_secret_value())
            except InvalidGrantError:
                latest = await self.store.get(key)
                if latest is not None and latest.refresh_token != stored.refresh_token:
                    return latest  # another replica rotated it first
                _log.warning("Atlassian refused a refresh token (revoked or spent): signed out")
                await self.store.delete(key)
                raise self.signed_out(key) from None
            except (OAuthError, TransportError) as exc:
                raise CredentialError(
                    "Atlassian could not renew your sign-in just now "
                    f"({type(exc).__name__}); try again in a moment"
                ) from None
            renewed = stored.model_copy(
                update={
                    "secret": SecretStr(tokens.access_token),
                    # Rotation: the refresh token just sent is spent; keep the new one.
                    "refresh_token": (
                        SecretStr(tokens.refresh_token)
                        if tokens.refresh_token
                        else stored.refresh_token
                    ),
                    "expires_at": _expiry(tokens.expires_in),
                }
            )
            await self.store.put(key, renewed)
            return renewed


class StoreBackedUpstreamClient:
    """What FastMCP's OAuth proxy calls for Atlassian's token endpoint (same surface as its
    own client): the real tokens go to the store, the proxy gets a handle and the claims."""

    client_secret: str | None = None  # no revocation endpoint is configured

    def __init__(self, tokens: AtlassianTokens) -> None:
        self.tokens = tokens

    async def fetch_token(self, url: str, **params: Any) -> dict[str, Any]:
        """The authorization-code exchange of a sign-in."""
        from fastmcp.server.auth.oauth_proxy.upstream import OAuthError

        try:
            key, credential, scopes = await self.tokens.sign_in(
                str(params.get("code", "")),
                str(params.get("redirect_uri", "")),
                params.get("code_verifier"),
            )
        except Exception as exc:
            # The proxy shows this on its error page: a kind, never a token.
            raise OAuthError(error="sign_in_failed", description=type(exc).__name__) from None
        return _answer(key, credential) | {"scope": " ".join(scopes)}

    async def refresh_token(
        self, url: str, *, refresh_token: str | None = None, **params: Any
    ) -> dict[str, Any]:
        """The MCP client refreshes its own token: renew Atlassian's behind it if due."""
        from fastmcp.server.auth.oauth_proxy.upstream import OAuthError

        handle = refresh_token or ""
        key = handle.removeprefix(HANDLE_PREFIX)
        try:
            credential = (
                await self.tokens.store.get(key) if handle.startswith(HANDLE_PREFIX) else None
            )
            if credential is None:
                raise CredentialError("signed out")
            if credential.expired(REFRESH_MARGIN_SECONDS):
                credential = await self.tokens.refresh(key, credential)
        except CredentialError:
            raise OAuthError(error="invalid_grant", description="sign in again") from None
        return _answer(key, credential)

    async def aclose(self) -> None:
        """Nothing to release (the SDK's calls open their own connections)."""


def _answer(key: str, credential: UpstreamCredential) -> dict[str, Any]:
    handle = HANDLE_PREFIX + key
    return {
        "access_token": handle,
        "refresh_token": handle,
        "token_type": "Bearer",
        "expires_in": 3600,
        "atlassian": {
            "sub": credential.account_id,
            "name": credential.display_name,
            "cloud_id": credential.cloud_id,
        },
    }


def _expiry(expires_in: int) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=max(int(expires_in), 0))
