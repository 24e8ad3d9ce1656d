"""The remote service over a real loopback socket: every refusal path, each auth method,
the scope of every tool, and the start-up refusal.

Each refusal is checked for its status, its headers and its audit line. The auth methods run
full MCP sessions: API keys from a key file, JWTs signed by a key published on a loopback
JWKS endpoint, and opaque tokens checked against a small loopback RFC 7662 server.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from mcp.shared.exceptions import MCPError
from mcp_types import PromptReference, ResourceTemplateReference, Tool
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from confluence_client.testing import FakeConfluenceServer
from confluence_mcp.app import create_server
from confluence_mcp.errors import ConfigError
from confluence_mcp.http.app import create_http_app
from confluence_mcp.http.layer import build_http_layer
from confluence_mcp.http.serving import running_http_server
from confluence_mcp.remote.settings import load_remote_settings
from confluence_mcp.settings import Settings
from mcp_auth import AuditLogger, MemorySink, create_api_key

ANY_HOST = "0.0.0.0"  # noqa: S104 - the wildcard bind the start-up check refuses
ACCEPT = {"accept": "application/json, text/event-stream"}
ISSUER = "https://idp.example.test/"
AUDIENCE = "https://mcp.example.test/mcp"
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "it", "version": "1"},
    },
}


def call(tool: str, arguments: dict[str, Any] | None = None, ident: int = 2) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": ident,
        "method": "tools/call",
        "params": {"name": tool, "arguments": arguments or {}},
    }


Serve = Callable[..., AbstractAsyncContextManager[str]]


@pytest.fixture
def audit_sink() -> MemorySink:
    return MemorySink()


@pytest.fixture
def serve(fake_confluence: FakeConfluenceServer, audit_sink: MemorySink) -> Serve:
    """Start the full HTTP app (server + remote layer) on 127.0.0.1; yields its base URL."""

    @asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[str]:
        values: dict[str, Any] = {
            "confluence_url": fake_confluence.wiki_url,
            "confluence_username": fake_confluence.credentials.username,
            "confluence_api_token": fake_confluence.credentials.api_token,
            "confluence_deployment": "cloud",
            "transport": "http",
            **overrides,
        }
        remote = load_remote_settings(values, env_file=None)
        mcp = create_server(remote.core)
        layer = build_http_layer(mcp, remote, audit=AuditLogger([audit_sink], background=False))
        app = create_http_app(mcp, remote.core, routes=layer.routes, middleware=layer.middleware)
        async with running_http_server(app) as base:
            yield base

    return start


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    path = tmp_path / "keys.json"
    made = {
        "read": create_api_key(path, "reader", ["confluence:read"]).key,
        "write": create_api_key(path, "writer", ["confluence:write"]).key,
        "delete": create_api_key(path, "deleter", ["confluence:delete"]).key,
        "all": create_api_key(
            path, "admin", ["confluence:read", "confluence:write", "confluence:delete"]
        ).key,
    }
    return path, made


def events(sink: MemorySink, name: str) -> list[Any]:
    return [event for event in sink.events if event.event == name]


def assert_hardened(response: httpx.Response) -> None:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"


# --- refusal paths ------------------------------------------------------------------------


async def test_401_without_token_names_the_metadata(
    serve: Serve, keys: tuple[Path, dict[str, str]], audit_sink: MemorySink
) -> None:
    async with serve(mcp_api_keys_file=keys[0]) as base, httpx.AsyncClient() as http:
        response = await http.post(f"{base}/mcp", json=INIT, headers=ACCEPT)
        metadata_url = f"{base}/.well-known/oauth-protected-resource/mcp"
        metadata = await http.get(metadata_url)
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith("Bearer ")
    assert "resource_metadata=" in challenge
    assert 'scope="confluence:admin confluence:delete confluence:read confluence:write"' in (
        challenge
    )
    assert_hardened(response)
    assert metadata.status_code == 200
    document = metadata.json()
    assert document["resource"].endswith("/mcp")
    assert document["scopes_supported"] == [
        "confluence:admin",
        "confluence:delete",
        "confluence:read",
        "confluence:write",
    ]
    assert document["bearer_methods_supported"] == ["header"]
    [failure] = events(audit_sink, "auth.failure")
    assert failure.reason == "missing"
    assert failure.remote_addr == "127.0.0.1"


async def test_401_says_what_is_wrong_with_an_api_key(
    serve: Serve, keys: tuple[Path, dict[str, str]], audit_sink: MemorySink
) -> None:
    path, made = keys
    from datetime import UTC, datetime, timedelta

    from mcp_auth import revoke_api_key

    revoke_api_key(path, "deleter")
    expired = create_api_key(
        path, "old", ["confluence:read"], expires_at=datetime.now(UTC) - timedelta(1)
    ).key
    wrong_secret = made["read"][: -len("A" * 43)] + "A" * 43
    presented = {
        "unknown": "mcpk_0123456789abcdef_" + "A" * 43,
        "wrong secret": wrong_secret,
        "revoked": made["delete"],
        "expired": expired,
        "malformed": "mcpk_not-a-key",
    }
    answers: dict[str, httpx.Response] = {}
    async with serve(mcp_api_keys_file=path) as base, httpx.AsyncClient() as http:
        for label, token in presented.items():
            answers[label] = await http.post(
                f"{base}/mcp",
                json=INIT,
                headers={**ACCEPT, "authorization": f"Bearer {token}"},
            )
    expected = {
        "unknown": "unknown API key: its id is not in this server's key file",
        "wrong secret": "invalid API key: the secret part does not match the key with this id",
        "revoked": "API key revoked: ask the server's operator for a new key",
        "expired": "API key expired: ask the server's operator for a new key",
        "malformed": "malformed API key: expected <prefix>_<16 hex digits>_<43 letters or digits>",
    }
    for label, response in answers.items():
        assert response.status_code == 401, label
        body = response.json()
        assert body == {"error": "invalid_token", "error_description": expected[label]}
        challenge = response.headers["www-authenticate"]
        assert f'error_description="{expected[label]}"' in challenge
        assert 'error="invalid_token"' in challenge
        assert "resource_metadata=" in challenge
        assert "re-register" not in response.text + challenge
        assert_hardened(response)
    reasons = sorted(str(event.reason) for event in events(audit_sink, "auth.failure"))
    assert reasons == ["bad_signature", "expired", "malformed", "revoked", "unknown_key"]
    assert made["delete"] not in "\n".join(audit_sink.lines)


async def test_a_key_created_with_another_prefix_is_accepted(
    serve: Serve, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from confluence_mcp.remote import run_keys

    path = tmp_path / "keys.json"
    argv = ["create", "--file", str(path), "--name", "acme-bot", "--prefix", "acme"]
    assert run_keys([*argv, "--scopes", "confluence:read", "--json"], env_file=None) == 0
    key = json.loads(capsys.readouterr().out)["key"]
    assert key.startswith("acme_")
    auth = {**ACCEPT, "authorization": f"Bearer {key}"}
    async with serve(mcp_api_keys_file=path) as base, httpx.AsyncClient() as http:
        init = await http.post(f"{base}/mcp", json=INIT, headers=auth)
        session = {**auth, "mcp-session-id": init.headers["mcp-session-id"]}
        listed = await http.post(f"{base}/mcp", json=call("list_spaces"), headers=session)
    assert init.status_code == 200, init.text
    assert listed.status_code == 200, listed.text
    assert '"DEMO"' in listed.text


async def test_403_insufficient_scope_names_the_scope(
    serve: Serve, keys: tuple[Path, dict[str, str]], audit_sink: MemorySink
) -> None:
    path, made = keys
    async with (
        serve(mcp_api_keys_file=path, stateless_http=True) as base,
        httpx.AsyncClient() as http,
    ):
        response = await http.post(
            f"{base}/mcp",
            json=call("create_page", {"space_key": "DEMO", "title": "t", "body": "b"}),
            headers={**ACCEPT, "authorization": f"Bearer {made['read']}"},
        )
    assert response.status_code == 403
    challenge = response.headers["www-authenticate"]
    assert 'error="insufficient_scope"' in challenge
    assert 'scope="confluence:write"' in challenge
    assert "resource_metadata=" in challenge
    [denied] = events(audit_sink, "authz.denied")
    assert denied.operation == "create_page"
    assert denied.missing_scopes == ("confluence:write",)


async def test_429_per_principal_and_per_ip(
    serve: Serve, keys: tuple[Path, dict[str, str]], audit_sink: MemorySink
) -> None:
    path, made = keys
    auth = {**ACCEPT, "authorization": f"Bearer {made['read']}"}
    async with (
        serve(mcp_api_keys_file=path, mcp_rate_limit="2/minute") as base,
        httpx.AsyncClient() as http,
    ):
        statuses = [
            (await http.post(f"{base}/mcp", json=INIT, headers=auth)).status_code for _ in range(3)
        ]
        limited = await http.post(f"{base}/mcp", json=INIT, headers=auth)
        other = await http.post(
            f"{base}/mcp",
            json=INIT,
            headers={**ACCEPT, "authorization": f"Bearer {made['all']}"},
        )
    assert statuses[:2] == [200, 200]
    assert statuses[2] == 429
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    assert other.status_code == 200  # another principal has its own bucket
    assert_hardened(limited)
    refusals = events(audit_sink, "rate_limit.exceeded")
    assert refusals
    assert {event.subject for event in refusals} == {"reader"}
    async with (
        serve(mcp_api_keys_file=path, mcp_ip_rate_limit="2/minute") as base,
        httpx.AsyncClient() as http,
    ):
        by_ip = [
            (await http.post(f"{base}/mcp", json=INIT, headers=ACCEPT)).status_code
            for _ in range(3)
        ]
        health = await http.get(f"{base}/healthz")
    assert by_ip == [401, 401, 429]  # counted before authentication
    assert health.status_code == 200
    assert any(event.limit == "ip 2/minute" for event in events(audit_sink, "rate_limit.exceeded"))


async def test_foreign_origin_403_and_unknown_host_421(
    serve: Serve, keys: tuple[Path, dict[str, str]], audit_sink: MemorySink
) -> None:
    path, made = keys
    auth = {**ACCEPT, "authorization": f"Bearer {made['read']}"}
    async with serve(mcp_api_keys_file=path) as base, httpx.AsyncClient() as http:
        foreign = await http.post(
            f"{base}/mcp", json=INIT, headers={**auth, "origin": "https://evil.example"}
        )
        rebound = await http.post(
            f"{base}/mcp", json=INIT, headers={**auth, "host": "evil.example"}
        )
        local_page = await http.post(
            f"{base}/mcp", json=INIT, headers={**auth, "origin": "http://localhost:5173"}
        )
    assert foreign.status_code == 403
    assert foreign.json()["error"] == "forbidden_origin"
    assert rebound.status_code == 421
    assert local_page.status_code == 200  # a loopback page of a loopback-bound server
    assert_hardened(foreign)
    details = [event.detail for event in events(audit_sink, "auth.failure")]
    assert "Origin not allowed" in details
    assert "Host header not allowed" in details


async def test_public_url_server_still_answers_loopback_hosts(
    fake_confluence: FakeConfluenceServer, keys: tuple[Path, dict[str, str]]
) -> None:
    """The README's remote example (public URL, wildcard bind) tried on a laptop."""
    path, made = keys
    remote = load_remote_settings(
        {
            "confluence_url": fake_confluence.wiki_url,
            "confluence_username": fake_confluence.credentials.username,
            "confluence_api_token": fake_confluence.credentials.api_token,
            "confluence_deployment": "cloud",
            "transport": "http",
            # what the policy is built for; the test socket stays on loopback
            "host": ANY_HOST,
            "mcp_public_url": "https://mcp.example.com",
            "mcp_api_keys_file": path,
        },
        env_file=None,
    )
    mcp = create_server(remote.core)
    layer = build_http_layer(mcp, remote, audit=AuditLogger([MemorySink()], background=False))
    app = create_http_app(
        mcp,
        remote.core,
        routes=layer.routes,
        middleware=layer.middleware,
        allowed_hosts=layer.allowed_hosts,
        allowed_origins=layer.allowed_origins,
    )
    auth = {**ACCEPT, "authorization": f"Bearer {made['read']}"}
    statuses: dict[str, int] = {}
    async with running_http_server(app) as base, httpx.AsyncClient() as http:
        port = base.rsplit(":", 1)[1]
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", "[::1]", "mcp.example.com"):
            response = await http.post(f"{base}/mcp", json=INIT, headers={**auth, "host": host})
            statuses[host] = response.status_code
        rebound = await http.post(f"{base}/mcp", json=INIT, headers={**auth, "host": "evil.test"})
    assert set(statuses.values()) == {200}, statuses
    assert rebound.status_code == 421


