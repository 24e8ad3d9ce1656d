"""completion/complete for the resource templates and prompt arguments."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from fastmcp import Client
from mcp_types import PromptReference, ResourceTemplateReference

from confluence_client.testing import FakeConfluenceServer

Connect = Callable[..., Awaitable[Client[Any]]]

SPACE = ResourceTemplateReference(type="ref/resource", uri="confluence://space/{space_key}")
PAGE = ResourceTemplateReference(type="ref/resource", uri="confluence://page/{page_id}")


def prompt(name: str) -> PromptReference:
    return PromptReference(type="ref/prompt", name=name)


def page_id(fake: FakeConfluenceServer, title: str) -> str:
    return next(page.id for page in fake.store.pages.values() if page.title == title)


async def values(
    client: Client[Any],
    ref: PromptReference | ResourceTemplateReference,
    name: str,
    value: str,
    context: dict[str, str] | None = None,
) -> list[str]:
    completion = await client.complete(ref, {"name": name, "value": value}, context)
    return list(completion.values)


async def test_server_declares_the_completions_capability(connect: Connect) -> None:
    client = await connect()
    assert client.server_capabilities is not None
    assert client.server_capabilities.completions is not None


@pytest.mark.parametrize(
    ("ref", "typed", "expected"),
    [
        (SPACE, "", ["DEMO", "ENG"]),
        (SPACE, "e", ["ENG"]),
        (SPACE, "De", ["DEMO"]),
        (SPACE, "engin", ["ENG"]),  # by space name
        (prompt("draft_page"), "d", ["DEMO"]),
        (SPACE, "zz", []),
    ],
)
async def test_space_keys(
    connect: Connect,
    ref: ResourceTemplateReference | PromptReference,
    typed: str,
    expected: list[str],
) -> None:
    client = await connect()
    assert await values(client, ref, "space_key", typed) == expected


async def test_space_keys_under_a_filter_need_no_confluence_call(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect(confluence_spaces_filter="ENG,OPS")
    fake_confluence.requests.clear()
    assert await values(client, SPACE, "space_key", "") == ["ENG", "OPS"]
    assert await values(client, SPACE, "space_key", "o") == ["OPS"]
    assert len(fake_confluence.requests) == 0


async def test_page_ids_by_title(connect: Connect, fake_confluence: FakeConfluenceServer) -> None:
    client = await connect()
    found = await values(client, PAGE, "page_id", "Architecture")
    assert page_id(fake_confluence, "Architecture overview") in found
    assert all(value.isdigit() for value in found)
    newest = max(fake_confluence.store.list_pages(), key=lambda p: p.modified_at)
    typed = newest.id[:4]
    by_prefix = await values(client, PAGE, "page_id", typed)  # among recently modified pages
    assert by_prefix
    assert all(v.startswith(typed) and v in fake_confluence.store.pages for v in by_prefix)


async def test_page_titles_prefix_matches_first(connect: Connect) -> None:
    client = await connect()
    titles = await values(client, prompt("summarize_page"), "page", "install")
    assert {"Installing on Linux", "Installing on macOS", "Installing on Windows"} <= set(titles)
    starts = [t.lower().startswith("install") for t in titles]
    assert starts == sorted(starts, reverse=True)


async def test_page_titles_within_the_given_space(connect: Connect) -> None:
    client = await connect()
    titles = await values(client, prompt("summarize_page"), "page", "", {"space_key": "ENG"})
    assert set(titles) == {
        "Engineering Home",
        "ENG Onboarding",
        "On-call rotation",
        "Postmortem template",
    }
    parents = await values(client, prompt("draft_page"), "parent", "onb", {"space_key": "ENG"})
    assert parents == ["ENG Onboarding"]


async def test_page_titles_respect_the_space_filter(connect: Connect) -> None:
    client = await connect(confluence_spaces_filter="ENG")
    titles = await values(client, prompt("summarize_page"), "page", "")
    assert "ENG Onboarding" in titles
    assert "FAQ" not in titles
    assert await values(client, prompt("draft_page"), "parent", "", {"space_key": "DEMO"}) == []
    assert await values(client, PAGE, "page_id", "Architecture") == []


async def test_version_numbers_of_the_chosen_page(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    review = prompt("review_page_changes")
    context = {"page": "Release checklist"}
    assert await values(client, review, "from_version", "", context) == ["4", "3", "2", "1"]
    later = await values(client, review, "to_version", "", {**context, "from_version": "2"})
    assert later == ["4", "3"]
    by_id = {"page": page_id(fake_confluence, "Release checklist")}
    assert await values(client, review, "from_version", "3", by_id) == ["3"]
    assert await values(client, review, "from_version", "") == []  # no page yet


async def test_completion_never_fails_loudly(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    store = fake_confluence.store
    eng = store.find_space_by_key("ENG")
    assert eng is not None
    store.add_page(eng.id, "FAQ", "<p>two FAQs</p>")
    client = await connect()
    review = prompt("review_page_changes")
    assert await values(client, review, "from_version", "", {"page": "FAQ"}) == []  # ambiguous
    assert await values(client, review, "from_version", "", {"page": "999999"}) == []
    assert await values(client, prompt("summarize_page"), "unknown_arg", "x") == []
    assert await values(client, prompt("no_such_prompt"), "page", "x") == []
