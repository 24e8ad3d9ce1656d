"""``copy_page``: copy one page, or a page tree (a Confluence long task, reported as MCP
progress while it runs)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastmcp import Context
from fastmcp.exceptions import ToolError

from confluence_mcp.models import PageRef
from confluence_mcp.params import PageId, SpaceKey, Title, capped
from confluence_mcp.registry import confluence_tool
from confluence_mcp.shaping import page_ref

if TYPE_CHECKING:
    from fastmcp import FastMCP

    from confluence_client import LongTask
    from confluence_mcp.services import Services

__all__ = ["register"]

# Titles are unique per space: a tree copied into its own space needs new titles.
_SAME_SPACE_PREFIX = "Copy of "
_POLL_SECONDS = 1.0
_MAX_WAIT_SECONDS = 600.0


def register(mcp: FastMCP[Any], services: Services) -> None:
    """Add ``copy_page`` to ``mcp``."""

    @confluence_tool(mcp, access="write")
    async def copy_page(
        ctx: Context,
        page_id: PageId,
        parent_id: PageId | None = None,
        space_key: SpaceKey | None = None,
        title: Title | None = None,
        with_children: bool = False,
        attachments: bool = True,
        labels: bool = True,
        title_prefix: Annotated[str, capped(100, allow_empty=False)] | None = None,
    ) -> PageRef:
        """Copy a page (with_children: its tree) under parent_id or into space_key."""
        if (parent_id is None) == (space_key is None):
            raise ToolError("Give exactly one destination: parent_id or space_key.")
        client = await services.client()
        source = await services.guard.check_page_id(page_id)
        if parent_id is not None:
            await services.guard.check_page_id(parent_id)
        else:
            services.guard.check_space_key(space_key or "")
        if not with_children:
            if title_prefix is not None:
                raise ToolError("title_prefix applies to with_children copies; use title.")
            copied = await client.copy_page(
                page_id,
                parent_id=parent_id,
                space_key=space_key,
                title=title,
                copy_attachments=attachments,
                copy_labels=labels,
            )
            return page_ref(copied)
        if title is not None:
            raise ToolError("A tree copy keeps its titles: use title_prefix instead of title.")
        if source is None:
            source = await client.get_page(page_id, body_format=None)
        parent = parent_id
        if parent is None:
            space = await client.get_space(space_key or "")
            if space.homepage_id is None:
                raise ToolError(f"Space {space.key} has no home page to copy the tree under.")
            parent = space.homepage_id
        target = await client.get_page(parent, body_format=None)
        if title_prefix is None and target.space_id == source.space_id:
            title_prefix = _SAME_SPACE_PREFIX

        async def progress(task: LongTask) -> None:
            await ctx.report_progress(task.percentage, 100, task.message or "copying pages")

        done = await client.copy_page_tree(
            page_id,
            parent,
            title_prefix=title_prefix,
            copy_attachments=attachments,
            copy_labels=labels,
            on_progress=progress,
            poll_interval=_POLL_SECONDS,
            max_wait=_MAX_WAIT_SECONDS,
        )
        if not done.successful or done.destination_id is None:
            # Confluence's own message is not passed on (it is untrusted text).
            raise ToolError("Confluence could not copy the tree (its copy task failed).")
        return page_ref(await client.get_page(done.destination_id, body_format=None))
