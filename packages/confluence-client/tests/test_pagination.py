import pytest

from confluence_client import InvalidInputError, MalformedResponseError
from confluence_client._pagination import decode_cursor, encode_next_link, result_page

CLOUD = "http://127.0.0.1:9/wiki"
GATEWAY = "http://127.0.0.1:9/ex/confluence/abc/wiki"
DC = "https://dc.example.com/confluence"


@pytest.mark.parametrize(
    ("base", "link", "endpoint", "url"),
    [
        # v2 links carry the site path
        (
            CLOUD,
            "/wiki/api/v2/pages?cursor=abc",
            "api/v2/pages",
            f"{CLOUD}/api/v2/pages?cursor=abc",
        ),
        # ...also behind the OAuth gateway
        (
            GATEWAY,
            "/wiki/api/v2/pages?cursor=x",
            "api/v2/pages",
            f"{GATEWAY}/api/v2/pages?cursor=x",
        ),
        # v1 links are relative to the API base
        (
            CLOUD,
            "/rest/api/search?cql=a&cursor=z",
            "rest/api/search",
            f"{CLOUD}/rest/api/search?cql=a&cursor=z",
        ),
        (
            DC,
            "/rest/api/content?start=25&limit=25",
            "rest/api/content",
            f"{DC}/rest/api/content?start=25&limit=25",
        ),
        (
            DC,
            "/confluence/rest/api/space?start=5",
            "rest/api/space",
            f"{DC}/rest/api/space?start=5",
        ),
        (CLOUD, "rest/api/space?start=5", "rest/api/space", f"{CLOUD}/rest/api/space?start=5"),
        (
            CLOUD,
            f"{CLOUD}/api/v2/spaces?cursor=q",
            "api/v2/spaces",
            f"{CLOUD}/api/v2/spaces?cursor=q",
        ),
    ],
)
def test_next_links_roundtrip(base: str, link: str, endpoint: str, url: str) -> None:
    cursor = encode_next_link(base, link)
    assert "/" not in cursor
    assert decode_cursor(base, cursor, endpoint) == url


def test_a_cursor_only_works_for_its_listing() -> None:
    cursor = encode_next_link(CLOUD, "/wiki/api/v2/pages/1/children?cursor=a")
    with pytest.raises(InvalidInputError):
        decode_cursor(CLOUD, cursor, "api/v2/pages/2/children")


@pytest.mark.parametrize(
    "raw",
    [
        "!!!",
        "//evil.example/wiki/api/v2/pages",
        "http://evil.example/wiki/api/v2/pages",
        "/wiki/api/v2/pages/../admin",
        "/wiki/rest/api/admin",
    ],
)
def test_forged_cursors_are_refused(raw: str) -> None:
    import base64

    forged = raw if raw == "!!!" else base64.urlsafe_b64encode(raw.encode()).decode()
    with pytest.raises(InvalidInputError):
        decode_cursor(CLOUD, forged, "api/v2/pages")


def test_result_page() -> None:
    body = {
        "results": [{"n": 1}, {"n": 2}],
        "_links": {"next": "/wiki/api/v2/pages?cursor=x"},
        "totalSize": 10,
    }
    page = result_page(CLOUD, body, lambda raw: raw["n"], path="/wiki/api/v2/pages")
    assert page.items == (1, 2)
    assert page.total_size == 10
    assert page.next_cursor is not None
    last = result_page(CLOUD, {"results": [], "_links": {}, "totalSize": True}, len, path="/p")
    assert last.next_cursor is None
    assert last.total_size is None


@pytest.mark.parametrize("body", [[], {"results": {}}, {"results": [1]}, None])
def test_result_page_rejects_odd_bodies(body: object) -> None:
    with pytest.raises(MalformedResponseError):
        result_page(CLOUD, body, lambda raw: raw, path="/p")
