"""v2 blog posts in the fake: shapes per the OpenAPI document, kept out of the page tree."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from confluence_client.testing import FakeConfluenceServer


def _post_id(server: FakeConfluenceServer) -> str:
    return server.store.list_pages(kind="blogpost")[0].id


def test_seeded_blog_post_reads_and_lists(
    shared_server: FakeConfluenceServer, ro_cloud: httpx.Client, validate: Callable[..., None]
) -> None:
    post_id = _post_id(shared_server)
    post = ro_cloud.get(f"/api/v2/blogposts/{post_id}", params={"body-format": "storage"})
    assert post.status_code == 200
    validate("v2", "/blogposts/{id}", post.json())
    assert post.json()["title"] == "Release 2.4 is out"
    assert "parentId" not in post.json()
    assert "/blog/" in post.json()["_links"]["webui"]
    listing = ro_cloud.get("/api/v2/blogposts", params={"limit": 1}).json()
    validate("v2", "/blogposts", listing)
    space = post.json()["spaceId"]
    per_space = ro_cloud.get(f"/api/v2/spaces/{space}/blogposts").json()
    validate("v2", "/spaces/{id}/blogposts", per_space)
    assert [p["id"] for p in per_space["results"]] == [post_id]
    # Blog posts are not pages: not under /pages, not in a space's page list or tree.
    assert ro_cloud.get(f"/api/v2/pages/{post_id}").status_code == 404
    pages = ro_cloud.get(f"/api/v2/spaces/{space}/pages", params={"limit": 250}).json()
    assert post_id not in {p["id"] for p in pages["results"]}
    found = ro_cloud.get(
        "/rest/api/search", params={"cql": 'type = blogpost AND text ~ "beta"'}
    ).json()
    assert [r["content"]["id"] for r in found["results"]] == [post_id]
    assert found["results"][0]["content"]["type"] == "blogpost"


def test_create_update_trash_and_purge(
    server: FakeConfluenceServer, cloud: httpx.Client, validate: Callable[..., None]
) -> None:
    space = server.store.get_space_by_key("DEMO").id
    body = {"representation": "storage", "value": "<p>News</p>"}
    created = cloud.post(
        "/api/v2/blogposts", json={"spaceId": space, "title": "Weekly news", "body": body}
    )
    assert created.status_code == 200, created.text
    validate("v2", "/blogposts", created.json(), method="post")
    post_id = created.json()["id"]
    update = {"id": post_id, "status": "current", "title": "Weekly news", "body": body}
    stale = cloud.put(f"/api/v2/blogposts/{post_id}", json={**update, "version": {"number": 1}})
    assert stale.status_code == 409
    updated = cloud.put(f"/api/v2/blogposts/{post_id}", json={**update, "version": {"number": 2}})
    validate("v2", "/blogposts/{id}", updated.json(), method="put")
    assert updated.json()["version"]["number"] == 2
    old = cloud.get(f"/api/v2/blogposts/{post_id}", params={"version": 1})
    assert old.json()["version"]["number"] == 1
    page_id = server.store.list_pages(title="FAQ")[0].id
    assert cloud.get(f"/api/v2/blogposts/{page_id}").status_code == 404
    assert cloud.delete(f"/api/v2/pages/{post_id}").status_code == 404
    assert cloud.delete(f"/api/v2/blogposts/{post_id}").status_code == 204
    assert cloud.get(f"/api/v2/blogposts/{post_id}").status_code == 404
    assert cloud.delete(f"/api/v2/blogposts/{post_id}", params={"purge": "true"}).status_code == 204
    assert post_id not in server.store.pages


def test_a_blog_post_is_never_a_page_parent(
    server: FakeConfluenceServer, cloud: httpx.Client
) -> None:
    post_id = _post_id(server)
    store = server.store
    page = store.list_pages(title="FAQ")[0]
    before = (page.version, page.parent_id)
    body = {"representation": "storage", "value": "<p>x</p>"}
    moved = cloud.put(
        f"/api/v2/pages/{page.id}",
        json={
            "id": page.id,
            "status": "current",
            "title": page.title,
            "parentId": post_id,
            "body": body,
            "version": {"number": page.version + 1},
        },
    )
    assert moved.status_code == 400
    assert "blog post cannot be the parent" in moved.text
    assert (page.version, page.parent_id) == before
    created = cloud.post(
        "/api/v2/pages",
        json={"spaceId": page.space_id, "title": "Under a post", "parentId": post_id, "body": body},
    )
    assert created.status_code == 400
    assert not store.list_pages(title="Under a post")
    # Data Center's move endpoint (v1) refuses it too.
    v1 = cloud.put(f"/rest/api/content/{page.id}/move/append/{post_id}")
    assert v1.status_code == 400
    assert page.parent_id == before[1]
