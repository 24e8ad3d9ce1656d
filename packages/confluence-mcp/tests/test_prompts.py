"""Prompts summarize_page, draft_page and review_page_changes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from fastmcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types import EmbeddedResource, TextContent

from confluence_client.testing import FakeConfluenceServer

Connect = Callable[..., Awaitable[Client[Any]]]


def page_id(fake: FakeConfluenceServer, title: str) -> str:
    return next(page.id for page in fake.store.pages.values() if page.title == title)


def text_of(message: Any) -> str:
    assert isinstance(message.content, TextContent)
    return message.content.text


async def test_prompts_are_listed_with_their_arguments(connect: Connect) -> None:
    client = await connect()
    prompts = {prompt.name: prompt for prompt in await client.list_prompts()}
    args = {name: {a.name: a.required for a in p.arguments or []} for name, p in prompts.items()}
    assert args["summarize_page"] == {"page": True, "space_key": False}
    assert args["draft_page"] == {
        "space_key": True,
        "title": True,
        "outline": True,
        "parent": False,
    }
    assert args["review_page_changes"] == {
        "page": True,
        "from_version": True,
        "to_version": False,
        "space_key": False,
    }
    assert all(prompt.description for prompt in prompts.values())


@pytest.mark.parametrize("by", ["id", "title", "title+space"])
async def test_summarize_page_embeds_the_page_as_markdown(
    connect: Connect, fake_confluence: FakeConfluenceServer, by: str
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "Architecture overview")
    args = {
        "id": {"page": pid},
        "title": {"page": "Architecture overview"},
        "title+space": {"page": "Architecture overview", "space_key": "DEMO"},
    }[by]
    result = await client.get_prompt("summarize_page", args)
    page, instruction = result.messages
    assert isinstance(page.content, EmbeddedResource)
    assert page.content.resource.uri == f"confluence://page/{pid}"
    assert page.content.resource.mime_type == "text/markdown"
    assert page.content.resource.text.startswith("# Architecture overview\n\n")
    assert "Services own their data" in page.content.resource.text
    assert f'"Architecture overview" (id {pid}, space DEMO, version 3)' in text_of(instruction)
    assert "TL;DR" in text_of(instruction)


async def test_ambiguous_titles_ask_for_a_space(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    store = fake_confluence.store
    eng = store.find_space_by_key("ENG")
    assert eng is not None
    store.add_page(eng.id, "FAQ", "<p>ENG FAQ</p>")
    client = await connect()
    with pytest.raises(MCPError, match=r"Several pages are titled 'FAQ' \(spaces: DEMO, ENG\)"):
        await client.get_prompt("summarize_page", {"page": "FAQ"})
    result = await client.get_prompt("summarize_page", {"page": "FAQ", "space_key": "ENG"})
    assert "ENG FAQ" in result.messages[0].content.resource.text
    filtered = await connect(confluence_spaces_filter="ENG")
    only = await filtered.get_prompt("summarize_page", {"page": "FAQ"})
    assert "ENG FAQ" in only.messages[0].content.resource.text


@pytest.mark.parametrize(
    "args",
    [{"page": "No such page"}, {"page": "999999"}, {"page": "FAQ", "space_key": "ENG"}],
)
async def test_missing_pages_are_not_found(connect: Connect, args: dict[str, str]) -> None:
    client = await connect()
    with pytest.raises(MCPError, match="Not found"):
        await client.get_prompt("summarize_page", args)


async def test_prompts_respect_the_space_filter(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect(confluence_spaces_filter="ENG")
    pid = page_id(fake_confluence, "Architecture overview")
    for name, args in [
        ("summarize_page", {"page": pid}),
        ("summarize_page", {"page": "Architecture overview", "space_key": "DEMO"}),
        ("draft_page", {"space_key": "DEMO", "title": "T", "outline": "o"}),
        ("review_page_changes", {"page": pid, "from_version": "1"}),
    ]:
        with pytest.raises(MCPError, match="Not found"):
            await client.get_prompt(name, args)


async def test_draft_page_names_space_parent_and_the_create_call(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    parent = page_id(fake_confluence, "Getting Started")
    result = await client.get_prompt(
        "draft_page",
        {
            "space_key": "DEMO",
            "title": "Coffee machine",
            "outline": "- how to descale\n- who to call",
            "parent": "Getting Started",
        },
    )
    [message] = result.messages
    text = text_of(message)
    assert 'titled "Coffee machine" in the space "Demo Space" (DEMO)' in text
    assert f'under the page "Getting Started" (id {parent})' in text
    assert "- how to descale\n- who to call" in text
    assert f"create_page tool (space_key='DEMO', title='Coffee machine', parent_id='{parent}'" in (
        text
    )
    assert "already exists" not in text


async def test_draft_page_warns_about_an_existing_title(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    result = await client.get_prompt(
        "draft_page", {"space_key": "DEMO", "title": "FAQ", "outline": "questions"}
    )
    text = text_of(result.messages[0])
    assert f"already exists in DEMO (id {page_id(fake_confluence, 'FAQ')})" in text
    assert "parent_id" not in text


async def test_review_page_changes_embeds_the_diff_and_version_notes(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "Release checklist")
    result = await client.get_prompt(
        "review_page_changes", {"page": "Release checklist", "from_version": "2"}
    )
    text = text_of(result.messages[0])
    assert f"(id {pid}) from version 2 to version 4" in text
    assert "- version 4, 20" in text
    assert ': "Revision 4"' in text
    assert "```diff\n--- version 2\n+++ version 4" in text
    assert "+Revision 3: clarified step 2." in text
    assert "(+4 / -0 lines)" in text


async def test_review_of_identical_versions_says_so(
    connect: Connect, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "Demo Space Home")
    result = await client.get_prompt(
        "review_page_changes", {"page": pid, "from_version": "1", "to_version": "2"}
    )
    assert "identical content" in text_of(result.messages[0])


async def test_prompt_arguments_are_validated(connect: Connect) -> None:
    client = await connect()
    with pytest.raises(MCPError):
        await client.get_prompt("review_page_changes", {"page": "FAQ", "from_version": "zero"})
    with pytest.raises(MCPError):
        await client.get_prompt("summarize_page", {"page": ""})


async def test_prompt_listing_is_plain(connect: Connect) -> None:
    client = await connect()
    for prompt in await client.list_prompts():
        assert prompt.meta is None
        for argument in prompt.arguments or []:
            assert argument.description
            assert "JSON schema" not in argument.description


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("summarize_page", {"page": "A" * 100_000}, "'page': String should have at most 255"),
        ("summarize_page", {"page": ""}, "'page': String should have at least 1 character"),
        (
            "review_page_changes",
            {"page": "1", "from_version": "many"},
            "'from_version': Input should be a valid integer",
        ),
        (
            "review_page_changes",
            {"page": "1", "from_version": "0"},
            "'from_version': Input should be greater than or equal to 1",
        ),
    ],
)
async def test_bad_prompt_arguments_get_one_short_line(
    connect: Connect, name: str, args: dict[str, str], expected: str
) -> None:
    # Found by the fuzz suite (issue 15 #3): FastMCP's message repeated the whole value (here
    # 100 KB) and the parameter's typing.Annotated[...] repr, or blamed "Invalid JSON".
    client = await connect()
    with pytest.raises(MCPError) as info:
        await client.get_prompt(name, args)
    message = str(info.value)
    assert message.startswith(f"Invalid argument {expected}")
    assert len(message) < 150
    assert "Annotated" not in message
    assert "JSON" not in message
