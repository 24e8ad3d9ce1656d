from typing import Any

import pytest
from fastmcp import Client, FastMCP

from confluence_mcp.errors import ConfigError
from confluence_mcp.registry import confluence_tool, tool_catalog
from confluence_mcp.settings import Settings
from confluence_mcp.toolsets import apply_tool_filters, visible_tool_names

CATALOG = {
    "search": frozenset({"read"}),
    "get_page": frozenset({"read"}),
    "update_page": frozenset({"write"}),
    "delete_page": frozenset({"delete"}),
    "upload_attachment": frozenset({"write", "attachments"}),
    "list_attachments": frozenset({"read", "attachments"}),
}


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)


def test_everything_visible_by_default() -> None:
    assert visible_tool_names(CATALOG, settings()) == set(CATALOG)


def test_read_only_hides_write_and_delete() -> None:
    assert visible_tool_names(CATALOG, settings(read_only_mode=True)) == {
        "search",
        "get_page",
        "list_attachments",
    }


def test_enabled_tools_and_toolsets_intersect() -> None:
    chosen = settings(enabled_tools="search,upload_attachment,update_page", toolsets="attachments")
    assert visible_tool_names(CATALOG, chosen) == {"upload_attachment"}
    read_only = settings(enabled_tools="search,update_page", read_only_mode=True)
    assert visible_tool_names(CATALOG, read_only) == {"search"}


def test_toolsets_all_enables_everything_but_read_only_still_applies() -> None:
    # mcp-atlassian's spelling: its users' TOOLSETS=all must keep working here.
    assert visible_tool_names(CATALOG, settings(toolsets="all")) == set(CATALOG)
    assert visible_tool_names(CATALOG, settings(toolsets="all,read")) == set(CATALOG)
    assert visible_tool_names(CATALOG, settings(toolsets="all", read_only_mode=True)) == {
        "search",
        "get_page",
        "list_attachments",
    }


def test_unknown_enabled_tool_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="ENABLED_TOOLS: unknown tool name"):
        visible_tool_names(CATALOG, settings(enabled_tools="search,serach"))


async def test_filters_apply_to_a_server() -> None:
    mcp: FastMCP[Any] = FastMCP("t")

    @confluence_tool(mcp, access="read")
    async def look() -> str:
        """Look."""
        return "seen"

    @confluence_tool(mcp, access="write", idempotent=True)
    async def touch() -> str:
        """Touch."""
        return "done"

    @confluence_tool(mcp, access="delete", areas=frozenset({"admin"}))
    async def wipe() -> str:
        """Wipe."""
        return "gone"

    assert tool_catalog(mcp) == {
        "look": frozenset({"read"}),
        "touch": frozenset({"write"}),
        "wipe": frozenset({"delete", "admin"}),
    }
    visible = apply_tool_filters(mcp, tool_catalog(mcp), settings(toolsets="read,write"))
    assert visible == {"look", "touch"}
    async with Client(mcp) as client:
        tools = {tool.name: tool for tool in await client.list_tools()}
        assert set(tools) == {"look", "touch"}
        assert tools["look"].annotations is not None
        assert tools["look"].annotations.read_only_hint is True
        touch = tools["touch"].annotations
        assert touch is not None
        assert (touch.destructive_hint, touch.idempotent_hint) == (False, True)
        assert tools["look"].description == "Look."


def test_registry_rejects_unknown_areas_and_missing_docstrings() -> None:
    mcp: FastMCP[Any] = FastMCP("t")
    with pytest.raises(ValueError, match="area"):
        confluence_tool(mcp, access="read", areas=frozenset({"misc"}))

    async def undocumented() -> str:
        return ""

    with pytest.raises(ValueError, match="docstring"):
        confluence_tool(mcp, access="read")(undocumented)


async def test_registered_servers_list_compact_schemas(make_settings: Any) -> None:
    from confluence_mcp.app import create_server

    mcp = create_server(make_settings())
    async with Client(mcp) as client:
        for tool in await client.list_tools():
            text = tool.model_dump_json(by_alias=True, exclude_none=True)
            assert '"type":"null"' not in text, tool.name
            assert tool.description
