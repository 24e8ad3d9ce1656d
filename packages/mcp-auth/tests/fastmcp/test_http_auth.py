"""401/503/400 answers, the metadata document and request context, through FastMCP's real
HTTP app served in-process."""

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from fastmcp import FastMCP
from fastmcp.utilities.tests import ASGIServer, asgi_server

from mcp_auth import RequestContext
from mcp_auth.fastmcp import REQUEST_CONTEXT_KEY, protect, request_context_from_scope

METADATA_URL = "http://127.0.0.1/.well-known/oauth-protected-resource/mcp"


@pytest.fixture
async def served(protected: Callable[..., FastMCP]) -> AsyncIterator[ASGIServer]:
    mcp = protected(authorization_servers=["https://as.example"], resource_name="Auth test")
    async with asgi_server(mcp) as server:
        yield server


async def test_missing_token_gets_401_challenge_with_scope_and_metadata_url(
    served: ASGIServer, audit: Any
) -> None:
    async with served.http_client() as http:
        response = await http.post(
            "/mcp", json={}, headers={"x-request-id": "req-42", "user-agent": "probe/1.0"}
        )
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith("Bearer ")
    assert "error=" not in challenge  # RFC 6750 §3.1: no error code when nothing was sent
    assert 'scope="admin pages:read pages:write"' in challenge
    assert f'resource_metadata="{METADATA_URL}"' in challenge
    [failure] = audit.named("auth.failure")
    assert failure["reason"] == "missing"
    assert failure["request_id"] == "req-42"
    assert failure["user_agent"] == "probe/1.0"
    assert failure["remote_addr"] == "127.0.0.1"


async def test_basic_credentials_count_as_missing(served: ASGIServer, audit: Any) -> None:
    async with served.http_client() as http:
        response = await http.post("/mcp", json={}, headers={"authorization": "Basic dTpw"})
    assert response.status_code == 401
    assert [e["reason"] for e in audit.named("auth.failure")] == ["missing"]


@pytest.mark.parametrize(
    ("token_name", "reason"),
    [("EXPIRED_TOKEN", "expired"), (None, "malformed")],
)
async def test_refused_token_gets_401_invalid_token_and_one_audit_event(
    served: ASGIServer, kit: Any, audit: Any, token_name: str | None, reason: str
) -> None:
    token = getattr(kit, token_name) if token_name else "tok-garbage"
    async with served.http_client() as http:
        response = await http.post("/mcp", json={}, headers=kit.bearer(token))
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert 'error="invalid_token"' in challenge
    assert f'resource_metadata="{METADATA_URL}"' in challenge
    assert 'scope="admin pages:read pages:write"' in challenge
    assert response.json()["error"] == "invalid_token"
    assert [(e["event"], e["reason"]) for e in audit.events] == [("auth.failure", reason)]
    # The client is told the verifier's reason, not FastMCP's advice to re-register.
    detail = audit.events[0]["detail"]
    assert response.json()["error_description"] == detail
    assert f'error_description="{detail}"' in challenge
    assert "re-register" not in response.text + challenge


async def test_metadata_document(served: ASGIServer) -> None:
    async with served.http_client() as http:
        response = await http.get("/.well-known/oauth-protected-resource/mcp")
        preflight = await http.options("/.well-known/oauth-protected-resource/mcp")
    assert response.status_code == 200
    assert response.json() == {
        "resource": "http://127.0.0.1/mcp",
        "authorization_servers": ["https://as.example/"],
        "scopes_supported": ["admin", "pages:read", "pages:write"],
        "bearer_methods_supported": ["header"],
        "resource_name": "Auth test",
    }
    assert response.headers["access-control-allow-origin"] == "*"
    assert preflight.status_code == 204
    assert "GET" in preflight.headers["access-control-allow-methods"]


async def test_metadata_and_custom_routes_stay_public(served: ASGIServer, kit: Any) -> None:
    async with served.http_client() as http:
        metadata = await http.get(
            "/.well-known/oauth-protected-resource/mcp", headers=kit.bearer("tok-garbage")
        )
        health = await http.get("/healthz", headers=kit.bearer(kit.DOWN_TOKEN))
    assert metadata.status_code == 200
    assert health.status_code == 200
    assert health.text == "ok"


@pytest.mark.parametrize("token_name", ["DOWN_TOKEN", "BROKEN_TOKEN"])
async def test_unverifiable_token_gets_503_not_401(
    served: ASGIServer, kit: Any, audit: Any, token_name: str
) -> None:
    async with served.http_client() as http:
        response = await http.post("/mcp", json={}, headers=kit.bearer(getattr(kit, token_name)))
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["error"] == "temporarily_unavailable"
    assert "www-authenticate" not in response.headers
    [failure] = audit.named("auth.failure")
    assert failure["reason"] == "upstream_unavailable"


async def test_token_in_query_string_is_refused_before_verification(
    served: ASGIServer, kit: Any, verifier: Any, audit: Any
) -> None:
    async with served.http_client() as http:
        response = await http.post(
            "/mcp", params={"access_token": kit.WRITER_TOKEN}, json={}, headers=kit.bearer("x")
        )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert response.headers["cache-control"] == "no-store"
    assert verifier.calls == 0
    [failure] = audit.events
    assert failure["reason"] == "malformed"
    assert failure["detail"] == "access token in the query string"


@pytest.mark.parametrize("supplied", ["has space", "x" * 200, "", "-leading-dash"])
async def test_unsafe_request_ids_are_replaced(
    served: ASGIServer, audit: Any, supplied: str
) -> None:
    async with served.http_client() as http:
        await http.post("/mcp", json={}, headers={"x-request-id": supplied})
    [failure] = audit.events
    assert failure["request_id"] != supplied
    assert len(failure["request_id"]) == 32


async def test_bearer_token_authenticates_the_fastmcp_client(
    served: ASGIServer, kit: Any, audit: Any
) -> None:
    async with served.client(auth=kit.WRITER_TOKEN) as client:
        result = await client.call_tool("whoami", {})
    assert result.structured_content == {
        "subject": "writer",
        "client_id": "editor-app",
        "scopes": ["pages:read", "pages:write"],
        "method": "jwt",
    }
    successes = audit.named("auth.success")
    assert successes
    assert {e["subject"] for e in successes} == {"writer"}
    assert not audit.named("auth.failure")


async def test_an_outer_layer_can_supply_the_request_context(
    kit: Any, verifier: Any, audit: Any
) -> None:
    mcp = kit.make_server()
    protect(mcp, verifier, base_url="http://127.0.0.1", audit=audit.logger)
    app = mcp.http_app()

    async def outer(scope: Any, receive: Any, send: Any) -> None:
        # e.g. a proxy-aware layer that knows the real client address and request id
        scope[REQUEST_CONTEXT_KEY] = RequestContext("edge-7", "203.0.113.9", "edge-agent")
        await app(scope, receive, send)

    transport = httpx.ASGITransport(app=outer)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
        response = await http.post("/mcp", json={})
    assert response.status_code == 401
    [failure] = audit.events
    assert (failure["request_id"], failure["remote_addr"], failure["user_agent"]) == (
        "edge-7",
        "203.0.113.9",
        "edge-agent",
    )
    assert request_context_from_scope({REQUEST_CONTEXT_KEY: RequestContext("x")}).request_id == "x"
