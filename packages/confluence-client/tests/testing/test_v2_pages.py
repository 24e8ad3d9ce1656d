"""v2 pages over real HTTP, validated against Atlassian's OpenAPI document."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from confluence_client.testing import FakeConfluenceServer

from .conftest import follow_v2


def _demo_space_id(client: httpx.Client) -> str:
    space_id: str = client.get("/api/v2/spaces", params={"keys": "DEMO"}).json()["results"][0]["id"]
    return space_id


def _page_id(server: FakeConfluenceServer, title: str) -> str:
    return server.store.list_pages(title=title)[0].id


def test_get_page_with_storage_body_matches_schema(
    shared_server: FakeConfluenceServer, ro_cloud: httpx.Client, validate: Callable[..., None]
) -> None:
    page_id = _page_id(shared_server, "Architecture overview")
    response = ro_cloud.get(f"/api/v2/pages/{page_id}", params={"body-format": "storage"})
    assert response.status_code == 200
    body = response.json()
    validate("v2", "/pages/{id}", body)
    assert body["title"] == "Architecture overview"
    assert body["version"]["number"] == 3
    assert body["body"]["storage"]["representation"] == "storage"
    assert "ac:image" in body["body"]["storage"]["value"]
    assert body["parentType"] == "page"
    assert body["_links"]["webui"].startswith("/spaces/DEMO/pages/")


def test_get_page_view_format_renders_html(
    shared_server: FakeConfluenceServer, ro_cloud: httpx.Client
) -> None:
    page_id = _page_id(shared_server, "Incident response")
    body = ro_cloud.get(f"/api/v2/pages/{page_id}", params={"body-format": "view"}).json()
    html = body["body"]["view"]["value"]
    assert "ac:" not in html
    assert "@Bob Chen" in html
    assert "status-macro" in html


def test_get_page_without_body_format_has_empty_body(
    shared_server: FakeConfluenceServer, ro_cloud: httpx.Client
) -> None:
    page_id = _page_id(shared_server, "FAQ")
    assert ro_cloud.get(f"/api/v2/pages/{page_id}").json()["body"] == {}


def test_get_old_version(shared_server: FakeConfluenceServer, ro_cloud: httpx.Client) -> None:
    page_id = _page_id(shared_server, "Release checklist")
    old = ro_cloud.get(f"/api/v2/pages/{page_id}", params={"version": 1, "body-format": "storage"})
    assert old.status_code == 200
    assert old.json()["version"]["number"] == 1
    assert "Revision" not in old.json()["body"]["storage"]["value"]
    missing = ro_cloud.get(f"/api/v2/pages/{page_id}", params={"version": 99})
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/v2/pages/999999999", 404, "NOT_FOUND"),
        ("/api/v2/pages/abc", 400, "INVALID_REQUEST_PARAMETER"),
        ("/api/v2/pages/65538?body-format=wiki", 400, "INVALID_REQUEST_PARAMETER"),
        ("/api/v2/pages?limit=0", 400, "INVALID_REQUEST_PARAMETER"),
        ("/api/v2/pages?cursor=not-a-cursor", 400, "INVALID_REQUEST_PARAMETER"),
        ("/api/v2/pages?sort=colour", 400, "INVALID_REQUEST_PARAMETER"),
        ("/api/v2/pages?status=bogus", 400, "INVALID_REQUEST_PARAMETER"),
        ("/api/v2/no-such-thing", 404, "NOT_FOUND"),
    ],
)
def test_v2_error_bodies(ro_cloud: httpx.Client, path: str, status: int, code: str) -> None:
    response = ro_cloud.get(path)
    assert response.status_code == status
    error = response.json()["errors"][0]
    assert error["status"] == status
    assert error["code"] == code
    assert error["title"]
    assert "detail" in error


def test_list_pages_paginates_to_the_end(
    shared_server: FakeConfluenceServer, ro_cloud: httpx.Client, validate: Callable[..., None]
) -> None:
    space_id = _demo_space_id(ro_cloud)
    first = ro_cloud.get("/api/v2/pages", params={"space-id": space_id, "limit": 10}).json()
    validate("v2", "/pages", first)
    everything = follow_v2(
        ro_cloud,
        f"{shared_server.wiki_url}/api/v2/pages?space-id={space_id}&limit=10",
        shared_server.url,
    )
    ids = [p["id"] for p in everything]
    assert len(ids) == len(set(ids)) == len(shared_server.store.list_pages(space_id=space_id))
    assert len(ids) >= 40
    assert ids == sorted(ids, key=int)


def test_list_pages_filters(shared_server: FakeConfluenceServer, ro_cloud: httpx.Client) -> None:
    by_title = ro_cloud.get("/api/v2/pages", params={"title": "FAQ"}).json()["results"]
    assert [p["title"] for p in by_title] == ["FAQ"]
    ids = [_page_id(shared_server, "FAQ"), _page_id(shared_server, "Team")]
    by_id = ro_cloud.get("/api/v2/pages", params={"id": ",".join(ids)}).json()["results"]
    assert {p["id"] for p in by_id} == set(ids)
    by_title_desc = ro_cloud.get(
        "/api/v2/pages", params={"sort": "-title", "limit": 3, "body-format": "storage"}
    ).json()["results"]
    titles = [p["title"] for p in by_title_desc]
    assert titles == sorted(titles, key=str.lower, reverse=True)
    assert "storage" in by_title_desc[0]["body"]


def test_create_update_conflict_and_delete(
    server: FakeConfluenceServer, cloud: httpx.Client, validate: Callable[..., None]
) -> None:
    space_id = _demo_space_id(cloud)
    parent = _page_id(server, "Team")
    created = cloud.post(
        "/api/v2/pages",
        json={
            "spaceId": space_id,
            "status": "current",
            "title": "New page",
            "parentId": parent,
            "body": {"representation": "storage", "value": "<p>Hello</p>"},
        },
    )
    assert created.status_code == 200
    page = created.json()
    validate("v2", "/pages", page, method="post")
    assert page["version"]["number"] == 1
    assert page["parentId"] == parent

    def update(number: int, title: str = "New page") -> httpx.Response:
        return cloud.put(
            f"/api/v2/pages/{page['id']}",
            json={
                "id": page["id"],
                "status": "current",
                "title": title,
                "body": {"representation": "storage", "value": f"<p>v{number}</p>"},
                "version": {"number": number, "message": f"edit {number}"},
            },
        )

    ok = update(2, "Renamed page")
    assert ok.status_code == 200
    assert ok.json()["version"] == {**ok.json()["version"], "number": 2, "message": "edit 2"}
    assert ok.json()["title"] == "Renamed page"
    stale = update(2)
    assert stale.status_code == 409
    error = stale.json()["errors"][0]
    assert error["code"] == "CONFLICT"
    assert "Current Version: [2]. Provided version: [2]" in error["title"]
    assert update(5).status_code == 409

    assert cloud.delete(f"/api/v2/pages/{page['id']}").status_code == 204
    assert cloud.get(f"/api/v2/pages/{page['id']}").status_code == 404
    trashed = cloud.get(f"/api/v2/pages/{page['id']}", params={"status": "trashed"})
    assert trashed.json()["status"] == "trashed"
    assert cloud.delete(f"/api/v2/pages/{page['id']}", params={"purge": "true"}).status_code == 204
    assert cloud.get(f"/api/v2/pages/{page['id']}", params={"status": "trashed"}).status_code == 404


def test_purge_requires_trash_first(server: FakeConfluenceServer, cloud: httpx.Client) -> None:
    page_id = _page_id(server, "FAQ")
    response = cloud.delete(f"/api/v2/pages/{page_id}", params={"purge": "true"})
    assert response.status_code == 400


def test_restore_trashed_page_by_update(server: FakeConfluenceServer, cloud: httpx.Client) -> None:
    page_id = _page_id(server, "FAQ")
    cloud.delete(f"/api/v2/pages/{page_id}")
    restored = cloud.put(
        f"/api/v2/pages/{page_id}",
        json={
            "id": page_id,
            "status": "current",
            "title": "FAQ",
            "body": {"representation": "storage", "value": "<p>back</p>"},
            "version": {"number": 2},
        },
    )
    assert restored.status_code == 200
    assert restored.json()["status"] == "current"


def test_create_at_space_root_and_as_draft(
    server: FakeConfluenceServer, cloud: httpx.Client
) -> None:
    space_id = _demo_space_id(cloud)
    body = {"representation": "storage", "value": "<p>x</p>"}
    root = cloud.post(
        "/api/v2/pages",
        params={"root-level": "true"},
        json={"spaceId": space_id, "title": "Root page", "body": body},
    ).json()
    assert "parentId" not in root
    default_parent = cloud.post(
        "/api/v2/pages", json={"spaceId": space_id, "title": "Under home", "body": body}
    ).json()
    assert default_parent["parentId"] == server.store.get_space_by_key("DEMO").homepage_id
    draft = cloud.post(
        "/api/v2/pages",
        json={"spaceId": space_id, "title": "Draft", "status": "draft", "body": body},
    ).json()
    assert draft["status"] == "draft"
    assert cloud.delete(f"/api/v2/pages/{draft['id']}", params={"draft": "true"}).status_code == 204
    assert draft["id"] not in server.store.pages
    not_draft = cloud.delete(f"/api/v2/pages/{root['id']}", params={"draft": "true"})
    assert not_draft.status_code == 404


def _create(cloud: httpx.Client, payload: Any) -> httpx.Response:
    return cloud.post("/api/v2/pages", json=payload)


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ([], 400),
        ({"title": "x", "body": {"value": "<p/>"}}, 400),
        ({"spaceId": "SPACE", "title": "x"}, 400),
        ({"spaceId": "1", "title": "x", "body": {"value": "<p/>"}}, 404),
        ({"spaceId": "{demo}", "title": 5, "body": {"value": "<p/>"}}, 400),
        ({"spaceId": "{demo}", "title": "x", "status": "archived", "body": {"value": ""}}, 400),
        ({"spaceId": "{demo}", "title": "x"}, 400),
        ({"spaceId": "{demo}", "title": "x", "body": {"representation": "adf", "value": ""}}, 400),
        ({"spaceId": "{demo}", "title": "x", "body": {"value": 3}}, 400),
        ({"spaceId": "{demo}", "title": "FAQ", "body": {"value": "<p/>"}}, 400),
        ({"spaceId": "{demo}", "title": "  ", "body": {"value": "<p/>"}}, 400),
        ({"spaceId": "{demo}", "title": "x", "parentId": "999999", "body": {"value": ""}}, 404),
    ],
)
def test_create_rejects_bad_input(cloud: httpx.Client, payload: Any, status: int) -> None:
    if isinstance(payload, dict) and payload.get("spaceId") == "{demo}":
        payload = {**payload, "spaceId": _demo_space_id(cloud)}
    response = _create(cloud, payload)
    assert response.status_code == status, response.text
    assert response.json()["errors"][0]["status"] == status


def test_create_accepts_v1_style_body_nesting(cloud: httpx.Client) -> None:
    response = _create(
        cloud,
        {
            "spaceId": _demo_space_id(cloud),
            "title": "Nested body",
            "body": {"storage": {"representation": "storage", "value": "<p>n</p>"}},
        },
    )
    assert response.status_code == 200
    assert response.json()["body"]["storage"]["value"] == "<p>n</p>"


def test_invalid_json_and_oversized_bodies(
    server: FakeConfluenceServer, cloud: httpx.Client
) -> None:
    bad = cloud.post(
        "/api/v2/pages", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert bad.status_code == 400
    huge = "x" * (5 * 1024 * 1024 + 10)
    too_big = _create(
        cloud,
        {"spaceId": _demo_space_id(cloud), "title": "Huge", "body": {"value": f"<p>{huge}</p>"}},
    )
    assert too_big.status_code == 413
    assert too_big.json()["errors"][0]["status"] == 413
    page_id = _page_id(server, "FAQ")
    small_envelope = cloud.put(
        f"/api/v2/pages/{page_id}",
        json={
            "id": page_id,
            "title": "FAQ",
            "version": {"number": 2},
            "body": {"value": huge[:-1000]},
        },
    )
    assert small_envelope.status_code == 200


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"id": "1", "title": "FAQ", "version": {"number": 2}, "body": {"value": ""}}, 400),
        ({"title": "FAQ", "body": {"value": ""}}, 400),
        (
            {"title": "FAQ", "version": {"number": 2}, "status": "trashed", "body": {"value": ""}},
            400,
        ),
        ({"version": {"number": 2}, "body": {"value": ""}}, 400),
        ({"title": "", "version": {"number": 2}, "body": {"value": ""}}, 400),
        ({"title": "Team", "version": {"number": 2}, "body": {"value": ""}}, 400),
        ({"title": "FAQ", "version": {"number": 2}, "parentId": "x", "body": {"value": ""}}, 400),
    ],
)
def test_update_rejects_bad_input(
    server: FakeConfluenceServer, cloud: httpx.Client, payload: dict[str, Any], status: int
) -> None:
    page_id = _page_id(server, "FAQ")
    response = cloud.put(f"/api/v2/pages/{page_id}", json=payload)
    assert response.status_code == status, response.text


def test_move_page_to_new_parent_and_refuse_cycles(
    server: FakeConfluenceServer, cloud: httpx.Client
) -> None:
    faq, team = _page_id(server, "FAQ"), _page_id(server, "Team")

    def move(page_id: str, parent: str | None, number: int, title: str) -> httpx.Response:
        return cloud.put(
            f"/api/v2/pages/{page_id}",
            json={
                "id": page_id,
                "title": title,
                "parentId": parent,
                "version": {"number": number},
                "body": {"value": "<p>moved</p>"},
            },
        )

    assert move(faq, team, 2, "FAQ").json()["parentId"] == team
    assert move(team, faq, 2, "Team").status_code == 400  # FAQ is now below Team
    eng_home = server.store.get_space_by_key("ENG").homepage_id
    assert move(faq, eng_home, 3, "FAQ").status_code == 400
    assert "parentId" not in move(faq, None, 3, "FAQ").json()


def test_concurrent_updates_of_one_version_let_exactly_one_win(
    server: FakeConfluenceServer, cloud: httpx.Client
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    page_id = _page_id(server, "FAQ")

    def update(n: int) -> int:
        with httpx.Client(base_url=server.wiki_url, auth=cloud.auth) as client:
            return client.put(
                f"/api/v2/pages/{page_id}",
                json={
                    "id": page_id,
                    "title": "FAQ",
                    "version": {"number": 2},
                    "body": {"value": f"<p>writer {n}</p>"},
                },
            ).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = sorted(pool.map(update, range(8)))
    assert statuses == [200] + [409] * 7
    assert server.store.get_page(page_id).version == 2


def test_gateway_pagination_stays_on_the_gateway(shared_server: FakeConfluenceServer) -> None:
    with httpx.Client(headers={"Authorization": "Bearer fake-pat"}) as client:
        pages = follow_v2(
            client, f"{shared_server.gateway_url}/api/v2/pages?limit=20", shared_server.url
        )
        assert len(pages) == len(shared_server.store.list_pages())
        first = client.get(f"{shared_server.gateway_url}/api/v2/pages?limit=20").json()
        assert first["_links"]["next"].startswith(f"/ex/confluence/{shared_server.cloud_id}/wiki/")


def test_view_links_resolve_to_real_pages_users_and_attachments(
    shared_server: FakeConfluenceServer, ro_cloud: httpx.Client
) -> None:
    arch = _page_id(shared_server, "Architecture overview")
    view = ro_cloud.get(f"/api/v2/pages/{arch}", params={"body-format": "view"}).json()
    html = view["body"]["view"]["value"]
    bob = shared_server.store.find_user("bob")
    assert bob is not None
    assert f'href="/wiki/people/{bob.account_id}"' in html
    src = html.split('class="confluence-embedded-image" src="')[1].split('"')[0]
    image = ro_cloud.get(src.removeprefix("/wiki").replace("&amp;", "&"))
    assert image.content.startswith(b"\x89PNG")
    start = _page_id(shared_server, "Getting Started")
    install = _page_id(shared_server, "Installation")
    start_view = ro_cloud.get(f"/rest/api/content/{start}", params={"expand": "body.view"}).json()
    assert (
        f'href="/wiki/spaces/DEMO/pages/{install}/Installation"'
        in start_view["body"]["view"]["value"]
    )
    eng = _page_id(shared_server, "ENG Onboarding")
    eng_view = ro_cloud.get(f"/api/v2/pages/{eng}", params={"body-format": "view"}).json()
    assert "/wiki/spaces/DEMO/pages/" in eng_view["body"]["view"]["value"]
