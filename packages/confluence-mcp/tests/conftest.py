"""Shared fixtures for confluence_mcp unit tests: a fake Confluence and in-memory clients.

- ``fake_confluence``: a started fake (demo seed: spaces DEMO and ENG), from the SDK's plugin.
- ``make_settings(**overrides)``: :class:`Settings` pointing at the fake (Cloud, basic auth),
  ignoring the environment and any ``.env``.
- ``connect(**overrides)``: an async factory returning a connected in-memory
  ``fastmcp.Client`` for a server built with those settings overrides (closed after the test).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any

import pytest
from fastmcp import Client

from confluence_client.testing import FakeConfluenceServer
from confluence_mcp.app import create_server
from confluence_mcp.settings import Settings

pytest_plugins = ["confluence_client.testing.pytest_plugin"]

SettingsFactory = Callable[..., Settings]
ClientFactory = Callable[..., Awaitable[Client[Any]]]


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
