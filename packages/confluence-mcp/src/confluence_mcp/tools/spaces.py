"""Spaces: ``list_spaces`` and ``get_space``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from confluence_mcp.models import SpaceInfo, SpaceList
from confluence_mcp.params import Cursor, Limit, SpaceKey
from confluence_mcp.registry import confluence_tool

if TYPE_CHECKING:
    from fastmcp import FastMCP

    from confluence_client import Space
    from confluence_mcp.services import Services

__all__ = ["SpaceDetails", "register", "space_info"]


class SpaceDetails(SpaceInfo):
    """A space; with permissions=true, its grants (operation → principals)."""

    permissions: dict[str, list[str]] | None = None


def space_info(space: Space) -> SpaceInfo:
    """The tool-result shape of an SDK space."""
    return SpaceInfo(
        key=space.key,
        name=space.name,
        description=space.description,
        homepage_id=space.homepage_id,
        url=space.web_url,
    )


def register(mcp: FastMCP[Any], services: Services) -> None:
    """Add the space tools to ``mcp``."""

    @confluence_tool(mcp, access="read")
    async def list_spaces(limit: Limit = 25, cursor: Cursor | None = None) -> SpaceList:
        """List the spaces this server can see."""
        allowed = services.guard.allowed_spaces
        client = await services.client()
        if allowed is not None and cursor is None:
            # With an allow-list, look the few allowed spaces up directly instead of paging
            # through every space in the site.
            spaces = [await _get_if_exists(services, key) for key in sorted(allowed)]
            found = [space_info(space) for space in spaces if space is not None]
            return SpaceList(spaces=found[:limit])
        listing, next_cursor = await services.cursors.fetch(
            cursor,
            lambda upstream: client.list_spaces(limit=limit, cursor=upstream),
            listing="list_spaces",
            binding=str(limit),
        )
        visible = services.guard.filter_keys(listing.items, lambda space: space.key)
        return SpaceList(spaces=[space_info(space) for space in visible], next_cursor=next_cursor)

    @confluence_tool(mcp, access="read")
    async def get_space(space_key: SpaceKey, permissions: bool = False) -> SpaceDetails:
        """A space's name, description and home page id; permissions=true adds who may do
        what (Cloud)."""
        services.guard.check_space_key(space_key)
        client = await services.client()
        info = space_info(await client.get_space(space_key))
        if not permissions:
            return SpaceDetails(**info.model_dump())
        from confluence_mcp.tools.restrictions import permission_summary

        grants = await permission_summary(client, space_key)
        return SpaceDetails(**info.model_dump(), permissions=grants)


async def _get_if_exists(services: Services, key: str) -> Space | None:
    from confluence_client import NotFoundError

    client = await services.client()
    try:
        return await client.get_space(key)
    except NotFoundError:
        return None
