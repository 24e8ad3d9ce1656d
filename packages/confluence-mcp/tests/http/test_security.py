"""SecurityMiddleware and OriginPolicy: query tokens, Host, Origin, security headers."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from confluence_mcp.http.security import OriginPolicy, SecurityMiddleware, normalize_origin
from mcp_auth import AuditLogger, MemorySink, create_api_key

JWT_LIKE = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXZhbHVl"

ANY_HOST = "0.0.0.0"  # noqa: S104 - the wildcard bind these tests are about


async def ok(_request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok", headers={"cache-control": "max-age=60"})


def app_with(policy: OriginPolicy, audit: AuditLogger, *, hsts: bool = False) -> Starlette:
    return Starlette(
        routes=[Route("/mcp", ok, methods=["GET", "POST"]), Route("/healthz", ok)],
        middleware=[
            Middleware(
                SecurityMiddleware,
                policy=policy,
                audit=audit,
                hsts=hsts,
                host_exempt_paths=frozenset({"/healthz"}),
            )
        ],
    )


def client_for(app: Starlette, host: str = "127.0.0.1:8000") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{host}")


@pytest.mark.parametrize(
    ("origin", "expected"),
    [
        ("https://App.Example.com/", "https://app.example.com:443"),
        ("http://localhost", "http://localhost:80"),
        ("http://[::1]:3000", "http://[::1]:3000"),
        ("null", "null"),
        ("http://host:notaport", "http://host:notaport"),
    ],
)
def test_normalize_origin(origin: str, expected: str) -> None:
    assert normalize_origin(origin) == expected


def test_origin_policy_build() -> None:
    policy = OriginPolicy.build(
        bind_host=ANY_HOST,
        public_url="https://mcp.example.com",
        allowed_hosts=["*.internal.example.com", " "],
        allowed_origins=["https://app.example.com"],
    )
    assert policy.allowed_hosts[:2] == ("*.internal.example.com", "mcp.example.com")
    assert policy.host_allowed("mcp.example.com:443")
    # The README's remote example must still answer a request made on the machine itself.
    assert policy.host_allowed("127.0.0.1:8000")
    assert policy.host_allowed("localhost:8000")
    assert policy.host_allowed("[::1]:8000")
    assert policy.host_allowed("a.internal.example.com")
    assert not policy.host_allowed("evil.example.net")
    assert policy.origin_allowed(
        "https://app.example.com", scheme="https", host_header="mcp.example.com"
    )
    assert not policy.origin_allowed(
        "http://localhost:3000", scheme="https", host_header="mcp.example.com"
    )
    open_policy = OriginPolicy.build(bind_host=ANY_HOST, public_url=None)
    assert open_policy.host_allowed("anything:1234")
    assert open_policy.host_allowed("[::1]:80")
    loopback = OriginPolicy.build(bind_host="127.0.0.1", public_url=None)
    assert loopback.host_allowed("[::1]:8000")
    assert loopback.host_allowed("localhost")
    assert not loopback.host_allowed("attacker.example")
    assert loopback.origin_allowed("http://localhost:5173", scheme="http", host_header="x")
    wildcard = OriginPolicy.build(bind_host=ANY_HOST, public_url=None, allowed_origins=["*"])
    assert wildcard.origin_allowed("https://anything.example", scheme="http", host_header="x")


async def test_headers_on_every_response(audit: AuditLogger) -> None:
    app = app_with(OriginPolicy.build(bind_host="127.0.0.1", public_url=None), audit, hsts=True)
    async with client_for(app) as http:
        response = await http.get("/mcp")
    assert response.status_code == 200
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "max-age=" in response.headers["strict-transport-security"]


async def test_no_hsts_without_https(audit: AuditLogger) -> None:
    app = app_with(OriginPolicy.build(bind_host="127.0.0.1", public_url=None), audit)
    async with client_for(app) as http:
        response = await http.get("/mcp")
    assert "strict-transport-security" not in response.headers


async def test_query_token_refused_and_audited(audit: AuditLogger, audit_sink: MemorySink) -> None:
    app = app_with(OriginPolicy.build(bind_host="127.0.0.1", public_url=None), audit)
    async with client_for(app) as http:
        response = await http.post("/mcp", params={"access_token": "abc"})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert "Authorization header" in response.json()["error_description"]
    assert response.headers["cache-control"] == "no-store"
    [event] = audit_sink.events
    assert event.event == "auth.failure"
    assert "abc" not in audit_sink.lines[0]


async def test_unknown_host_refused_but_health_exempt(
    audit: AuditLogger, audit_sink: MemorySink
) -> None:
    app = app_with(OriginPolicy.build(bind_host="127.0.0.1", public_url=None), audit)
    async with client_for(app, host="rebound.attacker.example") as http:
        refused = await http.get("/mcp")
        health = await http.get("/healthz")
    assert refused.status_code == 421
    assert health.status_code == 200
    assert len(audit_sink.events) == 1


async def test_origin_validation(audit: AuditLogger, audit_sink: MemorySink) -> None:
    policy = OriginPolicy.build(
        bind_host=ANY_HOST, public_url=None, allowed_origins=["https://app.example.com"]
    )
    app = app_with(policy, audit)
    async with client_for(app, host="mcp.example.com") as http:
        evil = await http.post("/mcp", headers={"origin": "https://evil.example"})
        listed = await http.post("/mcp", headers={"origin": "https://app.example.com"})
        same = await http.post("/mcp", headers={"origin": "http://mcp.example.com"})
        none = await http.post("/mcp")
    assert evil.status_code == 403
    assert evil.json()["error"] == "forbidden_origin"
    assert (listed.status_code, same.status_code, none.status_code) == (200, 200, 200)
    [event] = audit_sink.events
    assert event.detail == "Origin not allowed"


@pytest.mark.parametrize("query", ["q={key}", "session=" + JWT_LIKE, "Token=abc"])
async def test_credential_shaped_query_values_are_refused(
    tmp_path: Path, audit: AuditLogger, query: str
) -> None:
    """The server applies mcp-auth's rule (names and shapes), not a weaker copy of its own."""
    key = create_api_key(tmp_path / "keys.json", "k").key
    app = app_with(OriginPolicy.build(bind_host="127.0.0.1", public_url=None), audit)
    async with client_for(app) as http:
        refused = await http.post(f"/mcp?{query.format(key=key)}")
        allowed = await http.post("/mcp?session_id=0f1e2d3c")
    assert refused.status_code == 400
    assert allowed.status_code == 200
