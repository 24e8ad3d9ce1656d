"""ChainVerifier: routing by shape, one principal shape, fail-closed refusals, one audit event."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mcp_auth import (
    APIKeyVerifier,
    AuditedVerifier,
    AuthConfigurationError,
    AuthenticationError,
    AuthMethod,
    ChainVerifier,
    IntrospectionVerifier,
    JWTVerifier,
    Principal,
    RefusalReason,
    create_api_key,
)

R = RefusalReason


class Introspection:
    """A loopback authorization server that counts what it is asked."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.status = 200

    def app(self) -> Starlette:
        async def introspect(request: Request) -> Response:
            form = await request.form()
            self.asked.append(str(form.get("token")))
            if self.status != 200:
                return Response(status_code=self.status)
            if form.get("token") == "opaque-good-token-000":
                now = int(time.time())
                return JSONResponse(
                    {"active": True, "sub": "svc", "client_id": "svc-app", "exp": now + 60}
                )
            return JSONResponse({"active": False})

        return Starlette(routes=[Route("/introspect", introspect, methods=["POST"])])


@pytest.fixture
async def setup(
    tmp_path: Path, tokens: Any, loopback_server: Callable[[Starlette], Any]
) -> AsyncIterator[SimpleNamespace]:
    fake_as = Introspection()
    server = loopback_server(fake_as.app())
    key = create_api_key(tmp_path / "keys.json", "ci-bot", ["docs:read"])
    people = JWTVerifier(
        issuer=tokens.issuer,
        audience=tokens.audience,
        public_key=tokens.keys.public_pem(tokens.keys.rsa_a),
    )
    partners = JWTVerifier(
        issuer="https://partner.example",
        audience=tokens.audience,
        public_key=tokens.keys.public_pem(tokens.keys.rsa_b),
    )
    introspection = IntrospectionVerifier(
        f"{server.url}/introspect", client_id="c", client_secret="s", require_exp=True
    )
    chain = ChainVerifier([APIKeyVerifier(tmp_path / "keys.json"), people, partners, introspection])

    s = SimpleNamespace(
        fake_as=fake_as, key=key.key, key_id=key.record.id, chain=chain, introspection=introspection
    )
    yield s
    await introspection.aclose()


async def test_each_token_kind_reaches_its_verifier(setup: Any, tokens: Any, audit: Any) -> None:
    chain = setup.chain
    by_key = await audit.accepted(chain, setup.key)
    by_person = await audit.accepted(chain, tokens.mint(tokens.keys.rsa_a))
    by_partner = await audit.accepted(
        chain, tokens.mint(tokens.keys.rsa_b, iss="https://partner.example", sub="pat")
    )
    by_service = await audit.accepted(chain, "opaque-good-token-000")
    assert [p.auth_method for p in (by_key, by_person, by_partner, by_service)] == [
        AuthMethod.API_KEY,
        AuthMethod.JWT,
        AuthMethod.JWT,
        AuthMethod.OAUTH_INTROSPECTION,
    ]
    # one principal shape: plain-string client ids, never a serialised structure
    assert [p.client_id for p in (by_key, by_person, by_partner, by_service)] == [
        setup.key_id,
        "cli-app",
        "cli-app",
        "svc-app",
    ]
    for principal in (by_key, by_person, by_partner, by_service):
        assert isinstance(principal, Principal)
    assert by_partner.issuer == "https://partner.example"
    # JWTs and API keys are never sent to the authorization server
    assert setup.fake_as.asked == ["opaque-good-token-000"]


async def test_refusals_keep_the_judging_verifiers_reason(
    setup: Any, tokens: Any, audit: Any
) -> None:
    chain = setup.chain
    now = int(time.time())
    cases = [
        ("", R.MISSING, None),
        ("two words", R.MALFORMED, None),
        (tokens.mint(tokens.keys.rsa_a, exp=now - 600), R.EXPIRED, AuthMethod.JWT),
        (
            tokens.mint(tokens.keys.rsa_a, iss="https://evil.example"),
            R.WRONG_ISSUER,
            AuthMethod.JWT,
        ),
        (
            tokens.mint(tokens.keys.rsa_b, iss="https://partner.example", aud="x"),
            R.WRONG_AUDIENCE,
            AuthMethod.JWT,
        ),
        (
            setup.key[:-1] + ("A" if setup.key[-1] != "A" else "B"),
            R.BAD_SIGNATURE,
            AuthMethod.API_KEY,
        ),
        ("opaque-bad-token-000", R.REVOKED, AuthMethod.OAUTH_INTROSPECTION),
    ]
    for token, reason, method in cases:
        error = await audit.refused(chain, token, reason)
        assert error.method is method
    assert setup.fake_as.asked == ["opaque-bad-token-000"]


async def test_upstream_unavailable_wins_over_other_refusals(tmp_path: Path) -> None:
    class Down:
        method = AuthMethod.OAUTH_INTROSPECTION

        def recognizes(self, token: str) -> bool:
            return True

        async def verify(self, token: str) -> Principal:
            raise AuthenticationError(R.UPSTREAM_UNAVAILABLE)

    class Refuses:
        method = AuthMethod.OAUTH_INTROSPECTION

        def recognizes(self, token: str) -> bool:
            return True

        async def verify(self, token: str) -> Principal:
            raise AuthenticationError(R.REVOKED)

    with pytest.raises(AuthenticationError) as caught:
        await ChainVerifier([Refuses(), Down()]).verify("opaque")
    assert caught.value.reason is R.UPSTREAM_UNAVAILABLE
    assert caught.value.method is AuthMethod.OAUTH_INTROSPECTION  # filled in by the chain
    with pytest.raises(AuthenticationError) as caught:
        await ChainVerifier([Refuses()]).verify("opaque")
    assert caught.value.reason is R.REVOKED


async def test_jwt_verifiers_are_tried_issuer_first(setup: Any, tokens: Any) -> None:
    partner_token = tokens.mint(tokens.keys.rsa_b, iss="https://partner.example")
    candidates = setup.chain.candidates(partner_token)
    assert [getattr(c, "issuers", None) for c in candidates] == [
        ("https://partner.example",),
        (tokens.issuer,),
    ]
    assert setup.chain.recognizes(partner_token)


async def test_without_a_catch_all_unknown_shapes_are_malformed(
    tmp_path: Path, tokens: Any, audit: Any
) -> None:
    create_api_key(tmp_path / "k.json", "x")
    chain = ChainVerifier([APIKeyVerifier(tmp_path / "k.json")])
    assert not chain.recognizes("opaque-token-value")
    await audit.refused(chain, "opaque-token-value", R.MALFORMED)
    assert chain.method is AuthMethod.API_KEY
    assert "APIKeyVerifier" in repr(chain)
    # an audited chain is itself a TokenVerifier and still routes
    audited = AuditedVerifier(chain, audit.logger)
    assert audited.method is AuthMethod.API_KEY
    assert not audited.recognizes("opaque-token-value")
    assert "ChainVerifier" in repr(audited)


def test_empty_chain_is_a_configuration_error() -> None:
    with pytest.raises(AuthConfigurationError):
        ChainVerifier([])
