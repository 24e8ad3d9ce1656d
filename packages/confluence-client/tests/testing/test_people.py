"""Several people, each with their own tokens, and per-user read restrictions in every API
family: a page restricted to Ann is missing for Ben by id, in listings, children, search,
comments and attachments; Ann (and the tree around the page) sees everything."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from confluence_client.testing import FakeConfluenceServer

ANN = ("ann@example.com", "ann-token")
BEN = ("ben@example.com", "ben-token")


@dataclass
class Tree:
    space_key: str
    secret: str  # restricted to Ann
    child: str  # below it: inherits the restriction
    public: str  # a sibling nobody restricted
    comment: str
    attachment: str


@pytest.fixture
def tree(fake_confluence: FakeConfluenceServer) -> Iterator[Tree]:
    control = httpx.Client(base_url=fake_confluence.url)
    for name, (email, token) in (("Ann", ANN), ("Ben", BEN)):
        answer = control.post(
            "/__fake__/users",
            json={
                "display_name": name,
                "email": email,
                "api_token": token,
                "personal_token": f"{token}-pat",
            },
        )
        assert answer.status_code == 201, answer.text
    store = fake_confluence.store
    space = store.get_space_by_key("ENG")
    secret = store.add_page(space.id, "Layoff plan", "<p>zanzibar budget</p>")
    child = store.add_page(space.id, "Layoff dates", "<p>zanzibar dates</p>", parent_id=secret.id)
    public = store.add_page(space.id, "Lunch menu", "<p>zanzibar soup</p>")
    comment = store.add_comment(secret.id, "<p>zanzibar remark</p>")
    attachment = store.add_attachment(secret.id, "plan.txt", b"zanzibar")
    answer = control.put(f"/__fake__/restrictions/{secret.id}", json={"read": [ANN[0]]})
    assert answer.status_code == 200, answer.text
    assert answer.json()["read"] == [store.find_user(ANN[0]).account_id]  # type: ignore[union-attr]
    yield Tree("ENG", secret.id, child.id, public.id, comment.id, attachment.id)
    control.close()


def _status(server: FakeConfluenceServer, auth: tuple[str, str], path: str) -> int:
    return httpx.get(server.wiki_url + path, auth=auth).status_code


def _ids(server: FakeConfluenceServer, auth: tuple[str, str], path: str) -> set[str]:
    body = httpx.get(server.wiki_url + path, auth=auth).json()
    return {str(item.get("id") or item.get("content", {}).get("id")) for item in body["results"]}


def test_restricted_page_is_missing_for_others_in_every_family(
    fake_confluence: FakeConfluenceServer, tree: Tree
) -> None:
    by_id = [
        f"/rest/api/content/{tree.secret}",
        f"/rest/api/content/{tree.child}",  # inherited from the parent
        f"/api/v2/pages/{tree.secret}",
        f"/api/v2/pages/{tree.child}",
        f"/api/v2/pages/{tree.secret}/direct-children",
        f"/rest/api/content/{tree.secret}/child/page",
        f"/api/v2/pages/{tree.secret}/footer-comments",
        f"/api/v2/footer-comments/{tree.comment}",
        f"/rest/api/content/{tree.secret}/child/comment",
        f"/api/v2/pages/{tree.secret}/attachments",
        f"/api/v2/attachments/{tree.attachment}",
        f"/rest/api/content/{tree.secret}/child/attachment",
    ]
    for path in by_id:
        assert _status(fake_confluence, ANN, path) == 200, path
        assert _status(fake_confluence, BEN, path) == 404, path

    cql = "/rest/api/search?cql=text~zanzibar&limit=50"
    assert {tree.secret, tree.child, tree.public, tree.comment} <= _ids(fake_confluence, ANN, cql)
    assert _ids(fake_confluence, BEN, cql) == {tree.public}
    space = fake_confluence.store.get_space_by_key("ENG").id
    listing = f"/api/v2/spaces/{space}/pages?limit=250"
    assert {tree.secret, tree.child} <= _ids(fake_confluence, ANN, listing)
    assert not {tree.secret, tree.child} & _ids(fake_confluence, BEN, listing)
    assert tree.public in _ids(fake_confluence, BEN, listing)
    every = "/api/v2/footer-comments?limit=250"
    assert tree.comment in _ids(fake_confluence, ANN, every)
    assert tree.comment not in _ids(fake_confluence, BEN, every)


def test_people_sign_in_with_their_own_tokens_only(
    fake_confluence: FakeConfluenceServer, tree: Tree
) -> None:
    me = "/rest/api/user/current"
    assert httpx.get(fake_confluence.wiki_url + me, auth=ANN).json()["email"] == ANN[0]
    assert httpx.get(fake_confluence.wiki_url + me, auth=BEN).json()["email"] == BEN[0]
    assert _status(fake_confluence, (ANN[0], BEN[1]), me) == 401  # Ben's token is not Ann's
    # Data Center style: the personal access token as a bearer token.
    pat = {"Authorization": f"Bearer {ANN[1]}-pat"}
    assert httpx.get(
        f"{fake_confluence.url}/rest/api/content/{tree.secret}", headers=pat
    ).is_success
    pat = {"Authorization": f"Bearer {BEN[1]}-pat"}
    answer = httpx.get(f"{fake_confluence.url}/rest/api/content/{tree.secret}", headers=pat)
    assert answer.status_code == 404
    # PATs are not accepted on the Cloud site domain, as in Confluence Cloud.
    on_site = httpx.get(
        fake_confluence.wiki_url + me, headers={"Authorization": f"Bearer {ANN[1]}-pat"}
    )
    assert on_site.status_code == 401


def test_seeded_people_have_tokens_and_the_seed_restricts_salaries(
    fake_confluence: FakeConfluenceServer,
) -> None:
    store = fake_confluence.store
    salaries = store.list_pages(title="Salary bands")[0].id
    path = f"/api/v2/pages/{salaries}"
    assert _status(fake_confluence, ("alice@example.com", "alice-api-token"), path) == 200
    assert _status(fake_confluence, ("bob@example.com", "bob-api-token"), path) == 404
    assert _status(fake_confluence, ("bob", "bob-api-token"), path) == 404  # user name works too
    # The default credentials belong to the seed's first user, who is in the restriction.
    default = (fake_confluence.credentials.username, fake_confluence.credentials.api_token)
    assert _status(fake_confluence, default, path) == 200


def test_control_routes_refuse_bad_input(fake_confluence: FakeConfluenceServer) -> None:
    with httpx.Client(base_url=fake_confluence.url) as control:
        assert control.post("/__fake__/users", json={"email": "x@example.com"}).status_code == 400
        taken = {"display_name": "Again", "email": "alice@example.com"}
        assert control.post("/__fake__/users", json=taken).status_code == 400
        page = fake_confluence.store.list_pages()[0].id
        bad = control.put(f"/__fake__/restrictions/{page}", json={"read": ["nobody@x"]})
        assert bad.status_code == 400
        assert control.put(f"/__fake__/restrictions/{page}", json={"view": []}).status_code == 400
        missing = control.put("/__fake__/restrictions/999999", json={"read": []})
        assert missing.status_code == 404
        # An empty list lifts the restriction.
        lifted = control.put(f"/__fake__/restrictions/{page}", json={"read": []})
        assert lifted.json()["read"] == []
