"""JWT access tokens verified with a PEM public key, a JWKS URL, or (only then) a shared secret.

Stricter than FastMCP's own `JWTVerifier`: `exp` is required, `nbf` and `iat` in the future
(beyond the leeway) are refused, `iss` and `aud` are always checked, and the algorithm
allow-list is explicit: `none` never, HS* never together with an asymmetric key, and the
token's `alg` must fit the type of the key that verifies it (no RSA/HMAC key confusion).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Any

import httpx
import jwt

from mcp_auth._audit import AuditLogger
from mcp_auth._errors import AuthConfigurationError, AuthenticationError, RefusalReason
from mcp_auth._jwks import JWKSCache
from mcp_auth._jwt_keys import (
    ASYMMETRIC_ALGORITHMS,
    HMAC_ALGORITHMS,
    algorithms_for_key,
    load_public_key,
)
from mcp_auth._jwt_shape import looks_like_jwt
from mcp_auth._principal import AuthMethod, Principal
from mcp_auth._urls import require_secure_url

__all__ = ["JWTVerifier", "looks_like_jwt"]

_DEFAULT_KEEP_CLAIMS = ("email", "name", "preferred_username")


def _as_tuple(value: str | Sequence[str], setting: str) -> tuple[str, ...]:
    values = (value,) if isinstance(value, str) else tuple(value)
    if not values or not all(isinstance(v, str) and v for v in values):
        raise AuthConfigurationError(f"{setting} must be a non-empty string or list of strings")
    return values


def _scopes(claims: Mapping[str, Any]) -> frozenset[str]:
    scopes: set[str] = set()
    for name in ("scope", "scp"):
        value = claims.get(name)
        if value is None:
            continue
        if isinstance(value, str):
            scopes.update(value.split())
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            scopes.update(v for v in value if v)
        else:
            raise AuthenticationError(
                RefusalReason.MALFORMED, f"'{name}' claim is neither a string nor a list"
            )
    return frozenset(scopes)


_CLAIM_ERRORS: dict[str, RefusalReason] = {
    "iss": RefusalReason.WRONG_ISSUER,
    "aud": RefusalReason.WRONG_AUDIENCE,
    "exp": RefusalReason.MALFORMED,
}


def _reason_for(error: jwt.InvalidTokenError) -> tuple[RefusalReason, str]:
    # Most specific first: several of these subclass each other.
    if isinstance(error, jwt.ExpiredSignatureError):
        return RefusalReason.EXPIRED, "token expired"
    if isinstance(error, jwt.ImmatureSignatureError):
        return RefusalReason.NOT_YET_VALID, "token not yet valid"
    if isinstance(error, jwt.InvalidIssuerError):
        return RefusalReason.WRONG_ISSUER, "token issuer not accepted"
    if isinstance(error, jwt.InvalidAudienceError):
        return RefusalReason.WRONG_AUDIENCE, "token audience not accepted"
    if isinstance(error, jwt.MissingRequiredClaimError):
        reason = _CLAIM_ERRORS.get(error.claim, RefusalReason.MALFORMED)
        return reason, f"token lacks the required '{error.claim}' claim"
    if isinstance(error, jwt.InvalidSignatureError | jwt.InvalidAlgorithmError):
        return RefusalReason.BAD_SIGNATURE, "token signature invalid"
    return RefusalReason.MALFORMED, "token malformed"


class JWTVerifier:
    """Verifies JWT bearer tokens; give exactly one of `public_key`, `jwks_url`, `secret`."""

    def __init__(
        self,
        *,
        issuer: str | Sequence[str],
        audience: str | Sequence[str],
        public_key: str | bytes | None = None,
        jwks_url: str | None = None,
        secret: str | bytes | None = None,
        algorithms: Sequence[str] | None = None,
        leeway: float = 30.0,
        jwks_cache_ttl: float = 600.0,
        jwks_min_refresh_interval: float = 30.0,
        http_timeout: float = 5.0,
        http_client: httpx.AsyncClient | None = None,
        keep_claims: Sequence[str] = _DEFAULT_KEEP_CLAIMS,
        audit: AuditLogger | None = None,
    ) -> None:
        sources = [s for s in (public_key, jwks_url, secret) if s is not None]
        if len(sources) != 1:
            raise AuthConfigurationError(
                "JWTVerifier needs exactly one of public_key, jwks_url or secret"
            )
        self.issuers = _as_tuple(issuer, "issuer")
        self.audiences = _as_tuple(audience, "audience")
        if leeway < 0:
            raise AuthConfigurationError("leeway must not be negative")
        self.leeway = leeway
        self.keep_claims = tuple(keep_claims)
        requested = tuple(algorithms) if algorithms is not None else None
        if requested is not None and any(a.lower() == "none" for a in requested):
            raise AuthConfigurationError("the 'none' algorithm is never allowed")

        self._static_key: Any = None
        self._jwks: JWKSCache | None = None
        if secret is not None:
            allowed = requested or ("HS256",)
            unknown = set(allowed) - HMAC_ALGORITHMS
            if unknown:
                raise AuthConfigurationError(
                    "with a shared secret only HS256/HS384/HS512 are allowed, "
                    f"not {sorted(unknown)}"
                )
            raw = secret.encode() if isinstance(secret, str) else secret
            if len(raw) < 32:
                raise AuthConfigurationError("an HMAC secret must be at least 32 bytes")
            self._static_key = raw
        else:
            allowed = requested or tuple(sorted(ASYMMETRIC_ALGORITHMS))
            unknown = set(allowed) - ASYMMETRIC_ALGORITHMS
            if unknown:
                raise AuthConfigurationError(
                    f"algorithms {sorted(unknown)} are not allowed with a public key or JWKS "
                    "(HS* with an asymmetric key enables key-confusion attacks)"
                )
            if public_key is not None:
                self._static_key = load_public_key(public_key)
                allowed = tuple(a for a in allowed if a in algorithms_for_key(self._static_key))
                if not allowed:
                    raise AuthConfigurationError("no allowed algorithm fits the public key type")
            elif jwks_url is not None:
                if require_secure_url(jwks_url, "jwks_url") and audit is not None:
                    audit.config_warning(
                        "JWKS fetched over plain http (loopback only)", setting="jwks_url"
                    )
                self._jwks = JWKSCache(
                    jwks_url,
                    cache_ttl=jwks_cache_ttl,
                    min_refresh_interval=jwks_min_refresh_interval,
                    timeout=http_timeout,
                    http_client=http_client,
                )
        self.algorithms: tuple[str, ...] = tuple(allowed)
        if leeway > 300 and audit is not None:
            audit.config_warning(f"JWT leeway of {leeway:g}s is unusually large", setting="leeway")

    @property
    def method(self) -> AuthMethod:
        """Always `AuthMethod.JWT`."""
        return AuthMethod.JWT

    def recognizes(self, token: str) -> bool:
        """True for tokens with the JWT compact shape."""
        return looks_like_jwt(token)

    def matches_issuer(self, token: str) -> bool:
        """True when the token's (unverified) `iss` is one this verifier accepts; a chain
        uses it to pick among several JWT verifiers. Never a basis for trust."""
        try:
            claims = jwt.decode(token, options={"verify_signature": False})
        except (jwt.InvalidTokenError, ValueError, TypeError, OverflowError):
            return False
        return claims.get("iss") in self.issuers

    def _refuse(
        self, reason: RefusalReason, message: str, kid: str | None = None
    ) -> AuthenticationError:
        return AuthenticationError(reason, message, method=AuthMethod.JWT, credential_id=kid)

    async def _key_for(self, alg: str, kid: str | None) -> Any:
        if self._jwks is None:
            return self._static_key
        signing_key = await self._jwks.get_key(kid)
        if (signing_key.alg is not None and signing_key.alg != alg) or alg not in (
            algorithms_for_key(signing_key.key)
        ):
            raise self._refuse(
                RefusalReason.BAD_SIGNATURE, "token algorithm does not fit its key", kid
            )
        return signing_key.key

    async def verify(self, token: str) -> Principal:
        """The token's principal, or `AuthenticationError` with the reason it was refused."""
        if not token:
            raise self._refuse(RefusalReason.MISSING, "no token given")
        if not looks_like_jwt(token):
            raise self._refuse(RefusalReason.MALFORMED, "not a JWT")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise self._refuse(RefusalReason.MALFORMED, "JWT header unreadable") from None
        alg, kid = header.get("alg"), header.get("kid")
        if not isinstance(alg, str) or (kid is not None and not isinstance(kid, str)):
            raise self._refuse(RefusalReason.MALFORMED, "JWT header invalid")
        if alg not in self.algorithms:
            raise self._refuse(RefusalReason.BAD_SIGNATURE, "token algorithm not allowed", kid)
        key = await self._key_for(alg, kid)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=[alg],
                audience=list(self.audiences),
                issuer=list(self.issuers),
                leeway=self.leeway,
                options={"require": ["exp", "iss", "aud"], "verify_signature": True},
            )
        except jwt.InvalidTokenError as error:
            reason, message = _reason_for(error)
            raise self._refuse(reason, message, kid) from None
        except (OverflowError, ValueError, TypeError):
            # pyjwt converts time claims with int(): Infinity or NaN escape its own checks.
            raise self._refuse(RefusalReason.MALFORMED, "token claims invalid", kid) from None
        return self._principal(claims, kid)

    def _principal(self, claims: Mapping[str, Any], kid: str | None) -> Principal:
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise self._refuse(RefusalReason.MALFORMED, "token has no subject", kid)
        try:
            scopes = _scopes(claims)
        except AuthenticationError as error:
            raise self._refuse(error.reason, error.message, kid) from None
        client_id = next(
            (v for n in ("client_id", "azp", "cid") if isinstance(v := claims.get(n), str)), None
        )
        kept = {name: claims[name] for name in self.keep_claims if name in claims}
        try:
            expires_at = datetime.fromtimestamp(int(claims["exp"]), timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise self._refuse(RefusalReason.MALFORMED, "token expiry out of range", kid) from None
        return Principal(
            subject=subject,
            auth_method=AuthMethod.JWT,
            scopes=scopes,
            client_id=client_id,
            issuer=str(claims["iss"]),
            expires_at=expires_at,
            claims=MappingProxyType(kept),
        )

    def __repr__(self) -> str:
        source = repr(self._jwks) if self._jwks is not None else "static key"
        return f"JWTVerifier(issuers={list(self.issuers)!r}, source={source})"
