"""Clients wired to the fake Confluence over real HTTP, in each deployment flavour."""

from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from confluence_client import (
    BasicAuth,
    ConfluenceClient,
    OAuthToken,
    PersonalAccessToken,
    RetryPolicy,
)
from confluence_client.testing import FakeConfluenceServer

FLAVOURS = ("cloud", "datacenter", "oauth")


class FakeClock:
    """Monotonic time that only moves when the client sleeps; sleeps are recorded."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []
        self._elapsed = 0.0

    def monotonic(self) -> float:
        return self._elapsed

    def now(self) -> datetime:
        return datetime.now(timezone.utc) + timedelta(seconds=self._elapsed)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self._elapsed += seconds


ClientFactory = Callable[..., ConfluenceClient]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="module")
def _shared_server() -> Iterator[FakeConfluenceServer]:
    with FakeConfluenceServer(seed="demo") as server:
        yield server


@pytest.fixture
def server(_shared_server: FakeConfluenceServer) -> FakeConfluenceServer:
    """The module's fake, back to fresh demo content, no faults and an empty log."""
    _shared_server.reset()
    return _shared_server


@pytest.fixture
def make_client(server: FakeConfluenceServer, clock: FakeClock) -> ClientFactory:
    """Build a client for a flavour; retries use the fake clock and no jitter."""

    def build(flavour: str = "cloud", **options: Any) -> ConfluenceClient:
        options.setdefault("clock", clock)
        options.setdefault("retry", RetryPolicy(jitter=(1.0, 1.0)))
        options.setdefault("timeouts", 10.0)
        if flavour == "cloud":
            auth: Any = BasicAuth("fake@example.com", "fake-api-token")
            return ConfluenceClient(server.wiki_url, auth, deployment="cloud", **options)
        if flavour == "datacenter":
            auth = PersonalAccessToken("fake-pat")
            return ConfluenceClient(server.url, auth, deployment="datacenter", **options)
        if flavour == "oauth":
            auth = OAuthToken("fake-pat", server.cloud_id)
            return ConfluenceClient(
                server.wiki_url, auth, deployment="cloud", api_gateway_url=server.url, **options
            )
        raise AssertionError(flavour)

    return build


@pytest.fixture(params=FLAVOURS)
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def client(make_client: ClientFactory, flavour: str) -> AsyncIterator[ConfluenceClient]:
    async with make_client(flavour) as c:
        yield c


@pytest.fixture
async def cloud(make_client: ClientFactory) -> AsyncIterator[ConfluenceClient]:
    async with make_client("cloud") as c:
        yield c
