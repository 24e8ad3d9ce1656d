"""edit_page through a real client: exact replacements, versions, dry runs, errors."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastmcp.exceptions import ToolError

from confluence_client.testing import FakeConfluenceServer

ClientFactory = Any
_WORD = re.compile(r"(?<![&#\w])[A-Za-z]{5,}(?!\w)")


def unique_text_word(storage: str) -> str | None:
    text_only = re.sub(r"<[^>]*>", " ", storage)
    for word in _WORD.findall(text_only):
        if storage.count(word) == 1 and text_only.count(word) == 1:
            return word
    return None


async def test_every_corpus_page_keeps_everything_outside_the_edit(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pages = [p for p in fake_confluence.store.pages.values() if p.title.startswith("Markup: ")]
    assert len(pages) >= 40
    edited = 0
    for page in pages:
        before, version = page.body, page.version
        word = unique_text_word(before)
        if word is None:
            continue
        result = await client.call_tool(
            "edit_page",
            {"page_id": page.id, "old_text": word, "new_text": "Edited", "version": version},
        )
        assert result.structured_content["version"] == version + 1
        at = before.index(word)
        assert page.body == before[:at] + "Edited" + before[at + len(word) :], page.title
        edited += 1
    assert edited >= 40


def faq(fake: FakeConfluenceServer) -> Any:
    return next(p for p in fake.store.pages.values() if p.title == "FAQ")


async def test_version_is_required_and_checked(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    page = faq(fake_confluence)
    args = {"page_id": page.id, "old_text": "logs", "new_text": "journals"}
    with pytest.raises(ToolError, match="'version': required"):
        await client.call_tool("edit_page", args)
    with pytest.raises(ToolError, match="Version conflict"):
        await client.call_tool("edit_page", {**args, "version": page.version + 1})
    assert page.version == 1


async def test_ambiguity_occurrence_and_markdown_escapes(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    page = faq(fake_confluence)
    page_text = re.sub(r"<[^>]*>", " ", page.body)
    word = next(w for w in sorted(set(_WORD.findall(page_text))) if page_text.count(w) >= 2)
    args = {"page_id": page.id, "old_text": word, "new_text": "X", "version": page.version}
    with pytest.raises(ToolError, match=r"occurs \d+ times on the page: pass occurrence"):
        await client.call_tool("edit_page", args)
    with pytest.raises(ToolError, match="was not found in the page's text"):
        await client.call_tool("edit_page", {**args, "old_text": "no such words here"})
    with pytest.raises(ToolError) as past_the_last:
        await client.call_tool("edit_page", {**args, "occurrence": 99})
    assert str(past_the_last.value).startswith("Invalid argument 'occurrence': occurrence must")
    dry = await client.call_tool("edit_page", {**args, "occurrence": 2, "dry_run": True})
    assert dry.structured_content["dry_run"] is True
    assert "+" in dry.structured_content["diff"]
    assert page.version == 1
    await client.call_tool("edit_page", {**args, "occurrence": 2})
    assert page.version == 2
    assert page.body.count(word) == page_text.count(word) - 1


async def test_markdown_escaped_old_text_is_accepted(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    page = faq(fake_confluence)
    fake_confluence.store.update_page(
        page.id, version=2, body='<p>call delete_page now</p><ac:structured-macro ac:name="toc"/>'
    )
    await client.call_tool(
        "edit_page",
        {"page_id": page.id, "old_text": "delete\\_page", "new_text": "get\\_page", "version": 2},
    )
    assert page.body == '<p>call get_page now</p><ac:structured-macro ac:name="toc"/>'
