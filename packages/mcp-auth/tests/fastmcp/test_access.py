from datetime import datetime, timedelta, timezone

import pytest
from fastmcp.server.auth import AccessToken
from mcp.server.auth.provider import principal_components

from mcp_auth import AuthMethod, Principal
from mcp_auth.fastmcp import (
    PRINCIPAL_CLAIM,
    access_token_from_principal,
    current_principal,
    principal_from_access_token,
)

EXPIRY = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
ALICE = Principal(
    subject="alice",
    auth_method=AuthMethod.JWT,
    scopes=frozenset({"b", "a"}),
    client_id="cli",
    issuer="https://as.example",
    expires_at=EXPIRY,
    claims={"tenant": "acme", "spaces": ["DEMO"]},
)


def test_access_token_carries_fastmcp_fields_and_the_principal() -> None:
    token = access_token_from_principal(ALICE, "secret-token")
    assert token.client_id == "cli"
    assert token.scopes == ["a", "b"]
    assert token.expires_at == int(EXPIRY.timestamp())
    assert token.subject == "alice"
    assert token.claims["iss"] == "https://as.example"
    assert token.claims["sub"] == "alice"
    assert token.claims["tenant"] == "acme"
    # FastMCP binds sessions to (client_id, issuer, subject): all three must be ours.
    assert principal_components(token) == ("cli", "https://as.example", "alice")
    assert principal_from_access_token(token) == ALICE


def test_principal_survives_json_serialisation_of_the_token() -> None:
    token = access_token_from_principal(ALICE, "secret-token")
    restored = AccessToken.model_validate_json(token.model_dump_json())
    assert principal_from_access_token(restored) == ALICE


def test_client_id_falls_back_to_subject_and_is_never_structured() -> None:
    bot = Principal(subject="ci-bot", auth_method=AuthMethod.API_KEY)
    token = access_token_from_principal(bot, "k")
    assert token.client_id == "ci-bot"
    assert token.expires_at is None
    assert "iss" not in token.claims
    restored = principal_from_access_token(token)
    assert restored == bot


def test_naive_expiry_is_taken_as_utc() -> None:
    naive = datetime(2030, 1, 1, 0, 0, 0)
    principal = Principal(subject="s", auth_method=AuthMethod.JWT, expires_at=naive)
    token = access_token_from_principal(principal, "t")
    assert token.expires_at == int(naive.replace(tzinfo=timezone.utc).timestamp())


@pytest.mark.parametrize(
    "claims",
    [
        None,
        {},
        {PRINCIPAL_CLAIM: "not a mapping"},
        {PRINCIPAL_CLAIM: {"auth_method": "jwt"}},
        {PRINCIPAL_CLAIM: {"subject": "s", "auth_method": "smoke-signals"}},
        {PRINCIPAL_CLAIM: {"subject": 5, "auth_method": "jwt"}},
        {PRINCIPAL_CLAIM: {"subject": "s", "auth_method": "jwt", "claims": []}},
        {PRINCIPAL_CLAIM: {"subject": "s", "auth_method": "jwt", "client_id": 7}},
        {PRINCIPAL_CLAIM: {"subject": "s", "auth_method": "jwt", "expires_at": "soon"}},
    ],
)
def test_foreign_or_malformed_tokens_carry_no_principal(claims: dict[str, object] | None) -> None:
    token = AccessToken(token="t", client_id="c", scopes=["x"], claims=claims or {})
    assert principal_from_access_token(token) is None


def test_none_token_and_no_request_give_no_principal() -> None:
    assert principal_from_access_token(None) is None
    assert current_principal() is None


def test_expiry_round_trips_with_offset() -> None:
    moment = datetime(2030, 5, 6, 7, 8, 9, tzinfo=timezone.utc) + timedelta(microseconds=5)
    principal = Principal(
        subject="s", auth_method=AuthMethod.OAUTH_INTROSPECTION, expires_at=moment
    )
    restored = principal_from_access_token(access_token_from_principal(principal, "t"))
    assert restored is not None
    assert restored.expires_at == moment
