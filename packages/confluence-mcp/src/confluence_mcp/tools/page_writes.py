"""Changing pages: ``create_page``, ``update_page``, ``update_page_section``, ``move_page``,
``delete_page``.

Every tool that changes a page's body, title or place requires the ``version`` the caller read
(from ``get_page``): if someone else wrote in between, the edit fails with a conflict error
naming both versions and nothing is overwritten. There is no "latest wins" default.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastmcp.exceptions import ToolError
from pydantic import Field

from confluence_mcp.models import DeleteResult, PageRef
from confluence_mcp.params import BodyFormat, BodyText, PageId, SpaceKey, Title, Version, capped
from confluence_mcp.registry import confluence_tool
from confluence_mcp.shaping import page_ref

if TYPE_CHECKING:
    from fastmcp import FastMCP

    from confluence_mcp.services import Services

__all__ = ["register"]

Message = Annotated[str, capped(500), Field(description="Version comment")]
Heading = Annotated[
    str, capped(255, allow_empty=False), Field(description="Heading text or anchor")
]


def register(mcp: FastMCP[Any], services: Services) -> None:
    """Add the page-writing tools to ``mcp``."""

    @confluence_tool(mcp, access="write")
    async def create_page(
        space_key: SpaceKey,
        title: Title,
        body: BodyText,
        parent_id: PageId | None = None,
        body_format: BodyFormat = "markdown",
    ) -> PageRef:
        """Create a page in a space, optionally under a parent page."""
        services.guard.check_space_key(space_key)
        client = await services.client()
        if parent_id is not None:
            await services.guard.check_page_id(parent_id)
        storage = await services.content.ato_storage(body, body_format)
        page = await client.create_page(space_key, title, storage, parent_id=parent_id)
        return page_ref(page)

    @confluence_tool(mcp, access="write")
    async def update_page(
        page_id: PageId,
        version: Version,
        title: Title | None = None,
        body: BodyText | None = None,
        body_format: BodyFormat = "markdown",
        message: Message | None = None,
    ) -> PageRef:
        """Change a page's title and/or body. ``version`` is the one you read with get_page:
        if the page has changed since, nothing is written."""
        if title is None and body is None:
            raise ToolError("Nothing to change: give title, body or both.")
        client = await services.client()
        storage = None if body is None else await services.content.ato_storage(body, body_format)
        # A title-only change with no space filter needs nothing read first.
        if storage is not None or services.guard.allowed_spaces is not None:
            current = await client.get_page(
                page_id, body_format=None if storage is None else "storage"
            )
            await services.guard.check_page(current)
            # An unchanged body (e.g. markdown read and written back) is not rewritten: no
            # new version full of cosmetic serialisation changes.
            unchanged = (
                storage is not None
                and current.body is not None
                and await services.content.asame_storage(storage, current.body.value)
            )
            if unchanged:
                storage = None
                if title is None or title == current.title:
                    return page_ref(current)
        updated = await client.update_page(
            page_id,
            expected_version=version,
            title=title,
            body=storage,
            message=message,
        )
        return page_ref(updated)

    @confluence_tool(mcp, access="write")
    async def update_page_section(
        page_id: PageId,
        heading: Heading,
        body: Annotated[str, capped(4_000_000)],
        version: Version,
        body_format: BodyFormat = "markdown",
        occurrence: Annotated[int, Field(ge=1)] | None = None,
        message: Message | None = None,
    ) -> PageRef:
        """Replace the content under one heading, leaving the rest of the page untouched.
        ``version`` is the one you read with get_page; a page changed since is not written."""
        client = await services.client()
        page = await client.get_page(page_id, body_format="storage")
        await services.guard.check_page(page)
        storage = page.body.value if page.body is not None else ""
        new_storage = await services.content.areplace_section(
            storage, heading, body, body_format, occurrence
        )
        updated = await client.update_page(
            page_id,
            expected_version=version,
            body=new_storage,
            message=message,
        )
        return page_ref(updated)

    @confluence_tool(mcp, access="write")
    async def move_page(page_id: PageId, parent_id: PageId, version: Version) -> PageRef:
        """Move a page under another parent page in the same space. ``version`` is the one
        you read with get_page; a page changed since is not moved."""
        client = await services.client()
        await services.guard.check_page_id(page_id)
        await services.guard.check_page_id(parent_id)
        moved = await client.move_page(page_id, parent_id, expected_version=version)
        return page_ref(moved)

    @confluence_tool(mcp, access="delete")
    async def delete_page(page_id: PageId) -> DeleteResult:
        """Move a page to the trash (a space admin can restore it)."""
        client = await services.client()
        await services.guard.check_page_id(page_id)
        await client.delete_page(page_id)
        return DeleteResult(id=page_id, status="trashed")
