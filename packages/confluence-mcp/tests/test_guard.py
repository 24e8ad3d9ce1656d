from typing import Any

import pytest

from confluence_client import ConfluenceClient, NotFoundError, Page, SearchResult
from confluence_client.testing import FakeConfluenceServer
from confluence_mcp.services import Services, build_client
from confluence_mcp.settings import Settings


def page_id(fake: FakeConfluenceServer, title: str) -> str:
    return next(str(p.id) for p in fake.store.pages.values() if p.title == title)


async def test_guard_without_filter_is_free(
    make_settings: Any, fake_confluence: FakeConfluenceServer
) -> None:
    services = Services(make_settings())
    fake_confluence.requests.clear()
    assert await services.guard.check_page_id("123") is None
    assert services.guard.cql_scope() is None
    assert services.guard.allows_key("ANY")
    await services.guard.check_space_id("1")
    assert len(fake_confluence.requests) == 0
    await services.aclose()


async def test_guard_with_filter(make_settings: Any, fake_confluence: FakeConfluenceServer) -> None:
    services = Services(make_settings(confluence_spaces_filter="eng,GHOST"))
    guard = services.guard
    assert guard.allowed_spaces == frozenset({"ENG", "GHOST"})
    assert str(guard.cql_scope()) == 'space IN ("ENG", "GHOST")'
    eng_page = await guard.check_page_id(page_id(fake_confluence, "ENG Onboarding"))
    assert eng_page is not None
    with pytest.raises(NotFoundError):
        await guard.check_page_id(page_id(fake_confluence, "FAQ"))
    with pytest.raises(NotFoundError):
        guard.check_space_key("DEMO")
    assert guard.check_space_key("eng") == "eng"
    with pytest.raises(NotFoundError):
        await guard.check_space_id(None)
    hits = [
        SearchResult(title="a", space_key="ENG"),
        SearchResult(title="b", space_key="DEMO"),
        SearchResult(title="c"),
    ]
    assert [hit.title for hit in guard.filter_results(hits)] == ["a"]
    assert guard.filter_keys(["ENG", "DEMO"], lambda key: key) == ["ENG"]
    await services.aclose()


async def test_guard_and_services_share_the_sdk_space_cache(
    make_settings: Any, fake_confluence: FakeConfluenceServer
) -> None:
    """One resolver (the SDK client's): every id costs one lookup, whoever asks."""
    services = Services(make_settings(confluence_spaces_filter="ENG"))
    eng = fake_confluence.store.get_space_by_key("ENG")
    demo = fake_confluence.store.get_space_by_key("DEMO")
    fake_confluence.requests.clear()
    await services.guard.check_space_id(eng.id)
    await services.guard.check_space_id(eng.id)
    assert await services.space_key_of(Page(id="1", title="t", space_id=eng.id)) == "ENG"
    for _ in range(2):
        with pytest.raises(NotFoundError):
            await services.guard.check_space_id(demo.id)
    with pytest.raises(NotFoundError):
        await services.guard.check_space_id("987654321")  # no such space: same answer
    lookups = [r.path for r in fake_confluence.requests if "/spaces" in r.path]
    assert sorted(lookups) == sorted(
        f"/wiki/api/v2/spaces/{space_id}" for space_id in (eng.id, demo.id, "987654321")
    )
    await services.aclose()


async def test_client_is_created_once_and_recreated_after_close(make_settings: Any) -> None:
    made: list[ConfluenceClient] = []

    def factory(settings: Settings) -> ConfluenceClient:
        made.append(build_client(settings))
        return made[-1]

    services = Services(make_settings(), factory)
    first = await services.client()
    assert await services.client() is first
    await services.aclose()
    second = await services.client()
    assert second is not first
    assert len(made) == 2
    await services.aclose()
    await services.aclose()


def test_build_client_for_each_auth_method(fake_confluence: FakeConfluenceServer) -> None:
    base = {"_env_file": None}
    pat = build_client(
        Settings(**base, confluence_url=fake_confluence.url, confluence_personal_token="fake-pat")
    )
    assert pat.deployment.value == "datacenter"
    oauth = build_client(
        Settings(
            **base,
            confluence_url=fake_confluence.wiki_url,
            confluence_oauth_token="t",
            confluence_cloud_id=fake_confluence.cloud_id,
            confluence_oauth_gateway_url=fake_confluence.url,
        )
    )
    assert oauth.api_base_url.startswith(fake_confluence.url + "/ex/confluence/")
    assert "fake-pat" not in repr(pat)
