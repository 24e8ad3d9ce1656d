"""OAuth 2.0 token introspection (RFC 7662) for opaque access tokens.

The verifier authenticates to the introspection endpoint with its client credentials
(`client_secret_basic` or `client_secret_post`), checks `active`, `exp`, `nbf`, `iss` and
`aud` itself (an authorization server may answer for tokens issued to other resources), and
caches positive answers keyed by the SHA-256 of the token — never the token — for at most
`cache_ttl` seconds and never past the token's `exp`.

Fail closed: a timeout, a connection error, a non-200 answer or an unreadable body refuses the
token as `upstream_unavailable`; nothing is ever accepted because the server could not ask.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from types import MappingProxyType, TracebackType
from typing import Any, Literal
from urllib.parse import quote_plus

import httpx

from mcp_auth._audit import AuditLogger
from mcp_auth._errors import AuthConfigurationError, AuthenticationError, RefusalReason
from mcp_auth._principal import AuthMethod, Principal
from mcp_auth._urls import require_secure_url

__all__ = ["IntrospectionVerifier"]

_MAX_TOKEN_LENGTH = 16 * 1024
_MAX_ANSWER_BYTES = 64 * 1024


def _as_set(value: str | Sequence[str] | None) -> frozenset[str]:
    if value is None:
        return frozenset()
    return frozenset((value,) if isinstance(value, str) else value)


def _basic_credentials(client_id: str, client_secret: str) -> str:
    # RFC 6749 section 2.3.1: both parts are form-urlencoded before the Basic encoding.
    pair = f"{quote_plus(client_id)}:{quote_plus(client_secret)}"
    return "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")


# Timestamps beyond this (year 9999) cannot be represented as datetimes: treat as invalid.
_MAX_TIMESTAMP = 253_402_300_799


def _number(value: Any) -> float | None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    number = float(value)
    return number if 0 <= number <= _MAX_TIMESTAMP else None


class IntrospectionVerifier:
    """Verifies opaque tokens by asking the authorization server (RFC 7662).

    Use as an async context manager, or call `aclose()`, to release the HTTP connection pool
    it creates (a client passed as `http_client` stays the caller's to close).
    """

    def __init__(
        self,
        endpoint: str,
        *,
        client_id: str,
        client_secret: str,
        client_auth: Literal["basic", "post"] = "basic",
        audience: str | Sequence[str] | None = None,
        issuer: str | Sequence[str] | None = None,
        require_exp: bool = True,
        leeway: float = 30.0,
        timeout: float = 5.0,
        cache_ttl: float = 60.0,
        cache_max_size: int = 10_000,
        http_client: httpx.AsyncClient | None = None,
        audit: AuditLogger | None = None,
        keep_claims: Sequence[str] = (),
    ) -> None:
        plain_http = require_secure_url(endpoint, "introspection endpoint")
        if not client_id or not client_secret:
            raise AuthConfigurationError("introspection needs a client_id and a client_secret")
        if client_auth not in ("basic", "post"):
            raise AuthConfigurationError("client_auth must be 'basic' or 'post'")
        if timeout <= 0 or cache_ttl < 0 or cache_max_size < 0 or leeway < 0:
            raise AuthConfigurationError(
                "timeout must be positive; cache_ttl, cache_max_size, leeway not negative"
            )
        self.endpoint = endpoint
        self.keep_claims = tuple(keep_claims)
        self.client_id = client_id
        self._client_secret = client_secret
        self.client_auth = client_auth
        self.audiences = _as_set(audience)
        self.issuers = _as_set(issuer)
        self.require_exp = require_exp
        self.leeway = leeway
        self.timeout = timeout
        self.cache_ttl = cache_ttl
        self.cache_max_size = cache_max_size
        self._own_client = http_client is None
        self._http_client = http_client
        self._cache: OrderedDict[str, tuple[float, Principal]] = OrderedDict()
        self.request_count = 0
        if audit is not None:
            if plain_http:
                audit.config_warning(
                    "token introspection over plain http (loopback only)",
                    setting="introspection.endpoint",
                )
            if not self.audiences:
                audit.config_warning(
                    "introspection without an audience check accepts tokens issued for any "
                    "resource of the authorization server",
                    setting="introspection.audience",
                )

    @property
    def method(self) -> AuthMethod:
        """Always `AuthMethod.OAUTH_INTROSPECTION`."""
        return AuthMethod.OAUTH_INTROSPECTION

    def recognizes(self, token: str) -> bool:
        """Any non-empty printable token without whitespace: opaque tokens have no shape, so
        a chain tries introspection last."""
        return (
            0 < len(token) <= _MAX_TOKEN_LENGTH
            and token.isprintable()
            and not any(c.isspace() for c in token)
        )

    async def __aenter__(self) -> IntrospectionVerifier:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP client this verifier created (if any)."""
        if self._own_client and self._http_client is not None:
            await self._http_client.aclose()
            self._http_client = None

    def clear_cache(self) -> None:
        """Forget every cached answer (for example after a revocation event)."""
        self._cache.clear()

    def _refuse(self, reason: RefusalReason, message: str) -> AuthenticationError:
        return AuthenticationError(reason, message, method=AuthMethod.OAUTH_INTROSPECTION)

    def _cached(self, digest: str) -> Principal | None:
        entry = self._cache.get(digest)
        if entry is None:
            return None
        valid_until, principal = entry
        if time.time() >= valid_until:
            del self._cache[digest]
            return None
        self._cache.move_to_end(digest)
        return principal

    def _remember(self, digest: str, principal: Principal) -> None:
        if self.cache_max_size == 0 or self.cache_ttl == 0:
            return
        valid_until = time.time() + self.cache_ttl
        if principal.expires_at is not None:
            valid_until = min(valid_until, principal.expires_at.timestamp())
        self._cache[digest] = (valid_until, principal)
        self._cache.move_to_end(digest)
        while len(self._cache) > self.cache_max_size:
            self._cache.popitem(last=False)

    async def verify(self, token: str) -> Principal:
        """The token's principal, or `AuthenticationError` with the reason it was refused."""
        if not token:
            raise self._refuse(RefusalReason.MISSING, "no token given")
        if not self.recognizes(token):
            raise self._refuse(RefusalReason.MALFORMED, "token malformed")
        digest = hashlib.sha256(token.encode("utf-8")).hexdigest()
        cached = self._cached(digest)
        if cached is not None:
            return cached
        answer = await self._introspect(token)
        principal = self._judge(answer)
        self._remember(digest, principal)
        return principal

    async def _introspect(self, token: str) -> Mapping[str, Any]:
        if self._http_client is None:
            self._http_client = httpx.AsyncClient(timeout=self.timeout, follow_redirects=False)
        form = {"token": token, "token_type_hint": "access_token"}
        headers = {"Accept": "application/json"}
        if self.client_auth == "basic":
            headers["Authorization"] = _basic_credentials(self.client_id, self._client_secret)
        else:
            form |= {"client_id": self.client_id, "client_secret": self._client_secret}
        self.request_count += 1
        try:
            # httpx's timeout applies per phase; the deadline bounds the whole exchange, so a
            # server trickling bytes cannot hold a request for longer than `timeout`.
            status, body = await asyncio.wait_for(
                self._post(self._http_client, form, headers), self.timeout
            )
        except (asyncio.TimeoutError, httpx.TimeoutException):
            raise self._refuse(
                RefusalReason.UPSTREAM_UNAVAILABLE, "introspection endpoint timed out"
            ) from None
        except httpx.HTTPError as exc:
            raise self._refuse(
                RefusalReason.UPSTREAM_UNAVAILABLE,
                f"introspection endpoint unreachable ({type(exc).__name__})",
            ) from None
        if status != 200:
            raise self._refuse(
                RefusalReason.UPSTREAM_UNAVAILABLE, f"introspection endpoint answered HTTP {status}"
            )
        if body is None:
            raise self._refuse(RefusalReason.UPSTREAM_UNAVAILABLE, "introspection answer too large")
        try:
            answer = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            answer = None
        if not isinstance(answer, dict):
            raise self._refuse(
                RefusalReason.UPSTREAM_UNAVAILABLE, "introspection answer is not a JSON object"
            )
        return answer

    async def _post(
        self, client: httpx.AsyncClient, form: dict[str, str], headers: dict[str, str]
    ) -> tuple[int, bytes | None]:
        """(status, body); body None when it exceeds the size cap."""
        async with client.stream(
            "POST", self.endpoint, data=form, headers=headers, timeout=self.timeout
        ) as response:
            if response.status_code != 200:
                return response.status_code, b""
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body.extend(chunk)
                if len(body) > _MAX_ANSWER_BYTES:
                    return response.status_code, None
            return response.status_code, bytes(body)

    def _judge(self, answer: Mapping[str, Any]) -> Principal:
        # RFC 7662: anything but a literal `true` means inactive (revoked, expired, unknown).
        if answer.get("active") is not True:
            raise self._refuse(RefusalReason.REVOKED, "token is not active")
        now = time.time()
        exp, nbf = _number(answer.get("exp")), _number(answer.get("nbf"))
        if exp is None and (self.require_exp or "exp" in answer):
            raise self._refuse(RefusalReason.MALFORMED, "introspection answer lacks a valid exp")
        if exp is not None and exp <= now - self.leeway:
            raise self._refuse(RefusalReason.EXPIRED, "token expired")
        if "nbf" in answer and (nbf is None or nbf > now + self.leeway):
            raise self._refuse(RefusalReason.NOT_YET_VALID, "token not yet valid")
        issuer = answer.get("iss")
        if self.issuers and issuer not in self.issuers:
            raise self._refuse(RefusalReason.WRONG_ISSUER, "token issuer not accepted")
        if self.audiences:
            aud = answer.get("aud")
            granted = (
                {aud} if isinstance(aud, str) else set(aud) if isinstance(aud, list) else set()
            )
            if not granted & self.audiences:
                raise self._refuse(RefusalReason.WRONG_AUDIENCE, "token audience not accepted")
        return self._principal(answer, exp, issuer)

    def _principal(self, answer: Mapping[str, Any], exp: float | None, issuer: Any) -> Principal:
        client_id = answer.get("client_id")
        subject = answer.get("sub") or answer.get("username") or client_id
        if not isinstance(subject, str) or not subject:
            raise self._refuse(RefusalReason.MALFORMED, "introspection answer names no subject")
        scope = answer.get("scope")
        if scope is not None and not isinstance(scope, str):
            raise self._refuse(RefusalReason.MALFORMED, "introspection scope is not a string")
        kept = {k: answer[k] for k in ("username", "token_type") if isinstance(answer.get(k), str)}
        # Extra claims a server asked for (e.g. a space allow-list), JSON values as given.
        kept.update({k: answer[k] for k in self.keep_claims if k in answer})
        return Principal(
            subject=subject,
            auth_method=AuthMethod.OAUTH_INTROSPECTION,
            scopes=frozenset((scope or "").split()),
            client_id=client_id if isinstance(client_id, str) else None,
            issuer=issuer if isinstance(issuer, str) else None,
            expires_at=None if exp is None else datetime.fromtimestamp(exp, timezone.utc),
            claims=MappingProxyType(kept),
        )

    def __repr__(self) -> str:
        return (
            f"IntrospectionVerifier({self.endpoint!r}, client_id={self.client_id!r}, "
            f"client_secret='[redacted]', cached={len(self._cache)})"
        )