async def test_413_oversized_body(
    serve: Serve, keys: tuple[Path, dict[str, str]], audit_sink: MemorySink
) -> None:
    path, made = keys
    auth = {**ACCEPT, "authorization": f"Bearer {made['write']}"}
    async with (
        serve(mcp_api_keys_file=path, mcp_max_body_bytes=4096) as base,
        httpx.AsyncClient() as http,
    ):
        large = call("create_page", {"space_key": "DEMO", "title": "t", "body": "x" * 8000})
        response = await http.post(f"{base}/mcp", json=large, headers=auth)
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"
    assert_hardened(response)
    assert any(
        event.detail == "request body over the size limit"
        for event in events(audit_sink, "auth.failure")
    )


async def test_token_in_query_string_is_refused_and_not_logged(
    serve: Serve,
    keys: tuple[Path, dict[str, str]],
    audit_sink: MemorySink,
    caplog: pytest.LogCaptureFixture,
) -> None:
    path, made = keys
    caplog.set_level(logging.INFO, logger="confluence_mcp.access")
    async with serve(mcp_api_keys_file=path) as base, httpx.AsyncClient() as http:
        named = await http.post(
            f"{base}/mcp", params={"access_token": made["read"]}, json=INIT, headers=ACCEPT
        )
        shaped = await http.get(f"{base}/healthz", params={"q": made["read"]})
    for response in (named, shaped):
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_request"
        assert_hardened(response)
    assert len(events(audit_sink, "auth.failure")) == 2
    access = [r for r in caplog.records if r.name == "confluence_mcp.access"]
    assert access
    assert made["read"] not in "\n".join(str(vars(record)) for record in access)
    assert made["read"] not in "\n".join(audit_sink.lines)


