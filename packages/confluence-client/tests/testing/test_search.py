"""v1 CQL search over HTTP: content, users, pagination (cursor on Cloud, start on DC), errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from confluence_client.testing import FakeConfluenceServer

from .conftest import page_id


def search(client: httpx.Client, cql: str, **params: Any) -> httpx.Response:
    return client.get("/rest/api/search", params={"cql": cql, **params})


def titles(response: httpx.Response) -> list[str]:
    return [r["title"] for r in response.json()["results"]]


def test_text_search_with_highlighted_excerpt(
    ro_cloud: httpx.Client, validate: Callable[..., None]
) -> None:
    response = search(ro_cloud, 'type = page AND text ~ "replica"', expand="content.version")
    assert response.status_code == 200
    body = response.json()
    validate("v1", "/wiki/rest/api/search", body)
    assert "Database failover" in titles(response)
    hit = next(r for r in body["results"] if r["title"] == "Database failover")
    assert "@@@hl@@@replica@@@endhl@@@" in hit["excerpt"]
    assert hit["content"]["version"]["number"] == 1
    assert hit["resultGlobalContainer"] == {"title": "Demo Space", "displayUrl": "/spaces/DEMO"}
    assert body["cqlQuery"] == 'type = page AND text ~ "replica"'
    plain = search(ro_cloud, "text ~ replica", excerpt="none").json()["results"]
    assert "Database failover" in [r["title"] for r in plain]
    assert all(r["excerpt"] == "" for r in plain)
    assert search(ro_cloud, "text ~ replica", excerpt="bold").status_code == 400


@pytest.mark.parametrize(
    ("cql", "expected"),
    [
        (
            "label = runbook ORDER BY title",
            ["Database failover", "Incident response", "Rotating credentials"],
        ),
        (
            "space = ENG AND type = page ORDER BY title DESC",
            ["Postmortem template", "On-call rotation", "Engineering Home", "ENG Onboarding"],
        ),
        (
            'title ~ "Installing" AND NOT title ~ "Windows" ORDER BY title',
            ["Installing on Linux", "Installing on macOS"],
        ),
        ('type = page AND title = "FAQ"', ["FAQ"]),
        ("label IN (requirement) AND label = security", ["Requirement: Single sign-on"]),
    ],
)
def test_search_filters_and_order(ro_cloud: httpx.Client, cql: str, expected: list[str]) -> None:
    assert titles(search(ro_cloud, cql, limit=50)) == expected


def test_tree_fields_and_other_content_types(
    shared_server: FakeConfluenceServer, ro_cloud: httpx.Client
) -> None:
    catalogue = page_id(shared_server, "Service catalogue")
    below = titles(search(ro_cloud, f"ancestor = {catalogue} ORDER BY title"))
    assert below == ["Billing service", "Notification service", "Search service"]
    runbooks = page_id(shared_server, "Runbooks")
    assert len(titles(search(ro_cloud, f"type = page and parent = {runbooks}"))) == 3
    comments = search(ro_cloud, "type = comment AND space = DEMO", limit=100).json()
    assert comments["totalSize"] == len(shared_server.store.comments)
    assert len(comments["results"]) == len(shared_server.store.comments)
    assert all(r["content"]["type"] == "comment" for r in comments["results"])
    atts = search(ro_cloud, "type = attachment ORDER BY title").json()["results"]
    assert [r["title"] for r in atts] == [
        "architecture-diagram.png",
        "release-notes.txt",
        "roadmap-2025.pdf",
    ]
    assert atts[0]["content"]["id"].startswith("att")
    faq = page_id(shared_server, "FAQ")
    assert titles(search(ro_cloud, f"id = {faq}")) == ["FAQ"]


def test_creator_current_user_and_dates(server: FakeConfluenceServer, cloud: httpx.Client) -> None:
    assert search(cloud, "creator = currentUser() AND type = page").json()["totalSize"] == 0
    space_id = server.store.get_space_by_key("DEMO").id
    cloud.post(
        "/api/v2/pages",
        json={"spaceId": space_id, "title": "Mine", "body": {"value": "<p>x</p>"}},
    )
    mine = search(cloud, "creator = currentUser() AND type = page")
    assert titles(mine) == ["Mine"]
    recent = search(cloud, "type = page AND lastmodified > now('-1d')")
    assert titles(recent) == ["Mine"]
    old = search(cloud, 'type = page AND created < "2024-03-02"').json()
    assert old["totalSize"] > 0


def test_trashed_pages_are_not_found(server: FakeConfluenceServer, cloud: httpx.Client) -> None:
    faq = page_id(server, "FAQ")
    assert search(cloud, f"id = {faq}").json()["totalSize"] == 1
    cloud.delete(f"/api/v2/pages/{faq}")
    assert search(cloud, f"id = {faq}").json()["totalSize"] == 0


def test_cloud_search_paginates_with_cursor(
    shared_server: FakeConfluenceServer, ro_cloud: httpx.Client
) -> None:
    first = search(ro_cloud, "space = DEMO and type = page", limit=10).json()
    total = first["totalSize"]
    seen = [r["content"]["id"] for r in first["results"]]
    nxt = first["_links"]["next"]
    assert "cursor=" in nxt
    assert nxt.startswith("/rest/api/search?")
    while nxt:
        body = ro_cloud.get(nxt).json()
        seen += [r["content"]["id"] for r in body["results"]]
        nxt = body["_links"].get("next")
    assert len(seen) == len(set(seen)) == total >= 40


def test_dc_search_paginates_with_start(ro_dc: httpx.Client) -> None:
    first = search(ro_dc, "type = page", limit=20).json()
    nxt = first["_links"]["next"]
    assert "start=20" in nxt
    assert "cursor" not in nxt
    second = ro_dc.get(nxt).json()
    assert second["start"] == 20


@pytest.mark.parametrize(
    ("cql", "fragment"),
    [
        ("", "cql parameter is required"),
        ("colour = red", "Could not parse cql"),
        ("type = page AND", "Could not parse cql"),
        ("label ~ x", "Could not parse cql"),
    ],
)
def test_search_errors_are_400_with_v1_body(
    ro_cloud: httpx.Client, cql: str, fragment: str
) -> None:
    response = search(ro_cloud, cql)
    assert response.status_code == 400
    body = response.json()
    assert body["statusCode"] == 400
    assert fragment in body["message"]
    assert search(ro_cloud, "type = page", cursor="bogus").status_code == 400


def test_user_search(ro_cloud: httpx.Client, validate: Callable[..., None]) -> None:
    response = ro_cloud.get("/rest/api/search/user", params={"cql": 'user.fullname ~ "martin"'})
    body = response.json()
    validate("v1", "/wiki/rest/api/search/user", body)
    assert [r["user"]["displayName"] for r in body["results"]] == ["Alice Martin"]
    assert body["results"][0]["entityType"] == "user"
    through_search = search(ro_cloud, 'type = user AND user.fullname ~ "chen"').json()
    assert [r["title"] for r in through_search["results"]] == ["Bob Chen"]
    everyone = ro_cloud.get(
        "/rest/api/search/user", params={"cql": "type = user", "limit": 2}
    ).json()
    assert everyone["totalSize"] == 6
    assert everyone["_links"]["next"]
    assert ro_cloud.get("/rest/api/search/user", params={"cql": "user ="}).status_code == 400


def test_excerpts_show_link_text_and_display_names(ro_cloud: httpx.Client) -> None:
    home = search(ro_cloud, 'title = "Demo Space Home"', excerpt="indexed").json()["results"][0]
    assert "Start with Getting Started." in home["excerpt"]
    notes = search(ro_cloud, 'title = "2024-03-04 Weekly sync"', excerpt="indexed").json()
    excerpt = notes["results"][0]["excerpt"]
    assert "Attendees Alice Martin Bob Chen Dan Okafor" in excerpt
    assert "557058:" not in excerpt
    mentions = search(ro_cloud, 'type = page AND text ~ "Okafor"', limit=50)
    assert "2024-03-04 Weekly sync" in titles(mentions)
