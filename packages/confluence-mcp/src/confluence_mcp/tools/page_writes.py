"""Changing pages: ``create_page``, ``update_page``, ``update_page_section``, ``move_page``,
``delete_page``.

Every tool that changes a page's body, title or place requires the ``version`` the caller read
(from ``get_page``): if someone else wrote in between, the edit fails with a conflict error
naming both versions and nothing is overwritten. There is no "latest wins" default.
Every tool takes ``dry_run`` (the diff, nothing written); deleting, moving a page that has
children and overwriting most of a body need a confirmation (:mod:`.write_guard`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any

import mcp_types as mt
from fastmcp import Context
from fastmcp.exceptions import ToolError
from pydantic import Field

from confluence_client import NotFoundError
from confluence_client.validation import check_body, check_encodable
from confluence_mcp.params import (
    BodyFormat,
    BodyText,
    ContentType,
    CreateType,
    PageId,
    SpaceKey,
    Title,
    Version,
    capped,
    sdk_rule,
)
from confluence_mcp.registry import confluence_tool
from confluence_mcp.safety import body_author, note_author
from confluence_mcp.schemas import output_schema_for
from confluence_mcp.tools.content_kind import (
    EDITS_HINT,
    EDITS_INSTEAD,
    MOVE_HINT,
    MOVE_INSTEAD,
    TYPE_HINT,
    not_found_as_page,
    reading_page,
)
from confluence_mcp.tools.write_guard import (
    DeleteOutcome,
    Pending,
    WriteResult,
    confirm_action,
    diffs,
    removed_share,
    require_current,
)

if TYPE_CHECKING:
    from fastmcp import FastMCP

    from confluence_client import Page
    from confluence_mcp.services import Services

__all__ = ["register", "rewrite_body"]

Message = Annotated[
    str,
    capped(500),
    sdk_rule(check_encodable, "message"),
    Field(description="Version comment"),
]
# No descriptions: the names say it, and tools/list bytes are a budget.
DryRun = bool
ConfirmToken = Annotated[str, capped(500)]
Heading = Annotated[
    str, capped(255, allow_empty=False), Field(description="Heading text or anchor")
]


def written(page: Page) -> WriteResult:
    """The reference a write returns."""
    return WriteResult(id=page.id, title=page.title, version=page.version_number, url=page.web_url)


async def dry_result(
    services: Services, page: Page, old: str, new: str, title: str | None = None
) -> WriteResult:
    """What a write would do: both diffs, nothing written."""
    note_author(page.id, body_author(page))  # the diff shows the current body
    diff = await diffs(services, old, new)
    if title is not None and title != page.title:
        diff = f"title: {page.title!r} -> {title!r}\n{diff}"
    return WriteResult(
        id=page.id,
        title=title or page.title,
        version=page.version_number,
        url=page.web_url,
        dry_run=True,
        diff=diff,
    )


async def rewrite_body(
    services: Services,
    page_id: str,
    version: int,
    rewrite: Callable[[str], Awaitable[str]],
    *,
    message: str | None,
    dry_run: bool,
    skip_unchanged: bool = False,
) -> WriteResult:
    """Read a page's storage body, rewrite it and write it back (or show the diff).

    The space guard and the caller's ``version`` are checked on that one read, and the
    title comes from it too: one GET, then the PUT.
    """
    client = await services.client()
    with reading_page(services, page_id, hint=EDITS_HINT, instead=EDITS_INSTEAD):
        page = await client.get_page(page_id, body_format="storage")
    await services.guard.check_page(page)
    require_current(page, version)
    storage = page.body.value if page.body is not None else ""
    new_storage = await rewrite(storage)
    if dry_run:
        return await dry_result(services, page, storage, new_storage)
    if skip_unchanged and new_storage == storage:
        return written(page)
    updated = await client.update_page(
        page_id, expected_version=version, title=page.title, body=new_storage, message=message
    )
    return written(updated)


def register(mcp: FastMCP[Any], services: Services) -> None:
    """Add the page-writing tools to ``mcp``."""
    write_schema = output_schema_for(WriteResult)

    @confluence_tool(mcp, access="write", output_schema=write_schema)
    async def create_page(
        space_key: SpaceKey,
        title: Title,
        body: BodyText | None = None,
        parent_id: PageId | None = None,
        body_format: BodyFormat = "markdown",
        dry_run: DryRun = False,
        content_type: CreateType = "page",
        template_id: PageId | None = None,
        variables: dict[str, Annotated[str, capped(10_000)]] | None = None,
    ) -> WriteResult:
        """Create a page (optionally under a parent page or folder), a blog post or a folder
        (no body) in a space, from body or from template_id with its variables filled."""
        services.guard.check_space_key(space_key)
        if content_type == "folder":
            client = await services.client()
            if parent_id is not None:
                await services.guard.check_parent_id(parent_id)
            if body is not None or template_id is not None or dry_run:
                raise ToolError("A folder has no body: give only space_key, title, parent_id.")
            return written(await client.create_folder(space_key, title, parent_id=parent_id))
        if body is None and template_id is None:
            raise ToolError("Give body, or template_id (see list_templates): one is required.")
        if body is not None and template_id is not None:
            raise ToolError("Give body or template_id, not both: a template page has its own body.")
        client = await services.client()
        if parent_id is not None:
            await services.guard.check_parent_id(parent_id)
        if template_id is not None:
            if content_type != "page":
                raise ToolError("Templates make pages: leave content_type as page.")
            if dry_run:
                raise ToolError("dry_run is for bodies; a template page is shown once made.")
            made = await client.create_page_from_template(
                template_id, space_key, title, variables=variables or {}, parent_id=parent_id
            )
            return written(made)
        storage = await services.content.ato_storage(body or "", body_format)
        if dry_run:
            diff = await diffs(services, "", storage)
            return WriteResult(id="(new)", title=title, dry_run=True, diff=diff)
        page = await client.create_page(
            space_key, title, storage, parent_id=parent_id, content_type=content_type
        )
        return written(page)

    @confluence_tool(mcp, access="write", output_schema=write_schema)
    async def update_page(
        ctx: Context,
        page_id: PageId,
        version: Version,
        title: Title | None = None,
        body: BodyText | None = None,
        body_format: BodyFormat = "markdown",
        message: Message | None = None,
        dry_run: DryRun = False,
        confirm_token: ConfirmToken | None = None,
        content_type: ContentType = "page",
    ) -> WriteResult | mt.InputRequiredResult:
        """Change a page's (or blog post's) title and/or body; if version is no longer
        current, nothing is written."""
        if title is None and body is None:
            raise ToolError("Nothing to change: give title, body or both.")
        client = await services.client()
        storage = None if body is None else await services.content.ato_storage(body, body_format)
        # A title-only change with no space filter needs nothing read first.
        either = ("page", "blogpost")
        if storage is not None or dry_run or services.guard.allowed_spaces is not None:
            with reading_page(services, page_id, accepted=either, hint=TYPE_HINT):
                current = await client.get_page(
                    page_id,
                    body_format=None if storage is None and not dry_run else "storage",
                    content_type=content_type,
                )
            await services.guard.check_page(current)
            require_current(current, version)
            old = current.body.value if current.body is not None else ""
            if dry_run:
                return await dry_result(services, current, old, storage or old, title)
            # An unchanged body (e.g. markdown read and written back) is not rewritten: no
            # new version full of cosmetic serialisation changes.
            unchanged = storage is not None and await services.content.asame_storage(storage, old)
            if unchanged:
                storage = None
                if title is None or title == current.title:
                    return written(current)
            if storage is not None:
                asked = await confirm_overwrite(ctx, current, old, storage, confirm_token)
                if asked is not None:
                    return asked
            if current.body is not None:
                # Title and body from the same read: the SDK then writes without reading
                # again (Confluence's own version check still refuses a page changed since).
                title = current.title if title is None else title
                storage = old if storage is None else storage
        # Its own read (a title-only change, no filter) may find the id is another type.
        with reading_page(services, page_id, accepted=either, hint=TYPE_HINT):
            updated = await client.update_page(
                page_id,
                expected_version=version,
                title=title,
                body=storage,
                message=message,
                content_type=content_type,
            )
        return written(updated)

    async def confirm_overwrite(
        ctx: Context, page: Page, old: str, new: str, token: str | None
    ) -> mt.InputRequiredResult | None:
        """A whole-body overwrite that removes most of the page needs a confirmation."""
        if not services.confirmations.enabled:
            return None
        old_md = await services.content.ato_markdown(old)
        share = removed_share(old_md, await services.content.ato_markdown(new))
        if share <= services.settings.confirm_removal_share:
            return None
        preview = (
            f'Overwriting the body of "{page.title}" (id {page.id}, version '
            f"{page.version_number}) removes {share:.0%} of its content."
        )
        # Bound to the new body: the token cannot confirm another overwrite than this one.
        pending = Pending(
            "overwrite", page.id, page.title, page.version_number or 1, preview, subject=new
        )
        return await confirm_action(ctx, services, await services.client(), pending, token)

    @confluence_tool(mcp, access="write", output_schema=write_schema)
    async def update_page_section(
        page_id: PageId,
        heading: Heading,
        body: Annotated[str, capped(4_000_000), sdk_rule(check_body, "body")],
        version: Version,
        body_format: BodyFormat = "markdown",
        occurrence: Annotated[int, Field(ge=1)] | None = None,
        message: Message | None = None,
        dry_run: DryRun = False,
    ) -> WriteResult:
        """Replace the content under one heading, leaving the rest of the page untouched; a
        page changed since version is not written."""

        async def rewrite(storage: str) -> str:
            return await services.content.areplace_section(
                storage, heading, body, body_format, occurrence
            )

        return await rewrite_body(
            services, page_id, version, rewrite, message=message, dry_run=dry_run
        )

    @confluence_tool(mcp, access="write", output_schema=write_schema)
    async def move_page(
        ctx: Context,
        page_id: PageId,
        parent_id: PageId,
        version: Version,
        dry_run: DryRun = False,
        confirm_token: ConfirmToken | None = None,
    ) -> WriteResult | mt.InputRequiredResult:
        """Move a page under another parent page or folder in the same space; a page changed
        since version is not moved."""
        if parent_id == page_id:
            # Refused before anything else: a dry run would show it as possible and a page
            # with children would ask the user to confirm a move that cannot happen.
            raise ToolError("Invalid argument 'parent_id': a page cannot be its own parent.")
        client = await services.client()
        # With its body (unless a dry run): the same read then feeds the SDK's write, which
        # keeps the title and body.
        with reading_page(services, page_id, hint=MOVE_HINT, instead=MOVE_INSTEAD):
            page = await client.get_page(page_id, body_format=None if dry_run else "storage")
        await services.guard.check_page(page)
        await services.guard.check_parent_id(parent_id)
        require_current(page, version)
        if dry_run:
            children = await client.list_children(page_id, limit=1)
            note = "its child pages move with it" if children.items else "it has no child pages"
            return WriteResult(
                id=page.id,
                title=page.title,
                version=page.version_number,
                url=page.web_url,
                dry_run=True,
                diff=f"parent: {page.parent_id} -> {parent_id} ({note})\n",
            )
        if page.parent_id == parent_id:
            # Already there: nothing to confirm and nothing to write (no empty new version).
            return written(page)
        # Children are looked up only for the confirmation they trigger: with confirmations
        # off, the answer would change nothing.
        if services.confirmations.enabled and (await client.list_children(page_id, limit=1)).items:
            preview = (
                f'Moving "{page.title}" (id {page.id}) under page {parent_id} also moves all '
                "of its descendant pages."
            )
            # Bound to the new parent: the preview named it, the token confirms only it.
            pending = Pending(
                "move", page.id, page.title, page.version_number or 1, preview, subject=parent_id
            )
            asked = await confirm_action(ctx, services, client, pending, confirm_token)
            if asked is not None:
                return asked
        # A confirmation re-read the page and found it at this same version, so this read's
        # body is still the current one.
        moved = await client.move_page(page_id, parent_id, expected_version=version, current=page)
        return written(moved)

    @confluence_tool(mcp, access="delete", output_schema=output_schema_for(DeleteOutcome))
    async def delete_page(
        ctx: Context,
        page_id: PageId,
        version: Version | None = None,
        dry_run: DryRun = False,
        confirm_token: ConfirmToken | None = None,
        content_type: ContentType = "page",
    ) -> DeleteOutcome | mt.InputRequiredResult:
        """Move a page or blog post to the trash (a space admin can restore it)."""
        client = await services.client()
        try:
            page = await client.get_page(
                page_id, body_format="storage" if dry_run else None, content_type=content_type
            )
        except NotFoundError as exc:
            raise not_found_as_page(
                services,
                exc,
                accepted=("page", "blogpost"),
                hint=TYPE_HINT,
            ) from None
        await services.guard.check_page(page)
        require_current(page, version)
        if dry_run:
            old = page.body.value if page.body is not None else ""
            note_author(page.id, body_author(page))
            diff = await diffs(services, old, "")
            return DeleteOutcome(id=page_id, status="would be trashed", dry_run=True, diff=diff)
        # Children only feed the confirmation's preview, which is not shown with confirmations
        # off or to a second step bringing its token: then they are not looked up.
        children = (
            await client.list_children(page_id, limit=1)
            if content_type == "page" and services.confirmations.enabled and confirm_token is None
            else None
        )
        preview = f'Deleting "{page.title}" (id {page.id}, version {page.version_number})' + (
            " (it has child pages)." if children is not None and children.items else "."
        )
        pending = Pending("delete", page.id, page.title, page.version_number or 1, preview)
        asked = await confirm_action(
            ctx, services, client, pending, confirm_token, content_type=content_type
        )
        if asked is not None:
            return asked
        await client.delete_page(page_id, content_type=content_type)
        return DeleteOutcome(id=page_id, status="trashed")
