"""The core's real verifiers (API keys from a key file, RS256 JWTs, a chain of both)
protecting a FastMCP server over HTTP, with the audit trail they leave."""

import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastmcp import FastMCP
from fastmcp.utilities.tests import ASGIServer, asgi_server
from mcp import MCPError

from mcp_auth import APIKeyVerifier, ChainVerifier, JWTVerifier, create_api_key, revoke_api_key

ISSUER = "https://as.example"
RESOURCE = "http://127.0.0.1/mcp"


@dataclass
class Credentials:
    reader_key: str
    reader_key_id: str
    revoked_key: str
    private_pem: bytes

    def jwt(self, **overrides: Any) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": RESOURCE,
            "sub": "user-42",
            "azp": "desktop-client",
            "scope": "pages:read pages:write",
            "iat": now,
            "exp": now + 300,
            "email": "ada@example.com",
        }
        claims.update(overrides)
        return jwt.encode(claims, self.private_pem, algorithm="RS256", headers={"kid": "k1"})


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def credentials(tmp_path: Path, rsa_key: rsa.RSAPrivateKey) -> Credentials:
    keys = tmp_path / "keys.toml"
    reader = create_api_key(keys, "ci-reader", ["pages:read"])
    revoked = create_api_key(keys, "old-bot", ["pages:read", "pages:write"])
    revoke_api_key(keys, "old-bot")
    return Credentials(
        reader_key=reader.key,
        reader_key_id=reader.record.id,
        revoked_key=revoked.key,
        private_pem=rsa_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


@pytest.fixture
async def served(
    protected: Callable[..., FastMCP],
    audit: Any,
    tmp_path: Path,
    rsa_key: rsa.RSAPrivateKey,
    credentials: Credentials,
) -> AsyncIterator[ASGIServer]:
    public_pem = rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    chain = ChainVerifier(
        [
            APIKeyVerifier(tmp_path / "keys.toml"),
            JWTVerifier(issuer=ISSUER, audience=RESOURCE, public_key=public_pem),
        ]
    )
    mcp = protected(chain, authorization_servers=[ISSUER])
    async with asgi_server(mcp) as server:
        yield server
    for line in audit.sink.lines:
        assert credentials.reader_key not in line
        assert credentials.revoked_key not in line
        assert credentials.reader_key.rsplit("_", 1)[1] not in line


async def test_api_key_reader_reads_and_is_refused_writing(
    served: ASGIServer, credentials: Credentials, audit: Any
) -> None:
    async with served.client(auth=credentials.reader_key) as client:
        who = await client.call_tool("whoami", {})
        with pytest.raises(MCPError, match="missing pages:write"):
            await client.call_tool("write_page", {"page_id": "1", "body": "x"})
    assert who.structured_content == {
        "subject": "ci-reader",
        "client_id": credentials.reader_key_id,
        "scopes": ["pages:read"],
        "method": "api_key",
    }
    success = audit.named("auth.success")[0]
    assert success["credential_id"] == credentials.reader_key_id
    assert success["auth_method"] == "api_key"
    [denied] = audit.named("authz.denied")
    assert denied["subject"] == "ci-reader"


async def test_jwt_user_writes(served: ASGIServer, credentials: Credentials, audit: Any) -> None:
    token = credentials.jwt()
    async with served.client(auth=token) as client:
        written = await client.call_tool("write_page", {"page_id": "9", "body": "hello"})
        who = await client.call_tool("whoami", {})
    assert written.data == "wrote 5 characters to 9"
    assert who.structured_content == {
        "subject": "user-42",
        "client_id": "desktop-client",
        "scopes": ["pages:read", "pages:write"],
        "method": "jwt",
    }
    assert {e["issuer"] for e in audit.named("auth.success")} == {ISSUER}
    assert all(token not in line for line in audit.sink.lines)


@pytest.mark.parametrize(
    ("forge", "reason"),
    [
        (lambda c: c.jwt(exp=int(time.time()) - 3600), "expired"),
        (lambda c: c.jwt(nbf=int(time.time()) + 3600), "not_yet_valid"),
        (lambda c: c.jwt(aud="https://other.example/mcp"), "wrong_audience"),
        (lambda c: c.jwt(iss="https://evil.example"), "wrong_issuer"),
        (
            lambda c: jwt.encode({"iss": ISSUER, "aud": RESOURCE, "sub": "x"}, None, "none"),
            "bad_signature",  # alg "none" is never allowed
        ),
        (lambda c: c.revoked_key, "revoked"),
        (lambda c: c.reader_key[:-4] + "AAAA", "bad_signature"),
    ],
)
async def test_refused_credentials_get_401_and_their_reason_in_the_audit_log(
    served: ASGIServer, credentials: Credentials, audit: Any, kit: Any, forge: Any, reason: str
) -> None:
    token = forge(credentials)
    async with served.http_client() as http:
        response = await http.post("/mcp", json={}, headers=kit.bearer(token))
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    [failure] = audit.events
    assert failure["event"] == "auth.failure"
    assert failure["reason"] == reason
    assert token not in "".join(audit.sink.lines)
