"""v2 spaces, page tree, comments, labels, attachments and versions."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from confluence_client.testing import FakeConfluenceServer

from .conftest import follow_v2, page_id


def test_spaces_by_key_and_id(ro_cloud: httpx.Client, validate: Callable[..., None]) -> None:
    listing = ro_cloud.get("/api/v2/spaces", params={"keys": "DEMO,ENG"}).json()
    validate("v2", "/spaces", listing)
    assert [s["key"] for s in listing["results"]] == ["DEMO", "ENG"]
    demo = listing["results"][0]
    one = ro_cloud.get(f"/api/v2/spaces/{demo['id']}", params={"description-format": "plain"})
    validate("v2", "/spaces/{id}", one.json())
    assert one.json()["description"]["plain"]["value"].startswith("A realistic demo space")
    by_id = ro_cloud.get("/api/v2/spaces", params={"ids": demo["id"]}).json()["results"]
    assert [s["key"] for s in by_id] == ["DEMO"]
    assert ro_cloud.get("/api/v2/spaces", params={"keys": "NOPE"}).json()["results"] == []
    assert ro_cloud.get("/api/v2/spaces/424242").status_code == 404


def test_spaces_paginate_and_sort(
    shared_server: FakeConfluenceServer, ro_cloud: httpx.Client
) -> None:
    spaces = follow_v2(
        ro_cloud, f"{shared_server.wiki_url}/api/v2/spaces?limit=1", shared_server.url
    )
    assert [s["key"] for s in spaces] == ["DEMO", "ENG"]
    by_name = ro_cloud.get("/api/v2/spaces", params={"sort": "-name"}).json()["results"]
    assert [s["name"] for s in by_name] == ["Engineering", "Demo Space"]
    filtered = ro_cloud.get("/api/v2/spaces", params={"type": "personal"}).json()["results"]
    assert filtered == []
    assert ro_cloud.get("/api/v2/spaces", params={"sort": "colour"}).status_code == 400
    assert ro_cloud.get("/api/v2/spaces/1", params={"description-format": "x"}).status_code == 400


def test_space_pages_depth_root_and_all(
    shared_server: FakeConfluenceServer, ro_cloud: httpx.Client, validate: Callable[..., None]
) -> None:
    eng = shared_server.store.get_space_by_key("ENG")
    root = ro_cloud.get(f"/api/v2/spaces/{eng.id}/pages", params={"depth": "root"}).json()
    validate("v2", "/spaces/{id}/pages", root)
    assert [p["title"] for p in root["results"]] == ["Engineering Home"]
    everything = follow_v2(
        ro_cloud,
        f"{shared_server.wiki_url}/api/v2/spaces/{eng.id}/pages?limit=2&body-format=storage",
        shared_server.url,
    )
    assert len(everything) == 4
    assert all("storage" in p["body"] for p in everything)
    titled = ro_cloud.get(f"/api/v2/spaces/{eng.id}/pages", params={"title": "On-call rotation"})
    assert len(titled.json()["results"]) == 1
    assert ro_cloud.get(f"/api/v2/spaces/{eng.id}/pages", params={"depth": "2"}).status_code == 400


def test_children_direct_children_sorted(
    shared_server: FakeConfluenceServer, ro_cloud: httpx.Client, validate: Callable[..., None]
) -> None:
    runbooks = page_id(shared_server, "Runbooks")
    legacy = ro_cloud.get(f"/api/v2/pages/{runbooks}/children").json()
    validate("v2", "/pages/{id}/children", legacy)
    assert [c["title"] for c in legacy["results"]] == [
        "Incident response",
        "Database failover",
        "Rotating credentials",
    ]
    direct = ro_cloud.get(
        f"/api/v2/pages/{runbooks}/direct-children", params={"sort": "-title", "limit": 2}
    )
    body = direct.json()
    assert [c["title"] for c in body["results"]] == ["Rotating credentials", "Incident response"]
    assert all(c["type"] == "page" for c in body["results"])
    assert "next" in body["_links"]
    rest = ro_cloud.get(body["_links"]["next"].removeprefix("/wiki")).json()
    assert [c["title"] for c in rest["results"]] == ["Database failover"]
    assert "next" not in rest["_links"]


def test_ancestors_are_top_down(
    shared_server: FakeConfluenceServer, ro_cloud: httpx.Client, validate: Callable[..., None]
) -> None:
    leaf = page_id(shared_server, "Troubleshooting Linux installs")
    body = ro_cloud.get(f"/api/v2/pages/{leaf}/ancestors").json()
    validate("v2", "/pages/{id}/ancestors", body)
    titles = [shared_server.store.pages[a["id"]].title for a in body["results"]]
    assert titles == ["Demo Space Home", "Getting Started", "Installation", "Installing on Linux"]
    nearest = ro_cloud.get(f"/api/v2/pages/{leaf}/ancestors", params={"limit": 1}).json()
    assert [a["id"] for a in nearest["results"]] == [body["results"][-1]["id"]]
    assert ro_cloud.get(f"/api/v2/pages/{leaf}/ancestors", params={"limit": 0}).status_code == 400


def test_descendants_with_depth(
    shared_server: FakeConfluenceServer, ro_cloud: httpx.Client
) -> None:
    start = page_id(shared_server, "Getting Started")
    url = f"{shared_server.wiki_url}/api/v2/pages/{start}/descendants?limit=3"
    everything = follow_v2(ro_cloud, url, shared_server.url)
    assert max(d["depth"] for d in everything) == 3
    assert len(everything) == 9
    shallow = ro_cloud.get(f"/api/v2/pages/{start}/descendants", params={"depth": 1}).json()
    assert {d["title"] for d in shallow["results"]} == {
        "Installation",
        "Configuration",
        "Quick start tutorial",
    }
    assert (
        ro_cloud.get(f"/api/v2/pages/{start}/descendants", params={"depth": 9}).status_code == 400
    )


def test_footer_comments_and_replies(
    shared_server: FakeConfluenceServer, ro_cloud: httpx.Client, validate: Callable[..., None]
) -> None:
    arch = page_id(shared_server, "Architecture overview")
    body = ro_cloud.get(f"/api/v2/pages/{arch}/footer-comments", params={"body-format": "storage"})
    validate("v2", "/pages/{id}/footer-comments", body.json())
    comments = body.json()["results"]
    assert len(comments) == 2
    assert "caching" in comments[0]["body"]["storage"]["value"]
    newest_first = ro_cloud.get(
        f"/api/v2/pages/{arch}/footer-comments", params={"sort": "-created-date"}
    ).json()["results"]
    assert [c["id"] for c in newest_first] == [c["id"] for c in reversed(comments)]
    replies = ro_cloud.get(f"/api/v2/footer-comments/{comments[0]['id']}/children").json()
    validate("v2", "/footer-comments/{id}/children", replies)
    assert len(replies["results"]) == 1
    assert replies["results"][0]["parentCommentId"] == comments[0]["id"]
    one = ro_cloud.get(
        f"/api/v2/footer-comments/{comments[0]['id']}", params={"body-format": "view"}
    )
    assert "<p>" in one.json()["body"]["view"]["value"]
    everything = follow_v2(
        ro_cloud, f"{shared_server.wiki_url}/api/v2/footer-comments?limit=3", shared_server.url
    )
    assert len(everything) == len(shared_server.store.comments)
    assert ro_cloud.get("/api/v2/footer-comments/99999999").status_code == 404


def test_create_reply_edit_and_delete_comment(
    server: FakeConfluenceServer, cloud: httpx.Client, validate: Callable[..., None]
) -> None:
    faq = page_id(server, "FAQ")
    created = cloud.post(
        "/api/v2/footer-comments",
        json={"pageId": faq, "body": {"representation": "storage", "value": "<p>Hi</p>"}},
    )
    assert created.status_code == 201
    validate("v2", "/footer-comments", created.json(), method="post", status="201")
    comment = created.json()
    reply = cloud.post(
        "/api/v2/footer-comments",
        json={"parentCommentId": comment["id"], "body": {"value": "<p>Re</p>"}},
    ).json()
    assert reply["pageId"] == faq
    assert reply["parentCommentId"] == comment["id"]
    edited = cloud.put(
        f"/api/v2/footer-comments/{comment['id']}",
        json={"version": {"number": 2}, "body": {"value": "<p>Edited</p>"}},
    )
    assert edited.json()["version"]["number"] == 2
    stale = cloud.put(
        f"/api/v2/footer-comments/{comment['id']}",
        json={"version": {"number": 2}, "body": {"value": "<p>x</p>"}},
    )
    assert stale.status_code == 409
    no_version = cloud.put(
        f"/api/v2/footer-comments/{comment['id']}", json={"body": {"value": "<p>x</p>"}}
    )
    assert no_version.status_code == 400
    assert cloud.delete(f"/api/v2/footer-comments/{comment['id']}").status_code == 204
    assert reply["id"] not in server.store.comments


@pytest.mark.parametrize(
    "payload",
    [
        {"body": {"value": "<p>x</p>"}},
        {"pageId": "{faq}"},
        {"pageId": "{faq}", "body": {"value": "  "}},
        {"pageId": "{faq}", "body": {"representation": "wiki", "value": "x"}},
        {"pageId": "abc", "body": {"value": "<p>x</p>"}},
    ],
)
def test_create_comment_rejects_bad_input(
    server: FakeConfluenceServer, cloud: httpx.Client, payload: dict[str, object]
) -> None:
    if payload.get("pageId") == "{faq}":
        payload = {**payload, "pageId": page_id(server, "FAQ")}
    assert cloud.post("/api/v2/footer-comments", json=payload).status_code == 400


def test_labels_attachments_and_versions(
    shared_server: FakeConfluenceServer, ro_cloud: httpx.Client, validate: Callable[..., None]
) -> None:
    arch = page_id(shared_server, "Architecture overview")
    labels = ro_cloud.get(f"/api/v2/pages/{arch}/labels").json()
    validate("v2", "/pages/{id}/labels", labels)
    assert {lb["name"] for lb in labels["results"]} == {"architecture", "design"}
    assert (
        ro_cloud.get(f"/api/v2/pages/{arch}/labels", params={"prefix": "my"}).json()["results"]
        == []
    )

    atts = ro_cloud.get(f"/api/v2/pages/{arch}/attachments").json()
    validate("v2", "/pages/{id}/attachments", atts)
    att = atts["results"][0]
    assert att["mediaType"] == "image/png"
    assert att["id"].startswith("att")
    one = ro_cloud.get(f"/api/v2/attachments/{att['id']}").json()
    validate("v2", "/attachments/{id}", one)
    data = ro_cloud.get(one["downloadLink"])
    assert data.content.startswith(b"\x89PNG")
    assert len(data.content) == one["fileSize"]
    png_only = ro_cloud.get(f"/api/v2/pages/{arch}/attachments", params={"mediaType": "text/plain"})
    assert png_only.json()["results"] == []
    all_atts = ro_cloud.get("/api/v2/attachments").json()["results"]
    assert {a["mediaType"] for a in all_atts} >= {"image/png", "text/plain", "application/pdf"}
    assert ro_cloud.get("/api/v2/attachments/attXYZ").status_code == 400
    assert ro_cloud.get("/api/v2/attachments/att1").status_code == 404

    versions = ro_cloud.get(f"/api/v2/pages/{arch}/versions").json()
    validate("v2", "/pages/{id}/versions", versions)
    assert [v["number"] for v in versions["results"]] == [3, 2, 1]
    oldest_first = ro_cloud.get(f"/api/v2/pages/{arch}/versions", params={"sort": "modified-date"})
    assert [v["number"] for v in oldest_first.json()["results"]] == [1, 2, 3]
    two = ro_cloud.get(f"/api/v2/pages/{arch}/versions/2").json()
    validate("v2", "/pages/{page-id}/versions/{version-number}", two)
    assert (two["prevVersion"], two["nextVersion"], two["message"]) == (1, 3, "Add principles")
    assert ro_cloud.get(f"/api/v2/pages/{arch}/versions/9").status_code == 404
    assert ro_cloud.get(f"/api/v2/pages/{arch}/versions/x").status_code == 400
