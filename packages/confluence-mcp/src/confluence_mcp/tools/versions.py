"""Page history: ``list_page_versions``, ``get_page_version``, ``diff_page_versions``.

The diff compares the markdown of two versions (title as the first line) with :mod:`difflib`,
so it reads like a code review rather than a diff of storage XHTML.
"""

from __future__ import annotations

import difflib
import functools
from typing import TYPE_CHECKING, Annotated, Any

import anyio.to_thread
from pydantic import Field

from confluence_mcp.models import ResultModel
from confluence_mcp.params import BodyFormat, Cursor, Limit, PageId
from confluence_mcp.registry import confluence_tool
from confluence_mcp.safety import body_author, note_author
from confluence_mcp.shaping import TextWindow, iso, window
from confluence_mcp.tools.content_kind import VERSIONS_HINT, VERSIONS_INSTEAD, reading_page

if TYPE_CHECKING:
    from fastmcp import FastMCP

    from confluence_client import Page
    from confluence_mcp.services import Services

__all__ = [
    "VersionDiff",
    "VersionInfo",
    "VersionList",
    "VersionContent",
    "markdown_diff",
    "register",
    "version_diff",
]

VersionNumber = Annotated[int, Field(ge=1)]
Offset = Annotated[int, Field(ge=0)]


class VersionInfo(ResultModel):
    number: int
    created_at: str | None = None
    author_id: str | None = None
    message: str | None = None


class VersionList(ResultModel):
    """Newest first."""

    versions: list[VersionInfo]
    next_cursor: str | None = None


class VersionContent(ResultModel):
    """One version's body (a window of it when long; continue from ``next_offset``)."""

    title: str
    version: int
    content: str
    total_chars: int
    next_offset: int | None = None


class VersionDiff(ResultModel):
    """Unified diff of the markdown of two versions; ``added``/``removed`` count lines."""

    to_version: int
    added: int
    removed: int
    diff: str


def markdown_diff(
    old: str, new: str, *, old_label: str, new_label: str, context_lines: int = 3
) -> tuple[str, int, int]:
    """A unified diff of two texts line by line: ``(diff, lines added, lines removed)``.

    Identical texts give an empty diff.
    """
    lines = list(
        difflib.unified_diff(
            old.splitlines(),
            new.splitlines(),
            fromfile=old_label,
            tofile=new_label,
            n=context_lines,
            lineterm="",
        )
    )
    body = lines[2:]  # after the ---/+++ header, '+'/'-' start changed lines only
    added = sum(1 for line in body if line.startswith("+"))
    removed = sum(1 for line in body if line.startswith("-"))
    return "\n".join(lines), added, removed


async def version_diff(
    services: Services,
    page_id: str,
    from_version: int,
    to_version: int | None,
    context_lines: int = 3,
) -> VersionDiff:
    """Diff two versions of a page (``to_version=None``: the current one), space-checked."""
    client = await services.client()
    # One after the other: the space check comes before anything else is read, and a missing
    # version fails without leaving a second request in flight.
    new = await client.get_page(page_id, body_format="storage", version=to_version)
    await services.guard.check_page(new)
    old = await client.get_page(page_id, body_format="storage", version=from_version)
    for side in (old, new):
        note_author(page_id, body_author(side))
    new_number = new.version_number or to_version or from_version
    # Conversion and difflib are CPU work: keep them off the event loop.
    diff, added, removed = await anyio.to_thread.run_sync(
        functools.partial(
            markdown_diff,
            await _as_markdown(services, old),
            await _as_markdown(services, new),
            old_label=f"version {from_version}",
            new_label=f"version {new_number}",
            context_lines=context_lines,
        )
    )
    part = window(diff, 0, services.settings.page_max_chars)
    return VersionDiff(
        to_version=new_number,
        added=added,
        removed=removed,
        diff=_render(part, None),
    )


def _render(part: TextWindow, tool: str | None) -> str:
    """The window's text, with a marker saying how to get the rest when it was cut."""
    if part.next_offset is None:
        return part.text
    how = (
        f"call {tool} again with offset={part.next_offset} to continue"
        if tool
        else "compare fewer versions at a time to see the rest"
    )
    return f"{part.text}\n\n[truncated: {part.end} of {part.total_chars} characters; {how}]"


async def _as_markdown(services: Services, page: Page) -> str:
    body = await services.content.ato_markdown(page.body.value) if page.body is not None else ""
    return f"# {page.title}\n\n{body}"


def register(mcp: FastMCP[Any], services: Services) -> None:
    """Add the page-history tools to ``mcp``."""

    @confluence_tool(mcp, access="read")
    async def list_page_versions(
        page_id: PageId, limit: Limit = 25, cursor: Cursor | None = None
    ) -> VersionList:
        """List a page's versions, newest first."""
        await services.guard.check_page_id(page_id)
        client = await services.client()
        found, next_cursor = await services.cursors.fetch(
            cursor,
            lambda upstream: client.list_versions(page_id, limit=limit, cursor=upstream),
            listing="list_page_versions",
            binding=f"{page_id}\n{limit}",
        )
        return VersionList(
            versions=[
                VersionInfo(
                    number=item.number,
                    created_at=iso(item.created_at),
                    author_id=item.author_id,
                    message=item.message or None,
                )
                for item in found.items
            ],
            next_cursor=next_cursor,
        )

    @confluence_tool(mcp, access="read")
    async def get_page_version(
        page_id: PageId,
        version: VersionNumber,
        format: BodyFormat = "markdown",
        offset: Offset = 0,
    ) -> VersionContent:
        """Read an old version of a page (markdown or storage)."""
        client = await services.client()
        with reading_page(services, page_id, hint=VERSIONS_HINT, instead=VERSIONS_INSTEAD):
            page = await client.get_page(page_id, body_format="storage", version=version)
        await services.guard.check_page(page)
        note_author(page.id, body_author(page))
        raw = page.body.value if page.body is not None else ""
        text = await services.content.ato_markdown(raw) if format == "markdown" else raw
        part = window(text, offset, services.settings.page_max_chars)
        return VersionContent(
            title=page.title,
            version=page.version_number or version,
            content=_render(part, "get_page_version"),
            total_chars=part.total_chars,
            next_offset=part.next_offset,
        )

    @confluence_tool(mcp, access="read")
    async def diff_page_versions(
        page_id: PageId,
        from_version: VersionNumber,
        to_version: VersionNumber | None = None,
    ) -> VersionDiff:
        """Unified diff of a page's markdown between two versions (default to: latest)."""
        with reading_page(services, page_id, hint=VERSIONS_HINT, instead=VERSIONS_INSTEAD):
            return await version_diff(services, page_id, from_version, to_version)
