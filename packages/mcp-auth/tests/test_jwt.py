"""JWTVerifier: the adversarial battery, with PEM keys and a real JWKS server on loopback."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mcp_auth import (
    AuditLogger,
    AuthConfigurationError,
    AuthenticationError,
    AuthMethod,
    JWTVerifier,
    MemorySink,
    RefusalReason,
    looks_like_jwt,
)

R = RefusalReason


@dataclass
class JWKSState:
    keys: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    body: bytes | None = None
    delay: float = 0.0
    requests: int = 0


def jwks_app(state: JWKSState) -> Starlette:
    async def jwks(request: Request) -> Response:
        state.requests += 1
        if state.delay:
            await asyncio.sleep(state.delay)
        if state.body is not None:
            return Response(state.body, status_code=state.status)
        return JSONResponse({"keys": state.keys}, status_code=state.status)

    return Starlette(routes=[Route("/jwks.json", jwks)])


@pytest.fixture
def jwks(loopback_server: Callable[[Starlette], Any], tokens: Any) -> tuple[JWKSState, str]:
    state = JWKSState(keys=[tokens.keys.jwk(tokens.keys.rsa_a, "key-a")])
    server = loopback_server(jwks_app(state))
    return state, f"{server.url}/jwks.json"


def pem_verifier(tokens: Any, **options: Any) -> JWTVerifier:
    return JWTVerifier(
        issuer=tokens.issuer,
        audience=tokens.audience,
        public_key=tokens.keys.public_pem(tokens.keys.rsa_a),
        **options,
    )


def jwks_verifier(url: str, tokens: Any, **options: Any) -> JWTVerifier:
    options.setdefault("jwks_min_refresh_interval", 0.0)
    return JWTVerifier(issuer=tokens.issuer, audience=tokens.audience, jwks_url=url, **options)


# -- the battery, run against a PEM key and against a JWKS server --------------------------------


def battery(tokens: Any) -> list[tuple[str, str, RefusalReason]]:
    k = tokens.keys
    now = int(time.time())
    good = tokens.mint(k.rsa_a)
    head, body, sig = good.split(".")
    tampered_body = tokens.b64url(json.dumps(tokens.claims(sub="mallory", scope="admin")).encode())
    public_pem = k.public_pem(k.rsa_a)
    confusion_header = tokens.b64url(b'{"alg":"HS256","typ":"JWT","kid":"key-a"}')
    confusion_input = f"{confusion_header}.{body}"
    confusion_sig = hmac.new(public_pem, confusion_input.encode(), hashlib.sha256).digest()
    return [
        ("missing", "", R.MISSING),
        ("garbage", "garbage token with spaces", R.MALFORMED),
        ("truncated", f"{head}.{body}", R.MALFORMED),
        ("truncated signature", f"{head}.{body}.{sig[:12]}", R.BAD_SIGNATURE),
        # 9 base64url characters (length % 4 == 1) can never decode; 10 decode ~6% of the time.
        ("signature with broken padding", f"{head}.{body}.{sig[:9]}", R.MALFORMED),
        ("bad base64 header", f"@@@.{body}.{sig}", R.MALFORMED),
        ("header not json", f"{tokens.b64url(b'nope')}.{body}.{sig}", R.MALFORMED),
        ("expired", tokens.mint(k.rsa_a, exp=now - 120, iat=now - 600), R.EXPIRED),
        ("nbf in the future", tokens.mint(k.rsa_a, nbf=now + 3600), R.NOT_YET_VALID),
        ("iat in the future", tokens.mint(k.rsa_a, iat=now + 3600), R.NOT_YET_VALID),
        ("no exp", tokens.mint(k.rsa_a, exp=None), R.MALFORMED),
        ("exp not a number", tokens.mint(k.rsa_a, exp="tomorrow"), R.MALFORMED),
        ("wrong issuer", tokens.mint(k.rsa_a, iss="https://evil.example"), R.WRONG_ISSUER),
        ("no issuer", tokens.mint(k.rsa_a, iss=None), R.WRONG_ISSUER),
        ("wrong audience", tokens.mint(k.rsa_a, aud="https://other.example"), R.WRONG_AUDIENCE),
        ("no audience", tokens.mint(k.rsa_a, aud=None), R.WRONG_AUDIENCE),
        ("no subject", tokens.mint(k.rsa_a, sub=None), R.MALFORMED),
        ("scope of wrong type", tokens.mint(k.rsa_a, scope=7), R.MALFORMED),
        (
            "alg none",
            tokens.unsigned({"alg": "none", "typ": "JWT"}, tokens.claims(), b""),
            R.BAD_SIGNATURE,
        ),
        (
            "alg None spelled differently",
            tokens.unsigned({"alg": "None", "kid": "key-a"}, tokens.claims(), b""),
            R.BAD_SIGNATURE,
        ),
        (
            "HS256 signed with the RSA public key",
            f"{confusion_input}.{tokens.b64url(confusion_sig)}",
            R.BAD_SIGNATURE,
        ),
        ("tampered payload, valid header", f"{head}.{tampered_body}.{sig}", R.BAD_SIGNATURE),
        ("signed by another key, same kid", tokens.mint(k.rsa_b, kid="key-a"), R.BAD_SIGNATURE),
        (
            "header kid not a string",
            tokens.unsigned({"alg": "RS256", "kid": 5}, tokens.claims(), b"x"),
            R.MALFORMED,
        ),
        ("far too long", "a" * 20_000 + ".b.c", R.MALFORMED),
    ]


@pytest.mark.parametrize("source", ["pem", "jwks"])
async def test_battery_each_refused_with_its_reason_and_one_audit_event(
    source: str, tokens: Any, audit: Any, jwks: tuple[JWKSState, str]
) -> None:
    _, url = jwks
    verifier = pem_verifier(tokens) if source == "pem" else jwks_verifier(url, tokens)
    for name, token, reason in battery(tokens):
        error = await audit.refused(verifier, token, reason)
        assert error.method is AuthMethod.JWT, name
    assert (await audit.accepted(verifier, tokens.mint(tokens.keys.rsa_a))).subject == "alice"


async def test_valid_token_gives_the_principal(tokens: Any, audit: Any) -> None:
    exp = int(time.time()) + 600
    token = tokens.mint(
        tokens.keys.rsa_a,
        exp=exp,
        scope=None,
        scp=["a", "b"],
        client_id=None,
        azp="web-app",
        email="alice@example.com",
        secret_claim="not kept",
    )
    principal = await audit.accepted(pem_verifier(tokens), token)
    assert principal.subject == "alice"
    assert principal.scopes == {"a", "b"}
    assert principal.client_id == "web-app"
    assert principal.issuer == tokens.issuer
    assert principal.auth_method is AuthMethod.JWT
    assert principal.expires_at is not None
    assert int(principal.expires_at.timestamp()) == exp
    assert dict(principal.claims) == {"email": "alice@example.com"}


async def test_scope_string_and_scp_string_are_both_read(tokens: Any) -> None:
    token = tokens.mint(tokens.keys.rsa_a, scope="a b", scp="c")
    principal = await pem_verifier(tokens).verify(token)
    assert principal.scopes == {"a", "b", "c"}
    assert principal.client_id == "cli-app"


async def test_leeway_tolerates_small_clock_skew(tokens: Any) -> None:
    now = int(time.time())
    token = tokens.mint(tokens.keys.rsa_a, exp=now - 5, nbf=now + 5, iat=now + 5)
    assert (await pem_verifier(tokens, leeway=30).verify(token)).subject == "alice"
    strict = pem_verifier(tokens, leeway=0)
    with pytest.raises(AuthenticationError) as caught:
        await strict.verify(tokens.mint(tokens.keys.rsa_a, exp=now - 5))
    assert caught.value.reason is R.EXPIRED
    with pytest.raises(AuthenticationError) as caught:
        await strict.verify(tokens.mint(tokens.keys.rsa_a, nbf=now + 5))
    assert caught.value.reason is R.NOT_YET_VALID


async def test_several_issuers_and_audiences(tokens: Any) -> None:
    verifier = JWTVerifier(
        issuer=[tokens.issuer, "https://second.example"],
        audience=["https://x.example", tokens.audience],
        public_key=tokens.keys.public_pem(tokens.keys.rsa_a).decode(),
    )
    token = tokens.mint(tokens.keys.rsa_a, iss="https://second.example", aud=["https://x.example"])
    assert (await verifier.verify(token)).issuer == "https://second.example"
    assert verifier.matches_issuer(token)
    assert not verifier.matches_issuer(tokens.mint(tokens.keys.rsa_a, iss="https://evil.example"))
    assert not verifier.matches_issuer("garbage")


async def test_hmac_secret_mode(tokens: Any, audit: Any) -> None:
    secret = "s" * 40
    verifier = JWTVerifier(issuer=tokens.issuer, audience=tokens.audience, secret=secret)
    assert verifier.algorithms == ("HS256",)
    await audit.accepted(verifier, tokens.mint(secret, alg="HS256"))
    await audit.refused(verifier, tokens.mint("t" * 40, alg="HS256"), R.BAD_SIGNATURE)
    await audit.refused(verifier, tokens.mint(tokens.keys.rsa_a), R.BAD_SIGNATURE)


async def test_ec_key_with_pem_narrows_algorithms(tokens: Any, audit: Any) -> None:
    verifier = JWTVerifier(
        issuer=tokens.issuer,
        audience=tokens.audience,
        public_key=tokens.keys.public_pem(tokens.keys.ec),
    )
    assert verifier.algorithms == ("ES256",)
    await audit.accepted(verifier, tokens.mint(tokens.keys.ec, alg="ES256"))
    # an RS256 token cannot be checked with an EC key: refused before any crypto
    await audit.refused(verifier, tokens.mint(tokens.keys.rsa_a), R.BAD_SIGNATURE)


# -- JWKS specifics -------------------------------------------------------------------------------


async def test_jwks_unknown_kid_is_refused_after_one_refresh(
    tokens: Any, audit: Any, jwks: tuple[JWKSState, str]
) -> None:
    state, url = jwks
    verifier = jwks_verifier(url, tokens)
    await audit.accepted(verifier, tokens.mint(tokens.keys.rsa_a))
    assert state.requests == 1
    error = await audit.refused(
        verifier, tokens.mint(tokens.keys.rsa_b, kid="key-x"), R.UNKNOWN_KEY
    )
    assert error.credential_id == "key-x"
    assert state.requests == 2  # looked once more in case the keys were rotated
    (event,) = audit.events()
    assert event.credential_id == "key-x"


async def test_jwks_rotation_is_picked_up(
    tokens: Any, audit: Any, jwks: tuple[JWKSState, str]
) -> None:
    state, url = jwks
    verifier = jwks_verifier(url, tokens)
    await audit.accepted(verifier, tokens.mint(tokens.keys.rsa_a))
    # the authorization server rotates: key-b published, key-a withdrawn
    state.keys = [tokens.keys.jwk(tokens.keys.rsa_b, "key-b")]
    await audit.accepted(verifier, tokens.mint(tokens.keys.rsa_b, kid="key-b"))
    assert state.requests == 2
    # key-a is gone from the fresh set: its tokens are now refused
    await audit.refused(verifier, tokens.mint(tokens.keys.rsa_a), R.UNKNOWN_KEY)


async def test_jwks_refresh_on_unknown_kid_is_rate_limited(
    tokens: Any, audit: Any, jwks: tuple[JWKSState, str]
) -> None:
    state, url = jwks
    verifier = jwks_verifier(url, tokens, jwks_min_refresh_interval=3600)
    await audit.accepted(verifier, tokens.mint(tokens.keys.rsa_a))
    for attempt in range(5):
        await audit.refused(
            verifier, tokens.mint(tokens.keys.rsa_b, kid=f"made-up-{attempt}"), R.UNKNOWN_KEY
        )
    assert state.requests == 1  # no fetch storm from made-up key ids
    state.keys.append(tokens.keys.jwk(tokens.keys.rsa_b, "key-b"))
    # still inside the interval: the new key is not fetched yet
    await audit.refused(verifier, tokens.mint(tokens.keys.rsa_b, kid="key-b"), R.UNKNOWN_KEY)
    assert state.requests == 1


async def test_jwks_cache_is_reused_until_its_ttl(tokens: Any, jwks: tuple[JWKSState, str]) -> None:
    state, url = jwks
    cached = jwks_verifier(url, tokens)
    for _ in range(3):
        await cached.verify(tokens.mint(tokens.keys.rsa_a))
    assert state.requests == 1
    uncached = jwks_verifier(url, tokens, jwks_cache_ttl=0)
    for _ in range(3):
        await uncached.verify(tokens.mint(tokens.keys.rsa_a))
    assert state.requests == 4


@pytest.mark.parametrize(
    ("status", "body"),
    [(500, None), (404, None), (200, b"not json"), (200, b'{"no": "keys"}'), (302, b"")],
)
async def test_jwks_unavailable_fails_closed(
    status: int, body: bytes | None, tokens: Any, audit: Any, jwks: tuple[JWKSState, str]
) -> None:
    state, url = jwks
    state.status, state.body = status, body
    verifier = jwks_verifier(url, tokens)
    await audit.refused(verifier, tokens.mint(tokens.keys.rsa_a), R.UPSTREAM_UNAVAILABLE)


async def test_jwks_failure_during_kid_refresh_fails_closed(
    tokens: Any, audit: Any, jwks: tuple[JWKSState, str]
) -> None:
    state, url = jwks
    verifier = jwks_verifier(url, tokens)
    await audit.accepted(verifier, tokens.mint(tokens.keys.rsa_a))
    state.status = 503
    await audit.refused(verifier, tokens.mint(tokens.keys.rsa_b, kid="new"), R.UPSTREAM_UNAVAILABLE)


async def test_jwks_server_down_fails_closed(
    tokens: Any, audit: Any, loopback_server: Callable[[Starlette], Any]
) -> None:
    server = loopback_server(jwks_app(JWKSState()))
    url = f"{server.url}/jwks.json"
    server.__exit__(None, None, None)  # nothing listens on that port any more
    verifier = jwks_verifier(url, tokens, http_timeout=2)
    await audit.refused(verifier, tokens.mint(tokens.keys.rsa_a), R.UPSTREAM_UNAVAILABLE)
    # and a second attempt inside the refresh interval does not even try
    limited = jwks_verifier(url, tokens, jwks_min_refresh_interval=3600, http_timeout=2)
    await audit.refused(limited, tokens.mint(tokens.keys.rsa_a), R.UPSTREAM_UNAVAILABLE)
    await audit.refused(limited, tokens.mint(tokens.keys.rsa_a), R.UPSTREAM_UNAVAILABLE)


async def test_jwks_timeout_fails_closed(
    tokens: Any, audit: Any, jwks: tuple[JWKSState, str]
) -> None:
    state, url = jwks
    state.delay = 1.0
    verifier = jwks_verifier(url, tokens, http_timeout=0.05)
    error = await audit.refused(verifier, tokens.mint(tokens.keys.rsa_a), R.UPSTREAM_UNAVAILABLE)
    assert "timed out" in error.message


async def test_jwks_document_too_large_fails_closed(
    tokens: Any, audit: Any, jwks: tuple[JWKSState, str]
) -> None:
    state, url = jwks
    state.body = b'{"keys": [' + b" " * (600 * 1024) + b"]}"
    await audit.refused(
        jwks_verifier(url, tokens), tokens.mint(tokens.keys.rsa_a), R.UPSTREAM_UNAVAILABLE
    )


async def test_jwks_skips_unusable_keys_and_checks_alg_fits_key(
    tokens: Any, audit: Any, jwks: tuple[JWKSState, str]
) -> None:
    state, url = jwks
    k = tokens.keys
    state.keys = [
        {"kty": "oct", "kid": "sym", "k": tokens.b64url(b"x" * 32)},  # never usable
        k.jwk(k.rsa_b, "enc") | {"use": "enc"},  # encryption key: not for signatures
        {"kty": "RSA", "kid": "broken", "n": "??", "e": "AQAB"},
        "not a key",
        k.jwk(k.ec, "ec-key"),
        k.jwk(k.rsa_a, "pinned", alg="RS512"),
        k.jwk(k.rsa_a, "key-a"),
    ]
    verifier = jwks_verifier(url, tokens)
    await audit.accepted(verifier, tokens.mint(k.ec, kid="ec-key", alg="ES256"))
    await audit.accepted(verifier, tokens.mint(k.rsa_a, kid="pinned", alg="RS512"))
    sym_token = tokens.unsigned({"alg": "HS256", "kid": "sym"}, tokens.claims(), b"x")
    await audit.refused(verifier, sym_token, R.BAD_SIGNATURE)  # HS* never allowed here
    await audit.refused(verifier, tokens.mint(k.rsa_b, kid="sym"), R.UNKNOWN_KEY)
    await audit.refused(verifier, tokens.mint(k.rsa_b, kid="enc"), R.UNKNOWN_KEY)
    await audit.refused(verifier, tokens.mint(k.rsa_b, kid="broken"), R.UNKNOWN_KEY)
    # the header says RS256 but the key is an EC key / pinned to RS512: refused
    await audit.refused(verifier, tokens.mint(k.rsa_a, kid="ec-key"), R.BAD_SIGNATURE)
    await audit.refused(verifier, tokens.mint(k.rsa_a, kid="pinned"), R.BAD_SIGNATURE)


async def test_jwks_token_without_kid(tokens: Any, audit: Any, jwks: tuple[JWKSState, str]) -> None:
    state, url = jwks
    verifier = jwks_verifier(url, tokens)
    # a single-key set is unambiguous
    await audit.accepted(verifier, tokens.mint(tokens.keys.rsa_a, kid=None))
    state.keys.append(tokens.keys.jwk(tokens.keys.rsa_b, "key-b"))
    several = jwks_verifier(url, tokens)
    await audit.refused(several, tokens.mint(tokens.keys.rsa_a, kid=None), R.UNKNOWN_KEY)
    assert several._jwks is not None
    assert several._jwks.describe()["key_ids"] == ["key-a", "key-b"]


# -- configuration ------------------------------------------------------------------------------


def test_recognizes_jwt_shape_only(tokens: Any) -> None:
    verifier = pem_verifier(tokens)
    assert verifier.recognizes(tokens.mint(tokens.keys.rsa_a))
    assert not verifier.recognizes("mcpk_0123456789abcdef_" + "a" * 43)
    assert not verifier.recognizes("opaque-token")
    assert looks_like_jwt("a.b.")
    assert "static key" in repr(verifier)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "exactly one"),
        ({"public_key": "pem", "secret": "s" * 40}, "exactly one"),
        ({"secret": "s" * 40, "algorithms": ["none"]}, "'none'"),
        ({"secret": "s" * 40, "algorithms": ["RS256"]}, "shared secret"),
        ({"secret": "short"}, "at least 32 bytes"),
        ({"jwks_url": "https://as.example/jwks", "algorithms": ["HS256"]}, "key-confusion"),
        ({"jwks_url": "http://as.example/jwks"}, "https"),
        ({"jwks_url": "ftp://127.0.0.1/jwks"}, "https"),
        ({"jwks_url": "https://user:pw@as.example/jwks"}, "credentials"),
        ({"jwks_url": "/relative"}, "absolute"),
        ({"jwks_url": "https://as.example/jwks", "leeway": -1}, "leeway"),
        ({"public_key": "not a pem"}, "not a PEM"),
        ({"public_key": "-----BEGIN PRIVATE KEY-----"}, "private key"),
    ],
)
def test_configuration_errors(options: dict[str, Any], message: str, tokens: Any) -> None:
    with pytest.raises(AuthConfigurationError, match=message):
        JWTVerifier(issuer=tokens.issuer, audience=tokens.audience, **options)


def test_issuer_and_audience_are_required(tokens: Any) -> None:
    pem = tokens.keys.public_pem(tokens.keys.rsa_a)
    with pytest.raises(AuthConfigurationError, match="issuer"):
        JWTVerifier(issuer=[], audience=tokens.audience, public_key=pem)
    with pytest.raises(AuthConfigurationError, match="audience"):
        JWTVerifier(issuer=tokens.issuer, audience="", public_key=pem)


# cryptography 51 deprecates DSA; generating one is the point here (it must be refused).
@pytest.mark.filterwarnings("ignore:DSA is deprecated")
def test_weak_or_unsupported_keys_are_refused(tokens: Any) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import dsa

    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - the point
    weak_pem = tokens.keys.public_pem(weak)
    with pytest.raises(AuthConfigurationError, match="2048"):
        JWTVerifier(issuer=tokens.issuer, audience=tokens.audience, public_key=weak_pem)
    dsa_pem = (
        dsa.generate_private_key(key_size=2048)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    with pytest.raises(AuthConfigurationError, match="not supported"):
        JWTVerifier(issuer=tokens.issuer, audience=tokens.audience, public_key=dsa_pem)
    ec_pem = tokens.keys.public_pem(tokens.keys.ec)
    with pytest.raises(AuthConfigurationError, match="fits the public key"):
        JWTVerifier(
            issuer=tokens.issuer, audience=tokens.audience, public_key=ec_pem, algorithms=["RS256"]
        )
    assert isinstance(tokens.keys.ec, ec.EllipticCurvePrivateKey)


def test_config_warnings_for_loopback_http_and_large_leeway(tokens: Any) -> None:
    sink = MemorySink()
    with AuditLogger([sink], background=False) as audit:
        JWTVerifier(
            issuer=tokens.issuer,
            audience=tokens.audience,
            jwks_url="http://127.0.0.1:9/jwks.json",
            leeway=3600,
            audit=audit,
        )
        JWTVerifier(
            issuer=tokens.issuer,
            audience=tokens.audience,
            jwks_url="https://as.example/jwks.json",
            audit=audit,
        )
    assert [(e.event, e.setting) for e in sink.events] == [
        ("config.warning", "jwks_url"),
        ("config.warning", "leeway"),
    ]
