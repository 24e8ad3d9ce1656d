"""Which tools a server exposes: read-only mode, ``TOOLSETS`` and ``ENABLED_TOOLS``.

Implemented with FastMCP visibility transforms, so hidden tools vanish from ``tools/list`` and
calling one answers "Unknown tool" exactly like a tool that never existed.

Resources, prompts and completions return the same data as some tools (a page's body, a
diff, titles, space keys), so they follow the same filters: each names the tools whose data it
gives (:data:`COMPONENTS_NEEDING_TOOLS`, :data:`COMPLETIONS_NEEDING_TOOLS`) and is hidden, or
offers nothing, unless all of them are visible.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from confluence_mcp.errors import ConfigError

if TYPE_CHECKING:
    from fastmcp import FastMCP

    from confluence_mcp.settings import Settings

__all__ = [
    "COMPLETIONS_NEEDING_TOOLS",
    "COMPONENTS_NEEDING_TOOLS",
    "PROMPTS_NEEDING_TOOLS",
    "WRITE_TAGS",
    "apply_tool_filters",
    "visible_tool_names",
]

WRITE_TAGS: frozenset[str] = frozenset({"write", "delete"})

PROMPTS_NEEDING_TOOLS: dict[str, str] = {"draft_page": "create_page"}
"""Prompts whose instructions end in a tool call, by the tool they need."""

ComponentKind = Literal["template", "prompt"]
COMPONENTS_NEEDING_TOOLS: dict[tuple[ComponentKind, str], frozenset[str]] = {
    ("template", "page"): frozenset({"get_page"}),
    ("template", "space"): frozenset({"get_space", "get_page_children"}),
    ("prompt", "summarize_page"): frozenset({"get_page"}),
    ("prompt", "review_page_changes"): frozenset({"diff_page_versions"}),
    ("prompt", "draft_page"): frozenset({"create_page"}),
}
"""Resource templates and prompts, by the tools that give the same data (all needed)."""

COMPLETIONS_NEEDING_TOOLS: dict[str, frozenset[str]] = {
    "space_key": frozenset({"list_spaces"}),
    "page": frozenset({"search"}),
    "page_id": frozenset({"search"}),
    "parent": frozenset({"search"}),
    "from_version": frozenset({"list_page_versions"}),
    "to_version": frozenset({"list_page_versions"}),
}
"""Completed arguments, by the tools whose data the candidates are."""


def visible_tool_names(catalog: Mapping[str, frozenset[str]], settings: Settings) -> frozenset[str]:
    """The tools the settings allow; raises :class:`ConfigError` for unknown tool names."""
    unknown = settings.enabled_tools - catalog.keys()
    if unknown:
        raise ConfigError(
            f"ENABLED_TOOLS: unknown tool name(s) {', '.join(sorted(unknown))}; "
            f"use a comma-separated subset of: {', '.join(sorted(catalog))}"
        )
    names: set[str] = set()
    for name, tags in catalog.items():
        if settings.enabled_tools and name not in settings.enabled_tools:
            continue
        if settings.toolsets and "all" not in settings.toolsets and not tags & settings.toolsets:
            continue
        if settings.read_only_mode and tags & WRITE_TAGS:
            continue
        names.add(name)
    return frozenset(names)


def apply_tool_filters(
    mcp: FastMCP[Any], catalog: Mapping[str, frozenset[str]], settings: Settings
) -> frozenset[str]:
    """Hide every tool the settings do not allow; returns the visible tool names."""
    visible = visible_tool_names(catalog, settings)
    hidden = set(catalog) - visible
    if hidden:
        mcp.disable(names=hidden, components={"tool"})
    # A prompt or resource giving what a hidden tool would (or telling the model to call one)
    # is hidden with it.
    for kind in ("template", "prompt"):
        orphaned = {
            name
            for (component, name), needs in COMPONENTS_NEEDING_TOOLS.items()
            if component == kind and not needs <= visible and needs <= catalog.keys()
        }
        if orphaned:
            mcp.disable(names=orphaned, components={kind})
    return visible
