"""v1/v2 JSON parsing: alternate field spellings and bad shapes."""

from typing import Any

import pytest

from confluence_client import MalformedResponseError
from confluence_client._parse_common import absolute_link, ident, parsed, text
from confluence_client._parse_v1 import parse_attachment, parse_search_result, parse_user
from confluence_client._parse_v2 import parse_body, parse_page

SITE = "https://acme.atlassian.net/wiki"


def test_text_and_ident_helpers() -> None:
    assert text({"a": 5}, "a") == "5"
    assert text({"a": True}, "a") is None
    assert text({"a": [1]}, "a") is None
    assert text("not a dict", "a") is None
    with pytest.raises(KeyError):
        ident({})


def test_absolute_links() -> None:
    assert absolute_link(SITE, {"webui": "/spaces/X"}, "webui") == f"{SITE}/spaces/X"
    assert absolute_link(SITE, {"webui": "https://x/y"}, "webui") == "https://x/y"
    assert absolute_link(SITE, {"webui": ""}, "webui") is None


def test_parsed_turns_errors_into_malformed_responses() -> None:
    def broken() -> Any:
        raise KeyError("title")

    with pytest.raises(MalformedResponseError, match="unexpected page shape"):
        parsed(broken, "page")


def test_v2_body_picks_the_representation_present() -> None:
    body = parse_body({"body": {"view": {"representation": "view", "value": "<p>v</p>"}}})
    assert body is not None
    assert (body.representation, body.value) == ("view", "<p>v</p>")
    assert parse_body({"body": {}}) is None


def test_v2_page_with_bad_date_is_malformed() -> None:
    with pytest.raises(MalformedResponseError):
        parse_page({"id": "1", "title": "t", "createdAt": "yesterday"}, SITE)


def test_v1_users_from_cloud_and_data_center() -> None:
    cloud = parse_user({"accountId": "abc", "publicName": "Ann", "accountType": "atlassian"})
    assert (cloud.id, cloud.display_name, cloud.account_type) == ("abc", "Ann", "atlassian")
    dc = parse_user({"type": "known", "username": "bob", "userKey": "k1"})
    assert (dc.id, dc.display_name, dc.username) == ("k1", "bob", "bob")


def test_v1_search_result_space_from_the_container() -> None:
    raw = {
        "content": {"id": "9", "type": "page"},
        "title": "T",
        "resultGlobalContainer": {"title": "Demo", "displayUrl": "/display/DEMO"},
        "url": "/spaces/DEMO/pages/9",
        "lastModified": "2024-01-01T00:00:00.000Z",
    }
    hit = parse_search_result(raw, SITE)
    assert (hit.space_key, hit.space_name, hit.content_id) == ("DEMO", "Demo", "9")
    assert hit.web_url == f"{SITE}/spaces/DEMO/pages/9"
    user_hit = parse_search_result({"title": "Ann", "entityType": "user"}, SITE)
    assert (user_hit.content_type, user_hit.space_key) == ("user", None)


def test_v1_attachment_metadata_fallbacks() -> None:
    att = parse_attachment(
        {"id": "att1", "title": "a.png", "metadata": {"mediaType": "image/png", "comment": "c"}},
        SITE,
        page_id="5",
    )
    assert (att.media_type, att.comment, att.page_id, att.file_size) == (
        "image/png",
        "c",
        "5",
        None,
    )
