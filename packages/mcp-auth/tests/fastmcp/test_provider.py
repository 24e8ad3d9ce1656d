"""Configuration of `MCPAuthProvider` and the RFC 9728 / RFC 6750 helpers."""

from typing import Any

import pytest
from fastmcp import FastMCP
from fastmcp.exceptions import ToolError
from fastmcp.server.auth import AccessToken
from fastmcp.server.auth import TokenVerifier as FastMCPTokenVerifier
from fastmcp.utilities.tests import asgi_server

from mcp_auth import AuthConfigurationError
from mcp_auth.fastmcp import (
    FastMCPVerifier,
    MCPAuthProvider,
    ScopeMiddleware,
    bearer_challenge,
    metadata_url_for,
)
from mcp_auth.fastmcp._components import tool_tags


def test_accepts_a_ready_adapter_and_keeps_it(kit: Any, verifier: Any) -> None:
    adapter = FastMCPVerifier(verifier)
    provider = MCPAuthProvider(adapter, base_url="https://mcp.example")
    assert provider.token_verifier is adapter
    # Nothing is known about the endpoint until FastMCP builds the app.
    assert provider.protected_paths == frozenset()
    assert provider.resource_url is None
    assert provider.resource_metadata_url is None
    assert "MCPAuthProvider(" in repr(provider)


def test_rejects_what_is_not_a_verifier() -> None:
    with pytest.raises(AuthConfigurationError, match="not an mcp-auth TokenVerifier"):
        MCPAuthProvider(object(), base_url="https://mcp.example")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "settings",
    [
        {"base_url": "not a url"},
        {"base_url": "https://mcp.example", "authorization_servers": ["ftp://as"]},
        {"base_url": "https://mcp.example", "resource_documentation": "::"},
    ],
)
def test_rejects_invalid_urls(verifier: Any, settings: dict[str, Any]) -> None:
    with pytest.raises(AuthConfigurationError, match="invalid URL"):
        MCPAuthProvider(verifier, **settings)


def test_explicit_scopes_win_over_the_policy(kit: Any, verifier: Any) -> None:
    provider = MCPAuthProvider(
        verifier,
        base_url="https://mcp.example",
        policy=kit.make_policy(),
        scopes_supported=["pages:read"],
        challenge_scopes=["pages:read", "offline_access"],
    )
    assert provider.scopes_supported == ["pages:read"]
    assert provider.challenge_scopes == ["pages:read", "offline_access"]


def test_required_scopes_are_advertised_and_challenged(kit: Any, verifier: Any) -> None:
    provider = MCPAuthProvider(
        verifier, base_url="https://mcp.example", policy=kit.make_policy(), required_scopes=["mcp"]
    )
    assert provider.required_scopes == ["mcp"]
    assert provider.scopes_supported == ["admin", "mcp", "pages:read", "pages:write"]
    assert provider.challenge_scopes == ["mcp"]


async def test_metadata_with_documentation_and_no_authorization_server(
    kit: Any, verifier: Any
) -> None:
    mcp = kit.make_server()
    provider = MCPAuthProvider(
        verifier,
        base_url="https://mcp.example/base",
        resource_documentation="https://docs.example/mcp",
    )
    mcp.auth = provider
    async with asgi_server(mcp, path="/api/mcp/") as server, server.http_client() as http:
        response = await http.get("/.well-known/oauth-protected-resource/base/api/mcp/")
    assert provider.protected_paths == frozenset({"/api/mcp"})
    assert provider.resource_url == "https://mcp.example/base/api/mcp/"
    assert provider.resource_metadata_url == (
        "https://mcp.example/.well-known/oauth-protected-resource/base/api/mcp/"
    )
    assert response.json() == {
        "resource": "https://mcp.example/base/api/mcp/",
        "bearer_methods_supported": ["header"],
        "resource_documentation": "https://docs.example/mcp",
    }


