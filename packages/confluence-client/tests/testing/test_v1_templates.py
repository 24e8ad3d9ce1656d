"""v1 templates in the fake, against the OpenAPI document."""

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