# --- a full session with each auth method --------------------------------------------------


async def test_api_key_session(
    serve: Serve, keys: tuple[Path, dict[str, str]], audit_sink: MemorySink
) -> None:
    path, made = keys
    async with (
        serve(mcp_api_keys_file=path) as base,
        Client(StreamableHttpTransport(f"{base}/mcp", auth=made["read"])) as client,
    ):
        tools = await client.list_tools()
        assert "get_page" in {tool.name for tool in tools}
        spaces = await client.call_tool("list_spaces", {})
        assert spaces.structured_content is not None
        with pytest.raises(MCPError, match="confluence:write"):
            await client.call_tool("add_labels", {"page_id": "1", "labels": ["x"]})
    successes = events(audit_sink, "auth.success")
    assert successes
    assert {event.subject for event in successes} == {"reader"}
    calls = events(audit_sink, "tool.call")
    assert [(event.operation, event.outcome) for event in calls][:1] == [("list_spaces", "success")]


@pytest.fixture
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
async def jwks_url(signing_key: rsa.RSAPrivateKey) -> AsyncIterator[str]:
    """A JWKS endpoint on loopback publishing the signing key's public half."""
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(signing_key.public_key()))
    document = {"keys": [{**public, "kid": "k1", "use": "sig", "alg": "RS256"}]}

    async def jwks(_request: Request) -> JSONResponse:
        return JSONResponse(document)

    app = Starlette(routes=[Route("/jwks.json", jwks)])
    async with running_http_server(app) as base:
        yield f"{base}/jwks.json"


