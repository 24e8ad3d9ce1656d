"""``resolve_comment``: resolve or reopen an inline comment (listing and adding inline
comments are parameters of ``list_comments`` / ``add_comment``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastmcp.exceptions import ToolError

from confluence_mcp.errors import NOT_FOUND_MESSAGE
from confluence_mcp.models import ResultModel
from confluence_mcp.params import PageId
from confluence_mcp.registry import confluence_tool

if TYPE_CHECKING:
    from fastmcp import FastMCP

    from confluence_mcp.services import Services

__all__ = ["Resolution", "register"]


class Resolution(ResultModel):
    """A comment's resolution after the call."""

    id: str
    resolution: str | None = None


def register(mcp: FastMCP[Any], services: Services) -> None:
    """Add ``resolve_comment`` to ``mcp``."""

    @confluence_tool(mcp, access="write", idempotent=True)
    async def resolve_comment(
        page_id: PageId, comment_id: PageId, resolved: bool = True
    ) -> Resolution:
        """Resolve (or reopen, resolved=false) a top-level inline comment of a page."""
        from confluence_client import NotFoundError

        await services.guard.check_page_id(page_id)
        client = await services.client()
        try:
            # Inline first, with its storage body: the same read then feeds the write.
            found = await client.get_inline_comment(comment_id)
        except NotFoundError:
            # A footer comment (refused below), or no such comment (raises). Not
            # find_comment: it would ask for the inline comment a second time.
            found = await client.get_comment(comment_id, body_format=None)
        if found.page_id != page_id:
            # Like an unknown id: the comment may sit in a space this caller cannot see.
            raise ToolError(NOT_FOUND_MESSAGE)
        if found.location != "inline":
            raise ToolError(
                "Not supported: Confluence's REST API cannot resolve footer comments; "
                "only inline comments can be resolved or reopened."
            )
        if found.parent_comment_id is not None:
            raise ToolError(
                f"Comment {comment_id} is a reply: resolve its thread's first comment "
                f"({found.parent_comment_id})."
            )
        done = await client.resolve_inline_comment(comment_id, resolved, current=found)
        return Resolution(id=done.id, resolution=done.resolution_status)
