"""build_http_layer end to end on a loopback socket, and the process observability."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport

from confluence_mcp.app import create_server
from confluence_mcp.errors import ConfigError
from confluence_mcp.http.layer import LifecycleMiddleware, build_http_layer, build_metrics
from confluence_mcp.remote import Observability, configure_observability, current_observability
from confluence_mcp.remote.metrics import OTelMetrics
from confluence_mcp.remote.telemetry import InstrumentedClient
from confluence_mcp.services import build_client
from mcp_auth import AuditLogger, MemorySink, create_api_key
from mcp_auth.fastmcp import MCPAuthProvider

INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"},
    },
}
ACCEPT = {"accept": "application/json, text/event-stream"}

ANY_HOST = "0.0.0.0"  # noqa: S104 - the wildcard bind these tests are about


async def test_api_key_session_and_refusals(
    remote_settings_for: Any, serve_remote: Any, tmp_path: Path, audit_sink: MemorySink
) -> None:
    keys = tmp_path / "keys.json"
    reader = create_api_key(keys, "reader", ["confluence:read"]).key
    settings = remote_settings_for(mcp_api_keys_file=keys, mcp_rate_limit="3/minute")
    async with serve_remote(settings) as (base, layer):
        assert isinstance(layer.provider, MCPAuthProvider)
        async with Client(StreamableHttpTransport(f"{base}/mcp", auth=reader)) as client:
            result = await client.call_tool("list_spaces", {})
            assert result.structured_content is not None
        async with httpx.AsyncClient() as http:
            missing = await http.post(f"{base}/mcp", json=INIT, headers=ACCEPT)
            limited = await http.post(
                f"{base}/mcp", json=INIT, headers={**ACCEPT, "authorization": f"Bearer {reader}"}
            )
    assert missing.status_code == 401
    assert "resource_metadata=" in missing.headers["www-authenticate"]
    assert limited.status_code == 429
    assert "retry-after" in limited.headers
    events = [event.event for event in audit_sink.events]
    assert "auth.success" in events
    assert "tool.call" in events
    assert "auth.failure" in events
    assert "rate_limit.exceeded" in events


async def test_unauthenticated_loopback_still_audits_tool_calls(
    remote_settings_for: Any, serve_remote: Any, audit_sink: MemorySink
) -> None:
    settings = remote_settings_for(mcp_ip_rate_limit="off")
    async with serve_remote(settings) as (base, layer):
        assert layer.provider is None
        async with Client(StreamableHttpTransport(f"{base}/mcp")) as client:
            await client.call_tool("list_spaces", {})
    assert [event.event for event in audit_sink.events] == ["tool.call"]


def test_unauthenticated_public_bind_is_refused(remote_settings_for: Any) -> None:
    settings = remote_settings_for(host=ANY_HOST)
    with pytest.raises(ConfigError, match="refusing to serve"):
        build_http_layer(create_server(settings.core), settings)


def test_prod_refuses_disabled_tls_verification_at_start(remote_settings_for: Any) -> None:
    remote = remote_settings_for(mcp_environment="prod", confluence_ssl_verify=False)
    with pytest.raises(ConfigError, match="CONFLUENCE_SSL_VERIFY=false"):
        build_http_layer(create_server(remote.core), remote)


def test_public_bind_without_public_url_warns(
    remote_settings_for: Any, tmp_path: Path, audit: AuditLogger, audit_sink: MemorySink
) -> None:
    create_api_key(tmp_path / "keys.json", "k")
    settings = remote_settings_for(host=ANY_HOST, mcp_api_keys_file=tmp_path / "keys.json")
    layer = build_http_layer(create_server(settings.core), settings, audit=audit)
    assert layer.allowed_hosts is None
    assert "MCP_PUBLIC_URL" in [event.setting for event in audit_sink.events]


async def test_cors_and_public_url(
    remote_settings_for: Any, serve_remote: Any, tmp_path: Path
) -> None:
    create_api_key(tmp_path / "keys.json", "k")
    settings = remote_settings_for(
        mcp_api_keys_file=tmp_path / "keys.json",
        mcp_public_url="https://mcp.example.com",
        mcp_allowed_hosts="127.0.0.1",
        mcp_cors_origins="http://127.0.0.1:5173",
    )
    async with serve_remote(settings) as (base, layer), httpx.AsyncClient() as http:
        preflight = await http.options(
            f"{base}/mcp",
            headers={
                "origin": "http://127.0.0.1:5173",
                "access-control-request-method": "POST",
                "access-control-request-headers": "authorization, mcp-session-id",
            },
        )
        refused = await http.post(
            f"{base}/mcp", json=INIT, headers={**ACCEPT, "origin": "https://evil.example"}
        )
        metadata = await http.get(f"{base}/.well-known/oauth-protected-resource/mcp")
        health = await http.get(f"{base}/healthz")
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "http://127.0.0.1:5173"
    assert refused.status_code == 403
    assert metadata.json()["resource"] == "https://mcp.example.com/mcp"
    assert "max-age" in health.headers["strict-transport-security"]
    assert layer.allowed_origins is not None
    assert "https://mcp.example.com:443" in layer.allowed_origins


async def test_cors_wildcard_keeps_the_origin_check(
    remote_settings_for: Any, serve_remote: Any, tmp_path: Path
) -> None:
    create_api_key(tmp_path / "keys.json", "k")
    settings = remote_settings_for(
        mcp_api_keys_file=tmp_path / "keys.json",
        mcp_cors_origins="*,http://127.0.0.1:5173",
    )
    async with serve_remote(settings) as (base, layer), httpx.AsyncClient() as http:
        refused = await http.post(
            f"{base}/mcp", json=INIT, headers={**ACCEPT, "origin": "http://evil.example"}
        )
    assert refused.status_code == 403
    assert layer.allowed_origins is not None
    assert "*" not in layer.allowed_origins
    assert "http://127.0.0.1:5173" in layer.allowed_origins


async def test_lifecycle_closes_the_layer(
    remote_settings_for: Any, serve_remote: Any, audit_sink: MemorySink
) -> None:
    closed: list[str] = []
    async with serve_remote(remote_settings_for()) as (base, layer):

        async def closer() -> None:
            closed.append("closed")

        async def broken() -> None:
            raise RuntimeError("boom")

        layer.closers.extend([closer, broken])
        async with httpx.AsyncClient() as http:
            assert (await http.get(f"{base}/readyz")).status_code == 200
    assert closed == ["closed"]
    assert layer.closers == []


async def test_lifecycle_passes_other_scopes() -> None:
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["type"])

    async def shutdown() -> None:
        return None

    await LifecycleMiddleware(app, on_shutdown=shutdown)({"type": "http"}, None, None)  # type: ignore[arg-type]
    assert seen == ["http"]


async def test_prometheus_metrics_route(remote_settings_for: Any, serve_remote: Any) -> None:
    pytest.importorskip("prometheus_client")
    # A scraper reaching the pod by IP sends that IP as Host: list it (a pattern will do).
    settings = remote_settings_for(mcp_metrics="prometheus", mcp_allowed_hosts="10.0.0.*")
    async with serve_remote(settings) as (base, _layer):
        async with Client(StreamableHttpTransport(f"{base}/mcp")) as client:
            await client.call_tool("list_spaces", {})
        async with httpx.AsyncClient() as http:
            scraped = await http.get(f"{base}/metrics", headers={"host": "10.0.0.7:8000"})
    assert scraped.status_code == 200
    assert (
        'mcp_tool_calls_total{outcome="success",principal="anonymous",tool="list_spaces"} 1.0'
        in (scraped.text)
    )


async def test_prometheus_labels_never_name_principals(
    remote_settings_for: Any, serve_remote: Any, tmp_path: Path
) -> None:
    pytest.importorskip("prometheus_client")
    key = create_api_key(tmp_path / "keys.json", "alice@example.com", ["confluence:read"]).key
    settings = remote_settings_for(
        mcp_metrics="prometheus", mcp_api_keys_file=tmp_path / "keys.json"
    )
    async with serve_remote(settings) as (base, layer):
        async with Client(StreamableHttpTransport(f"{base}/mcp", auth=key)) as client:
            await client.call_tool("list_spaces", {})
        async with httpx.AsyncClient() as http:
            scraped = await http.get(f"{base}/metrics")
    assert scraped.status_code == 200
    assert "alice" not in scraped.text
    label = layer.metrics.principal_label("alice@example.com")
    assert label.startswith("p-")
    assert label != layer.metrics.principal_label("bob@example.com")
    assert f'principal="{label}",tool="list_spaces"}} 1.0' in scraped.text


def test_metrics_choice(remote_settings_for: Any) -> None:
    assert build_metrics(remote_settings_for()) is None
    assert isinstance(build_metrics(remote_settings_for(mcp_metrics="otel")), OTelMetrics)


def test_observability_off_costs_nothing(remote_settings_for: Any) -> None:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        observability = configure_observability(remote_settings_for(log_format="json"))
        assert isinstance(observability, Observability)
        assert observability.client_factory is build_client
        assert observability.tracer_provider is None
        assert observability.metrics is None
        assert current_observability() is observability
        observability.shutdown()
        with_metrics = configure_observability(remote_settings_for(mcp_metrics="otel"))
        client = with_metrics.client_factory(remote_settings_for().core)
        assert isinstance(client, InstrumentedClient)
    finally:
        for handler in list(root.handlers):
            if handler not in saved[0]:
                root.removeHandler(handler)
        root.setLevel(saved[1])
        logging.getLogger("uvicorn.access").disabled = False


def test_observability_redacts_configured_secrets(remote_settings_for: Any) -> None:
    root = logging.getLogger()
    saved = list(root.handlers)
    try:
        configure_observability(remote_settings_for(confluence_api_token="tok-very-secret-1"))
        [handler] = [h for h in root.handlers if h not in saved]
        stream = io.StringIO()
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(stream)
        logging.getLogger("confluence_mcp.x").warning("token is tok-very-secret-1")
        assert "tok-very-secret-1" not in stream.getvalue()
        assert "[REDACTED]" in stream.getvalue()
    finally:
        for handler in list(root.handlers):
            if handler not in saved:
                root.removeHandler(handler)
        logging.getLogger("uvicorn.access").disabled = False


def test_authorization_servers_default_to_the_jwt_issuer(
    remote_settings_for: Any, audit: AuditLogger, audit_sink: MemorySink
) -> None:
    jwt_settings = remote_settings_for(
        mcp_jwt_jwks_url="https://idp.example.com/jwks.json",
        mcp_jwt_issuer="https://idp.example.com/",
        mcp_jwt_audience="https://mcp.example.com/mcp",
        mcp_public_url="https://mcp.example.com",
    )
    layer = build_http_layer(create_server(jwt_settings.core), jwt_settings, audit=audit)
    assert layer.provider is not None
    assert [str(url) for url in layer.provider.authorization_servers] == [
        "https://idp.example.com/"
    ]
    introspection_only = remote_settings_for(
        mcp_oauth_introspection_url="https://idp.example.com/introspect",
        mcp_oauth_client_id="mcp",
        mcp_oauth_client_secret="secret-value",
        mcp_public_url="https://mcp.example.com",
    )
    build_http_layer(create_server(introspection_only.core), introspection_only, audit=audit)
    assert "MCP_AUTH_SERVERS" in [event.setting for event in audit_sink.events]


def test_invalid_authorization_server_is_a_config_error(remote_settings_for: Any) -> None:
    settings = remote_settings_for(
        mcp_jwt_jwks_url="https://idp.example.com/jwks.json",
        mcp_jwt_issuer="https://idp.example.com/",
        mcp_jwt_audience="aud",
        mcp_auth_servers="not a url",
    )
    with pytest.raises(ConfigError, match="MCP_AUTH_SERVERS"):
        build_http_layer(create_server(settings.core), settings)


async def test_public_url_may_name_the_endpoint_itself(
    remote_settings_for: Any, serve_remote: Any, tmp_path: Path
) -> None:
    create_api_key(tmp_path / "keys.json", "k")
    settings = remote_settings_for(
        mcp_api_keys_file=tmp_path / "keys.json",
        mcp_public_url="https://mcp.example.com/mcp",
        mcp_allowed_hosts="127.0.0.1",
    )
    async with serve_remote(settings) as (base, _layer), httpx.AsyncClient() as http:
        metadata = await http.get(f"{base}/.well-known/oauth-protected-resource/mcp")
        legacy = await http.get(f"{base}/sse")
    assert metadata.json()["resource"] == "https://mcp.example.com/mcp"
    assert legacy.status_code == 401
    assert (
        'resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"'
        in legacy.headers["www-authenticate"]
    )


def test_rate_limit_storage_only_when_a_limit_needs_it(remote_settings_for: Any) -> None:
    off = remote_settings_for(mcp_rate_limit="off", mcp_ip_rate_limit="off")
    layer = build_http_layer(create_server(off.core), off)
    assert layer.rate_limit_storage is None
    on = remote_settings_for(mcp_rate_limit="off", mcp_ip_rate_limit="50/second")
    layer = build_http_layer(create_server(on.core), on)
    assert layer.rate_limit_storage is not None


def test_limits_off_never_imports_the_limits_library() -> None:
    code = """
import sys
from confluence_mcp.app import create_server
from confluence_mcp.http.layer import build_http_layer
from confluence_mcp.remote.settings import load_remote_settings
remote = load_remote_settings(
    {"confluence_url": "https://example.atlassian.net/wiki", "confluence_username": "a@b.c",
     "confluence_api_token": "t", "transport": "http", "mcp_audit_log": "off",
     "mcp_rate_limit": "off", "mcp_ip_rate_limit": "off"},
    env_file=None,
)
build_http_layer(create_server(remote.core), remote)
import confluence_mcp.http.ratelimit
print(sorted(name for name in sys.modules if name == "limits" or name.startswith("limits.")))
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "[]"