def issue(key: rsa.RSAPrivateKey, scope: str, **claims: Any) -> str:
    now = int(time.time())
    payload = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "user-42",
        "client_id": "cli",
        "scope": scope,
        "iat": now,
        "exp": now + 600,
        **claims,
    }
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": "k1"})


async def test_jwt_session_with_loopback_jwks(
    serve: Serve, signing_key: rsa.RSAPrivateKey, jwks_url: str, audit_sink: MemorySink
) -> None:
    token = issue(signing_key, "confluence:read confluence:write")
    wrong_audience = issue(signing_key, "confluence:read", aud="https://other.example/mcp")
    async with serve(
        mcp_jwt_jwks_url=jwks_url,
        mcp_jwt_issuer=ISSUER,
        mcp_jwt_audience=AUDIENCE,
        mcp_auth_servers=ISSUER,
    ) as base:
        async with Client(StreamableHttpTransport(f"{base}/mcp", auth=token)) as client:
            created = await client.call_tool(
                "create_page", {"space_key": "DEMO", "title": "From a JWT", "body": "Hello"}
            )
            assert created.structured_content is not None
            with pytest.raises(MCPError, match="confluence:delete"):
                await client.call_tool("delete_page", {"page_id": "1"})
        async with httpx.AsyncClient() as http:
            refused = await http.post(
                f"{base}/mcp",
                json=INIT,
                headers={**ACCEPT, "authorization": f"Bearer {wrong_audience}"},
            )
            metadata = await http.get(f"{base}/.well-known/oauth-protected-resource/mcp")
    assert refused.status_code == 401
    assert metadata.json()["authorization_servers"] == [ISSUER]
    assert {event.subject for event in events(audit_sink, "auth.success")} == {"user-42"}
    assert "wrong_audience" in [str(event.reason) for event in events(audit_sink, "auth.failure")]


