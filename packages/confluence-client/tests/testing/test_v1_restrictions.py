"""v1 restrictions and v2 space permissions in the fake, against the OpenAPI documents."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from confluence_client.testing import FakeConfluenceServer

from .conftest import page_id


def test_restriction_shapes(
    shared_server: FakeConfluenceServer, ro_cloud: httpx.Client, validate: Callable[..., None]
) -> None:
    salaries = page_id(shared_server, "Salary bands")
    body = ro_cloud.get(f"/rest/api/content/{salaries}/restriction/byOperation").json()
    validate("v1", "/wiki/rest/api/content/{id}/restriction/byOperation", body)
    assert body["read"]["restrictions"]["user"]["size"] == 2
    space = shared_server.store.get_space_by_key("DEMO").id
    grants = ro_cloud.get(f"/api/v2/spaces/{space}/permissions").json()
    validate("v2", "/spaces/{id}/permissions", grants)
