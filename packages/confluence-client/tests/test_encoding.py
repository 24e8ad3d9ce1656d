"""Text with no UTF-8 form (lone surrogates) is refused before any request (issue 15 #3).

Found by the fuzz suite: a lone surrogate in a search, a user query or a title reached the
HTTP stack, which raised ``UnicodeEncodeError`` from deep inside instead of a typed error.
"""

from typing import Any

import pytest

from confluence_client import BasicAuth, ConfluenceClient, InvalidInputError
from confluence_client._encoding import check_encodable
from confluence_client.testing import FakeConfluenceServer


@pytest.mark.parametrize(
    "value",
    ["\ud800", "ok \udcff", ["a", "\udfff"], {"k": {"\ud800": 1}}, ({"x": ("y", "\ud801")},)],
)
def test_any_lone_surrogate_is_refused(value: Any) -> None:
    with pytest.raises(InvalidInputError) as info:
        check_encodable(value, "body")
    assert info.value.field == "body"
    assert "not valid Unicode" in info.value.message


@pytest.mark.parametrize("value", ["plain", "Grüße 日本 🎉", {"k": ["v", 1, None]}, None, 3])
def test_well_formed_text_passes(value: Any) -> None:
    check_encodable(value, "body")


async def test_the_client_refuses_it_and_sends_nothing(
    fake_confluence: FakeConfluenceServer,
) -> None:
    auth = BasicAuth(fake_confluence.credentials.username, fake_confluence.credentials.api_token)
    async with ConfluenceClient(fake_confluence.wiki_url, auth, deployment="cloud") as client:
        fake_confluence.requests.clear()
        with pytest.raises(InvalidInputError) as search:
            await client.search('text ~ "\ud800"')
        assert search.value.field == "cql"
        with pytest.raises(InvalidInputError) as users:
            await client.search_users("\ud800")
        assert users.value.field == "query"
        with pytest.raises(InvalidInputError) as title:
            await client.create_page("DEMO", "A \udcff title", "<p>x</p>")
        assert title.value.field == "title"
        with pytest.raises(InvalidInputError) as body:
            await client.create_page("DEMO", "Title", "<p>\ud800</p>")
        assert body.value.field == "body"
        assert len(fake_confluence.requests) == 0
