import pytest
from hypothesis import given
from hypothesis import strategies as st

from confluence_client import InvalidInputError, PageRef, parse_page_url
from confluence_client._page_urls import page_id_to_tiny_code, tiny_code_to_page_id


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://acme.atlassian.net/wiki/spaces/DEMO/pages/123456/Page+Title",
            PageRef(page_id="123456", space_key="DEMO"),
        ),
        (
            "https://acme.atlassian.net/wiki/spaces/DEMO/pages/77",
            PageRef(page_id="77", space_key="DEMO"),
        ),
        (
            "https://acme.atlassian.net/wiki/spaces/~jdoe/pages/edit-v2/88?draftShareId=x",
            PageRef(page_id="88", space_key="~jdoe"),
        ),
        ("https://dc.example.com/pages/viewpage.action?pageId=4242", PageRef(page_id="4242")),
        (
            "https://dc.example.com/confluence/pages/viewpage.action?spaceKey=X&pageId=9#frag",
            PageRef(page_id="9"),
        ),
        (
            "https://dc.example.com/display/ENG/Release+Notes+2%2F3",
            PageRef(space_key="ENG", title="Release Notes 2/3"),
        ),
        ("http://127.0.0.1:8090/x/QQAB", PageRef(page_id="65601")),
        ("https://acme.atlassian.net/wiki/x/AgAB/", PageRef(page_id="65538")),
    ],
)
def test_recognised_shapes(url: str, expected: PageRef) -> None:
    assert parse_page_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "",
        "not a url",
        "ftp://host/pages/viewpage.action?pageId=1",
        "https://host/pages/viewpage.action?pageId=abc",
        "https://host/wiki/spaces/DEMO/overview",
        "https://host/display/ENG/",
        "https://host/x/!!",
        "https://host/x/AAAA",
        "/wiki/spaces/DEMO/pages/1",
    ],
)
def test_unrecognised_urls(url: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        parse_page_url(url)
    assert info.value.field == "url"


def test_non_string_is_rejected() -> None:
    with pytest.raises(InvalidInputError):
        parse_page_url(None)  # type: ignore[arg-type]


@given(st.integers(min_value=1, max_value=2**63 - 1))
def test_tiny_codes_roundtrip(page_id: int) -> None:
    assert tiny_code_to_page_id(page_id_to_tiny_code(page_id)) == str(page_id)


def test_tiny_code_rejects_bad_base64() -> None:
    with pytest.raises(InvalidInputError):
        tiny_code_to_page_id("A=B")


_KEYS = st.from_regex(r"[A-Z][A-Z0-9]{0,9}", fullmatch=True)
_IDS = st.integers(min_value=1, max_value=10**15).map(str)
_HOSTS = st.sampled_from(
    [
        "https://acme.atlassian.net/wiki",
        "https://dc.example.com",
        "http://127.0.0.1:8090/confluence",
    ]
)


@given(_HOSTS, _KEYS, _IDS, st.text(max_size=30))
def test_any_cloud_page_url_yields_its_id(host: str, key: str, page_id: str, title: str) -> None:
    from urllib.parse import quote_plus

    url = f"{host}/spaces/{key}/pages/{page_id}/{quote_plus(title)}"
    assert parse_page_url(url) == PageRef(page_id=page_id, space_key=key)


@given(_HOSTS, _KEYS, st.text(min_size=1, max_size=40).filter(lambda t: t.strip() != ""))
def test_any_display_url_yields_key_and_title(host: str, key: str, title: str) -> None:
    from urllib.parse import quote_plus

    ref = parse_page_url(f"{host}/display/{key}/{quote_plus(title)}")
    assert (ref.space_key, ref.title) == (key, title)
