"""v1 templates and v2 tasks in the fake, against the OpenAPI documents."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from confluence_client.testing import FakeConfluenceServer


def test_template_shapes(
    shared_server: FakeConfluenceServer, ro_cloud: httpx.Client, validate: Callable[..., None]
) -> None:
    global_list = ro_cloud.get("/rest/api/template/page").json()
    validate("v1", "/wiki/rest/api/template/page", global_list)
    space_list = ro_cloud.get("/rest/api/template/page", params={"spaceKey": "DEMO"}).json()
    assert [t["name"] for t in space_list["results"]] == ["Incident report"]
    one = ro_cloud.get(f"/rest/api/template/{space_list['results'][0]['templateId']}").json()
    validate("v1", "/wiki/rest/api/template/{contentTemplateId}", one)
    assert "<at:var" in one["body"]["storage"]["value"]
    assert ro_cloud.get("/rest/api/template/999999").status_code == 404


def test_task_shapes(
    shared_server: FakeConfluenceServer, ro_cloud: httpx.Client, validate: Callable[..., None]
) -> None:
    listing = ro_cloud.get("/api/v2/tasks", params={"body-format": "storage"}).json()
    validate("v2", "/tasks", listing)
    one = ro_cloud.get(f"/api/v2/tasks/{listing['results'][0]['id']}").json()
    validate("v2", "/tasks/{id}", one)
