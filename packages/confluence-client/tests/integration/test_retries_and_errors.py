"""Retries, waits and error mapping against injected faults (fake clock: no real waiting)."""

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from confluence_client import (
    AuthenticationError,
    BasicAuth,
    ConfluenceClient,
    ConfluenceTimeoutError,
    ConnectionFailedError,
    MalformedResponseError,
    PayloadTooLargeError,
    RateLimitedError,
    RetryPolicy,
    ServerError,
    Timeouts,
)
from confluence_client import _transport as transport_module
from confluence_client.testing import FakeConfluenceServer

ClientFactory = Callable[..., ConfluenceClient]
PAGES = "/wiki/api/v2/pages"


def _home(server: FakeConfluenceServer) -> str:
    return server.store.get_space_by_key("DEMO").homepage_id or ""


def _gets(server: FakeConfluenceServer, page_id: str) -> int:
    return server.requests.count("GET", path=f"{PAGES}/{page_id}")


async def test_429_waits_retry_after_then_succeeds(
    cloud: ConfluenceClient, server: FakeConfluenceServer, clock: Any
) -> None:
    server.faults.rate_limit(retry_after=7, path_prefix=PAGES, count=2)
    page = await cloud.get_page(_home(server))
    assert page.id == _home(server)
    assert clock.sleeps == [7.0, 7.0]
    assert _gets(server, page.id) == 3


async def test_429_without_retry_after_waits_for_the_reset(
    cloud: ConfluenceClient, server: FakeConfluenceServer, clock: Any
) -> None:
    server.faults.rate_limit(retry_after=None, reset_after=30, path_prefix=PAGES, count=1)
    await cloud.get_page(_home(server))
    assert len(clock.sleeps) == 1
    assert 25 <= clock.sleeps[0] <= 31  # the reset instant, measured from our clock


async def test_429_is_retried_even_for_post(
    cloud: ConfluenceClient, server: FakeConfluenceServer, clock: Any
) -> None:
    server.faults.rate_limit(retry_after=3, path_prefix=PAGES, method="POST", count=1)
    page = await cloud.create_page("DEMO", "After a 429", "<p>x</p>")
    assert clock.sleeps == [3.0]
    assert server.requests.count("POST", path=PAGES) == 2
    assert len(server.store.list_pages(title="After a 429")) == 1
    assert page.title == "After a 429"


async def test_5xx_on_get_backs_off_exponentially(
    cloud: ConfluenceClient, server: FakeConfluenceServer, clock: Any
) -> None:
    server.faults.server_errors(status=503, path_prefix=PAGES, count=3)
    await cloud.get_page(_home(server))
    assert clock.sleeps == [2.0, 4.0, 8.0]
    assert _gets(server, _home(server)) == 4


async def test_5xx_on_post_is_not_retried(
    cloud: ConfluenceClient, server: FakeConfluenceServer, clock: Any
) -> None:
    server.faults.server_errors(status=502, path_prefix=PAGES, method="POST", count=1)
    with pytest.raises(ServerError) as info:
        await cloud.create_page("DEMO", "Never twice", "<p>x</p>")
    assert (info.value.status_code, info.value.method, info.value.path) == (502, "POST", PAGES)
    assert clock.sleeps == []
    assert server.requests.count("POST", path=PAGES) == 1


async def test_retries_are_bounded_in_number(
    cloud: ConfluenceClient, server: FakeConfluenceServer, clock: Any
) -> None:
    server.faults.rate_limit(retry_after=1, path_prefix=PAGES)
    with pytest.raises(RateLimitedError) as info:
        await cloud.get_page(_home(server))
    assert info.value.retry_after == 1.0
    assert info.value.status_code == 429
    assert clock.sleeps == [1.0] * 4
    assert _gets(server, _home(server)) == 5


