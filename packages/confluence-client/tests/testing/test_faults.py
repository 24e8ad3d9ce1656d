"""Fault injection through the Python API and the run-time control endpoint."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone

import httpx
import pytest

from confluence_client.testing import (
    FakeBadRequestError,
    FakeConfluenceServer,
    FaultInjector,
    FaultRule,
)

PAGES = "/api/v2/pages"


def test_server_errors_limited_by_count_and_prefix(
    server: FakeConfluenceServer, cloud: httpx.Client
) -> None:
    server.faults.server_errors(status=503, path_prefix="/wiki/api/v2/pages", count=2)
    first = cloud.get(PAGES)
    assert first.status_code == 503
    assert first.json()["errors"][0]["status"] == 503
    assert cloud.get("/api/v2/spaces").status_code == 200  # other prefix untouched
    assert cloud.get(PAGES).status_code == 503
    assert cloud.get(PAGES).status_code == 200  # count used up
    v1 = cloud.get("/rest/api/space")
    assert v1.status_code == 200
    assert server.requests.count("GET", path=f"/wiki{PAGES}") == 3
    assert server.requests.count(path=f"/wiki{PAGES}", status=503) == 2
    faulted = [r.fault for r in server.requests.matching(path_prefix="/wiki/api/v2/pages")]
    assert faulted == ["error", "error", None]


def test_v1_fault_bodies_use_v1_shape(server: FakeConfluenceServer, dc: httpx.Client) -> None:
    server.faults.server_errors(status=502, method="get", count=1)
    response = dc.get("/rest/api/space")
    assert response.status_code == 502
    assert response.json()["statusCode"] == 502


def test_rate_limit_with_retry_after(server: FakeConfluenceServer, cloud: httpx.Client) -> None:
    server.faults.rate_limit(retry_after=7, count=1)
    response = cloud.get(PAGES)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"
    assert response.headers["x-ratelimit-remaining"] == "0"
    assert cloud.get(PAGES).status_code == 200


def test_throttling_503_with_retry_after(server: FakeConfluenceServer, dc: httpx.Client) -> None:
    server.faults.rate_limit(status=503, retry_after=2, count=1, path_prefix="/rest/api/search")
    response = dc.get("/rest/api/search", params={"cql": "type = page"})
    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"
    assert response.json()["statusCode"] == 503


def test_rate_limit_with_reset_only(server: FakeConfluenceServer, cloud: httpx.Client) -> None:
    server.faults.rate_limit(retry_after=None, reset_after=30, count=3)
    before = datetime.now(timezone.utc)
    statuses = [cloud.get(PAGES) for _ in range(4)]
    assert [r.status_code for r in statuses] == [429, 429, 429, 200]
    limited = statuses[0]
    assert "retry-after" not in limited.headers
    reset = datetime.strptime(limited.headers["x-ratelimit-reset"], "%Y-%m-%dT%H:%M:%S.%fZ")
    assert reset.replace(tzinfo=timezone.utc) > before


def test_malformed_json(server: FakeConfluenceServer, cloud: httpx.Client) -> None:
    server.faults.malformed_json(count=1)
    broken = cloud.get(PAGES)
    assert broken.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(broken.content)
    assert cloud.get(PAGES).json()["results"]
    server.faults.malformed_json(count=1)
    empty = cloud.delete(f"{PAGES}/{server.store.list_pages(title='FAQ')[0].id}")
    assert (empty.status_code, empty.content) == (204, b"")


def test_dropped_connection(server: FakeConfluenceServer, cloud: httpx.Client) -> None:
    server.faults.drop_connections(count=1, method="GET")
    with pytest.raises(httpx.RemoteProtocolError):
        cloud.get(PAGES)
    assert cloud.get(PAGES).status_code == 200
    assert server.requests.entries[0].fault == "drop_connection"


def _create_body(cloud: httpx.Client, title: str) -> dict[str, object]:
    space_id = cloud.get("/api/v2/spaces").json()["results"][0]["id"]
    body = {"representation": "storage", "value": "<p>x</p>"}
    return {"spaceId": space_id, "title": title, "body": body}


def test_apply_then_drop_stores_the_write(
    server: FakeConfluenceServer, cloud: httpx.Client
) -> None:
    server.faults.apply_then_drop(count=1, method="POST", path_prefix=f"/wiki{PAGES}")
    with pytest.raises(httpx.RemoteProtocolError):
        cloud.post(PAGES, json=_create_body(cloud, "Dropped but stored"))
    assert len(server.store.list_pages(title="Dropped but stored")) == 1
    [record] = server.requests.matching(method="POST", path_prefix=f"/wiki{PAGES}")
    assert (record.fault, record.status) == ("apply_then_drop", 200)


def test_apply_then_corrupt_stores_the_write(
    server: FakeConfluenceServer, cloud: httpx.Client
) -> None:
    page = server.store.list_pages(title="FAQ")[0]
    current = cloud.get(f"{PAGES}/{page.id}").json()
    server.faults.apply_then_corrupt(count=1, method="PUT")
    update = {
        "id": page.id,
        "status": "current",
        "title": "FAQ",
        "body": {"representation": "storage", "value": "<p>new</p>"},
        "version": {"number": current["version"]["number"] + 1},
    }
    garbled = cloud.put(f"{PAGES}/{page.id}", json=update)
    assert garbled.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(garbled.content)
    after = cloud.get(f"{PAGES}/{page.id}").json()
    assert after["version"]["number"] == current["version"]["number"] + 1
    assert server.requests.matching(method="PUT")[0].fault == "apply_then_corrupt"


def test_a_write_slower_than_the_client_is_still_applied(
    server: FakeConfluenceServer, cloud: httpx.Client
) -> None:
    body = _create_body(cloud, "Applied late")
    server.faults.latency(0.5, count=1, method="POST")
    with pytest.raises(httpx.TimeoutException):
        cloud.post(PAGES, json=body, timeout=0.1)
    # Wait (bounded) for the fake to finish the request the client gave up on.
    give_up = time.monotonic() + 10
    while not server.requests.count("POST", path=f"/wiki{PAGES}") and time.monotonic() < give_up:
        time.sleep(0.02)
    assert len(server.store.list_pages(title="Applied late")) == 1


def test_apply_then_faults_through_the_control_endpoint(
    server: FakeConfluenceServer, cloud: httpx.Client
) -> None:
    body = _create_body(cloud, "Set at run time")
    with httpx.Client(base_url=server.control_url) as control:
        rule = {"kind": "apply_then_corrupt", "method": "POST", "count": 1}
        assert control.post("/faults", json=rule).status_code == 201
    garbled = cloud.post(PAGES, json=body)
    with pytest.raises(json.JSONDecodeError):
        json.loads(garbled.content)
    assert len(server.store.list_pages(title="Set at run time")) == 1


def test_apply_then_faults_do_not_apply_unauthenticated_writes(
    server: FakeConfluenceServer, cloud: httpx.Client
) -> None:
    body = _create_body(cloud, "Never stored")
    server.faults.apply_then_drop(count=1, method="POST")
    with httpx.Client(base_url=server.wiki_url) as anonymous:
        assert anonymous.post(PAGES, json=body).status_code == 401
    assert server.store.list_pages(title="Never stored") == []


def test_latency_is_added_without_breaking_requests(
    server: FakeConfluenceServer, cloud: httpx.Client
) -> None:
    rule = server.faults.latency(0.01, count=2)
    assert cloud.get(PAGES).status_code == 200
    server.faults.server_errors(count=1)
    assert cloud.get(PAGES).status_code == 500  # latency and a terminal fault combine
    assert rule.count == 0


def test_faults_fire_before_auth(server: FakeConfluenceServer) -> None:
    server.faults.server_errors(count=1)
    with httpx.Client(base_url=server.wiki_url) as anonymous:
        assert anonymous.get(PAGES).status_code == 500
        assert anonymous.get(PAGES).status_code == 401


def _pattern(seed: int, draws: int = 40) -> list[bool]:
    injector = FaultInjector(seed)
    injector.server_errors(rate=0.3)
    return [injector.draw("GET", "/x")[1] is not None for _ in range(draws)]


def test_rates_are_reproducible_with_a_seed() -> None:
    assert _pattern(1) == _pattern(1)
    assert _pattern(1) != _pattern(2)
    assert 0 < sum(_pattern(3)) < 40
    injector = FaultInjector(5)
    injector.server_errors(rate=0.3)
    first = [injector.draw("GET", "/x")[1] is not None for _ in range(10)]
    injector.reseed(5)
    assert [injector.draw("GET", "/x")[1] is not None for _ in range(10)] == first


@pytest.mark.parametrize(
    "rule",
    [
        FaultRule("explode"),  # type: ignore[arg-type]
        FaultRule("error", rate=1.5),
        FaultRule("error", count=0),
        FaultRule("error", status=404),
        FaultRule("latency", seconds=-1),
        FaultRule("rate_limit", status=500),
    ],
)
def test_invalid_rules_are_refused(rule: FaultRule) -> None:
    with pytest.raises(FakeBadRequestError):
        FaultInjector().add(rule)


def test_each_helper_builds_its_rule_and_refuses_other_settings() -> None:
    injector = FaultInjector()
    get, two = "GET", 2
    built = [
        injector.latency(0.25, path_prefix=PAGES, method=get, count=two, rate=0.5),
        injector.server_errors(0.5, status=503, path_prefix=PAGES, method=get, count=two),
        injector.rate_limit(
            retry_after=None, reset_after=2.0, status=503, path_prefix=PAGES, method=get, rate=0.5
        ),
        injector.malformed_json(path_prefix=PAGES, method=get, count=two, rate=0.5),
        injector.drop_connections(path_prefix=PAGES, method=get, count=two, rate=0.5),
        injector.apply_then_drop(path_prefix=PAGES, method=get, count=two, rate=0.5),
        injector.apply_then_corrupt(path_prefix=PAGES, method=get, count=two, rate=0.5),
    ]
    kinds = ["latency", "error", "rate_limit", "malformed_json", "drop_connection"]
    assert [r.kind for r in built] == [*kinds, "apply_then_drop", "apply_then_corrupt"]
    for rule in built:
        assert (rule.path_prefix, rule.method, rule.rate) == (PAGES, "GET", 0.5)
        assert rule.count == (None if rule.kind == "rate_limit" else 2)
    assert (built[0].seconds, built[1].status) == (0.25, 503)
    assert (built[2].retry_after, built[2].reset_after, built[2].status) == (None, 2.0, 503)
    assert (built[3].status, built[3].seconds) == (500, 0.0)
    with pytest.raises(TypeError, match="status"):
        injector.malformed_json(status=503)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="seconds"):
        injector.drop_connections(seconds=1.0)  # type: ignore[call-arg]
    assert len(injector.rules) == len(built)


def test_control_endpoint(server: FakeConfluenceServer, cloud: httpx.Client) -> None:
    with httpx.Client(base_url=server.control_url) as control:
        assert control.get("/health").json() == {"status": "ok"}
        added = control.post("/faults", json={"kind": "error", "status": 503, "count": 1})
        assert added.status_code == 201
        assert added.json()["id"] >= 1
        assert [r["kind"] for r in control.get("/faults").json()["faults"]] == ["error"]
        assert cloud.get(PAGES).status_code == 503
        log = control.get("/requests").json()
        assert log["count"] == 1
        assert log["requests"][0] == {
            "method": "GET",
            "path": f"/wiki{PAGES}",
            "query": "",
            "status": 503,
            "fault": "error",
        }
        assert (
            control.post("/faults", json={"kind": "rate_limit", "retry_after": None}).status_code
            == 201
        )
        assert control.delete("/faults").status_code == 204
        assert server.faults.rules == []
        assert control.post("/faults/seed", json={"seed": 4}).status_code == 204
        assert control.delete("/requests").status_code == 204
        assert len(server.requests) == 0
        bad_rules: list[object] = [
            [],
            {"status": 500},
            {"kind": "error", "colour": 1},
            {"kind": "nope"},
        ]
        for bad in bad_rules:
            assert control.post("/faults", json=bad).status_code == 400
        assert control.post("/faults", json={"kind": "error", "count": "x"}).status_code == 400
        assert control.post("/faults/seed", json={"seed": "x"}).status_code == 400
        assert control.post("/faults/seed", json=[]).status_code == 400


def test_request_log_helpers(server: FakeConfluenceServer, cloud: httpx.Client) -> None:
    # A local, not the property itself: mypy would keep the narrowing to None
    # across the requests below and call the rest unreachable.
    before = server.requests.last
    assert before is None
    cloud.get(PAGES, params={"limit": 1})
    cloud.get("/api/v2/spaces")
    last = server.requests.last
    assert last is not None
    assert last.target == "/wiki/api/v2/spaces"
    assert server.requests.entries[0].target == "/wiki/api/v2/pages?limit=1"
    assert [r.path for r in server.requests] == ["/wiki/api/v2/pages", "/wiki/api/v2/spaces"]
    assert server.requests.count(path_contains="spaces") == 1
    assert server.requests.count("post") == 0
    server.requests.clear()
    assert len(server.requests) == 0
