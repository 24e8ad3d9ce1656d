"""MCP prompts: ``summarize_page``, ``draft_page`` and ``review_page_changes``.

Prompts fetch what the model needs up front (the page as an embedded ``text/markdown``
resource, or the diff of two versions) and end with one instruction, so a user can pick one
from a client's prompt menu without knowing any tool names. Pages are named by id or by exact
title (``space_key`` narrows a title; completion offers titles as you type).
"""

from __future__ import annotations

import inspect
import re
from typing import TYPE_CHECKING, Annotated, Any

from fastmcp.exceptions import PromptError
from fastmcp.prompts import FunctionPrompt, Message, PromptResult
from mcp_types import EmbeddedResource, TextResourceContents
from pydantic import Field

from confluence_mcp.errors import confluence_errors
from confluence_mcp.resources import page_uri
from confluence_mcp.safety import body_author, note_author
from confluence_mcp.shaping import iso, window
from confluence_mcp.tools.versions import version_diff

if TYPE_CHECKING:
    from collections.abc import Callable

    from fastmcp import FastMCP
    from mcp_types import Prompt as MCPPrompt

    from confluence_client import Page
    from confluence_mcp.services import Services

__all__ = ["find_page", "register"]

PageArg = Annotated[str, Field(min_length=1, max_length=255, description="Page id or exact title")]
SpaceArg = Annotated[str | None, Field(max_length=255, description="Space key (narrows a title)")]
SpaceKeyArg = Annotated[str, Field(min_length=1, max_length=255, description="Space key")]
TitleArg = Annotated[str, Field(min_length=1, max_length=255, description="New page title")]
OutlineArg = Annotated[
    str, Field(min_length=1, max_length=20_000, description="What the page should cover")
]
ParentArg = Annotated[
    str | None, Field(max_length=255, description="Parent page id or exact title")
]
FromVersionArg = Annotated[int, Field(ge=1, description="Older version number")]
ToVersionArg = Annotated[int | None, Field(ge=1, description="Newer version (default: latest)")]
# FastMCP appends this JSON-schema hint to the description of every non-`str` argument; ours
# say what to type in plain words, so the hint is only noise in prompts/list.
_SCHEMA_HINT = re.compile(r"\s*Provide a value matching the following JSON schema:.*\Z", re.DOTALL)
_DIGITS = re.compile(r"[0-9]{1,20}")


async def find_page(services: Services, page: str, space_key: str | None) -> Page:
    """The page named by id or exact title (with its storage body), space-checked.

    A title without ``space_key`` is looked up in every allowed space; more than one match is
    a :class:`PromptError` asking for the space key. SDK errors propagate (callers map them).
    """
    from confluence_client import Cql, NotFoundError

    client = await services.client()
    page = page.strip()
    if _DIGITS.fullmatch(page):
        return await services.guard.check_page(await client.get_page(page, body_format="storage"))
    if space_key:
        services.guard.check_space_key(space_key)
        return await client.get_page_by_title(space_key, page, body_format="storage")
    query = Cql.eq("type", "page") & Cql.eq("title", page)
    scope = services.guard.cql_scope()
    if scope is not None:
        query = query & scope
    found = await client.search(query, limit=10)
    hits = [hit for hit in services.guard.filter_results(found.items) if hit.content_id]
    if not hits:
        raise NotFoundError(f"no page titled {page!r}", status_code=404)
    if len(hits) > 1:
        spaces = ", ".join(sorted({hit.space_key or "?" for hit in hits}))
        raise PromptError(
            f"Several pages are titled {page!r} (spaces: {spaces}); give space_key or the page id."
        )
    return await services.guard.check_page(
        await client.get_page(str(hits[0].content_id), body_format="storage")
    )


class _Prompt(FunctionPrompt):
    """A function prompt listed without FastMCP's ``_meta`` tag block (empty tags: noise)."""

    def to_mcp_prompt(self, **overrides: Any) -> MCPPrompt:
        overrides.setdefault("_meta", None)
        return super().to_mcp_prompt(**overrides)


def _add_prompt(mcp: FastMCP[Any], fn: Callable[..., Any]) -> None:
    description = inspect.getdoc(fn)
    fn.__doc__ = None  # described here: FastMCP's docstring parser need not load at start-up
    prompt = _Prompt.from_function(fn, name=fn.__name__, description=description)
    arguments = [
        argument.model_copy(
            update={"description": _SCHEMA_HINT.sub("", argument.description or "") or None}
        )
        for argument in prompt.arguments or []
    ]
    mcp.add_prompt(prompt.model_copy(update={"arguments": arguments}))


