"""Shared fixtures of the mcp-auth core tests: keys, token minting, loopback HTTP servers,
and an audit capture that checks no credential reaches any log line."""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import jwt
import pytest
import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePrivateKey
from starlette.applications import Starlette

from mcp_auth import (
    AuditedVerifier,
    AuditEvent,
    AuditLogger,
    AuthenticationError,
    LoggingSink,
    MemorySink,
    Principal,
    RefusalReason,
    TokenVerifier,
)

ISSUER = "https://issuer.example"
AUDIENCE = "https://mcp.example/mcp"


class LoopbackServer:
    """Runs an ASGI app with uvicorn on 127.0.0.1:<free port> in a thread."""

    def __init__(self, app: Starlette) -> None:
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=0,
            log_config=None,  # leave the test's logging (caplog) alone
            access_log=False,
            lifespan="off",
            # No WebSockets here; "auto" would import the websockets package, whose legacy
            # module warns (an error in these tests) under older uvicorn releases.
            ws="none",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self.url = ""

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("loopback server did not start")
            time.sleep(0.01)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=20)


@pytest.fixture
def loopback_server() -> Iterator[Callable[[Starlette], LoopbackServer]]:
    """Start servers with `loopback_server(app)`; all are stopped at teardown."""
    started: list[LoopbackServer] = []

    def start(app: Starlette) -> LoopbackServer:
        server = LoopbackServer(app).__enter__()
        started.append(server)
        return server

    yield start
    for server in reversed(started):
        server.__exit__(None, None, None)


@dataclass
class SigningKeys:
    rsa_a: rsa.RSAPrivateKey
    rsa_b: rsa.RSAPrivateKey
    ec: EllipticCurvePrivateKey  # the field's name hides the module in the class body

    @staticmethod
    def public_pem(key: rsa.RSAPrivateKey | EllipticCurvePrivateKey) -> bytes:
        return key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    @staticmethod
    def jwk(
        key: rsa.RSAPrivateKey | EllipticCurvePrivateKey, kid: str, alg: str | None = None
    ) -> dict[str, Any]:
        if isinstance(key, rsa.RSAPrivateKey):
            data = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
        else:
            data = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
        data |= {"kid": kid, "use": "sig"}
        if alg:
            data["alg"] = alg
        return dict(data)


@pytest.fixture(scope="session")
def keys() -> SigningKeys:
    return SigningKeys(
        rsa_a=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        rsa_b=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        ec=ec.generate_private_key(ec.SECP256R1()),
    )


def claims(**overrides: Any) -> dict[str, Any]:
    """Valid access-token claims; override or drop (value None) any of them."""
    now = int(time.time())
    base: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "alice",
        "iat": now,
        "exp": now + 300,
        "scope": "docs:read docs:write",
        "client_id": "cli-app",
    }
    base |= overrides
    return {k: v for k, v in base.items() if v is not None}


def mint(key: Any, *, kid: str | None = "key-a", alg: str = "RS256", **overrides: Any) -> str:
    headers = {"kid": kid} if kid else {}
    return jwt.encode(claims(**overrides), key, algorithm=alg, headers=headers)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class Tokens:
    """What the JWT tests need, as a fixture (importlib mode cannot import conftest)."""

    issuer = ISSUER
    audience = AUDIENCE
    claims = staticmethod(claims)
    mint = staticmethod(mint)
    b64url = staticmethod(b64url)

    def __init__(self, keys: SigningKeys) -> None:
        self.keys = keys

    def unsigned(self, header: dict[str, Any], payload: dict[str, Any], signature: bytes) -> str:
        """A compact JWS assembled by hand (for `alg: none` and key-confusion tokens)."""
        head = b64url(json.dumps(header).encode())
        body = b64url(json.dumps(payload).encode())
        return f"{head}.{body}.{b64url(signature)}"


@pytest.fixture
def tokens(keys: SigningKeys) -> Tokens:
    return Tokens(keys)


@dataclass
class AuditCapture:
    """An audit logger writing synchronously to memory and to Python logging."""

    sink: MemorySink
    logger: AuditLogger
    secrets: list[str] = field(default_factory=list)

    def events(self) -> list[AuditEvent]:
        return self.sink.events

    async def refused(
        self, verifier: TokenVerifier, token: str, reason: RefusalReason
    ) -> AuthenticationError:
        """Verify through an `AuditedVerifier`; assert the refusal, its reason and exactly
        one matching `auth.failure` event."""
        if len(token) >= 16:  # short garbage may legitimately appear in other text
            self.secrets.append(token)
        self.sink.clear()
        with pytest.raises(AuthenticationError) as caught:
            await AuditedVerifier(verifier, self.logger).verify(token)
        assert caught.value.reason is reason, caught.value.message
        (event,) = self.sink.events
        assert event.event == "auth.failure"
        assert event.reason is reason
        assert event.auth_method is caught.value.method
        assert event.credential_id == caught.value.credential_id
        return caught.value

    async def accepted(self, verifier: TokenVerifier, token: str) -> Principal:
        """Verify through an `AuditedVerifier`; assert exactly one `auth.success` event."""
        self.secrets.append(token)
        self.sink.clear()
        principal = await AuditedVerifier(verifier, self.logger).verify(token)
        (event,) = self.sink.events
        assert event.event == "auth.success"
        assert event.subject == principal.subject
        return principal


@pytest.fixture
def audit(caplog: pytest.LogCaptureFixture) -> Iterator[AuditCapture]:
    """Audit capture; at teardown no token or secret it saw may appear in any log line."""
    caplog.set_level(logging.DEBUG)
    sink = MemorySink()
    logger = AuditLogger([sink, LoggingSink()], background=False)
    capture = AuditCapture(sink=sink, logger=logger)
    yield capture
    logger.close()
    everything = "\n".join([*sink.lines, caplog.text, *(r.getMessage() for r in caplog.records)])
    for secret in capture.secrets:
        assert secret not in everything
        # a secret's distinctive tail must not leak either (e.g. a JWT signature)
        assert secret[-16:] not in everything
