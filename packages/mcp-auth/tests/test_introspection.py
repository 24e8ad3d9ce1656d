"""IntrospectionVerifier against a real RFC 7662 endpoint on loopback."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from urllib.parse import unquote_plus

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from mcp_auth import (
    AuditLogger,
    AuthConfigurationError,
    AuthenticationError,
    AuthMethod,
    IntrospectionVerifier,
    MemorySink,
    RefusalReason,
)
from mcp_auth import _introspection as introspection_module

R = RefusalReason
CLIENT_ID = "mcp server"  # a space: checks the RFC 6749 form-encoding of Basic credentials
CLIENT_SECRET = "introspection-secret-value-42"
AUDIENCE = "https://mcp.example/mcp"
ISSUER = "https://as.example"


@dataclass
class ASState:
    """What the fake authorization server answers, per token."""

    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    status: int = 200
    raw_body: bytes | None = None
    delay: float = 0.0
    trickle: bool = False
    requests: int = 0
    client_auth_seen: list[str] = field(default_factory=list)


def as_app(state: ASState) -> Starlette:
    async def introspect(request: Request) -> Response:
        state.requests += 1
        form = await request.form()
        header = request.headers.get("authorization", "")
        if header.startswith("Basic "):
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
            client = (unquote_plus(user), unquote_plus(password))
            state.client_auth_seen.append("basic")
        else:
            client = (str(form.get("client_id")), str(form.get("client_secret")))
            state.client_auth_seen.append("post")
        if client != (CLIENT_ID, CLIENT_SECRET):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        if state.delay:
            await asyncio.sleep(state.delay)
        if state.trickle:  # every byte on time, the whole answer far too slow

            async def drip() -> AsyncIterator[bytes]:
                for _ in range(40):
                    yield b" "
                    await asyncio.sleep(0.05)
                yield b"{}"

            return StreamingResponse(drip(), media_type="application/json")
        if state.raw_body is not None:
            return Response(state.raw_body, status_code=state.status)
        if state.status != 200:
            return JSONResponse({"error": "server_error"}, status_code=state.status)
        answer = state.answers.get(str(form.get("token")), {"active": False})
        return JSONResponse(answer)

    return Starlette(routes=[Route("/introspect", introspect, methods=["POST"])])


def active(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    answer: dict[str, Any] = {
        "active": True,
        "sub": "carol",
        "client_id": "reporting-app",
        "scope": "docs:read",
        "exp": now + 600,
        "iat": now,
        "iss": ISSUER,
        "aud": [AUDIENCE, "other"],
        "token_type": "Bearer",
    }
    answer |= overrides
    return {k: v for k, v in answer.items() if v is not None}


@pytest.fixture
def state() -> ASState:
    return ASState()


@pytest.fixture
def endpoint(state: ASState, loopback_server: Callable[[Starlette], Any]) -> str:
    return f"{loopback_server(as_app(state)).url}/introspect"


@pytest.fixture
async def make(endpoint: str) -> AsyncIterator[Callable[..., IntrospectionVerifier]]:
    made: list[IntrospectionVerifier] = []

    def factory(**options: Any) -> IntrospectionVerifier:
        options.setdefault("client_id", CLIENT_ID)
        options.setdefault("client_secret", CLIENT_SECRET)
        options.setdefault("audience", AUDIENCE)
        options.setdefault("issuer", ISSUER)
        verifier = IntrospectionVerifier(options.pop("endpoint", endpoint), **options)
        made.append(verifier)
        return verifier

    yield factory
    for verifier in made:
        await verifier.aclose()


async def test_active_token_gives_the_principal(
    state: ASState, make: Callable[..., IntrospectionVerifier], audit: Any
) -> None:
    state.answers["opaque-token-1234567890"] = active(username="carol@example.com")
    verifier = make()
    audit.secrets.append(CLIENT_SECRET)  # checked absent from every log line at teardown
    principal = await audit.accepted(verifier, "opaque-token-1234567890")
    assert principal.subject == "carol"
    assert principal.client_id == "reporting-app"
    assert principal.scopes == {"docs:read"}
    assert principal.auth_method is AuthMethod.OAUTH_INTROSPECTION
    assert principal.issuer == ISSUER
    assert principal.expires_at is not None
    assert dict(principal.claims) == {"username": "carol@example.com", "token_type": "Bearer"}
    assert state.client_auth_seen == ["basic"]


async def test_kept_claims_reach_the_principal(
    state: ASState, make: Callable[..., IntrospectionVerifier]
) -> None:
    state.answers["opaque-token-with-spaces-12"] = active(spaces=["DEMO"], other="x")
    principal = await make(keep_claims=["spaces", "absent"]).verify("opaque-token-with-spaces-12")
    assert principal.claims["spaces"] == ["DEMO"]
    assert "other" not in principal.claims
    assert "absent" not in principal.claims


async def test_client_secret_post(
    state: ASState, make: Callable[..., IntrospectionVerifier]
) -> None:
    state.answers["opaque-token-1234567890"] = active()
    principal = await make(client_auth="post").verify("opaque-token-1234567890")
    assert principal.subject == "carol"
    assert state.client_auth_seen == ["post"]


async def test_battery(
    state: ASState, make: Callable[..., IntrospectionVerifier], audit: Any
) -> None:
    now = int(time.time())
    answers = {
        "tok-inactive-000000000": {"active": False},
        "tok-active-string-000000": {"active": "true", "sub": "x", "exp": now + 60},
        "tok-expired-00000000000": active(exp=now - 120),
        "tok-no-exp-000000000000": active(exp=None),
        "tok-bad-exp-00000000000": active(exp="soon"),
        "tok-huge-exp-0000000000": active(exp=1e308),
        "tok-future-nbf-00000000": active(nbf=now + 3600),
        "tok-bad-nbf-00000000000": active(nbf="later"),
        "tok-wrong-iss-000000000": active(iss="https://evil.example"),
        "tok-no-iss-000000000000": active(iss=None),
        "tok-wrong-aud-000000000": active(aud="https://other.example"),
        "tok-no-aud-000000000000": active(aud=None),
        "tok-aud-not-list-000000": active(aud=7),
        "tok-no-subject-00000000": active(sub=None, client_id=None),
        "tok-bad-scope-000000000": active(scope=["a"]),
    }
    state.answers.update(answers)
    verifier = make()
    audit.secrets.append(CLIENT_SECRET)
    cases = [
        ("", R.MISSING),
        ("has spaces in it", R.MALFORMED),
        ("x" * 20_000, R.MALFORMED),
        ("tok-unknown-00000000000", R.REVOKED),
        ("tok-inactive-000000000", R.REVOKED),
        ("tok-active-string-000000", R.REVOKED),
        ("tok-expired-00000000000", R.EXPIRED),
        ("tok-no-exp-000000000000", R.MALFORMED),
        ("tok-bad-exp-00000000000", R.MALFORMED),
        ("tok-huge-exp-0000000000", R.MALFORMED),
        ("tok-future-nbf-00000000", R.NOT_YET_VALID),
        ("tok-bad-nbf-00000000000", R.NOT_YET_VALID),
        ("tok-wrong-iss-000000000", R.WRONG_ISSUER),
        ("tok-no-iss-000000000000", R.WRONG_ISSUER),
        ("tok-wrong-aud-000000000", R.WRONG_AUDIENCE),
        ("tok-no-aud-000000000000", R.WRONG_AUDIENCE),
        ("tok-aud-not-list-000000", R.WRONG_AUDIENCE),
        ("tok-no-subject-00000000", R.MALFORMED),
        ("tok-bad-scope-000000000", R.MALFORMED),
    ]
    for token, reason in cases:
        error = await audit.refused(verifier, token, reason)
        assert error.method is AuthMethod.OAUTH_INTROSPECTION
    # refusals are never cached: the authorization server was asked every time
    assert state.requests == len(cases) - 3


async def test_optional_checks_can_be_relaxed(
    state: ASState, make: Callable[..., IntrospectionVerifier]
) -> None:
    state.answers["tok-minimal-0000000000"] = {"active": True, "client_id": "svc"}
    principal = await make(audience=None, issuer=None, require_exp=False).verify(
        "tok-minimal-0000000000"
    )
    assert principal.subject == "svc"  # falls back to the client id
    assert principal.expires_at is None
    assert principal.issuer is None


@pytest.mark.parametrize(
    ("status", "raw_body"),
    [
        (500, None),
        (503, None),
        (400, None),
        (200, b"<html>not json</html>"),
        (200, b"[1, 2]"),
        (200, b"\xff\xfe"),
        (200, b'{"active": true, "pad": "' + b"x" * 70_000 + b'"}'),
    ],
)
async def test_upstream_errors_fail_closed(
    status: int,
    raw_body: bytes | None,
    state: ASState,
    make: Callable[..., IntrospectionVerifier],
    audit: Any,
) -> None:
    state.answers["opaque-token-1234567890"] = active()
    state.status, state.raw_body = status, raw_body
    await audit.refused(make(), "opaque-token-1234567890", R.UPSTREAM_UNAVAILABLE)


async def test_wrong_client_credentials_fail_closed(
    state: ASState, make: Callable[..., IntrospectionVerifier], audit: Any
) -> None:
    state.answers["opaque-token-1234567890"] = active()
    audit.secrets.append("wrong-client-secret-value")
    verifier = make(client_secret="wrong-client-secret-value")
    error = await audit.refused(verifier, "opaque-token-1234567890", R.UPSTREAM_UNAVAILABLE)
    assert "401" in error.message


async def test_timeout_fails_closed(
    state: ASState, make: Callable[..., IntrospectionVerifier], audit: Any
) -> None:
    state.answers["opaque-token-1234567890"] = active()
    state.delay = 1.0
    error = await audit.refused(
        make(timeout=0.05), "opaque-token-1234567890", R.UPSTREAM_UNAVAILABLE
    )
    assert "timed out" in error.message


async def test_trickling_server_hits_the_overall_deadline(
    state: ASState, make: Callable[..., IntrospectionVerifier], audit: Any
) -> None:
    state.trickle = True
    error = await audit.refused(
        make(timeout=0.5), "opaque-token-1234567890", R.UPSTREAM_UNAVAILABLE
    )
    assert "timed out" in error.message


async def test_unreachable_server_fails_closed(
    make: Callable[..., IntrospectionVerifier],
    loopback_server: Callable[[Starlette], Any],
    audit: Any,
) -> None:
    server = loopback_server(as_app(ASState()))
    url = f"{server.url}/introspect"
    server.__exit__(None, None, None)
    await audit.refused(make(endpoint=url), "opaque-token-1234567890", R.UPSTREAM_UNAVAILABLE)


async def test_positive_answers_are_cached_by_token_hash(
    state: ASState, make: Callable[..., IntrospectionVerifier]
) -> None:
    state.answers["opaque-token-1234567890"] = active()
    verifier = make()
    for _ in range(3):
        await verifier.verify("opaque-token-1234567890")
    assert state.requests == 1
    assert verifier.request_count == 1
    assert "opaque-token-1234567890" not in repr(verifier._cache)
    # a cached acceptance survives a revocation until the cache entry ends (cache_ttl)...
    state.answers["opaque-token-1234567890"] = {"active": False}
    await verifier.verify("opaque-token-1234567890")
    # ...and clearing it (or cache_ttl=0) asks again
    verifier.clear_cache()
    with pytest.raises(AuthenticationError, match="not active"):
        await verifier.verify("opaque-token-1234567890")
    uncached = make(cache_ttl=0)
    with pytest.raises(AuthenticationError, match="not active"):
        await uncached.verify("opaque-token-1234567890")


async def test_cache_never_outlives_the_token(
    state: ASState, make: Callable[..., IntrospectionVerifier], monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [time.time()]  # the verifier's wall clock, moved by hand instead of sleeping
    monkeypatch.setattr(introspection_module, "time", SimpleNamespace(time=lambda: clock[0]))
    exp = int(clock[0]) + 2
    state.answers["opaque-token-1234567890"] = active(exp=exp)
    verifier = make(cache_ttl=3600, leeway=0)
    await verifier.verify("opaque-token-1234567890")
    clock[0] = exp + 0.05  # the token has expired; the cache entry's own hour has not
    with pytest.raises(AuthenticationError, match="expired"):
        await verifier.verify("opaque-token-1234567890")
    assert state.requests == 2  # asked again: the cached entry ended with the token


async def test_cache_is_bounded(state: ASState, make: Callable[..., IntrospectionVerifier]) -> None:
    tokens = [f"opaque-token-number-{i:04d}" for i in range(3)]
    for token in tokens:
        state.answers[token] = active()
    verifier = make(cache_max_size=2)
    for token in tokens:
        await verifier.verify(token)
    assert len(verifier._cache) == 2
    await verifier.verify(tokens[2])  # most recent: cached
    assert state.requests == 3
    await verifier.verify(tokens[0])  # evicted: asked again
    assert state.requests == 4
    no_cache = make(cache_max_size=0)
    await no_cache.verify(tokens[0])
    await no_cache.verify(tokens[0])
    assert state.requests == 6


async def test_injected_http_client_is_not_closed(state: ASState, endpoint: str) -> None:
    state.answers["opaque-token-1234567890"] = active()
    async with httpx.AsyncClient() as client:
        async with IntrospectionVerifier(
            endpoint,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            audience=AUDIENCE,
            http_client=client,
        ) as verifier:
            assert (await verifier.verify("opaque-token-1234567890")).subject == "carol"
        assert not client.is_closed


def test_recognizes_any_printable_token_and_redacts_its_secret() -> None:
    verifier = IntrospectionVerifier(
        "https://as.example/introspect", client_id="c", client_secret=CLIENT_SECRET
    )
    assert verifier.recognizes("abc.def-ghi_jkl~")
    assert not verifier.recognizes("")
    assert not verifier.recognizes("two words")
    assert not verifier.recognizes("bell\x07")
    assert CLIENT_SECRET not in repr(verifier)
    assert verifier.method is AuthMethod.OAUTH_INTROSPECTION


@pytest.mark.parametrize(
    ("endpoint", "options", "message"),
    [
        ("http://as.example/introspect", {}, "https"),
        ("not a url at all", {}, "URL"),
        ("https://as.example/introspect", {"client_secret": ""}, "client_secret"),
        ("https://as.example/introspect", {"client_auth": "jwt"}, "client_auth"),
        ("https://as.example/introspect", {"timeout": 0}, "timeout"),
        ("https://as.example/introspect", {"cache_max_size": -1}, "cache_max_size"),
    ],
)
def test_configuration_errors(endpoint: str, options: dict[str, Any], message: str) -> None:
    options = {"client_id": "c", "client_secret": "s"} | options
    with pytest.raises(AuthConfigurationError, match=message):
        IntrospectionVerifier(endpoint, **options)


def test_config_warnings() -> None:
    sink = MemorySink()
    with AuditLogger([sink], background=False) as audit:
        IntrospectionVerifier(
            "http://localhost:1/introspect", client_id="c", client_secret="s", audit=audit
        )
    assert [e.setting for e in sink.events] == [
        "introspection.endpoint",
        "introspection.audience",
    ]
