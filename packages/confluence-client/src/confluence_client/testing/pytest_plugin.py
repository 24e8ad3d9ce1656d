"""pytest plugin: ``pytest_plugins = ["confluence_client.testing.pytest_plugin"]``.

Provides ``fake_confluence``: a started ``FakeConfluenceServer`` with the demo seed, fresh for
each test and stopped afterwards. Configure it per test with a marker, whose keyword
arguments go to ``FakeConfluenceServer``::

    @pytest.mark.fake_confluence(seed="empty", username="dc-admin")
    def test_something(fake_confluence): ...
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ._server import FakeConfluenceServer

__all__ = ["fake_confluence", "pytest_configure"]


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``fake_confluence`` marker (so ``--strict-markers`` accepts it)."""
    config.addinivalue_line(
        "markers", "fake_confluence(**kwargs): FakeConfluenceServer arguments for the fixture"
    )


@pytest.fixture
def fake_confluence(request: pytest.FixtureRequest) -> Iterator[FakeConfluenceServer]:
    """A running fake Confluence (seed ``demo`` unless a marker says otherwise)."""
    marker = request.node.get_closest_marker("fake_confluence")
    kwargs: dict[str, Any] = dict(marker.kwargs) if marker else {}
    kwargs.setdefault("seed", "demo")
    with FakeConfluenceServer(**kwargs) as server:
        yield server