@pytest.fixture
async def introspection_url() -> AsyncIterator[str]:
    """A minimal RFC 7662 endpoint on loopback: two known tokens, client auth required."""
    expected = "Basic " + base64.b64encode(b"mcp-server:introspection-secret").decode()
    tokens = {
        "opaque-reader": {"scope": "confluence:read", "sub": "carol"},
        "opaque-expired": {"scope": "confluence:read", "sub": "dave", "exp": 1},
    }

    async def introspect(request: Request) -> JSONResponse:
        if request.headers.get("authorization") != expected:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        form = await request.form()
        known = tokens.get(str(form.get("token")))
        if known is None:
            return JSONResponse({"active": False})
        return JSONResponse(
            {
                "active": True,
                "client_id": "cli",
                "aud": AUDIENCE,
                "iss": ISSUER,
                "exp": int(time.time()) + 600,
                **known,
            }
        )

    app = Starlette(routes=[Route("/introspect", introspect, methods=["POST"])])
    async with running_http_server(app) as base:
        yield f"{base}/introspect"


async def test_introspection_session(
    serve: Serve, introspection_url: str, audit_sink: MemorySink
) -> None:
    async with serve(
        mcp_oauth_introspection_url=introspection_url,
        mcp_oauth_client_id="mcp-server",
        mcp_oauth_client_secret="introspection-secret",
        mcp_jwt_audience=AUDIENCE,
    ) as base:
        async with Client(StreamableHttpTransport(f"{base}/mcp", auth="opaque-reader")) as client:
            result = await client.call_tool("get_space", {"space_key": "DEMO"})
            assert result.structured_content is not None
        async with httpx.AsyncClient() as http:
            statuses = [
                (
                    await http.post(
                        f"{base}/mcp",
                        json=INIT,
                        headers={**ACCEPT, "authorization": f"Bearer {token}"},
                    )
                ).status_code
                for token in ("opaque-unknown", "opaque-expired")
            ]
    assert statuses == [401, 401]
    assert {event.subject for event in events(audit_sink, "auth.success")} == {"carol"}
    assert "introspection-secret" not in "\n".join(audit_sink.lines)


