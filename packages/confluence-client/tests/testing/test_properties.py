"""Content properties in the fake (v2 and v1), against the OpenAPI documents."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from confluence_client.testing import FakeConfluenceServer

from .conftest import page_id


def test_v2_property_lifecycle(
    server: FakeConfluenceServer, cloud: httpx.Client, validate: Callable[..., None]
) -> None:
    pid = page_id(server, "FAQ")
    base = f"/api/v2/pages/{pid}/properties"
    created = cloud.post(base, json={"key": "content-appearance-published", "value": "full-width"})
    assert created.status_code == 200, created.text
    validate("v2", "/pages/{page-id}/properties", created.json(), "post")
    prop_id = created.json()["id"]
    assert (
        cloud.post(base, json={"key": "content-appearance-published", "value": "x"}).status_code
        == 409
    )
    listing = cloud.get(base, params={"key": "content-appearance-published"}).json()
    validate("v2", "/pages/{page-id}/properties", listing)
    assert [p["value"] for p in listing["results"]] == ["full-width"]
    one = cloud.get(f"{base}/{prop_id}").json()
    validate("v2", "/pages/{page-id}/properties/{property-id}", one)
    update = {"key": "content-appearance-published", "value": "fixed-width"}
    stale = cloud.put(f"{base}/{prop_id}", json={**update, "version": {"number": 1}})
    assert stale.status_code == 409
    ok = cloud.put(f"{base}/{prop_id}", json={**update, "version": {"number": 2}})
    assert ok.status_code == 200, ok.text
    validate("v2", "/pages/{page-id}/properties/{property-id}", ok.json(), "put")
    assert ok.json()["version"]["number"] == 2
    assert ok.json()["value"] == "fixed-width"
    assert cloud.get("/api/v2/pages/999999/properties").status_code == 404
    assert cloud.post(base, json={"value": 1}).status_code == 400


def test_v1_property_lifecycle(
    server: FakeConfluenceServer, dc: httpx.Client, validate: Callable[..., None]
) -> None:
    pid = page_id(server, "FAQ")
    base = f"/rest/api/content/{pid}/property"
    created = dc.post(base, json={"key": "my key", "value": {"a": [1, 2]}})
    assert created.status_code == 200, created.text
    validate("v1", "/wiki/rest/api/content/{id}/property", created.json(), "post")
    listing = dc.get(base).json()
    validate("v1", "/wiki/rest/api/content/{id}/property", listing)
    one = dc.get(f"{base}/my%20key").json()
    validate("v1", "/wiki/rest/api/content/{id}/property/{key}", one)
    assert one["value"] == {"a": [1, 2]}
    assert one["version"]["number"] == 1
    body = {"key": "my key", "value": True, "version": {"number": 3}}
    assert dc.put(f"{base}/my%20key", json=body).status_code == 409
    ok = dc.put(f"{base}/my%20key", json={**body, "version": {"number": 2}})
    assert ok.status_code == 200, ok.text
    validate("v1", "/wiki/rest/api/content/{id}/property/{key}", ok.json(), "put")
    assert dc.get(f"{base}/absent").status_code == 404


def test_analytics_shapes(
    shared_server: FakeConfluenceServer,
    ro_cloud: httpx.Client,
    ro_dc: httpx.Client,
    validate: Callable[..., None],
) -> None:
    home = shared_server.store.list_pages(title="Demo Space Home")[0].id
    views = ro_cloud.get(f"/rest/api/analytics/content/{home}/views").json()
    validate("v1", "/wiki/rest/api/analytics/content/{contentId}/views", views)
    viewers = ro_cloud.get(f"/rest/api/analytics/content/{home}/viewers").json()
    validate("v1", "/wiki/rest/api/analytics/content/{contentId}/viewers", viewers)
    assert (views["count"], viewers["count"]) == (6, 3)
    assert ro_dc.get(f"/rest/api/analytics/content/{home}/views").status_code == 404
