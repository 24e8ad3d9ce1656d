"""Content property DELETE (v2 and v1) and restoring a trashed attachment through v1
``PUT content/{id}``, against the OpenAPI documents."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from confluence_client.testing import FakeConfluenceServer

from .conftest import page_id


def test_property_delete_v2_and_v1(
    server: FakeConfluenceServer, cloud: httpx.Client, dc: httpx.Client
) -> None:
    pid = page_id(server, "FAQ")
    base = f"/api/v2/pages/{pid}/properties"
    made = cloud.post(base, json={"key": "a", "value": 1}).json()
    assert cloud.delete(f"{base}/{made['id']}").status_code == 204
    assert cloud.get(f"{base}/{made['id']}").status_code == 404
    assert cloud.delete(f"{base}/{made['id']}").status_code == 404
    dc.post(f"/rest/api/content/{pid}/property", json={"key": "b", "value": 2})
    assert dc.delete(f"/rest/api/content/{pid}/property/b").status_code == 204
    assert dc.get(f"/rest/api/content/{pid}/property/b").status_code == 404
    assert dc.delete(f"/rest/api/content/{pid}/property/b").json()["statusCode"] == 404


def test_restore_a_trashed_attachment(
    server: FakeConfluenceServer, cloud: httpx.Client, validate: Callable[..., None]
) -> None:
    pid = page_id(server, "FAQ")
    att = server.store.add_attachment(pid, "notes.txt", b"n", media_type="text/plain")
    path = f"/rest/api/content/{att.id}"
    restore = {"type": "attachment", "status": "current", "title": "notes.txt"}
    not_trashed = cloud.put(path, json={**restore, "version": {"number": 2}})
    assert not_trashed.status_code == 400
    assert cloud.delete(path).status_code == 204
    trashed = cloud.get(path, params={"status": "trashed", "expand": "version"}).json()
    assert (trashed["status"], trashed["version"]["number"]) == ("trashed", 1)
    assert cloud.put(path, json={**restore, "version": {"number": 1}}).status_code == 409
    ok = cloud.put(path, json={**restore, "version": {"number": 2}})
    assert ok.status_code == 200, ok.text
    validate("v1", "/wiki/rest/api/content/{id}", ok.json(), "put")
    assert (ok.json()["type"], ok.json()["status"]) == ("attachment", "current")
    assert att.status == "current"