# --- no passthrough, no session-as-authentication ------------------------------------------


@pytest.fixture
async def recording_confluence() -> AsyncIterator[tuple[str, list[dict[str, str]]]]:
    """A stand-in Confluence on loopback that records request headers and answers 401."""
    seen: list[dict[str, str]] = []

    async def anything(request: Request) -> JSONResponse:
        seen.append(dict(request.headers))
        return JSONResponse({"message": "nope"}, status_code=401)

    app = Starlette(
        routes=[Route("/{path:path}", anything, methods=["GET", "POST", "PUT", "DELETE"])]
    )
    async with running_http_server(app) as base:
        yield f"{base}/wiki", seen


async def test_the_client_token_is_never_forwarded_to_confluence(
    serve: Serve,
    keys: tuple[Path, dict[str, str]],
    recording_confluence: tuple[str, list[dict[str, str]]],
) -> None:
    path, made = keys
    url, seen = recording_confluence
    async with (
        serve(mcp_api_keys_file=path, confluence_url=url) as base,
        Client(StreamableHttpTransport(f"{base}/mcp", auth=made["read"])) as client,
    ):
        result = await client.call_tool("get_space", {"space_key": "DEMO"}, raise_on_error=False)
    assert result.is_error
    assert seen
    for headers in seen:
        assert made["read"] not in json.dumps(headers)
        assert headers["authorization"].startswith("Basic ")  # the server's own credentials


async def test_a_session_id_is_not_authentication(
    serve: Serve, keys: tuple[Path, dict[str, str]]
) -> None:
    path, made = keys
    async with serve(mcp_api_keys_file=path) as base, httpx.AsyncClient() as http:
        opened = await http.post(
            f"{base}/mcp", json=INIT, headers={**ACCEPT, "authorization": f"Bearer {made['all']}"}
        )
        session = opened.headers["mcp-session-id"]
        reused = await http.post(
            f"{base}/mcp",
            json=call("list_spaces"),
            headers={**ACCEPT, "mcp-session-id": session, "mcp-protocol-version": "2025-06-18"},
        )
    assert opened.status_code == 200
    assert reused.status_code == 401
    assert "resource_metadata=" in reused.headers["www-authenticate"]


async def test_resources_and_prompts_need_the_read_scope(
    serve: Serve, keys: tuple[Path, dict[str, str]], audit_sink: MemorySink
) -> None:
    path, made = keys
    async with serve(mcp_api_keys_file=path) as base:
        async with Client(StreamableHttpTransport(f"{base}/mcp", auth=made["read"])) as client:
            templates = await client.list_resource_templates()
            assert {template.name for template in templates} >= {"page", "space"}
            space = await client.read_resource("confluence://space/DEMO")
            assert space
            prompt = await client.get_prompt("summarize_page", {"page": "65538"})
            assert prompt.messages
        async with Client(StreamableHttpTransport(f"{base}/mcp", auth=made["write"])) as client:
            with pytest.raises(MCPError, match="confluence:read"):
                await client.read_resource("confluence://space/DEMO")
    denied = events(audit_sink, "authz.denied")
    assert [event.subject for event in denied] == ["writer"]


