import logging
from typing import Any

import pytest
from fastmcp.server.auth import TokenVerificationError

from mcp_auth import AuthMethod, RefusalReason
from mcp_auth.fastmcp import FastMCPVerifier, principal_from_access_token


async def test_accepted_token_becomes_an_access_token_and_is_audited(
    kit: Any, verifier: Any, audit: Any
) -> None:
    adapter = FastMCPVerifier(verifier, audit=audit.logger)
    token = await adapter.verify_token(kit.READER_TOKEN)
    assert token is not None
    assert token.client_id == "ci-bot"
    assert token.scopes == ["pages:read"]
    assert principal_from_access_token(token) == kit.READER
    [event] = audit.events
    assert event["event"] == "auth.success"
    assert event["subject"] == "reader"
    assert event["auth_method"] == "api_key"
    assert event["credential_id"] == "k-reader"


@pytest.mark.parametrize(
    ("name", "reason"),
    [("EXPIRED_TOKEN", "expired"), ("ALL_WRONG", "malformed")],
)
async def test_refused_token_is_none_with_one_failure_event(
    kit: Any, verifier: Any, audit: Any, name: str, reason: str
) -> None:
    adapter = FastMCPVerifier(verifier, audit=audit.logger)
    token = getattr(kit, name, "tok-unknown-garbage")
    assert await adapter.verify_token(token) is None
    [event] = audit.events
    assert event["event"] == "auth.failure"
    assert event["reason"] == reason
    assert event["auth_method"] == "api_key"


async def test_unreachable_upstream_fails_closed_with_verification_error(
    kit: Any, verifier: Any, audit: Any
) -> None:
    adapter = FastMCPVerifier(verifier, audit=audit.logger)
    with pytest.raises(TokenVerificationError):
        await adapter.verify_token(kit.DOWN_TOKEN)
    [event] = audit.events
    assert event["reason"] == RefusalReason.UPSTREAM_UNAVAILABLE.value


async def test_verifier_bug_fails_closed_without_leaking_the_token(
    kit: Any, verifier: Any, audit: Any, caplog: pytest.LogCaptureFixture
) -> None:
    adapter = FastMCPVerifier(verifier, audit=audit.logger)
    with caplog.at_level(logging.DEBUG), pytest.raises(TokenVerificationError) as raised:
        await adapter.verify_token(kit.BROKEN_TOKEN)
    assert kit.BROKEN_TOKEN not in str(raised.value)
    assert raised.value.__cause__ is None
    assert raised.value.__suppress_context__
    assert kit.BROKEN_TOKEN not in caplog.text
    assert "RuntimeError" in caplog.text
    [event] = audit.events
    assert event["reason"] == "upstream_unavailable"
    assert event["detail"] == "verifier raised RuntimeError"


async def test_without_audit_nothing_is_logged_and_verification_still_works(
    kit: Any, verifier: Any
) -> None:
    adapter = FastMCPVerifier(verifier, required_scopes=["pages:read"])
    assert adapter.required_scopes == ["pages:read"]
    writer = await adapter.verify_token(kit.WRITER_TOKEN)
    assert writer is not None
    assert principal_from_access_token(writer) == kit.WRITER
    assert await adapter.verify_token("tok-nope") is None
    with pytest.raises(TokenVerificationError):
        await adapter.verify_token(kit.BROKEN_TOKEN)
    assert verifier.calls == 3
    assert verifier.method is AuthMethod.API_KEY
    assert "FastMCPVerifier(" in repr(adapter)