def register(mcp: FastMCP[Any], services: Services) -> None:
    """Add the prompts to ``mcp``."""
    settings = services.settings

    async def page_message(page: Page) -> Message:
        note_author(page.id, body_author(page))
        storage = page.body.value if page.body is not None else ""
        body = window(await services.content.ato_markdown(storage), 0, settings.page_max_chars)
        return Message(
            EmbeddedResource(
                type="resource",
                resource=TextResourceContents(
                    uri=page_uri(page.id),
                    mime_type="text/markdown",
                    text=f"# {page.title}\n\n{body.render()}",
                ),
            )
        )

    async def summarize_page(page: PageArg, space_key: SpaceArg = None) -> PromptResult:
        """Summarize a Confluence page: TL;DR, key points, decisions and open questions."""
        with confluence_errors(PromptError):
            found = await find_page(services, page, space_key)
            space = await services.space_key_of(found)
            page_part = await page_message(found)
        instruction = (
            f'Summarize the Confluence page "{found.title}" (id {found.id}'
            f"{f', space {space}' if space else ''}"
            f"{f', version {found.version_number}' if found.version_number else ''}) above.\n"
            "Start with a one-sentence TL;DR, then the key points as short bullets, then any "
            "decisions, action items (with owners if named) and open questions. Use only what "
            "the page says; mark anything unclear instead of guessing."
        )
        return PromptResult(
            [page_part, Message(instruction)],
            description=f"Summary of {found.title}",
        )

    async def draft_page(
        space_key: SpaceKeyArg, title: TitleArg, outline: OutlineArg, parent: ParentArg = None
    ) -> PromptResult:
        """Draft a new page in a space from an outline, then create it with create_page."""
        from confluence_client import NotFoundError

        with confluence_errors(PromptError):
            services.guard.check_space_key(space_key)
            client = await services.client()
            space = await client.get_space(space_key)
            under = await find_page(services, parent, space.key) if parent else None
            try:
                existing: Page | None = await client.get_page_by_title(
                    space.key, title, body_format=None
                )
            except NotFoundError:
                existing = None
        where = f'in the space "{space.name}" ({space.key})'
        if under is not None:
            where += f' under the page "{under.title}" (id {under.id})'
        call = f"space_key={space.key!r}, title={title!r}"
        if under is not None:
            call += f", parent_id={under.id!r}"
        lines = [
            f'Draft a new Confluence page titled "{title}" {where}, from this outline:',
            "",
            outline.strip(),
            "",
            "Write the page in markdown: a one-paragraph introduction, then one section "
            "(## heading) per outline item, with concrete content, lists or tables where "
            "they help. Do not invent facts: where the outline leaves something open, say so "
            "in a clearly marked open question.",
            f"Show me the draft, then create it with the create_page tool ({call}, "
            "body=<the markdown>).",
        ]
        if existing is not None:
            lines.append(
                f'Note: a page titled "{title}" already exists in {space.key} (id '
                f"{existing.id}); pick another title or update that page instead."
            )
        return PromptResult([Message("\n".join(lines))], description=f"Draft of {title}")

    async def review_page_changes(
        page: PageArg,
        from_version: FromVersionArg,
        to_version: ToVersionArg = None,
        space_key: SpaceArg = None,
    ) -> PromptResult:
        """Review what changed in a page between two versions (to_version: default latest)."""
        with confluence_errors(PromptError):
            found = await find_page(services, page, space_key)
            diff = await version_diff(services, found.id, from_version, to_version)
            client = await services.client()
            old = await client.get_version(found.id, from_version)
            new = await client.get_version(found.id, diff.to_version)
            note_author(found.id, old.author_id)
            note_author(found.id, new.author_id)
        header = [
            f'Changes to the Confluence page "{found.title}" (id {found.id}) from version '
            f"{old.number} to version {new.number}:",
        ]
        for version in (old, new):
            note = f"- version {version.number}"
            if version.created_at is not None:
                note += f", {iso(version.created_at)}"
            if version.author_id:
                note += f", by {version.author_id}"
            if version.message:
                note += f': "{version.message}"'
            header.append(note)
        if diff.diff:
            body = f"Unified diff of the markdown (+{diff.added} / -{diff.removed} lines):\n"
            body += f"```diff\n{diff.diff}\n```"
        else:
            body = "The two versions have identical content."
        instruction = (
            "Review these changes: summarize what changed and why it matters, flag anything "
            "that looks wrong, risky or accidentally removed, and list follow-ups for the "
            "author. Quote the changed lines you refer to."
        )
        return PromptResult(
            [Message("\n".join([*header, "", body, "", instruction]))],
            description=f"Review of {found.title} v{old.number}..v{new.number}",
        )

    for prompt in (summarize_page, draft_page, review_page_changes):
        _add_prompt(mcp, prompt)
