"""Fixtures for the remote-service unit tests.

- ``remote_settings_for(**overrides)``: the server's ``Settings`` (which inherit the
  ``RemoteSettings`` fields) pointing at the fake Confluence, from keyword arguments only.
- ``audit_sink`` / ``audit``: an in-memory, synchronous audit log.
- ``serve_remote(settings, **layer_options)``: the full HTTP app (layer + server) on a real
  loopback socket; yields ``(base_url, layer)`` and stops the server afterwards.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest

from confluence_client.testing import FakeConfluenceServer
from confluence_mcp.app import create_server
from confluence_mcp.http_app import create_http_app
from confluence_mcp.remote import HttpLayer, build_http_layer
from confluence_mcp.serving import running_http_server
from confluence_mcp.settings import Settings
from mcp_auth import AuditLogger, MemorySink

RemoteSettingsFactory = Callable[..., Settings]
Serve = Callable[..., AbstractAsyncContextManager[tuple[str, HttpLayer]]]


@pytest.fixture
def remote_settings_for(fake_confluence: FakeConfluenceServer) -> RemoteSettingsFactory:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "confluence_url": fake_confluence.wiki_url,
            "confluence_username": fake_confluence.credentials.username,
            "confluence_api_token": fake_confluence.credentials.api_token,
            "confluence_deployment": "cloud",
            "transport": "http",
            "mcp_audit_log": "off",
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)

    return make


@pytest.fixture
def audit_sink() -> MemorySink:
    return MemorySink()


@pytest.fixture
def audit(audit_sink: MemorySink) -> AuditLogger:
    return AuditLogger([audit_sink], background=False)


@pytest.fixture
def serve_remote(audit: AuditLogger) -> Serve:
    @asynccontextmanager
    async def serve(settings: Settings, **options: Any) -> AsyncIterator[tuple[str, HttpLayer]]:
        mcp = create_server(settings)
        options.setdefault("audit", audit)
        layer = build_http_layer(mcp, settings, **options)
        app = create_http_app(mcp, settings, routes=layer.routes, middleware=layer.middleware)
        async with running_http_server(app) as base:
            yield base, layer

    return serve
