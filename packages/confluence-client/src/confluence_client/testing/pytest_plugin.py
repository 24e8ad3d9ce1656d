"""pytest plugin: ``pytest_plugins = ["confluence_client.testing.pytest_plugin"]``.

Provides ``fake_confluence``: a started ``FakeConfluenceServer`` with the demo seed, fresh for
each test and stopped afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ._server import FakeConfluenceServer

__all__ = ["fake_confluence"]


@pytest.fixture
def fake_confluence() -> Iterator[FakeConfluenceServer]:
    """A running fake Confluence (seed ``demo``) on a free loopback port."""
    with FakeConfluenceServer(seed="demo") as server:
        yield server
