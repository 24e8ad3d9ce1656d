"""Page comments: ``list_comments`` and ``add_comment`` (which also replies)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastmcp.exceptions import ToolError

from confluence_mcp.errors import NOT_FOUND_MESSAGE
from confluence_mcp.models import ResultModel
from confluence_mcp.params import BodyFormat, BodyText, Cursor, Limit, PageId
from confluence_mcp.registry import confluence_tool
from confluence_mcp.shaping import iso

if TYPE_CHECKING:
    from fastmcp import FastMCP

    from confluence_client import Comment, ConfluenceClient
    from confluence_mcp.services import Services

__all__ = ["CommentInfo", "CommentList", "CommentRef", "register"]

# Comment ids are numeric content ids, like page ids.
CommentId = PageId

# Replies are fetched per thread; bound the fan-out so one call stays a handful of requests.
_MAX_REPLIES = 100


class CommentInfo(ResultModel):
    """One footer comment; ``parent_id`` is set on replies."""

    id: str
    body: str
    author_id: str | None = None
    created_at: str | None = None
    parent_id: str | None = None


class CommentRef(ResultModel):
    """A comment just written."""

    id: str
    parent_id: str | None = None


class CommentList(ResultModel):
    """Top-level comments, each followed by its replies (depth-first)."""

    comments: list[CommentInfo]
    next_cursor: str | None = None


def register(mcp: FastMCP[Any], services: Services) -> None:
    """Add the comment tools to ``mcp``."""

    async def info(comment: Comment, body_format: BodyFormat) -> CommentInfo:
        raw = comment.body.value if comment.body is not None else ""
        body = await services.content.ato_markdown(raw) if body_format == "markdown" else raw
        return CommentInfo(
            id=comment.id,
            body=body,
            author_id=comment.author_id,
            created_at=iso(comment.created_at),
            parent_id=comment.parent_comment_id,
        )

    @confluence_tool(mcp, access="read")
    async def list_comments(
        page_id: PageId,
        format: BodyFormat = "markdown",
        limit: Limit = 25,
        cursor: Cursor | None = None,
    ) -> CommentList:
        """List a page's comments; replies follow their parent (parent_id set)."""
        await services.guard.check_page_id(page_id)
        client = await services.client()
        binding = f"{page_id}\n{limit}"
        upstream = services.cursors.open(cursor, listing="list_comments", binding=binding)
        found = await client.list_comments(page_id, limit=limit, cursor=upstream)
        comments: list[CommentInfo] = []
        budget = _MAX_REPLIES
        for comment in found.items:
            comments.append(await info(comment, format))
            if budget > 0:
                thread = await _replies(client, comment.id, budget)
                budget -= len(thread)
                comments.extend([await info(reply, format) for reply in thread])
        next_cursor = services.cursors.seal(
            found.next_cursor, listing="list_comments", binding=binding
        )
        return CommentList(comments=comments, next_cursor=next_cursor)

    @confluence_tool(mcp, access="write")
    async def add_comment(
        page_id: PageId,
        body: BodyText,
        reply_to: CommentId | None = None,
        body_format: BodyFormat = "markdown",
    ) -> CommentRef:
        """Comment on a page, or reply to one of its comments (reply_to)."""
        await services.guard.check_page_id(page_id)
        client = await services.client()
        storage = await services.content.ato_storage(body, body_format)
        if reply_to is None:
            created = await client.add_comment(page_id, storage)
        else:
            parent = await client.get_comment(reply_to, body_format=None)
            # A reply is only allowed inside the page the caller named, so the allow-list
            # check of that page also covers the thread. A comment elsewhere answers exactly
            # like an unknown id: it may sit in a space this caller cannot see.
            if parent.page_id != page_id:
                raise ToolError(NOT_FOUND_MESSAGE)
            created = await client.reply_to_comment(reply_to, storage)
        return CommentRef(id=created.id, parent_id=created.parent_comment_id)


async def _replies(client: ConfluenceClient, comment_id: str, budget: int) -> list[Comment]:
    """Up to ``budget`` replies under a comment, depth-first (a reply's replies follow it)."""
    out: list[Comment] = []

    async def walk(parent: str) -> None:
        found = await client.list_comment_replies(parent, limit=min(100, budget))
        for reply in found.items:
            if len(out) >= budget:
                return
            out.append(reply)
            await walk(reply.id)

    await walk(comment_id)
    return out
