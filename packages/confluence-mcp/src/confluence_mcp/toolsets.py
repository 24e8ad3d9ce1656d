"""Which tools a server exposes: read-only mode, ``TOOLSETS`` and ``ENABLED_TOOLS``.

Implemented with FastMCP visibility transforms, so hidden tools vanish from ``tools/list`` and
calling one answers "Unknown tool" exactly like a tool that never existed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from confluence_mcp.errors import ConfigError

if TYPE_CHECKING:
    from fastmcp import FastMCP

    from confluence_mcp.settings import Settings

__all__ = ["PROMPTS_NEEDING_TOOLS", "WRITE_TAGS", "apply_tool_filters", "visible_tool_names"]

WRITE_TAGS: frozenset[str] = frozenset({"write", "delete"})

PROMPTS_NEEDING_TOOLS: dict[str, str] = {"draft_page": "create_page"}
"""Prompts whose instructions end in a tool call, by the tool they need."""


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
        if settings.toolsets and not tags & settings.toolsets:
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
    # A prompt that tells the model to call a hidden tool would only mislead it.
    orphaned = {prompt for prompt, tool in PROMPTS_NEEDING_TOOLS.items() if tool in hidden}
    if orphaned:
        mcp.disable(names=orphaned, components={"prompt"})
    return visible
