"""v2 whiteboards and databases in the fake: metadata, typed tree listings, search."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from confluence_client.testing import FakeConfluenceServer


def _node(server: FakeConfluenceServer, kind: str) -> str:
    return next(p.id for p in server.store.pages.values() if p.kind == kind)


def test_whiteboard_and_database_metadata(
    shared_server: FakeConfluenceServer, ro_cloud: httpx.Client, validate: Callable[..., None]
) -> None:
    board, table = _node(shared_server, "whiteboard"), _node(shared_server, "database")
    got = ro_cloud.get(f"/api/v2/whiteboards/{board}")
    assert got.status_code == 200, got.text
    validate("v2", "/whiteboards/{id}", got.json())
    body = got.json()
    assert (body["type"], body["title"], body["parentType"]) == (
        "whiteboard",
        "Product roadmap board",
        "page",
    )
    assert body["_links"]["webui"] == f"/spaces/DEMO/whiteboard/{board}"
    database = ro_cloud.get(f"/api/v2/databases/{table}").json()
    # Newer than the 2024 document: DatabaseSingle, parented by a folder here.
    assert (database["type"], database["parentType"], database["_links"]["webui"]) == (
        "database",
        "folder",
        f"/spaces/DEMO/database/{table}",
    )
    # Each route serves its own type only, as Confluence does.
    assert ro_cloud.get(f"/api/v2/databases/{board}").status_code == 404
    assert ro_cloud.get(f"/api/v2/pages/{board}").status_code == 404
    assert ro_cloud.get(f"/api/v2/whiteboards/{table}").json()["errors"][0]["status"] == 404


def test_tree_listings_type_every_node(
    shared_server: FakeConfluenceServer, ro_cloud: httpx.Client
) -> None:
    board, table = _node(shared_server, "whiteboard"), _node(shared_server, "database")
    parent = shared_server.store.pages[board].parent_id
    kids = ro_cloud.get(f"/api/v2/pages/{parent}/direct-children").json()["results"]
    assert {"id": board, "type": "whiteboard"}.items() <= next(
        k for k in kids if k["id"] == board
    ).items()
    legacy = ro_cloud.get(f"/api/v2/pages/{parent}/children").json()["results"]
    assert board not in {k["id"] for k in legacy}
    folder = shared_server.store.pages[table].parent_id
    in_folder = ro_cloud.get(f"/api/v2/folders/{folder}/direct-children").json()["results"]
    assert (table, "database") in {(k["id"], k["type"]) for k in in_folder}
    below = ro_cloud.get(f"/api/v2/folders/{folder}/descendants").json()["results"]
    assert {(d["id"], d["type"], d["depth"]) for d in below} >= {(table, "database", 1)}
    assert ro_cloud.get(f"/api/v2/whiteboards/{board}/direct-children").json()["results"] == []
    assert ro_cloud.get(f"/api/v2/databases/{table}/descendants").json()["results"] == []
    bad = ro_cloud.get(f"/api/v2/folders/{folder}/descendants", params={"depth": 9})
    assert bad.status_code == 400


def test_search_finds_them_typed(
    shared_server: FakeConfluenceServer, ro_cloud: httpx.Client, validate: Callable[..., None]
) -> None:
    board = _node(shared_server, "whiteboard")
    found = ro_cloud.get("/rest/api/search", params={"cql": "type = whiteboard"})
    assert found.status_code == 200, found.text
    validate("v1", "/wiki/rest/api/search", found.json())
    [hit] = found.json()["results"]
    assert (hit["content"]["id"], hit["content"]["type"]) == (board, "whiteboard")
    assert hit["url"] == f"/spaces/DEMO/whiteboard/{board}"


def test_data_center_search_finds_no_cloud_only_types(ro_dc: httpx.Client) -> None:
    for kind in ("whiteboard", "database", "folder"):
        found = ro_dc.get("/rest/api/search", params={"cql": f"type = {kind}"})
        assert found.status_code == 200, found.text
        assert found.json()["results"] == []
