"""A JSON Web Key Set fetched over https, cached, and refreshed when an unknown `kid` shows up.

Fetches are spaced at least `min_refresh_interval` seconds apart, so a flood of tokens with
made-up key ids cannot turn the server into a load generator against the authorization
server. Keys are used only for signatures: `use: enc` and symmetric (`oct`) keys are skipped,
so a JWKS can never enable an HS* algorithm.

Fail closed: with no usable cached key set (never fetched, or older than `cache_ttl`) and the
endpoint unreachable, tokens are refused as `upstream_unavailable`.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

import httpx
import jwt

from mcp_auth._errors import AuthenticationError, RefusalReason
from mcp_auth._jwt_keys import public_half
from mcp_auth._principal import AuthMethod

__all__ = ["JWKSCache", "SigningKey"]

_MAX_JWKS_BYTES = 512 * 1024


class _FetchError(Exception):
    """The key set could not be fetched or parsed (the message never contains secrets)."""


@dataclass(frozen=True, slots=True)
class SigningKey:
    """One usable key of the set: its id, its declared `alg` (if any) and the public key."""

    kid: str | None
    alg: str | None
    key: Any


def _parse_key_set(body: bytes) -> list[SigningKey]:
    try:
        document = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise _FetchError("JWKS is not valid JSON") from None
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise _FetchError("JWKS has no 'keys' list")
    keys: list[SigningKey] = []
    for item in document["keys"]:
        if not isinstance(item, dict) or item.get("kty") == "oct":
            continue
        if item.get("use", "sig") != "sig":
            continue
        try:
            key = jwt.PyJWK(item)
        except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError, KeyError):
            continue  # an unsupported or broken entry must not disable the others
        kid, alg = item.get("kid"), item.get("alg")
        keys.append(
            SigningKey(
                kid=kid if isinstance(kid, str) else None,
                alg=alg if isinstance(alg, str) else None,
                key=public_half(key.key),
            )
        )
    return keys


class JWKSCache:
    """The signing keys published at `url`, looked up by `kid`."""

    def __init__(
        self,
        url: str,
        *,
        cache_ttl: float = 600.0,
        min_refresh_interval: float = 30.0,
        timeout: float = 5.0,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self.url = url
        self.cache_ttl = cache_ttl
        self.min_refresh_interval = min_refresh_interval
        self.timeout = timeout
        self._http_client = http_client
        self._keys: list[SigningKey] = []
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._lock = asyncio.Lock()
        self.fetch_count = 0

    def _refuse(self, reason: RefusalReason, message: str, kid: str | None) -> AuthenticationError:
        return AuthenticationError(reason, message, method=AuthMethod.JWT, credential_id=kid)

    async def _download(self) -> bytes:
        client = self._http_client or httpx.AsyncClient(timeout=self.timeout)
        try:
            # A deadline for the whole download: httpx's timeout applies per phase only.
            return await asyncio.wait_for(self._fetch(client), self.timeout)
        except (asyncio.TimeoutError, httpx.TimeoutException):
            raise _FetchError("JWKS endpoint timed out") from None
        except httpx.HTTPError as exc:
            raise _FetchError(f"JWKS endpoint unreachable ({type(exc).__name__})") from None
        finally:
            if self._http_client is None:
                await client.aclose()

    async def _fetch(self, client: httpx.AsyncClient) -> bytes:
        async with client.stream(
            "GET", self.url, headers={"Accept": "application/json"}, timeout=self.timeout
        ) as response:
            if response.status_code != 200:
                raise _FetchError(f"JWKS endpoint answered HTTP {response.status_code}")
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body.extend(chunk)
                if len(body) > _MAX_JWKS_BYTES:
                    raise _FetchError("JWKS document too large")
            return bytes(body)

    async def _refresh(self) -> bool:
        """Fetch the key set if allowed by the rate limit; True when a fetch succeeded."""
        now = time.monotonic()
        if self._attempted_at is not None and now - self._attempted_at < self.min_refresh_interval:
            return False
        self._attempted_at = now
        self.fetch_count += 1
        keys = _parse_key_set(await self._download())
        self._keys = keys
        self._fetched_at = time.monotonic()
        return True

    def _fresh(self) -> bool:
        return self._fetched_at is not None and time.monotonic() - self._fetched_at < self.cache_ttl

    def _find(self, kid: str | None) -> SigningKey | None:
        if kid is None:
            # Without a kid only an unambiguous single-key set can be used.
            return self._keys[0] if len(self._keys) == 1 else None
        return next((key for key in self._keys if key.kid == kid), None)

    async def get_key(self, kid: str | None) -> SigningKey:
        """The key for `kid`, refreshing the set when stale or when the kid is unknown."""
        async with self._lock:
            if not self._fresh():
                try:
                    refreshed = await self._refresh()
                except _FetchError as error:
                    raise self._refuse(
                        RefusalReason.UPSTREAM_UNAVAILABLE, str(error), kid
                    ) from None
                if not refreshed and not self._fresh():
                    raise self._refuse(
                        RefusalReason.UPSTREAM_UNAVAILABLE, "signing keys unavailable", kid
                    )
            key = self._find(kid)
            if key is None:
                # Perhaps the keys were rotated: look again, unless we did so very recently.
                try:
                    refreshed = await self._refresh()
                except _FetchError as error:
                    raise self._refuse(
                        RefusalReason.UPSTREAM_UNAVAILABLE, str(error), kid
                    ) from None
                key = self._find(kid) if refreshed else None
            if key is None:
                raise self._refuse(RefusalReason.UNKNOWN_KEY, "unknown signing key", kid)
            return key

    def describe(self) -> dict[str, Any]:
        """Cache state for diagnostics (key ids only)."""
        return {
            "url": self.url,
            "key_ids": [key.kid for key in self._keys],
            "fetch_count": self.fetch_count,
        }

    def __repr__(self) -> str:
        return f"JWKSCache({self.url!r}, keys={len(self._keys)})"
