"""Page comments: ``list_comments`` and ``add_comment`` (footer or inline; also replies).

Inline comments are the same result shape with ``selection`` and ``resolution`` set, so they
are a ``location`` parameter rather than more tools (``tools/list`` bytes are a budget).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastmcp.exceptions import ToolError
from pydantic import Field

from confluence_mcp.errors import NOT_FOUND_MESSAGE
from confluence_mcp.models import ResultModel
from confluence_mcp.params import BodyFormat, BodyText, Cursor, Limit, PageId, capped
from confluence_mcp.registry import confluence_tool
from confluence_mcp.safety import note_container
from confluence_mcp.shaping import iso

if TYPE_CHECKING:
    from fastmcp import FastMCP

    from confluence_client import Comment, ConfluenceClient
    from confluence_mcp.services import Services

__all__ = ["CommentInfo", "CommentList", "CommentRef", "find_comment", "register"]

# Comment ids are numeric content ids, like page ids.
CommentId = PageId
Location = Literal["footer", "inline"]
Selection = Annotated[str, capped(1000, allow_empty=False)]
Occurrence = Annotated[int, Field(ge=1)]

# Replies are fetched per thread; bound the fan-out so one call stays a handful of requests.
_MAX_REPLIES = 100


class CommentInfo(ResultModel):
    """One comment; ``parent_id`` is set on replies, ``selection``/``resolution`` on inline ones."""

    id: str
    body: str
    author_id: str | None = None
    created_at: str | None = None
    parent_id: str | None = None
    selection: str | None = None
    resolution: str | None = None


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
            selection=comment.selection if comment.parent_comment_id is None else None,
            resolution=comment.resolution_status if comment.parent_comment_id is None else None,
        )

    @confluence_tool(mcp, access="read")
    async def list_comments(
        page_id: PageId,
        location: Location = "footer",
        format: BodyFormat = "markdown",
        limit: Limit = 25,
        cursor: Cursor | None = None,
    ) -> CommentList:
        """List a page's footer or inline comments; replies follow their parent."""
        await services.guard.check_page_id(page_id)
        client = await services.client()
        inline = location == "inline"
        lister = client.list_inline_comments if inline else client.list_comments
        found, next_cursor = await services.cursors.fetch(
            cursor,
            lambda upstream: lister(page_id, limit=limit, cursor=upstream),
            listing="list_comments",
            binding=f"{page_id}\n{limit}\n{location}",
        )
        # Data Center lists every thread of the page at once; Cloud one reply listing each.
        threads = await client.with_replies(
            found.items, location=location, max_replies=_MAX_REPLIES
        )
        comments = [await info(comment, format) for comment in threads]
        for shown in comments:
            note_container(shown.id, page_id)  # trust: one lookup per author, not per comment
        return CommentList(comments=comments, next_cursor=next_cursor)

    @confluence_tool(mcp, access="write")
    async def add_comment(
        page_id: PageId,
        body: BodyText,
        reply_to: CommentId | None = None,
        selection: Selection | None = None,
        occurrence: Occurrence = 1,
        body_format: BodyFormat = "markdown",
    ) -> CommentRef:
        """Comment on a page, inline on a text selection (its n-th occurrence), or reply."""
        from confluence_client import InvalidInputError

        if reply_to is not None and selection is not None:
            raise ToolError("Give reply_to or selection, not both: a reply shares its anchor.")
        client = await services.client()
        if selection is not None:
            # One read with the body: the space guard checks it, and the SDK counts the
            # selection's occurrences in it (no second read).
            page = await services.guard.check_page(
                await client.get_page(page_id, body_format="storage")
            )
            storage = await services.content.ato_storage(body, body_format)
            try:
                created = await client.add_inline_comment(
                    page_id, storage, selection, match_index=occurrence - 1, page=page
                )
            except InvalidInputError as exc:
                if exc.field != "match_index":
                    raise
                # The SDK's zero-based index is not this tool's argument: name the caller's.
                raise ToolError(
                    f"Invalid argument 'occurrence': the selection does not occur {occurrence} "
                    "times in the page's text; pass a smaller occurrence (1 is the first)."
                ) from None
            return CommentRef(id=created.id, parent_id=created.parent_comment_id)
        await services.guard.check_page_id(page_id)
        storage = await services.content.ato_storage(body, body_format)
        if reply_to is None:
            created = await client.add_comment(page_id, storage)
        else:
            parent = await find_comment(client, reply_to, page_id)
            if parent.location == "inline":
                created = await client.reply_to_inline_comment(reply_to, storage)
            else:
                created = await client.reply_to_comment(reply_to, storage)
        return CommentRef(id=created.id, parent_id=created.parent_comment_id)


async def find_comment(client: ConfluenceClient, comment_id: str, page_id: str) -> Comment:
    """The footer or inline comment ``comment_id``, which must be on ``page_id``.

    Only comments inside the page the caller named are touched, so the allow-list check of
    that page also covers the comment.
    """
    from confluence_client import NotFoundError, NotSupportedError

    try:
        found = await client.get_comment(comment_id, body_format=None)
        if found.location != "footer":
            raise NotFoundError("not a footer comment", status_code=404)
    except NotFoundError:
        try:
            found = await client.get_inline_comment(comment_id, body_format=None)
        except NotSupportedError:
            raise NotFoundError("no such footer comment", status_code=404) from None
    if found.page_id != page_id:
        # Like an unknown id: the comment may sit in a space this caller cannot see.
        raise ToolError(NOT_FOUND_MESSAGE)
    return found
