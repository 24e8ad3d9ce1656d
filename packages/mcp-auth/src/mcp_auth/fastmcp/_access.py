"""Carrying a `Principal` through FastMCP's `AccessToken` and getting it back.

FastMCP hands the `AccessToken` a verifier returned to everything downstream (the session
binding, `get_access_token()`, its own `AuthMiddleware`). We fill its standard fields the way
FastMCP reads them (`client_id` a plain string, `subject`, `claims["iss"]`, so its session
ownership check compares the right identity) and keep the whole principal, JSON-safe, under
one claim key so it survives FastMCP's task-context serialisation.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Any

from fastmcp.server.auth import AccessToken
from fastmcp.server.dependencies import get_access_token
from mcp.server.auth.provider import AccessToken as SDKAccessToken

from mcp_auth._compat import parse_datetime
from mcp_auth._principal import AuthMethod, Principal

__all__ = [
    "PRINCIPAL_CLAIM",
    "access_token_from_principal",
    "principal_from_access_token",
    "current_principal",
]

PRINCIPAL_CLAIM = "mcp_auth"
"""The `AccessToken.claims` key holding the serialised principal."""


def access_token_from_principal(principal: Principal, token: str) -> AccessToken:
    """Build FastMCP's `AccessToken` for an authenticated principal.

    `client_id` is the principal's client id, or its subject when the credential names no
    client (an API key, a user token without `azp`), so it is never empty nor a structure.
    The principal's selected claims are exposed as claims, plus `sub` and `iss`.
    """
    claims: dict[str, Any] = dict(principal.claims)
    claims["sub"] = principal.subject
    if principal.issuer is not None:
        claims["iss"] = principal.issuer
    claims[PRINCIPAL_CLAIM] = _serialise(principal)
    return AccessToken(
        token=token,
        client_id=principal.client_id or principal.subject,
        scopes=sorted(principal.scopes),
        expires_at=_epoch(principal.expires_at),
        subject=principal.subject,
        claims=claims,
    )


def principal_from_access_token(access_token: SDKAccessToken | None) -> Principal | None:
    """The principal an `AccessToken` from our adapter carries, or None for any other token."""
    if access_token is None:
        return None
    data = (access_token.claims or {}).get(PRINCIPAL_CLAIM)
    if not isinstance(data, Mapping):
        return None
    try:
        return _deserialise(data)
    except (KeyError, TypeError, ValueError):
        # Someone else's claim of the same name, or a tampered serialisation: not ours.
        return None


def current_principal() -> Principal | None:
    """The principal of the request being handled (inside a FastMCP tool or middleware)."""
    return principal_from_access_token(get_access_token())


def _epoch(moment: datetime | None) -> int | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp())


def _serialise(principal: Principal) -> dict[str, Any]:
    return {
        "subject": principal.subject,
        "auth_method": principal.auth_method.value,
        "scopes": sorted(principal.scopes),
        "client_id": principal.client_id,
        "issuer": principal.issuer,
        "expires_at": (
            principal.expires_at.isoformat() if principal.expires_at is not None else None
        ),
        "claims": dict(principal.claims),
    }


def _deserialise(data: Mapping[str, Any]) -> Principal:
    subject = data["subject"]
    scopes = data.get("scopes", [])
    claims = data.get("claims", {})
    expires_at = data.get("expires_at")
    if not isinstance(subject, str) or not isinstance(scopes, list):
        raise TypeError("malformed principal claim")
    if not isinstance(claims, Mapping):
        raise TypeError("malformed principal claim")
    return Principal(
        subject=subject,
        auth_method=AuthMethod(data["auth_method"]),
        scopes=frozenset(str(scope) for scope in scopes),
        client_id=_optional_str(data.get("client_id")),
        issuer=_optional_str(data.get("issuer")),
        expires_at=parse_datetime(expires_at) if isinstance(expires_at, str) else None,
        claims=MappingProxyType(dict(claims)),
    )


def _optional_str(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError("malformed principal claim")
    return value
