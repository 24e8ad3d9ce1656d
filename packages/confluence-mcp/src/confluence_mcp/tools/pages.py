"""Reading pages: ``get_page``, ``get_page_children``, ``get_page_tree``.

``get_page`` reads within a budget: ``section`` (heading text or anchor) narrows it to one
part, ``max_chars`` or ``max_tokens`` (estimated at :data:`CHARS_PER_TOKEN` characters a
token) cap the window, and ``next_cursor`` / ``next_offset`` continue where it stopped.
"""

from __future__ import annotations

import base64
import json
from contextlib import aclosing
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args

from fastmcp import Context
from fastmcp.exceptions import ToolError
from pydantic import Field

from confluence_client import NotFoundError
from confluence_mcp.models import PageContent, PageList, PageTree, TreeEntry
from confluence_mcp.params import (
    Cursor,
    Limit,
    PageId,
    ReadFormat,
    ReadType,
    SpaceKey,
    Title,
    capped,
)
from confluence_mcp.registry import confluence_tool
from confluence_mcp.safety import body_author, note_author
from confluence_mcp.shaping import iso, page_ref, window
from confluence_mcp.tools.content_kind import not_found_as_page, not_found_in_tree

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from fastmcp import FastMCP

    from confluence_client import ConfluenceClient, Page
    from confluence_mcp.services import Services

__all__ = ["CHARS_PER_TOKEN", "make_cursor", "read_cursor", "register"]

_READ_TYPES = frozenset(get_args(ReadType))

_PROGRESS_EVERY = 50
# The token estimate of max_tokens: about four characters a token for English prose and
# markdown (tokenizers differ; a budget, not a promise).
CHARS_PER_TOKEN = 4


