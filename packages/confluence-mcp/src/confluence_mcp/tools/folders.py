"""Folders (Cloud): ``create_folder`` and ``get_folder`` (with its children). Pages move into
and out of folders with ``move_page``; ``get_page_tree`` shows folders as ``type: folder``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from confluence_mcp.models import PageRef, ResultModel, TreeEntry
from confluence_mcp.params import Cursor, Limit, PageId, SpaceKey, Title
from confluence_mcp.registry import confluence_tool
from confluence_mcp.shaping import page_ref

if TYPE_CHECKING:
    from fastmcp import FastMCP

    from confluence_mcp.services import Services

__all__ = ["FolderContent", "register"]


class FolderContent(ResultModel):
    """A folder and one page of its direct children (pages and folders)."""

    id: str
    title: str
    parent_id: str | None = None
    children: list[TreeEntry]
    next_cursor: str | None = None


def register(mcp: FastMCP[Any], services: Services) -> None:
    """Add the folder tools to ``mcp``."""

    @confluence_tool(mcp, access="write")
    async def create_folder(
        space_key: SpaceKey, title: Title, parent_id: PageId | None = None
    ) -> PageRef:
        """Create a folder in a space (Cloud), optionally inside a page or folder."""
        services.guard.check_space_key(space_key)
        client = await services.client()
        if parent_id is not None:
            await services.guard.check_parent_id(parent_id)
        return page_ref(await client.create_folder(space_key, title, parent_id=parent_id))

    @confluence_tool(mcp, access="read")
    async def get_folder(
        folder_id: PageId, limit: Limit = 25, cursor: Cursor | None = None
    ) -> FolderContent:
        """Read a folder (Cloud) and list its pages and subfolders."""
        client = await services.client()
        folder = await client.get_folder(folder_id)
        await services.guard.check_page(folder)
        found = await client.list_folder_children(folder_id, limit=limit, cursor=cursor)
        return FolderContent(
            id=folder.id,
            title=folder.title,
            parent_id=folder.parent_id,
            children=[
                TreeEntry(
                    id=item.id,
                    title=item.title,
                    depth=1,
                    type=None if item.content_type == "page" else item.content_type,
                )
                for item in found.items
            ],
            next_cursor=found.next_cursor,
        )
