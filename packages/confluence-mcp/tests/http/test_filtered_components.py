"""Tool filters reach resources, prompts and completion (over a loopback socket)."""

from __future__ import annotations

from typing import Any

import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from mcp_types import PromptReference, ResourceTemplateReference

from confluence_client.testing import FakeConfluenceServer
from confluence_mcp.toolsets import COMPLETIONS_NEEDING_TOOLS, COMPONENTS_NEEDING_TOOLS

PAGE_TEMPLATE = ResourceTemplateReference(type="ref/resource", uri="confluence://page/{page_id}")
SPACE_TEMPLATE = ResourceTemplateReference(
    type="ref/resource", uri="confluence://space/{space_key}"
)


def page_id(fake: FakeConfluenceServer, title: str) -> str:
    return next(page.id for page in fake.store.pages.values() if page.title == title)


async def exposed(
    remote_settings_for: Any, serve_remote: Any, fake: FakeConfluenceServer, **filters: Any
) -> dict[str, Any]:
    """What a client can reach through resources, prompts and completion."""
    home = page_id(fake, "Demo Space Home")
    seen: dict[str, Any] = {}
    async with (
        serve_remote(remote_settings_for(**filters)) as (base, _layer),
        Client(StreamableHttpTransport(f"{base}/mcp")) as client,
    ):
        seen["templates"] = {t.name for t in await client.list_resource_templates()}
        seen["prompts"] = {p.name for p in await client.list_prompts()}
        for uri in (f"confluence://page/{home}", "confluence://space/DEMO"):
            try:
                seen[uri] = "".join(getattr(c, "text", "") for c in await client.read_resource(uri))
            except Exception as exc:  # refused, as for an unknown resource
                seen[uri] = f"refused: {exc}"
        try:
            result = await client.get_prompt("summarize_page", {"page": home})
            seen["summarize_page"] = str(result.messages)
        except Exception as exc:
            seen["summarize_page"] = f"refused: {exc}"
        refs: list[tuple[Any, str, dict[str, str]]] = [
            (SPACE_TEMPLATE, "space_key", {}),
            (PAGE_TEMPLATE, "page_id", {}),
            (PromptReference(type="ref/prompt", name="summarize_page"), "page", {}),
            (
                PromptReference(type="ref/prompt", name="review_page_changes"),
                "from_version",
                {"page": home},
            ),
        ]
        for ref, name, context in refs:
            completion = await client.complete(ref, {"name": name, "value": ""}, context)
            seen[f"complete:{name}"] = list(completion.values)
    return seen


async def test_a_tool_subset_closes_the_other_doors(
    remote_settings_for: Any, serve_remote: Any, fake_confluence: FakeConfluenceServer
) -> None:
    seen = await exposed(
        remote_settings_for, serve_remote, fake_confluence, enabled_tools="list_spaces"
    )
    assert seen["templates"] == set()
    assert seen["prompts"] == set()
    assert all(seen[key].startswith("refused") for key in seen if key.startswith("confluence://"))
    assert seen["summarize_page"].startswith("refused")
    assert all(seen[key] == [] for key in seen if key.startswith("complete:"))


async def test_completion_follows_the_tools_not_just_the_component(
    remote_settings_for: Any, serve_remote: Any, fake_confluence: FakeConfluenceServer
) -> None:
    # get_page alone: the page resource and summarize_page give what get_page gives, but
    # completing titles or ids would be a search, which this server does not offer.
    seen = await exposed(
        remote_settings_for, serve_remote, fake_confluence, enabled_tools="get_page"
    )
    assert seen["templates"] == {"page"}
    assert seen["prompts"] == {"summarize_page"}
    home = page_id(fake_confluence, "Demo Space Home")
    assert seen[f"confluence://page/{home}"].startswith("# Demo Space Home")
    assert seen["confluence://space/DEMO"].startswith("refused")
    assert "Demo Space Home" in seen["summarize_page"]
    assert seen["complete:page_id"] == seen["complete:page"] == []


async def test_everything_open_without_filters(
    remote_settings_for: Any, serve_remote: Any, fake_confluence: FakeConfluenceServer
) -> None:
    seen = await exposed(remote_settings_for, serve_remote, fake_confluence)
    assert seen["templates"] == {"page", "space"}
    assert seen["prompts"] == {"summarize_page", "draft_page", "review_page_changes"}
    assert not seen["confluence://space/DEMO"].startswith("refused")
    assert "Demo Space Home" in seen["summarize_page"]
    assert seen["complete:page"]
    assert seen["complete:from_version"]


@pytest.mark.parametrize(("component", "needs"), list(COMPONENTS_NEEDING_TOOLS.items()))
def test_every_component_needs_tools_that_exist(
    component: tuple[str, str], needs: frozenset[str], make_settings: Any
) -> None:
    from confluence_mcp.app import create_server
    from confluence_mcp.registry import tool_catalog

    catalog = tool_catalog(create_server(make_settings()))
    assert needs <= catalog.keys(), component
    assert all(needs <= catalog.keys() for needs in COMPLETIONS_NEEDING_TOOLS.values())
