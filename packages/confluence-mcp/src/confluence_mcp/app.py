"""The app factory: settings in, a ready FastMCP server out (no I/O, no SDK import)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from fastmcp import FastMCP

from confluence_mcp import __version__
from confluence_mcp.argument_errors import ArgumentErrorMiddleware
from confluence_mcp.registry import tool_catalog
from confluence_mcp.safety import build_safety_middleware
from confluence_mcp.scoping import SpaceScopeMiddleware
from confluence_mcp.services import ClientFactory, Services, build_client
from confluence_mcp.settings import Settings
from confluence_mcp.toolsets import apply_tool_filters

if TYPE_CHECKING:
    from confluence_mcp.identity.upstream import UpstreamIdentities

__all__ = ["SERVER_MODULES", "create_server"]

# Each module exposes `register(mcp, services)`. Tools first, then resources, prompts and the
# (single) completion handler.
SERVER_MODULES: tuple[str, ...] = (
    "confluence_mcp.tools.search",
    "confluence_mcp.tools.pages",
    "confluence_mcp.tools.page_writes",
    "confluence_mcp.tools.page_edits",
    "confluence_mcp.tools.copy",
    "confluence_mcp.tools.restrictions",
    "confluence_mcp.tools.templates",
    "confluence_mcp.tools.tasks",
    "confluence_mcp.tools.properties",
    "confluence_mcp.tools.spaces",
    "confluence_mcp.tools.comments",
    "confluence_mcp.tools.inline_comments",
    "confluence_mcp.tools.labels",
    "confluence_mcp.tools.attachments",
    "confluence_mcp.tools.attachment_files",
    "confluence_mcp.tools.versions",
    "confluence_mcp.tools.users",
    "confluence_mcp.resources",
    "confluence_mcp.prompts",
    "confluence_mcp.completions",
)

INSTRUCTIONS = (
    "Confluence wiki access. Find pages with `search` (plain text or CQL), read them with "
    "`get_page` (markdown; follow `next_offset` for long pages), and edit with `edit_page` "
    "(replace exact text: cheapest and safest), `update_page_section` or `update_page`, "
    "passing the `version` you read: a stale version is refused, never overwritten. Macros "
    "and other rich elements appear as placeholders in markdown; keep them unchanged to "
    "preserve them."
)


def create_server(
    settings: Settings,
    *,
    client_factory: ClientFactory = build_client,
    modules: tuple[str, ...] = SERVER_MODULES,
    identities: UpstreamIdentities | None = None,
) -> FastMCP[Any]:
    """Build the Confluence MCP server for ``settings``.

    ``client_factory`` makes the SDK client on first use (tests may inject one). In a
    per-user mode ``identities`` gives each caller its own client instead. Raises
    :class:`~confluence_mcp.errors.ConfigError` if ``ENABLED_TOOLS`` names unknown tools.
    """
    services = Services(settings, client_factory, identities=identities)
    mcp: FastMCP[Any] = FastMCP(
        name="confluence",
        instructions=INSTRUCTIONS,
        version=__version__,
        lifespan=services.lifespan,
        mask_error_details=True,
        on_duplicate="error",
        # Safety first (outermost): it sees every final result and error message.
        middleware=[
            build_safety_middleware(services),
            SpaceScopeMiddleware(),
            ArgumentErrorMiddleware(),
        ],
    )
    if identities is not None:
        from confluence_mcp.identity.upstream import UpstreamIdentityMiddleware

        # Before the scope and audit middleware the HTTP layer adds (those run inside it).
        mcp.add_middleware(UpstreamIdentityMiddleware(identities))
    for module_name in modules:
        importlib.import_module(module_name).register(mcp, services)
    services.visible_tools = apply_tool_filters(mcp, tool_catalog(mcp), settings)
    return mcp