def make_cursor(offset: int, section: str | None) -> str:
    """An opaque continuation cursor: where the next read starts, and in which section."""
    raw = json.dumps([offset, section], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def read_cursor(cursor: str) -> tuple[int, str | None]:
    """(offset, section) from :func:`make_cursor`; a clear error for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        offset, section = json.loads(raw)
        if (
            isinstance(offset, int)
            and offset >= 0
            and (section is None or isinstance(section, str))
        ):
            return offset, section
    except (ValueError, TypeError):
        pass
    raise ToolError("Invalid argument 'cursor': pass next_cursor from a previous get_page call.")


_MAX_BLOG_POSTS = 25  # newest-first listing is not available; the first ones by id


def register(mcp: FastMCP[Any], services: Services) -> None:
    """Add the page-reading tools to ``mcp``."""
    settings = services.settings

    @confluence_tool(mcp, access="read")
    async def get_page(
        page_id: PageId | None = None,
        title: Title | None = None,
        space_key: SpaceKey | None = None,
        url: Annotated[str, capped(2000)] | None = None,
        format: ReadFormat = "markdown",
        metadata: bool = False,
        offset: Annotated[int, Field(ge=0)] = 0,
        max_chars: Annotated[int | None, Field(ge=1000)] = None,
        section: Annotated[str, capped(255, allow_empty=False)] | None = None,
        max_tokens: Annotated[int | None, Field(ge=250)] = None,
        cursor: Cursor | None = None,
        content_type: ReadType = "page",
    ) -> PageContent:
        """Read a page by page_id, title+space_key or url (other types by page_id);
        section: one heading's part; next_cursor, if returned, continues it."""
        # Sealed like every listing's cursor: bound to this caller and this read.
        binding = f"{page_id}\n{title}\n{space_key}\n{url}\n{format}\n{content_type}"
        if cursor is not None:
            opened = services.cursors.open(cursor, listing="get_page", binding=binding)
            offset, section = read_cursor(opened or "")
        if section is not None and format == "view":
            raise ToolError("section works with format=markdown or storage, not view.")
        client = await services.client()
        fmt: Literal["storage", "view"] = "view" if format == "view" else "storage"
        try:
            if content_type == "page":
                page = await _resolve(client, page_id, title, space_key, url, fmt)
            elif page_id is None or title is not None or url is not None:
                raise ToolError(f"Read a {content_type} by its page_id (search finds it).")
            elif content_type == "blogpost":
                page = await client.get_page(page_id, body_format=fmt, content_type=content_type)
            else:
                return await _node(services, client, page_id, content_type, metadata)
            await services.guard.check_page(page)
        except NotFoundError as exc:
            if content_type != "page" or page_id is None:
                raise
            # search lists blog posts, folders, whiteboards and databases with their type;
            # their ids are no pages, and retrying get_page(page_id) would teach nothing.
            # The same words whether the id is missing or outside the allowed spaces.
            raise not_found_as_page(
                services,
                exc,
                accepted=_READ_TYPES,
                hint="If search gave it a type (blogpost, folder, whiteboard, database), "
                "pass that as content_type.",
            ) from None
        note_author(page.id, body_author(page))
        raw = page.body.value if page.body is not None else ""
        if section is not None:
            raw = await services.content.asection(raw, section)
        if format == "markdown":
            text = await services.content.ato_markdown(raw)
        elif format == "view":
            text = await services.content.aview_to_markdown(raw)
        else:
            text = raw
        limit = min(max_chars or settings.page_max_chars, settings.page_max_chars)
        if max_tokens is not None:
            limit = min(limit, max_tokens * CHARS_PER_TOKEN)
        part = window(text, offset, limit)
        details: dict[str, Any] | None = None
        if metadata:
            labels = await client.list_labels(page.id, limit=100)
            details = {
                **_basics(page),
                "labels": [label.name for label in labels.items],
                **await _analytics(client, page.id),
            }
        return await _content(
            services,
            page,
            content=part.render(),
            total_chars=part.total_chars,
            next_offset=part.next_offset,
            next_cursor=None
            if part.next_offset is None
            else services.cursors.seal(
                make_cursor(part.next_offset, section), listing="get_page", binding=binding
            ),
            metadata=details,
        )

    @confluence_tool(mcp, access="read")
    async def get_page_children(
        page_id: PageId, limit: Limit = 25, cursor: Cursor | None = None
    ) -> PageList:
        """List a page's direct child pages."""
        client = await services.client()
        await services.guard.check_page_id(page_id)
        found, next_cursor = await services.cursors.fetch(
            cursor,
            lambda upstream: client.list_children(page_id, limit=limit, cursor=upstream),
            listing="get_page_children",
            binding=f"{page_id}\n{limit}",
        )
        return PageList(pages=[page_ref(child) for child in found.items], next_cursor=next_cursor)

    @confluence_tool(mcp, access="read")
    async def get_page_tree(
        ctx: Context,
        space_key: SpaceKey | None = None,
        page_id: PageId | None = None,
        max_depth: Annotated[int, Field(ge=1, le=10)] = 3,
        max_pages: Annotated[int, Field(ge=1, le=1000)] = 200,
    ) -> PageTree:
        """Outline of a space (root pages at depth 0) or a page's subtree (the page at depth
        0), depth-first; at most max_pages, shallowest levels first (truncated: more exist
        within max_depth)."""
        client = await services.client()
        if page_id is not None and space_key is None:
            walk = client.walk_page_tree(page_id, max_depth=max_depth, limit=250)
        elif space_key is not None and page_id is None:
            services.guard.check_space_key(space_key)
            walk = client.walk_page_tree(space_key=space_key, max_depth=max_depth, limit=250)
        else:
            raise ToolError("Give exactly one of space_key or page_id.")
        async with aclosing(walk):
            first: list[tuple[int, Page]] = []
            if page_id is not None:
                # The walk's first step reads only the root (a page, or on Cloud a folder):
                # the space guard checks that read before anything below it is fetched.
                try:
                    root = await anext(walk)
                except NotFoundError as exc:
                    raise not_found_in_tree(services, exc) from None
                await services.guard.check_page(root[1])
                first.append(root)
            collected, complete = await _collect(ctx, walk, max_pages, first)
        tree = _outline(collected, truncated=not complete)
        if space_key is None or not complete:
            return tree
        # Blog posts sit beside the page tree, as in Confluence's space sidebar; they have a
        # cap of their own (max_pages is about the page tree).
        posts: list[TreeEntry] = []
        async for post in client.iter_blogposts(space_key, limit=_MAX_BLOG_POSTS + 1):
            if len(posts) == _MAX_BLOG_POSTS:
                return PageTree(pages=tree.pages + posts, truncated=True)
            posts.append(_entry(post, 0))
        return PageTree(pages=tree.pages + posts, truncated=False)


async def _resolve(
    client: ConfluenceClient,
    page_id: str | None,
    title: str | None,
    space_key: str | None,
    url: str | None,
    body_format: Literal["storage", "view"],
) -> Page:
    """Find the page from exactly one way of naming it."""
    by_title = title is not None or space_key is not None
    ways = (page_id is not None) + (url is not None) + by_title
    if ways == 1 and page_id is not None:
        return await client.get_page(page_id, body_format=body_format)
    if ways == 1 and url is not None:
        return await client.get_page_by_url(url, body_format=body_format)
    if ways == 1 and title is not None and space_key is not None:
        return await client.get_page_by_title(space_key, title, body_format=body_format)
    raise ToolError("Name the page one way: page_id, or title with space_key, or url.")


async def _collect(
    ctx: Context,
    pages: AsyncIterator[tuple[int, Page]],
    max_pages: int,
    first: list[tuple[int, Page]],
) -> tuple[list[tuple[int, Page]], bool]:
    """Read pages after ``first`` (already read, at most one) until the walk ends (True) or
    one more than ``max_pages`` exists (False), reporting progress."""
    collected = list(first)
    async for page in pages:
        if len(collected) >= max_pages:
            return collected, False
        collected.append(page)
        if len(collected) % _PROGRESS_EVERY == 0:
            await ctx.report_progress(len(collected), message=f"{len(collected)} pages read")
    await ctx.report_progress(len(collected), len(collected), f"{len(collected)} pages read")
    return collected, True


def _entry(page: Page, depth: int) -> TreeEntry:
    """A tree line; nodes other than pages are typed and linked (a whiteboard or database
    cannot be read as text, so its url is how a person opens it)."""
    if page.content_type == "page":
        return TreeEntry(id=page.id, title=page.title, depth=depth)
    return TreeEntry(
        id=page.id, title=page.title, depth=depth, type=page.content_type, url=page.web_url
    )


def _outline(pages: list[tuple[int, Page]], *, truncated: bool) -> PageTree:
    """Arrange a breadth-first walk depth-first: each page followed by its children."""
    children: dict[str | None, list[Page]] = {}
    depths: dict[str, int] = {}
    for depth, page in pages:
        depths[page.id] = depth
        children.setdefault(page.parent_id if depth else None, []).append(page)
    entries: list[TreeEntry] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        page = stack.pop()
        entries.append(_entry(page, depths[page.id]))
        stack.extend(reversed(children.get(page.id, [])))
    return PageTree(pages=entries, truncated=truncated)


async def _node(
    services: Services,
    client: ConfluenceClient,
    node_id: str,
    kind: Literal["folder", "whiteboard", "database"],
    metadata: bool,
) -> PageContent:
    """A folder's, whiteboard's or database's metadata (Cloud): they have no text body."""
    readers = {
        "folder": client.get_folder,
        "whiteboard": client.get_whiteboard,
        "database": client.get_database,
    }
    node = await services.guard.check_page(await readers[kind](node_id))
    note = f"[a {kind}: no text through the API; open its url]"
    details = _basics(node) if metadata else None
    return await _content(services, node, content=note, total_chars=0, metadata=details)


def _basics(page: Page) -> dict[str, Any]:
    """The metadata every content type has (get_page adds labels and analytics for pages)."""
    return {
        "parent_id": page.parent_id,
        "author_id": page.author_id,
        "created_at": iso(page.created_at),
    }


async def _content(
    services: Services,
    page: Page,
    *,
    content: str,
    total_chars: int,
    metadata: dict[str, Any] | None,
    next_offset: int | None = None,
    next_cursor: str | None = None,
) -> PageContent:
    """get_page's answer: who ``page`` is, then the window of its content."""
    return PageContent(
        id=page.id,
        title=page.title,
        space_key=await services.space_key_of(page),
        version=page.version_number,
        url=page.web_url,
        content=content,
        total_chars=total_chars,
        next_offset=next_offset,
        next_cursor=next_cursor,
        metadata=metadata,
    )


async def _analytics(client: ConfluenceClient, page_id: str) -> dict[str, Any]:
    """Views and distinct viewers (Cloud); Data Center says so instead of failing the read."""
    from confluence_client import NotSupportedError

    try:
        seen = await client.get_page_views(page_id)
    except NotSupportedError:
        return {"views": "Not supported on Data Center"}
    return {"views": seen.views, "viewers": seen.viewers}
