"""Shared pieces for the FastMCP integration tests: a protocol-level test verifier, a small
FastMCP server with tagged tools, a scope policy and a synchronous in-memory audit log."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest

if sys.version_info < (3, 11):
    # Only the core supports 3.10; the `fastmcp` extra (FastMCP 4) needs 3.11+. On 3.11+ a
    # missing fastmcp stays an import error, not a skip.
    pytest.skip("mcp-auth[fastmcp] needs Python 3.11+ (FastMCP 4)", allow_module_level=True)

from fastmcp import FastMCP
from fastmcp.exceptions import ToolError

from mcp_auth import (
    AuditLogger,
    AuthenticationError,
    AuthMethod,
    MemorySink,
    Principal,
    RefusalReason,
    ScopePolicy,
)
from mcp_auth.fastmcp import current_principal, protect

READER_TOKEN = "tok-reader-0123456789abcdef"
WRITER_TOKEN = "tok-writer-0123456789abcdef"
ADMIN_TOKEN = "tok-admin-0123456789abcdef"
NOSCOPE_TOKEN = "tok-noscope-0123456789abcdef"
EXPIRED_TOKEN = "tok-expired-0123456789abcdef"
DOWN_TOKEN = "tok-down-0123456789abcdef"
BROKEN_TOKEN = "tok-broken-0123456789abcdef"
MCP_HEADERS = {
    "accept": "application/json, text/event-stream",
    "content-type": "application/json",
    "mcp-protocol-version": "2025-11-25",
}
ALL_TOKENS = (
    READER_TOKEN,
    WRITER_TOKEN,
    ADMIN_TOKEN,
    NOSCOPE_TOKEN,
    EXPIRED_TOKEN,
    DOWN_TOKEN,
    BROKEN_TOKEN,
)

READER = Principal(
    subject="reader",
    auth_method=AuthMethod.API_KEY,
    scopes=frozenset({"pages:read"}),
    client_id="ci-bot",
    claims={"key_id": "k-reader"},
)
WRITER = Principal(
    subject="writer",
    auth_method=AuthMethod.JWT,
    scopes=frozenset({"pages:read", "pages:write"}),
    client_id="editor-app",
    issuer="https://as.example",
)
ADMIN = Principal(
    subject="admin",
    auth_method=AuthMethod.JWT,
    scopes=frozenset({"pages:read", "pages:write", "admin"}),
    issuer="https://as.example",
)

NOSCOPE = Principal(subject="nobody", auth_method=AuthMethod.API_KEY)


class StaticVerifier:
    """Implements the `mcp_auth.TokenVerifier` protocol from a fixed table (no I/O)."""

    method = AuthMethod.API_KEY

    def __init__(self) -> None:
        self.principals = {
            READER_TOKEN: READER,
            WRITER_TOKEN: WRITER,
            ADMIN_TOKEN: ADMIN,
            NOSCOPE_TOKEN: NOSCOPE,
        }
        self.calls = 0

    def recognizes(self, token: str) -> bool:
        return token.startswith("tok-")

    async def verify(self, token: str) -> Principal:
        self.calls += 1
        if token in self.principals:
            return self.principals[token]
        if token == EXPIRED_TOKEN:
            raise AuthenticationError(RefusalReason.EXPIRED, method=self.method)
        if token == DOWN_TOKEN:
            raise AuthenticationError(RefusalReason.UPSTREAM_UNAVAILABLE, method=self.method)
        if token == BROKEN_TOKEN:
            # A verifier bug that leaks the token into its message: must never be logged.
            raise RuntimeError(f"cannot parse {token}")
        raise AuthenticationError(RefusalReason.MALFORMED, method=self.method)


def make_policy() -> ScopePolicy:
    return ScopePolicy(
        operations={"admin_*": "admin"},
        tags={"read": "pages:read", "write": "pages:write"},
        implies={"admin": ["pages:read", "pages:write"]},
    )


def make_server() -> FastMCP:
    mcp = FastMCP("auth-test")

    @mcp.tool(tags={"read"})
    def read_page(page_id: str) -> str:
        """Read a page."""
        return f"page {page_id}"

    @mcp.tool(tags={"write"})
    def write_page(page_id: str, body: str) -> str:
        """Write a page."""
        return f"wrote {len(body)} characters to {page_id}"

    @mcp.tool(tags={"read"})
    def whoami() -> dict[str, Any]:
        """The authenticated caller."""
        principal = current_principal()
        if principal is None:
            return {"subject": None}
        return {
            "subject": principal.subject,
            "client_id": principal.client_id,
            "scopes": sorted(principal.scopes),
            "method": principal.auth_method.value,
        }

    @mcp.tool(tags={"read"})
    def failing(reason: str) -> str:
        """Always fails."""
        raise ToolError(f"failed: {reason}")

    @mcp.tool
    def admin_purge(space: str) -> str:
        """Admin only (by name pattern)."""
        return f"purged {space}"

    @mcp.prompt(tags={"read"})
    def summarize(page_id: str) -> str:
        """Summarise a page."""
        return f"Summarise page {page_id}."

    @mcp.prompt(tags={"write"})
    def rewrite(page_id: str) -> str:
        """Rewrite a page."""
        return f"Rewrite page {page_id}."

    @mcp.resource("pages://index", tags={"read"})
    def page_index() -> str:
        """Every page id."""
        return "1,2,3"

    @mcp.resource("pages://{page_id}/draft", tags={"write"})
    def draft(page_id: str) -> str:
        """A page's unpublished draft."""
        return f"draft of {page_id}"

    @mcp.custom_route("/healthz", methods=["GET"])
    async def healthz(request: Any) -> Any:
        from starlette.responses import PlainTextResponse

        return PlainTextResponse("ok")

    return mcp


