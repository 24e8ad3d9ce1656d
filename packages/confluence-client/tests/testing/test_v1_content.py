"""v1 (Cloud ``/wiki/rest/api``) and Data Center (``/rest/api``) content, labels, attachments."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from confluence_client.testing import FakeConfluenceServer

from .conftest import AUTH, page_id

V1 = "/wiki/rest/api"


def follow_v1(client: httpx.Client, base: str, path: str) -> list[dict[str, object]]:
    """Every result of an offset-paginated v1 list (``_links.next`` is relative to base)."""
    results: list[dict[str, object]] = []
    url: str | None = base + path
    while url:
        body = client.get(url).json()
        results += body["results"]
        assert body["size"] == len(body["results"])
        nxt = body["_links"].get("next")
        url = body["_links"]["base"] + nxt if nxt else None
    return results


@pytest.mark.parametrize("base", ["wiki", "dc"])
def test_list_content_paginates_with_offsets(
    shared_server: FakeConfluenceServer, base: str, validate: Callable[..., None]
) -> None:
    root = shared_server.wiki_url if base == "wiki" else shared_server.url
    with httpx.Client(auth=AUTH) as client:
        first = client.get(f"{root}/rest/api/content", params={"spaceKey": "DEMO", "limit": 7})
        validate("v1", "/wiki/rest/api/content", first.json())
        assert first.json()["_links"]["next"].startswith("/rest/api/content?")
        pages = follow_v1(client, root, "/rest/api/content?spaceKey=DEMO&limit=7&expand=version")
    demo = shared_server.store.get_space_by_key("DEMO")
    assert len(pages) == len(shared_server.store.list_pages(space_id=demo.id))
    assert all("version" in p for p in pages)


def test_get_content_default_and_explicit_expand(
    shared_server: FakeConfluenceServer, ro_cloud: httpx.Client, validate: Callable[..., None]
) -> None:
    leaf = page_id(shared_server, "Troubleshooting Linux installs")
    default = ro_cloud.get(f"/rest/api/content/{leaf}").json()
    validate("v1", "/wiki/rest/api/content/{id}", default)
    assert {"space", "history", "version"} <= default.keys()
    assert default["space"]["key"] == "DEMO"
    full = ro_cloud.get(
        f"/rest/api/content/{leaf}",
        params={"expand": "body.storage,body.view,ancestors,container,metadata.labels"},
    ).json()
    validate("v1", "/wiki/rest/api/content/{id}", full)
    assert [a["title"] for a in full["ancestors"]][-1] == "Installing on Linux"
    assert "<pre" in full["body"]["view"]["value"]
    assert full["body"]["storage"]["representation"] == "storage"
    assert full["container"]["key"] == "DEMO"
    assert full["metadata"]["labels"]["results"] == []


def test_get_content_old_version_and_status(
    shared_server: FakeConfluenceServer, ro_cloud: httpx.Client
) -> None:
    checklist = page_id(shared_server, "Release checklist")
    old = ro_cloud.get(f"/rest/api/content/{checklist}", params={"version": 2}).json()
    assert (old["version"]["number"], old["status"]) == (2, "historical")
    assert ro_cloud.get(f"/rest/api/content/{checklist}", params={"version": 42}).status_code == 404
    trashed = ro_cloud.get(f"/rest/api/content/{checklist}", params={"status": "trashed"})
    assert trashed.status_code == 404
    body = ro_cloud.get("/rest/api/content/77777777").json()
    assert body["statusCode"] == 404
    assert body["reason"] == "Not Found"
    assert "NotFoundException" in body["message"]


def test_dc_links_and_users(shared_server: FakeConfluenceServer, ro_dc: httpx.Client) -> None:
    faq = page_id(shared_server, "FAQ")
    page = ro_dc.get(f"/rest/api/content/{faq}").json()
    assert page["_links"]["webui"] == f"/pages/viewpage.action?pageId={faq}"
    assert page["version"]["by"]["username"]
    assert "accountId" not in page["version"]["by"]


def test_create_update_move_trash_purge_v1(
    server: FakeConfluenceServer, dc: httpx.Client, validate: Callable[..., None]
) -> None:
    team = page_id(server, "Team")
    created = dc.post(
        "/rest/api/content",
        json={
            "type": "page",
            "title": "DC page",
            "space": {"key": "DEMO"},
            "ancestors": [{"id": team}],
            "body": {"storage": {"value": "<p>one</p>", "representation": "storage"}},
        },
    )
    assert created.status_code == 200
    page = created.json()
    validate("v1", "/wiki/rest/api/content", page, method="post")
    assert page["ancestors"][-1]["id"] == team
    assert page["version"]["number"] == 1

    faq = page_id(server, "FAQ")
    moved = dc.put(
        f"/rest/api/content/{page['id']}",
        json={
            "type": "page",
            "title": "DC page",
            "version": {"number": 2, "message": "move"},
            "ancestors": [{"id": faq}],
            "body": {"storage": {"value": "<p>two</p>", "representation": "storage"}},
        },
    )
    assert moved.status_code == 200
    validate("v1", "/wiki/rest/api/content/{id}", moved.json(), method="put")
    assert moved.json()["ancestors"][-1]["id"] == faq
    stale = dc.put(
        f"/rest/api/content/{page['id']}",
        json={"type": "page", "title": "DC page", "version": {"number": 2}},
    )
    assert stale.status_code == 409
    assert "Current Version: [2]. Provided version: [2]" in stale.json()["message"]
    assert stale.json()["reason"] == "Conflict"

    assert dc.delete(f"/rest/api/content/{page['id']}").status_code == 204
    assert (
        dc.get(f"/rest/api/content/{page['id']}", params={"status": "trashed"}).status_code == 200
    )
    assert dc.delete(f"/rest/api/content/{page['id']}").status_code == 404
    purge = dc.delete(f"/rest/api/content/{page['id']}", params={"status": "trashed"})
    assert purge.status_code == 204
    assert page["id"] not in server.store.pages


def test_create_page_defaults_to_home_parent(
    server: FakeConfluenceServer, dc: httpx.Client
) -> None:
    created = dc.post(
        "/rest/api/content",
        json={"type": "page", "title": "Top", "space": {"key": "ENG"}, "status": "draft"},
    ).json()
    assert created["ancestors"][-1]["id"] == server.store.get_space_by_key("ENG").homepage_id
    assert created["status"] == "draft"


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ([1], 400),
        ({"type": "whiteboard", "title": "x"}, 400),
        ({"type": "blogpost", "title": "", "space": {"key": "DEMO"}}, 400),
        ({"type": "page", "title": "x"}, 400),
        ({"type": "page", "space": {"key": "DEMO"}}, 400),
        ({"type": "page", "title": "x", "space": {"key": "NOPE"}}, 404),
        ({"type": "page", "title": "x", "space": {"key": "DEMO"}, "body": {"view": {}}}, 400),
        (
            {
                "type": "page",
                "title": "x",
                "space": {"key": "DEMO"},
                "body": {"storage": {"value": "x", "representation": "view"}},
            },
            400,
        ),
    ],
)
def test_create_content_rejects_bad_input(dc: httpx.Client, payload: object, status: int) -> None:
    response = dc.post("/rest/api/content", json=payload)
    assert response.status_code == status, response.text
    assert response.json()["statusCode"] == status


def test_update_rejects_missing_version_and_attachment_update(
    server: FakeConfluenceServer, dc: httpx.Client
) -> None:
    faq = page_id(server, "FAQ")
    assert dc.put(f"/rest/api/content/{faq}", json={"title": "x"}).status_code == 400
    att = next(iter(server.store.attachments))
    response = dc.put(f"/rest/api/content/att{att}", json={"version": {"number": 2}})
    assert response.status_code == 400


def test_comments_through_v1(server: FakeConfluenceServer, dc: httpx.Client) -> None:
    arch = page_id(server, "Architecture overview")
    top = dc.get(
        f"/rest/api/content/{arch}/child/comment",
        params={"expand": "body.storage", "location": "footer"},
    )
    assert top.json()["size"] == 2
    # Without ``location`` Confluence lists every comment: the 2 seeded inline ones too.
    unfiltered = dc.get(f"/rest/api/content/{arch}/child/comment").json()
    assert unfiltered["size"] == 4
    everything = dc.get(
        f"/rest/api/content/{arch}/child/comment",
        params={
            "depth": "all",
            "location": "footer",
            "expand": "ancestors,version,container,space",
        },
    ).json()
    assert everything["size"] == 4
    replies = [c for c in everything["results"] if c["ancestors"]]
    assert len(replies) == 2
    descendants = dc.get(f"/rest/api/content/{arch}/descendant/comment").json()
    assert descendants["size"] == 4

    created = dc.post(
        "/rest/api/content",
        json={
            "type": "comment",
            "container": {"id": arch, "type": "page"},
            "body": {"storage": {"value": "<p>v1 comment</p>", "representation": "storage"}},
        },
    ).json()
    assert created["container"]["id"] == arch
    reply = dc.post(
        "/rest/api/content",
        json={
            "type": "comment",
            "container": {"id": arch, "type": "page"},
            "ancestors": [{"id": created["id"]}],
            "body": {"storage": {"value": "<p>reply</p>", "representation": "storage"}},
        },
    ).json()
    assert server.store.comments[reply["id"]].parent_comment_id == created["id"]
    fetched = dc.get(f"/rest/api/content/{reply['id']}", params={"expand": "ancestors"}).json()
    assert fetched["ancestors"] == [{"id": created["id"], "type": "comment"}]
    edited = dc.put(
        f"/rest/api/content/{created['id']}",
        json={
            "version": {"number": 2},
            "body": {"storage": {"value": "<p>edited</p>", "representation": "storage"}},
        },
    )
    assert edited.json()["version"]["number"] == 2
    assert dc.delete(f"/rest/api/content/{created['id']}").status_code == 204
    assert reply["id"] not in server.store.comments


def test_children_descendants_history_versions(
    shared_server: FakeConfluenceServer, ro_dc: httpx.Client, validate: Callable[..., None]
) -> None:
    catalogue = page_id(shared_server, "Service catalogue")
    kids = ro_dc.get(f"/rest/api/content/{catalogue}/child/page").json()
    validate("v1", "/wiki/rest/api/content/{id}/child/page".replace("page", "{type}"), kids)
    assert [k["title"] for k in kids["results"]] == [
        "Billing service",
        "Search service",
        "Notification service",
    ]
    arch = page_id(shared_server, "Architecture overview")
    desc = ro_dc.get(f"/rest/api/content/{arch}/descendant/page", params={"limit": 2}).json()
    assert desc["size"] == 2
    assert desc["_links"]["next"]
    history = ro_dc.get(f"/rest/api/content/{arch}/history").json()
    validate("v1", "/wiki/rest/api/content/{id}/history", history)
    assert history["lastUpdated"]["number"] == 3
    versions = ro_dc.get(f"/rest/api/content/{arch}/version").json()
    validate("v1", "/wiki/rest/api/content/{id}/version", versions)
    assert [v["number"] for v in versions["results"]] == [3, 2, 1]
    one = ro_dc.get(f"/rest/api/content/{arch}/version/1").json()
    validate("v1", "/wiki/rest/api/content/{id}/version/{versionNumber}", one)
    assert one["content"]["status"] == "historical"
    current = ro_dc.get(f"/rest/api/content/{arch}/version/3").json()
    assert current["content"]["status"] == "current"
    assert ro_dc.get(f"/rest/api/content/{arch}/version/8").status_code == 404


def test_labels_add_list_remove(
    server: FakeConfluenceServer, cloud: httpx.Client, validate: Callable[..., None]
) -> None:
    faq = page_id(server, "FAQ")
    added = cloud.post(
        f"/rest/api/content/{faq}/label",
        json=[{"prefix": "global", "name": "Support"}, {"name": "help"}],
    )
    assert added.status_code == 200
    validate("v1", "/wiki/rest/api/content/{id}/label", added.json(), method="post")
    assert {lb["name"] for lb in added.json()["results"]} == {"faq", "support", "help"}
    single = cloud.post(f"/rest/api/content/{faq}/label", json={"name": "single"})
    assert single.status_code == 200
    listed = cloud.get(f"/rest/api/content/{faq}/label").json()
    validate("v1", "/wiki/rest/api/content/{id}/label", listed)
    assert listed["size"] == 4
    assert (
        cloud.delete(f"/rest/api/content/{faq}/label", params={"name": "help"}).status_code == 204
    )
    assert cloud.delete(f"/rest/api/content/{faq}/label/single").status_code == 204
    assert (
        cloud.delete(f"/rest/api/content/{faq}/label", params={"name": "nope"}).status_code == 404
    )
    assert cloud.delete(f"/rest/api/content/{faq}/label").status_code == 400
    for bad in ([{"name": 3}], [{"name": "a b"}], [{"name": "x", "prefix": "odd"}]):
        assert cloud.post(f"/rest/api/content/{faq}/label", json=bad).status_code == 400


def test_attachment_upload_replace_and_download(
    server: FakeConfluenceServer, cloud: httpx.Client, validate: Callable[..., None]
) -> None:
    faq = page_id(server, "FAQ")
    url = f"/rest/api/content/{faq}/child/attachment"
    nocheck = {"X-Atlassian-Token": "nocheck"}
    upload = cloud.post(
        url,
        files={"file": ("notes.txt", b"first", "text/plain")},
        data={"comment": "draft notes", "minorEdit": "true"},
        headers=nocheck,
    )
    assert upload.status_code == 200
    validate("v1", "/wiki/rest/api/content/{id}/child/attachment", upload.json(), method="post")
    att = upload.json()["results"][0]
    assert (att["title"], att["extensions"]["fileSize"], att["version"]["number"]) == (
        "notes.txt",
        5,
        1,
    )
    again = cloud.post(url, files={"file": ("notes.txt", b"x", "text/plain")}, headers=nocheck)
    assert again.status_code == 400
    replaced = cloud.put(
        url, files={"file": ("notes.txt", b"second!", "text/plain")}, headers=nocheck
    )
    assert replaced.json()["results"][0]["version"]["number"] == 2
    listed = cloud.get(url, params={"filename": "notes.txt", "expand": "version"}).json()
    validate("v1", "/wiki/rest/api/content/{id}/child/attachment", listed)
    assert listed["results"][0]["version"]["number"] == 2
    by_id = cloud.get(f"{url}/{att['id']}/download")
    assert by_id.content == b"second!"
    assert by_id.headers["content-type"].startswith("text/plain")
    by_link = cloud.get(listed["results"][0]["_links"]["download"])
    assert by_link.content == b"second!"
    other = page_id(server, "Team")
    assert (
        cloud.get(f"/rest/api/content/{other}/child/attachment/{att['id']}/download").status_code
        == 404
    )
    assert cloud.get(f"/download/attachments/{faq}/missing.bin").status_code == 404
    assert cloud.delete(f"/rest/api/content/{att['id']}").status_code == 204
    assert cloud.get(f"{url}/{att['id']}/download").status_code == 404


def test_attachment_upload_refusals(server: FakeConfluenceServer, cloud: httpx.Client) -> None:
    faq = page_id(server, "FAQ")
    url = f"/rest/api/content/{faq}/child/attachment"
    no_token = cloud.post(url, files={"file": ("a.txt", b"a", "text/plain")})
    assert no_token.status_code == 403
    assert no_token.json()["message"] == "XSRF check failed"
    nocheck = {"X-Atlassian-Token": "nocheck"}
    assert cloud.post(url, json={"file": "a"}, headers=nocheck).status_code == 400
    no_file = cloud.post(url, data={"comment": "c"}, files={"other": ("a", b"a")}, headers=nocheck)
    assert no_file.status_code == 400
    missing = cloud.post(
        "/rest/api/content/999999/child/attachment",
        files={"file": ("a.txt", b"a")},
        headers=nocheck,
    )
    assert missing.status_code == 404


def test_gateway_v1_content_is_gone_but_search_labels_attachments_work(
    shared_server: FakeConfluenceServer,
) -> None:
    faq = page_id(shared_server, "FAQ")
    gw = shared_server.gateway_url
    with httpx.Client(headers={"Authorization": "Bearer fake-pat"}) as client:
        gone = client.get(f"{gw}/rest/api/content/{faq}")
        assert gone.status_code == 410
        assert gone.json()["statusCode"] == 410
        assert client.get(f"{gw}/rest/api/content", params={"spaceKey": "DEMO"}).status_code == 410
        assert client.get(f"{gw}/rest/api/content/{faq}/label").status_code == 200
        assert client.get(f"{gw}/rest/api/content/{faq}/child/attachment").status_code == 200
        assert client.get(f"{gw}/rest/api/search", params={"cql": "type=page"}).status_code == 200
        assert client.get(f"{gw}/api/v2/pages/{faq}").status_code == 200
        assert client.get(f"{gw}/rest/api/space/DEMO").status_code == 200
        wrong = shared_server.url + "/ex/confluence/not-our-cloud/wiki/api/v2/pages"
        assert client.get(wrong).status_code == 404


def test_spaces_v1(
    shared_server: FakeConfluenceServer, ro_cloud: httpx.Client, validate: Callable[..., None]
) -> None:
    listing = ro_cloud.get("/rest/api/space", params={"limit": 1}).json()
    validate("v1", "/wiki/rest/api/space", listing)
    assert listing["_links"]["next"]
    keyed = ro_cloud.get("/rest/api/space", params={"spaceKey": "ENG"}).json()
    assert [s["key"] for s in keyed["results"]] == ["ENG"]
    one = ro_cloud.get("/rest/api/space/DEMO", params={"expand": "description,homepage"}).json()
    validate("v1", "/wiki/rest/api/space/{spaceKey}", one)
    assert one["homepage"]["title"] == "Demo Space Home"
    assert ro_cloud.get("/rest/api/space/NOPE").status_code == 404
    content = ro_cloud.get("/rest/api/space/ENG/content", params={"depth": "root"}).json()
    validate("v1", "/wiki/rest/api/space/{spaceKey}/content", content)
    assert [p["title"] for p in content["page"]["results"]] == ["Engineering Home"]
    typed = ro_cloud.get("/rest/api/space/ENG/content/page").json()
    assert typed["size"] == 4
    assert ro_cloud.get("/rest/api/space/ENG/content/blogpost").json()["size"] == 0
    assert ro_cloud.get("/rest/api/space/ENG/content/whiteboard").status_code == 400
    assert ro_cloud.get("/rest/api/space/ENG/content", params={"depth": "x"}).status_code == 400
    posts = ro_cloud.get("/rest/api/content", params={"type": "blogpost"}).json()
    assert [(p["type"], p["title"]) for p in posts["results"]] == [
        ("blogpost", "Release 2.4 is out")
    ]
    demo = ro_cloud.get("/rest/api/space/DEMO/content/blogpost").json()
    assert [p["title"] for p in demo["results"]] == ["Release 2.4 is out"]
    assert ro_cloud.get("/rest/api/content", params={"type": "comment"}).status_code == 400


def test_users_v1(
    shared_server: FakeConfluenceServer,
    ro_cloud: httpx.Client,
    ro_dc: httpx.Client,
    validate: Callable[..., None],
) -> None:
    me = ro_cloud.get("/rest/api/user/current").json()
    validate("v1", "/wiki/rest/api/user/current", me)
    assert me["displayName"] == "Fake User"
    assert me["email"] == "fake@example.com"
    alice = shared_server.store.find_user("alice")
    assert alice is not None
    by_id = ro_cloud.get("/rest/api/user", params={"accountId": alice.account_id}).json()
    assert by_id["displayName"] == "Alice Martin"
    by_name = ro_dc.get("/rest/api/user", params={"username": "alice"}).json()
    assert by_name["username"] == "alice"
    assert ro_cloud.get("/rest/api/user", params={"accountId": "nobody"}).status_code == 404
    assert ro_cloud.get("/rest/api/user").status_code == 400


def test_attachment_size_limit() -> None:
    with FakeConfluenceServer(max_attachment_bytes=10) as small, httpx.Client(auth=AUTH) as client:
        url = f"{small.wiki_url}/rest/api/content/{page_id(small, 'FAQ')}/child/attachment"
        nocheck = {"X-Atlassian-Token": "nocheck"}
        ok = client.post(url, files={"file": ("a.txt", b"0123456789")}, headers=nocheck)
        assert ok.status_code == 200
        body = client.post(url, files={"file": ("b.txt", b"0123456789!")}, headers=nocheck)
        assert body.status_code == 413
        declared = client.post(
            url,
            content=b"x" * (1024 * 1024 + 11),
            headers={**nocheck, "content-type": "multipart/form-data; boundary=x"},
        )
        assert declared.status_code == 413


def test_replies_of_a_comment_and_expand_on_create(
    server: FakeConfluenceServer, dc: httpx.Client
) -> None:
    arch = page_id(server, "Architecture overview")
    first = server.store.page_comments(arch)[0]
    replies = dc.get(f"/rest/api/content/{first.id}/child/comment").json()
    assert [r["id"] for r in replies["results"]] == [c.id for c in server.store.replies(first.id)]
    reply = dc.post(
        "/rest/api/content",
        params={"expand": "ancestors,space"},
        json={
            "type": "comment",
            "container": {"id": arch, "type": "page"},
            "ancestors": [{"id": first.id}],
            "body": {"storage": {"value": "<p>r</p>", "representation": "storage"}},
        },
    ).json()
    assert reply["ancestors"] == [{"id": first.id, "type": "comment"}]
    assert reply["space"]["key"] == "DEMO"
    page = dc.post(
        "/rest/api/content",
        params={"expand": "history"},
        json={"type": "page", "title": "Expanded", "space": {"key": "DEMO"}},
    ).json()
    assert page["history"]["latest"] is True
    updated = dc.put(
        f"/rest/api/content/{page['id']}",
        params={"expand": "history"},
        json={"type": "page", "title": "Expanded", "version": {"number": 2}},
    ).json()
    assert updated["history"]["createdBy"]["displayName"] == "Fake User"


def test_tiny_links_match_confluence_and_redirect(
    shared_server: FakeConfluenceServer, ro_cloud: httpx.Client
) -> None:
    from confluence_client.testing._shapes_v2 import tiny_code, tiny_code_to_id

    assert tiny_code("65601") == "QQAB"
    assert tiny_code_to_id("QQAB") == "65601"
    assert tiny_code_to_id("!") is None
    assert tiny_code_to_id("A" * 12) is None
    faq = page_id(shared_server, "FAQ")
    page = ro_cloud.get(f"/api/v2/pages/{faq}").json()
    redirect = ro_cloud.get(page["_links"]["tinyui"])
    assert redirect.status_code == 302
    assert redirect.headers["location"] == shared_server.wiki_url + page["_links"]["webui"]
    with httpx.Client(base_url=shared_server.url, auth=AUTH) as dc:
        assert dc.get(page["_links"]["tinyui"]).status_code == 302
    assert ro_cloud.get("/x/AAAAAAAAAA_").status_code == 404
    assert ro_cloud.get("/x/!!").status_code == 404


def test_content_search(
    shared_server: FakeConfluenceServer, ro_cloud: httpx.Client, validate: Callable[..., None]
) -> None:
    body = ro_cloud.get(
        "/rest/api/content/search",
        params={"cql": "label = runbook", "limit": 2, "expand": "version"},
    ).json()
    validate("v1", "/wiki/rest/api/content/search", body)
    assert body["size"] == 2
    assert body["results"][0]["version"]["number"] >= 1
    rest = ro_cloud.get(body["_links"]["next"]).json()
    assert rest["size"] == 1
    assert ro_cloud.get("/rest/api/content/search").status_code == 400
    gone = httpx.get(
        shared_server.gateway_url + "/rest/api/content/search?cql=type=page",
        headers={"Authorization": "Bearer fake-pat"},
    )
    assert gone.status_code == 410


def test_move_endpoint(server: FakeConfluenceServer, dc: httpx.Client) -> None:
    store = server.store
    failover, incident = page_id(server, "Database failover"), page_id(server, "Incident response")
    credentials = page_id(server, "Rotating credentials")
    runbooks = page_id(server, "Runbooks")

    def order() -> list[str]:
        page = store.get_page(runbooks)
        return [p.title for p in store.children(runbooks, page.space_id)]

    moved = dc.put(f"/rest/api/content/{credentials}/move/before/{incident}")
    assert moved.json() == {"pageId": credentials}
    assert order() == ["Rotating credentials", "Incident response", "Database failover"]
    dc.put(f"/rest/api/content/{credentials}/move/after/{failover}")
    assert order() == ["Incident response", "Database failover", "Rotating credentials"]
    faq = page_id(server, "FAQ")
    dc.put(f"/rest/api/content/{faq}/move/append/{runbooks}")
    assert order()[-1] == "FAQ"
    assert store.get_page(faq).version == 1
    home = store.get_space_by_key("DEMO").homepage_id
    assert dc.put(f"/rest/api/content/{home}/move/append/{faq}").status_code == 400
    assert dc.put(f"/rest/api/content/{faq}/move/sideways/{runbooks}").status_code == 400
    assert dc.put(f"/rest/api/content/{faq}/move/after/{faq}").status_code == 400
    eng_home = store.get_space_by_key("ENG").homepage_id
    assert dc.put(f"/rest/api/content/{faq}/move/after/{eng_home}").status_code == 400
    assert dc.put(f"/rest/api/content/{faq}/move/before/{home}").status_code == 200
    assert store.get_page(faq).parent_id is None


def test_attachment_data_endpoint_and_no_check_spelling(
    server: FakeConfluenceServer, cloud: httpx.Client
) -> None:
    faq = page_id(server, "FAQ")
    url = f"/rest/api/content/{faq}/child/attachment"
    headers = {"X-Atlassian-Token": "no-check"}
    att = cloud.post(url, files={"file": ("d.bin", b"1", "application/x-thing")}, headers=headers)
    att_id = att.json()["results"][0]["id"]
    new = cloud.post(f"{url}/{att_id}/data", files={"file": ("d.bin", b"22")}, headers=headers)
    assert new.status_code == 200
    assert (new.json()["version"]["number"], new.json()["extensions"]["fileSize"]) == (2, 2)
    two = cloud.post(
        f"{url}/{att_id}/data",
        files=[("file", ("a", b"1")), ("file", ("b", b"2"))],
        headers=headers,
    )
    assert two.status_code == 400
    other = page_id(server, "Team")
    elsewhere = cloud.post(
        f"/rest/api/content/{other}/child/attachment/{att_id}/data",
        files={"file": ("d.bin", b"3")},
        headers=headers,
    )
    assert elsewhere.status_code == 400


def test_body_format_aliases(shared_server: FakeConfluenceServer, ro_cloud: httpx.Client) -> None:
    faq = page_id(shared_server, "FAQ")
    none = ro_cloud.get(f"/api/v2/pages/{faq}", params={"body-format": "none"}).json()
    assert none["body"] == {}
    export = ro_cloud.get(f"/api/v2/pages/{faq}", params={"body-format": "export_view"}).json()
    assert "confluence-expand-macro" in export["body"]["export_view"]["value"]
    adf = ro_cloud.get(f"/api/v2/pages/{faq}", params={"body-format": "atlas_doc_format"}).json()
    assert adf["body"]["atlas_doc_format"]["value"].startswith('{"type":"doc"')


def test_child_and_descendant_maps(
    shared_server: FakeConfluenceServer, ro_dc: httpx.Client, validate: Callable[..., None]
) -> None:
    arch = page_id(shared_server, "Architecture overview")
    both = ro_dc.get(f"/rest/api/content/{arch}/child", params={"expand": "page,comment"}).json()
    validate("v1", "/wiki/rest/api/content/{id}/child", both)
    assert [p["title"] for p in both["page"]["results"]] == ["Service catalogue", "Data model"]
    assert both["comment"]["size"] == 4  # 2 footer + 2 inline (seeded)
    pages_only = ro_dc.get(f"/rest/api/content/{arch}/child").json()
    assert "comment" not in pages_only
    deep = ro_dc.get(f"/rest/api/content/{arch}/descendant", params={"expand": "page"}).json()
    validate("v1", "/wiki/rest/api/content/{id}/descendant", deep)
    assert deep["page"]["size"] == 5
    bad = ro_dc.get(f"/rest/api/content/{arch}/child", params={"expand": "whiteboard"})
    assert bad.status_code == 400


@pytest.mark.parametrize(
    "storage",
    ["<p>unclosed", '<ac:structured-macro ac:name="info"><p>x</p>', "<p>a &bogus; b</p>", "</p>"],
)
def test_malformed_storage_is_refused_everywhere(
    server: FakeConfluenceServer, cloud: httpx.Client, storage: str
) -> None:
    faq = page_id(server, "FAQ")
    space_id = server.store.get_space_by_key("DEMO").id
    v2_create = cloud.post(
        "/api/v2/pages", json={"spaceId": space_id, "title": "Bad", "body": {"value": storage}}
    )
    assert v2_create.status_code == 400
    assert v2_create.json()["errors"][0]["title"].startswith("Error parsing xhtml")
    v2_update = cloud.put(
        f"/api/v2/pages/{faq}",
        json={"id": faq, "title": "FAQ", "version": {"number": 2}, "body": {"value": storage}},
    )
    assert v2_update.status_code == 400
    comment = cloud.post(
        "/api/v2/footer-comments", json={"pageId": faq, "body": {"value": storage}}
    )
    assert comment.status_code == 400
    v1 = cloud.post(
        "/rest/api/content",
        json={
            "type": "page",
            "title": "Bad v1",
            "space": {"key": "DEMO"},
            "body": {"storage": {"value": storage, "representation": "storage"}},
        },
    )
    assert v1.status_code == 400
    assert "Error parsing xhtml" in v1.json()["message"]
    assert server.store.get_page(faq).version == 1
    wiki = cloud.post(
        "/rest/api/content",
        json={
            "type": "page",
            "title": "Wiki markup",
            "space": {"key": "DEMO"},
            "body": {"storage": {"value": "h1. <not xml", "representation": "wiki"}},
        },
    )
    assert wiki.status_code == 200
