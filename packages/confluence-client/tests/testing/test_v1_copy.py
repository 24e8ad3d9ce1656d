"""v1 copy in the fake: one page, a page tree as a long task, the task's status."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from confluence_client.testing import FakeConfluenceServer

from .conftest import page_id


def test_copy_one_page_with_labels_and_attachments(
    server: FakeConfluenceServer, cloud: httpx.Client, validate: Callable[..., None]
) -> None:
    arch = page_id(server, "Architecture overview")
    eng_home = server.store.get_space_by_key("ENG").homepage_id
    response = cloud.post(
        f"/rest/api/content/{arch}/copy",
        json={
            "destination": {"type": "parent_page", "value": eng_home},
            "copyAttachments": True,
            "copyLabels": True,
        },
    )
    assert response.status_code == 200, response.text
    # The copy answer is a Content (documented under application/json;charset=UTF-8).
    validate("v1", "/wiki/rest/api/content/{id}", response.json())
    new = server.store.pages[response.json()["id"]]
    source = server.store.pages[arch]
    assert (new.title, new.body, new.parent_id) == (source.title, source.body, eng_home)
    assert [lb.name for lb in new.labels] == [lb.name for lb in source.labels]
    assert [a.title for a in server.store.page_attachments(new.id)] == [
        a.title for a in server.store.page_attachments(arch)
    ]
    bare = cloud.post(
        f"/rest/api/content/{arch}/copy",
        json={"destination": {"type": "space", "value": "DEMO"}, "pageTitle": "Arch copy"},
    ).json()
    copy = server.store.pages[bare["id"]]
    assert (copy.title, copy.parent_id, copy.labels) == ("Arch copy", None, [])
    clash = cloud.post(
        f"/rest/api/content/{arch}/copy", json={"destination": {"type": "space", "value": "DEMO"}}
    )
    assert clash.status_code == 400  # same title in the same space
    assert cloud.post(f"/rest/api/content/{arch}/copy", json={}).status_code == 400


def test_copy_tree_runs_as_a_long_task(
    server: FakeConfluenceServer, cloud: httpx.Client, validate: Callable[..., None]
) -> None:
    arch = page_id(server, "Architecture overview")
    size = 1 + len(server.store.descendants(arch))
    eng_home = server.store.get_space_by_key("ENG").homepage_id
    started = cloud.post(
        f"/rest/api/content/{arch}/pagehierarchy/copy",
        json={"destinationPageId": eng_home, "titleOptions": {"prefix": "ENG "}},
    )
    assert started.status_code == 202, started.text
    validate("v1", "/wiki/rest/api/content/{id}/pagehierarchy/copy", started.json(), "post", "202")
    status_url = started.json()["links"]["status"]
    assert status_url.startswith("/wiki/rest/api/longtask/")
    seen = []
    while True:
        status = cloud.get(status_url.removeprefix("/wiki")).json()
        validate("v1", "/wiki/rest/api/longtask/{id}", status)
        seen.append(status["percentageComplete"])
        if status["finished"]:
            break
    assert len(seen) > 1
    assert seen == sorted(seen)
    assert seen[-1] == 100
    assert status["successful"] is True
    root = server.store.pages[status["additionalDetails"]["destinationId"]]
    assert (root.title, root.parent_id) == ("ENG Architecture overview", eng_home)
    assert 1 + len(server.store.descendants(root.id)) == size
    same_space = cloud.post(
        f"/rest/api/content/{arch}/pagehierarchy/copy",
        json={"destinationPageId": page_id(server, "FAQ")},
    )
    assert same_space.status_code == 400  # titles would clash: titleOptions are required
    below_itself = cloud.post(
        f"/rest/api/content/{arch}/pagehierarchy/copy",
        json={"destinationPageId": arch, "titleOptions": {"prefix": "x"}},
    )
    assert below_itself.status_code == 400
    assert cloud.get("/rest/api/longtask/999").status_code == 404