@pytest.mark.parametrize(
    ("resource", "metadata"),
    [
        ("https://mcp.example/mcp", "https://mcp.example/.well-known/oauth-protected-resource/mcp"),
        ("https://mcp.example/", "https://mcp.example/.well-known/oauth-protected-resource"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000/.well-known/oauth-protected-resource"),
    ],
)
def test_metadata_url_follows_rfc9728_section_3_1(resource: str, metadata: str) -> None:
    assert metadata_url_for(resource) == metadata


def test_bearer_challenge_quotes_its_parameters() -> None:
    assert bearer_challenge() == "Bearer"
    assert bearer_challenge(scopes=["b", "a", "b"]) == 'Bearer scope="a b"'
    value = bearer_challenge(
        error="insufficient_scope",
        description='say "hi"\\ now\r\nInjected: yes',
        resource_metadata="https://x/.well-known/oauth-protected-resource",
    )
    assert value == (
        'Bearer error="insufficient_scope", error_description="say \\"hi\\"\\\\ nowInjected: yes",'
        ' resource_metadata="https://x/.well-known/oauth-protected-resource"'
    )
    assert "\n" not in value


class ForeignVerifier(FastMCPTokenVerifier):
    """Another FastMCP verifier: its AccessTokens carry no mcp-auth principal."""

    async def verify_token(self, token: str) -> AccessToken | None:
        scopes = token.split("+")
        return AccessToken(token=token, client_id="foreign", scopes=scopes)


async def test_policy_applies_to_tokens_of_other_verifiers(kit: Any, audit: Any) -> None:
    mcp = kit.make_server()
    mcp.auth = ForeignVerifier()
    mcp.add_middleware(ScopeMiddleware(kit.make_policy(), audit=audit.logger))
    async with asgi_server(mcp) as server, server.client(auth="pages:read") as client:
        assert (await client.call_tool("read_page", {"page_id": "1"})).data == "page 1"
        with pytest.raises(ToolError, match="missing pages:write"):
            await client.call_tool("write_page", {"page_id": "1", "body": ""})
    denied = audit.named("authz.denied")
    assert len(denied) == 1
    assert "subject" not in denied[0]


async def test_policy_without_audit_still_enforces(kit: Any, verifier: Any) -> None:
    mcp = kit.make_server()
    mcp.auth = MCPAuthProvider(verifier, base_url="http://127.0.0.1", step_up=False)
    mcp.add_middleware(ScopeMiddleware(kit.make_policy()))
    async with asgi_server(mcp) as server, server.client(auth=kit.READER_TOKEN) as client:
        assert (await client.call_tool("read_page", {"page_id": "2"})).data == "page 2"
        with pytest.raises(ToolError, match="missing pages:write"):
            await client.call_tool("write_page", {"page_id": "2", "body": ""})


async def test_tool_lookup_failures_leave_the_answer_to_fastmcp(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mcp = FastMCP("lookup")

    async def broken(name: str, version: object = None) -> None:
        raise RuntimeError("provider down")

    monkeypatch.setattr(mcp, "get_tool", broken)
    assert await tool_tags(mcp, "anything") is None
    assert await tool_tags(object(), "anything") is None


@pytest.mark.parametrize(
    ("settings", "warned"),
    [
        ({"base_url": "http://wiki.internal"}, True),
        ({"base_url": "https://wiki.example", "resource_base_url": "http://10.0.0.5"}, True),
        ({"base_url": "http://localhost:8000"}, False),
        ({"base_url": "http://[::1]:8000"}, False),
        ({"base_url": "https://wiki.example"}, False),
    ],
)
def test_plain_http_resource_is_a_config_warning(
    verifier: Any,
    audit: Any,
    caplog: pytest.LogCaptureFixture,
    settings: dict[str, str],
    warned: bool,
) -> None:
    MCPAuthProvider(verifier, audit=audit.logger, **settings)
    warnings = audit.named("config.warning")
    assert len(warnings) == (1 if warned else 0)
    assert ("plain http" in caplog.text) is warned
    if warned:
        assert warnings[0]["setting"] == "base_url"