class AuditCapture:
    """A synchronous audit logger with an in-memory sink and helpers for assertions."""

    def __init__(self) -> None:
        self.sink = MemorySink()
        self.logger = AuditLogger([self.sink], background=False)

    @property
    def events(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.sink.lines]

    def named(self, name: str) -> list[dict[str, Any]]:
        return [event for event in self.events if event["event"] == name]

    def assert_no_secrets(self) -> None:
        for line in self.sink.lines:
            for token in ALL_TOKENS:
                assert token not in line


class Kit:
    """What the tests share, reached through the `kit` fixture (test modules cannot import
    this conftest under --import-mode=importlib)."""

    READER_TOKEN = READER_TOKEN
    WRITER_TOKEN = WRITER_TOKEN
    ADMIN_TOKEN = ADMIN_TOKEN
    NOSCOPE_TOKEN = NOSCOPE_TOKEN
    EXPIRED_TOKEN = EXPIRED_TOKEN
    DOWN_TOKEN = DOWN_TOKEN
    BROKEN_TOKEN = BROKEN_TOKEN
    READER = READER
    WRITER = WRITER
    ADMIN = ADMIN
    NOSCOPE = NOSCOPE
    MCP_HEADERS = MCP_HEADERS

    make_server = staticmethod(make_server)
    make_policy = staticmethod(make_policy)
    StaticVerifier = StaticVerifier
    AuditCapture = AuditCapture

    @staticmethod
    def bearer(token: str) -> dict[str, str]:
        return {"authorization": f"Bearer {token}"}

    @staticmethod
    def tool_call(name: str, arguments: dict[str, Any], request_id: int = 1) -> dict[str, Any]:
        return {
            "jsonrpc": "2.0",
            "id": request_id,
            "method": "tools/call",
            "params": {"name": name, "arguments": arguments},
        }


@pytest.fixture
def kit() -> type[Kit]:
    return Kit


@pytest.fixture
def audit() -> Iterator[AuditCapture]:
    capture = AuditCapture()
    yield capture
    capture.assert_no_secrets()
    capture.logger.close()


@pytest.fixture
def verifier() -> StaticVerifier:
    return StaticVerifier()


@pytest.fixture
def protected(verifier: StaticVerifier, audit: AuditCapture) -> Callable[..., FastMCP]:
    """Makes the test server, protected with the test policy and audit log; keyword arguments
    go to ``protect`` (``token_verifier`` replaces the test verifier)."""

    def make(token_verifier: Any = None, **options: Any) -> FastMCP:
        mcp = make_server()
        protect(
            mcp,
            token_verifier or verifier,
            base_url="http://127.0.0.1",
            policy=make_policy(),
            audit=audit.logger,
            **options,
        )
        return mcp

    return make
