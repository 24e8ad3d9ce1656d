"""v2 folders in the fake: create, read, children, pages moving in and out."""

from __future__ import annotations

import httpx

from confluence_client.testing import FakeConfluenceServer


def test_folder_routes(server: FakeConfluenceServer, cloud: httpx.Client) -> None:
    space = server.store.get_space_by_key("DEMO")
    created = cloud.post(
        "/api/v2/folders",
        json={"spaceId": space.id, "title": "Drafts", "parentId": space.homepage_id},
    )
    assert created.status_code == 200, created.text
    folder = created.json()
    assert (folder["type"], folder["parentId"], folder["parentType"]) == (
        "folder",
        space.homepage_id,
        "page",
    )
    assert cloud.get(f"/api/v2/folders/{folder['id']}").json()["title"] == "Drafts"
    assert cloud.get(f"/api/v2/pages/{folder['id']}").status_code == 404
    page = server.store.add_page(space.id, "Inside", "<p>x</p>", parent_id=folder["id"])
    read = cloud.get(f"/api/v2/pages/{page.id}").json()
    assert (read["parentId"], read["parentType"]) == (folder["id"], "folder")
    kids = cloud.get(f"/api/v2/folders/{folder['id']}/direct-children").json()["results"]
    assert [(k["id"], k["type"]) for k in kids] == [(page.id, "page")]
    home_kids = cloud.get(f"/api/v2/pages/{space.homepage_id}/direct-children").json()
    assert (folder["id"], "folder") in {(k["id"], k["type"]) for k in home_kids["results"]}
    legacy = cloud.get(f"/api/v2/pages/{space.homepage_id}/children").json()["results"]
    assert folder["id"] not in {k["id"] for k in legacy}
    below = cloud.get(
        f"/api/v2/pages/{space.homepage_id}/descendants", params={"limit": 250}
    ).json()["results"]
    assert {"id": page.id, "parentId": folder["id"]}.items() <= next(
        d for d in below if d["id"] == page.id
    ).items()
    assert cloud.delete(f"/api/v2/folders/{folder['id']}").status_code == 204
    assert cloud.get(f"/api/v2/folders/{folder['id']}").status_code == 404
    assert cloud.post("/api/v2/folders", json={"spaceId": space.id}).status_code == 400
