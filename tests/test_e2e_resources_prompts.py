"""Resources, prompts and argument completion end to end on every transport."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from fastmcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types import EmbeddedResource, PromptReference, ResourceTemplateReference, TextContent

from confluence_client.testing import FakeConfluenceServer

McpClient = Callable[..., Awaitable[Client[Any]]]

PAGE_TEMPLATE = "confluence://page/{page_id}"
SPACE_TEMPLATE = "confluence://space/{space_key}"


def page_id(fake: FakeConfluenceServer, title: str) -> str:
    return next(page.id for page in fake.store.pages.values() if page.title == title)


async def test_resource_templates(
    mcp_client: McpClient, fake_confluence: FakeConfluenceServer, transport: str
) -> None:
    client = await mcp_client(transport)
    templates = {t.uri_template for t in await client.list_resource_templates()}
    assert {PAGE_TEMPLATE, SPACE_TEMPLATE} <= templates

    arch = page_id(fake_confluence, "Architecture overview")
    [page] = await client.read_resource(f"confluence://page/{arch}")
    assert page.mime_type == "text/markdown"
    assert page.text.startswith("# Architecture overview\n\n")
    assert "## Principles" in page.text

    [space] = await client.read_resource("confluence://space/DEMO")
    assert space.text.startswith("# Demo Space (DEMO)")
    assert f"confluence://page/{page_id(fake_confluence, 'Getting Started')}" in space.text

    with pytest.raises(MCPError, match="Not found"):
        await client.read_resource("confluence://page/987654")


async def test_prompts(
    mcp_client: McpClient, fake_confluence: FakeConfluenceServer, transport: str
) -> None:
    client = await mcp_client(transport)
    assert {"summarize_page", "draft_page", "review_page_changes"} <= {
        prompt.name for prompt in await client.list_prompts()
    }

    summary = await client.get_prompt("summarize_page", {"page": "Architecture overview"})
    embedded, instruction = summary.messages
    assert isinstance(embedded.content, EmbeddedResource)
    assert "Services own their data" in embedded.content.resource.text
    assert isinstance(instruction.content, TextContent)
    assert "TL;DR" in instruction.content.text

    draft = await client.get_prompt(
        "draft_page",
        {"space_key": "ENG", "title": "Runbook: deploys", "outline": "- steps\n- rollback"},
    )
    assert isinstance(draft.messages[0].content, TextContent)
    assert "create_page tool (space_key='ENG', title='Runbook: deploys'" in (
        draft.messages[0].content.text
    )

    review = await client.get_prompt(
        "review_page_changes", {"page": "Release checklist", "from_version": "3"}
    )
    assert isinstance(review.messages[0].content, TextContent)
    assert "+Revision 4: clarified step 3." in review.messages[0].content.text

    with pytest.raises(MCPError, match="Not found"):
        await client.get_prompt("summarize_page", {"page": "There is no such page"})


async def test_completion(
    mcp_client: McpClient, fake_confluence: FakeConfluenceServer, transport: str
) -> None:
    client = await mcp_client(transport)
    space = ResourceTemplateReference(type="ref/resource", uri=SPACE_TEMPLATE)
    page = ResourceTemplateReference(type="ref/resource", uri=PAGE_TEMPLATE)
    review = PromptReference(type="ref/prompt", name="review_page_changes")

    keys = await client.complete(space, {"name": "space_key", "value": "E"})
    assert keys.values == ["ENG"]
    ids = await client.complete(page, {"name": "page_id", "value": "Release check"})
    assert page_id(fake_confluence, "Release checklist") in ids.values
    titles = await client.complete(review, {"name": "page", "value": "Release"})
    assert "Release checklist" in titles.values
    versions = await client.complete(
        review,
        {"name": "to_version", "value": ""},
        {"page": "Release checklist", "from_version": "2"},
    )
    assert versions.values == ["4", "3"]


@pytest.mark.parametrize("transport", ["http-stateless", "stdio"])
async def test_space_filter_applies_to_resources_prompts_and_completion(
    mcp_client: McpClient, fake_confluence: FakeConfluenceServer, transport: str
) -> None:
    client = await mcp_client(transport, confluence_spaces_filter="ENG")
    demo_page = page_id(fake_confluence, "FAQ")
    with pytest.raises(MCPError, match="Not found"):
        await client.read_resource(f"confluence://page/{demo_page}")
    with pytest.raises(MCPError, match="Not found"):
        await client.read_resource("confluence://space/DEMO")
    with pytest.raises(MCPError, match="Not found"):
        await client.get_prompt("summarize_page", {"page": demo_page})
    keys = await client.complete(
        ResourceTemplateReference(type="ref/resource", uri=SPACE_TEMPLATE),
        {"name": "space_key", "value": ""},
    )
    assert keys.values == ["ENG"]
    titles = await client.complete(
        PromptReference(type="ref/prompt", name="summarize_page"), {"name": "page", "value": ""}
    )
    assert "FAQ" not in titles.values
    assert "ENG Onboarding" in titles.values