async def test_retries_are_bounded_in_total_time(
    make_client: ClientFactory, server: FakeConfluenceServer, clock: Any
) -> None:
    server.faults.rate_limit(retry_after=7, path_prefix=PAGES)
    policy = RetryPolicy(max_retries=10, max_total_wait=10.0, jitter=(1.0, 1.0))
    async with make_client("cloud", retry=policy) as client:
        with pytest.raises(RateLimitedError):
            await client.get_page(_home(server))
    assert clock.sleeps == [7.0]
    assert _gets(server, _home(server)) == 2


async def test_retries_can_be_disabled(
    make_client: ClientFactory, server: FakeConfluenceServer, clock: Any
) -> None:
    server.faults.server_errors(path_prefix=PAGES, count=1)
    async with make_client("cloud", retry=RetryPolicy.disabled()) as client:
        with pytest.raises(ServerError):
            await client.get_page(_home(server))
    assert clock.sleeps == []


async def test_dropped_connection_retried_for_get_only(
    cloud: ConfluenceClient, server: FakeConfluenceServer, clock: Any
) -> None:
    server.faults.drop_connections(path_prefix=PAGES, method="GET", count=1)
    await cloud.get_page(_home(server))
    assert clock.sleeps == [2.0]
    server.faults.drop_connections(path_prefix=PAGES, method="POST", count=1)
    with pytest.raises(ConnectionFailedError) as info:
        await cloud.create_page("DEMO", "Dropped", "<p>x</p>")
    assert info.value.method == "POST"
    assert info.value.status_code is None
    assert clock.sleeps == [2.0]


async def test_malformed_json_is_a_typed_error(
    cloud: ConfluenceClient, server: FakeConfluenceServer
) -> None:
    server.faults.malformed_json(path_prefix=PAGES, count=1)
    with pytest.raises(MalformedResponseError) as info:
        await cloud.get_page(_home(server))
    assert info.value.status_code == 200


async def test_read_timeout(make_client: ClientFactory, server: FakeConfluenceServer) -> None:
    server.faults.latency(1.0, path_prefix=PAGES, count=1)
    options = {"timeouts": Timeouts(connect=2.0, read=0.2), "retry": RetryPolicy.disabled()}
    async with make_client("cloud", **options) as client:
        with pytest.raises(ConfluenceTimeoutError) as info:
            await client.get_page(_home(server))
    assert isinstance(info.value, TimeoutError)
    assert info.value.method == "GET"


async def test_connection_refused(clock: Any) -> None:
    async with ConfluenceClient(
        "http://127.0.0.1:9",
        BasicAuth("u", "t"),
        deployment="cloud",
        retry=RetryPolicy(max_retries=1, jitter=(1.0, 1.0)),
        clock=clock,
    ) as client:
        with pytest.raises(ConnectionFailedError):
            await client.get_page("1")
    assert clock.sleeps == [2.0]


@pytest.mark.parametrize("flavour", ["cloud", "datacenter", "oauth"])
async def test_bad_credentials_never_leak(
    server: FakeConfluenceServer, flavour: str, make_client: ClientFactory
) -> None:
    secret = "wrong-but-secret-token-123"
    from confluence_client import OAuthToken, PersonalAccessToken

    if flavour == "cloud":
        client = ConfluenceClient(
            server.wiki_url, BasicAuth("fake@example.com", secret), deployment="cloud"
        )
    elif flavour == "datacenter":
        client = ConfluenceClient(server.url, PersonalAccessToken(secret), deployment="datacenter")
    else:
        client = ConfluenceClient(
            server.wiki_url,
            OAuthToken(secret, server.cloud_id),
            deployment="cloud",
            api_gateway_url=server.url,
        )
    async with client:
        with pytest.raises(AuthenticationError) as info:
            await client.get_current_user()
    err = info.value
    assert err.status_code == 401
    for text in (str(err), repr(err), repr(client), str(err.detail)):
        assert secret not in text