async def test_completion_needs_the_read_scope(
    serve: Serve, keys: tuple[Path, dict[str, str]]
) -> None:
    path, made = keys
    prompt = PromptReference(name="summarize_page")
    page = ResourceTemplateReference(uri="confluence://page/{page_id}")
    space = ResourceTemplateReference(uri="confluence://space/{space_key}")
    async with serve(mcp_api_keys_file=path) as base:
        async with Client(StreamableHttpTransport(f"{base}/mcp", auth=made["read"])) as client:
            assert (await client.complete(space, {"name": "space_key", "value": ""})).values
            assert (await client.complete(prompt, {"name": "page", "value": "Get"})).values
        async with Client(StreamableHttpTransport(f"{base}/mcp", auth=made["write"])) as client:
            titles = await client.complete(prompt, {"name": "page", "value": "Get"})
            ids = await client.complete(page, {"name": "page_id", "value": "Arch"})
            spaces = await client.complete(space, {"name": "space_key", "value": ""})
    assert (titles.values, ids.values, spaces.values) == ([], [], [])


# --- scopes of every tool ------------------------------------------------------------------


# Changing who may see or edit a page also needs confluence:admin (issue 13); annotations
# cannot say so, hence the names.
ADMIN_TOOLS = frozenset({"set_page_restriction"})


def expected_scope(tool: Tool) -> str:
    """The scopes a tool needs (space-separated, sorted), judged from the MCP annotations
    clients see (not from tags), plus confluence:admin for the admin tools."""
    hints = tool.annotations
    if hints is not None and hints.read_only_hint:
        scope = "confluence:read"
    elif hints is not None and hints.destructive_hint is False:
        scope = "confluence:write"
    else:
        scope = "confluence:delete"  # destructiveHint defaults to true
    return f"confluence:admin {scope}" if tool.name in ADMIN_TOOLS else scope


async def test_every_tool_requires_its_scope_over_http(
    serve: Serve,
    keys: tuple[Path, dict[str, str]],
    fake_confluence: FakeConfluenceServer,
) -> None:
    path, made = keys
    settings = Settings(_env_file=None, confluence_url=fake_confluence.wiki_url, transport="http")
    async with Client(create_server(settings)) as local:
        listed = {tool.name: tool for tool in await local.list_tools()}
    assert len(listed) >= 20
    async with (
        serve(mcp_api_keys_file=path, stateless_http=True, mcp_rate_limit="off") as base,
        httpx.AsyncClient() as http,
    ):
        for tool in sorted(listed):
            needed = expected_scope(listed[tool])
            for held in ("read", "write", "delete"):
                # Empty arguments: an allowed call fails validation, it never runs.
                response = await http.post(
                    f"{base}/mcp",
                    json=call(tool),
                    headers={**ACCEPT, "authorization": f"Bearer {made[held]}"},
                )
                if f"confluence:{held}" == needed:
                    assert response.status_code == 200, (tool, held)
                else:
                    assert response.status_code == 403, (tool, held)
                    assert f'scope="{needed}"' in response.headers["www-authenticate"]


# --- safe by default -----------------------------------------------------------------------


def test_refuses_to_start_unauthenticated_on_all_interfaces(
    fake_confluence: FakeConfluenceServer,
) -> None:
    settings = load_remote_settings(
        {"confluence_url": fake_confluence.wiki_url, "transport": "http", "host": ANY_HOST},
        env_file=None,
    )
    with pytest.raises(ConfigError, match="refusing to serve without authentication"):
        build_http_layer(create_server(settings.core), settings)


def test_explicit_opt_out_starts_with_a_warning_event(
    fake_confluence: FakeConfluenceServer,
) -> None:
    settings = load_remote_settings(
        {
            "confluence_url": fake_confluence.wiki_url,
            "transport": "http",
            "host": ANY_HOST,
            "mcp_allow_unauthenticated": True,
        },
        env_file=None,
    )
    sink = MemorySink()
    build_http_layer(
        create_server(settings.core), settings, audit=AuditLogger([sink], background=False)
    )
    assert [event.setting for event in sink.events] == ["MCP_ALLOW_UNAUTHENTICATED"]
