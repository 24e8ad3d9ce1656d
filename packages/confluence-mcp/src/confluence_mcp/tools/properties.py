"""Page content properties: ``get_page_properties`` (all, or one key), ``set_page_property``
(create a key, or replace its value given the property's version) and
``delete_page_property`` (given the property's version)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastmcp.tools import ToolResult
from pydantic import Field

from confluence_mcp.models import DeleteResult, ResultModel
from confluence_mcp.params import Cursor, Limit, PageId, capped
from confluence_mcp.registry import confluence_tool
from confluence_mcp.tools.lean import lean_result

if TYPE_CHECKING:
    from fastmcp import FastMCP

    from confluence_client import ContentProperty
    from confluence_mcp.services import Services

__all__ = ["PropertyInfo", "PropertyList", "register"]

PropertyKey = Annotated[str, capped(255, allow_empty=False)]


class PropertyInfo(ResultModel):
    key: str
    value: Any = None
    version: int


class PropertyList(ResultModel):
    properties: list[PropertyInfo]
    next_cursor: str | None = None


def _info(prop: ContentProperty) -> PropertyInfo:
    return PropertyInfo(key=prop.key, value=prop.value, version=prop.version)


def register(mcp: FastMCP[Any], services: Services) -> None:
    """Add the page property tools to ``mcp``."""

    @confluence_tool(mcp, access="read", output_schema=None)
    async def get_page_properties(
        page_id: PageId,
        key: PropertyKey | None = None,
        limit: Limit = 25,
        cursor: Cursor | None = None,
    ) -> ToolResult:
        """A page's content properties (JSON values with versions), or the one named key."""
        await services.guard.check_page_id(page_id)
        client = await services.client()
        if key is not None:
            prop = await client.get_page_property(page_id, key)
            return lean_result(PropertyList(properties=[_info(prop)]))
        found, next_cursor = await services.cursors.fetch(
            cursor,
            lambda upstream: client.list_page_properties(page_id, limit=limit, cursor=upstream),
            listing="get_page_properties",
            binding=f"{page_id}\n{limit}",
        )
        shown = [_info(p) for p in found.items]
        return lean_result(PropertyList(properties=shown, next_cursor=next_cursor))

    @confluence_tool(mcp, access="write", idempotent=False, output_schema=None)
    async def set_page_property(
        page_id: PageId,
        key: PropertyKey,
        value: Annotated[Any, Field(description="Any JSON value")],
        version: Annotated[int | None, Field(ge=1)] = None,
    ) -> ToolResult:
        """Set a page's content property (e.g. page width); its version (as read) is required
        unless the key is new."""
        await services.guard.check_page_id(page_id)
        client = await services.client()
        prop = await client.set_page_property(page_id, key, value, version=version)
        return lean_result(_info(prop))

    # A delete tool of its own (not a flag on set_page_property): removing data needs the
    # delete scope and the destructive annotation, as remove_label does.
    @confluence_tool(mcp, access="delete", output_schema=None)
    async def delete_page_property(
        page_id: PageId,
        key: PropertyKey,
        version: Annotated[int, Field(ge=1)],
    ) -> ToolResult:
        """Delete a page's content property if still at the version you read."""
        await services.guard.check_page_id(page_id)
        client = await services.client()
        await client.delete_page_property(page_id, key, version=version)
        return lean_result(DeleteResult(id=key, status="deleted"))
