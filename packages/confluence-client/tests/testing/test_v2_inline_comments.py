"""v2 inline comments in the fake: shapes per the OpenAPI document, anchors, resolution."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from confluence_client.testing import FakeConfluenceServer

from .conftest import page_id


def test_seeded_inline_comments_validate(
    shared_server: FakeConfluenceServer, ro_cloud: httpx.Client, validate: Callable[..., None]
) -> None:
    arch = page_id(shared_server, "Architecture overview")
    listing = ro_cloud.get(
        f"/api/v2/pages/{arch}/inline-comments", params={"body-format": "storage"}
    ).json()
    validate("v2", "/pages/{id}/inline-comments", listing)
    statuses = {
        c["properties"]["inlineOriginalSelection"]: c["resolutionStatus"]
        for c in listing["results"]
    }
    assert statuses == {"API gateway": "open", "observable": "resolved"}
    resolved = ro_cloud.get(
        f"/api/v2/pages/{arch}/inline-comments", params={"resolution-status": "resolved"}
    ).json()["results"]
    assert [c["properties"]["inlineOriginalSelection"] for c in resolved] == ["observable"]
    first = listing["results"][0]
    one = ro_cloud.get(f"/api/v2/inline-comments/{first['id']}").json()
    validate("v2", "/inline-comments/{comment-id}", one)
    replies = ro_cloud.get(f"/api/v2/inline-comments/{first['id']}/children").json()
    validate("v2", "/inline-comments/{id}/children", replies)
    assert [r["parentCommentId"] for r in replies["results"]] == [first["id"]]
    # Inline comments are not footer comments.
    footer = ro_cloud.get(f"/api/v2/pages/{arch}/footer-comments").json()["results"]
    assert first["id"] not in {c["id"] for c in footer}
    assert ro_cloud.get(f"/api/v2/footer-comments/{first['id']}").status_code == 404


def test_v1_lists_inline_comments_by_location(
    shared_server: FakeConfluenceServer, ro_dc: httpx.Client, validate: Callable[..., None]
) -> None:
    arch = page_id(shared_server, "Architecture overview")
    inline = ro_dc.get(
        f"/rest/api/content/{arch}/child/comment", params={"location": "inline"}
    ).json()
    assert {
        c["extensions"]["inlineProperties"]["originalSelection"] for c in inline["results"]
    } == {
        "API gateway",
        "observable",
    }
    footer = ro_dc.get(
        f"/rest/api/content/{arch}/child/comment", params={"location": "footer"}
    ).json()
    assert {c["extensions"]["location"] for c in footer["results"]} == {"footer"}
    both = ro_dc.get(f"/rest/api/content/{arch}/child/comment").json()
    assert both["size"] == inline["size"] + footer["size"]


def test_create_reply_resolve_and_delete(
    server: FakeConfluenceServer, cloud: httpx.Client, validate: Callable[..., None]
) -> None:
    faq = page_id(server, "FAQ")
    page = server.store.pages[faq]
    scratch = server.store.add_page(
        page.space_id,
        "Cats",
        '<p title="cat">one cat, two cat &amp; cat</p>'
        '<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[cat]]>'
        "</ac:plain-text-body></ac:structured-macro>",
    )
    versions = len(scratch.versions)
    word, count = "cat", 3  # attribute values and CDATA are not page text
    anchor = {"textSelection": word, "textSelectionMatchCount": count, "textSelectionMatchIndex": 1}
    body = {"representation": "storage", "value": "<p>Which one?</p>"}
    created = cloud.post(
        "/api/v2/inline-comments",
        json={"pageId": scratch.id, "body": body, "inlineCommentProperties": anchor},
    )
    assert created.status_code == 201, created.text
    validate("v2", "/inline-comments", created.json(), method="post", status="201")
    comment = created.json()
    ref = comment["properties"]["inlineMarkerRef"]
    assert server.store.pages[scratch.id].body.startswith(
        f'<p title="cat">one cat, two <ac:inline-comment-marker ac:ref="{ref}">cat'
        "</ac:inline-comment-marker> &amp; cat</p>"
    )
    assert len(server.store.pages[scratch.id].versions) == versions  # no new page version
    faq = scratch.id

    wrong = {**anchor, "textSelectionMatchCount": count + 1}
    bad = cloud.post(
        "/api/v2/inline-comments",
        json={"pageId": faq, "body": body, "inlineCommentProperties": wrong},
    )
    assert bad.status_code == 400
    missing = cloud.post(
        "/api/v2/inline-comments",
        json={"pageId": faq, "body": body, "inlineCommentProperties": {"textSelection": "zzqx"}},
    )
    assert missing.status_code == 400

    reply = cloud.post(
        "/api/v2/inline-comments", json={"parentCommentId": comment["id"], "body": body}
    ).json()
    assert reply["parentCommentId"] == comment["id"]
    assert reply["properties"]["inlineOriginalSelection"] == word

    resolved = cloud.put(
        f"/api/v2/inline-comments/{comment['id']}",
        json={"version": {"number": 2}, "resolved": True},
    )
    assert resolved.status_code == 200
    validate("v2", "/inline-comments/{comment-id}", resolved.json(), method="put")
    assert resolved.json()["resolutionStatus"] == "resolved"
    assert "resolutionLastModifiedAt" in resolved.json()
    stale = cloud.put(
        f"/api/v2/inline-comments/{comment['id']}",
        json={"version": {"number": 2}, "resolved": False},
    )
    assert stale.status_code == 409
    reopened = cloud.put(
        f"/api/v2/inline-comments/{comment['id']}",
        json={"version": {"number": 3}, "resolved": False},
    ).json()
    assert reopened["resolutionStatus"] == "reopened"
    reply_resolve = cloud.put(
        f"/api/v2/inline-comments/{reply['id']}", json={"version": {"number": 2}, "resolved": True}
    )
    assert reply_resolve.status_code == 400

    assert cloud.delete(f"/api/v2/inline-comments/{comment['id']}").status_code == 204
    assert cloud.get(f"/api/v2/inline-comments/{reply['id']}").status_code == 404