async def test_payload_too_large(cloud: ConfluenceClient) -> None:
    huge = "<p>" + "x" * (5 * 1024 * 1024 + 10) + "</p>"
    with pytest.raises(PayloadTooLargeError) as info:
        await cloud.create_page("DEMO", "Too big", huge)
    assert info.value.status_code == 413


async def test_concurrency_is_capped(
    make_client: ClientFactory, server: FakeConfluenceServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_flight = 0
    peak = 0
    real = transport_module.Transport._run_blocking

    async def counting(self: Any, func: Callable[[], Any]) -> Any:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        try:
            return await real(self, func)
        finally:
            in_flight -= 1

    monkeypatch.setattr(transport_module.Transport, "_run_blocking", counting)
    server.faults.latency(0.05, path_prefix=PAGES)
    async with make_client("cloud", max_concurrency=3) as client:
        pages = await asyncio.gather(*(client.get_page(_home(server)) for _ in range(12)))
    assert len(pages) == 12
    assert peak == 3


async def test_requests_do_not_block_the_event_loop(
    cloud: ConfluenceClient, server: FakeConfluenceServer
) -> None:
    server.faults.latency(0.3, path_prefix=PAGES, count=1)
    request = asyncio.create_task(cloud.get_page(_home(server)))
    await asyncio.sleep(0.05)  # the loop runs other work while the request is in flight
    assert not request.done()
    await request


async def test_on_request_sees_every_attempt(
    make_client: ClientFactory, server: FakeConfluenceServer, clock: Any
) -> None:
    from confluence_client import RequestEvent

    events: list[RequestEvent] = []
    server.faults.rate_limit(retry_after=1, path_prefix=PAGES, count=1)
    server.faults.drop_connections(path_prefix=PAGES, method="GET", count=1)
    async with make_client("cloud", on_request=events.append) as client:
        await client.get_page(_home(server))
    assert [(e.attempt, e.status) for e in events] == [(1, 429), (2, None), (3, 200)]
    assert events[1].error == "ConnectionFailedError"
    assert all(e.method == "GET" and e.path == f"{PAGES}/{_home(server)}" for e in events)
    assert all(e.duration_s >= 0 and e.start_time_ns > 0 for e in events)


async def test_a_failing_hook_never_breaks_the_call(
    make_client: ClientFactory, server: FakeConfluenceServer, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(event: object) -> None:
        raise RuntimeError("observer bug")

    async with make_client("cloud", on_request=broken) as client:
        page = await client.get_page(_home(server))
    assert page.id == _home(server)
    assert "on_request hook failed" in caplog.text


async def test_throttling_503_with_retry_after_is_retried_even_for_post(
    cloud: ConfluenceClient, server: FakeConfluenceServer, clock: Any
) -> None:
    server.faults.rate_limit(status=503, retry_after=4, path_prefix=PAGES, method="POST", count=1)
    page = await cloud.create_page("DEMO", "After a throttle", "<p>x</p>")
    assert clock.sleeps == [4.0]
    assert server.requests.count("POST", path=PAGES) == 2
    assert page.version_number == 1


async def test_gone_on_the_oauth_gateway_is_not_found(
    make_client: ClientFactory, server: FakeConfluenceServer
) -> None:
    """The gateway answers 410 to v1 content paths; the SDK never uses them with OAuth."""
    from confluence_client import NotFoundError

    async with make_client("oauth") as client:
        with pytest.raises(NotFoundError) as info:
            await client._transport.request("GET", f"rest/api/content/{_home(server)}")
        assert info.value.status_code == 410
        store = server.store
        deep = max(store.pages.values(), key=lambda p: len(store.ancestors(p.id)))
        server.requests.clear()
        ancestors = await client.get_ancestors(deep.id)
        assert [a.id for a in ancestors] == [p.id for p in store.ancestors(deep.id)]
    assert server.requests.count(status=410) == 0
    assert server.requests.count(path_contains="/rest/api/content") == 0
