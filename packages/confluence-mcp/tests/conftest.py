"""Shared fixtures for confluence_mcp unit tests: a fake Confluence and in-memory clients.

- ``fake_confluence``: a started fake (demo seed: spaces DEMO and ENG), from the SDK's plugin.
- ``make_settings(**overrides)``: :class:`Settings` pointing at the fake (Cloud, basic auth),
  ignoring the environment and any ``.env``.
- ``connect(**overrides)``: an async factory returning a connected in-memory
  ``fastmcp.Client`` for a server built with those settings overrides (closed after the test).
- ``remote_settings_for(**overrides)``: :class:`RemoteSettings` (core ones in ``.core``) for
  the HTTP transport (audit off); overrides may name fields of either layer.
- ``audit_sink`` / ``audit``: an in-memory, synchronous audit log.
- ``serve_remote(settings, **layer_options)``: the full HTTP app (layer + server) on a real
  loopback socket; yields ``(base_url, layer)`` and stops the server afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Any

import pytest
from fastmcp import Client

from confluence_client.testing import FakeConfluenceServer
from confluence_mcp.app import create_server
from confluence_mcp.http.app import create_http_app
from confluence_mcp.http.layer import HttpLayer, build_http_layer
from confluence_mcp.http.serving import running_http_server
from confluence_mcp.remote.settings import RemoteSettings, load_remote_settings
from confluence_mcp.settings import Settings
from mcp_auth import AuditLogger, MemorySink

pytest_plugins = ["confluence_client.testing.pytest_plugin"]

SettingsFactory = Callable[..., Settings]
ClientFactory = Callable[..., Awaitable[Client[Any]]]


@pytest.fixture(autouse=True)
def no_inherited_observability() -> Iterator[None]:
    """Each test starts and ends with no process-wide observability set-up: an in-process
    ``serve`` configures one, and a later in-process server would take its metrics from it."""
    from confluence_mcp.remote import observability
    from confluence_mcp.remote.logs import remove_logging

    observability._current.clear()
    yield
    observability._current.clear()
    # The root handler an in-process ``serve`` installed writes to the stderr this test
    # captured, which pytest closes: a later server thread logging through it fails.
    remove_logging()


@pytest.fixture(autouse=True)
def restored_gc() -> Iterator[None]:
    """Each test ends with the garbage collector as it found it: an in-process ``serve`` (or
    the heap helpers) freezes the heap and raises the young threshold process-wide, which
    would change when later tests on this worker collect (and report what they leak)."""
    threshold, enabled, frozen = gc.get_threshold(), gc.isenabled(), gc.get_freeze_count()
    yield
    if gc.get_freeze_count() != frozen:
        gc.unfreeze()
    if gc.get_threshold() != threshold:
        gc.set_threshold(*threshold)
    if gc.isenabled() != enabled:
        (gc.enable if enabled else gc.disable)()


@pytest.fixture
def make_settings(fake_confluence: FakeConfluenceServer) -> SettingsFactory:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "confluence_url": fake_confluence.wiki_url,
            "confluence_username": fake_confluence.credentials.username,
            "confluence_api_token": fake_confluence.credentials.api_token,
            "confluence_deployment": "cloud",
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)

    return make


@pytest.fixture
async def connect(make_settings: SettingsFactory) -> AsyncIterator[ClientFactory]:
    async with AsyncExitStack() as stack:

        async def open_client(**overrides: Any) -> Client[Any]:
            client: Client[Any] = Client(create_server(make_settings(**overrides)))
            return await stack.enter_async_context(client)

        yield open_client


RemoteSettingsFactory = Callable[..., RemoteSettings]
Serve = Callable[..., AbstractAsyncContextManager[tuple[str, HttpLayer]]]


@pytest.fixture
def remote_settings_for(fake_confluence: FakeConfluenceServer) -> RemoteSettingsFactory:
    def make(**overrides: Any) -> RemoteSettings:
        values: dict[str, Any] = {
            "confluence_url": fake_confluence.wiki_url,
            "confluence_username": fake_confluence.credentials.username,
            "confluence_api_token": fake_confluence.credentials.api_token,
            "confluence_deployment": "cloud",
            "transport": "http",
            "mcp_audit_log": "off",
        }
        values.update(overrides)
        # Blank, not None: load_remote_settings drops None overrides.
        if values.get("confluence_url") is None:
            values["confluence_url"] = ""
        return load_remote_settings(values, env_file=None)

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
    async def serve(
        settings: RemoteSettings, **options: Any
    ) -> AsyncIterator[tuple[str, HttpLayer]]:
        mcp = create_server(settings.core)
        options.setdefault("audit", audit)
        layer = build_http_layer(mcp, settings, **options)
        app = create_http_app(mcp, settings.core, routes=layer.routes, middleware=layer.middleware)
        async with running_http_server(app) as base:
            yield base, layer

    return serve
