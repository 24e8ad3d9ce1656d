"""More attachment tools: ``upload_attachments`` (several files, one request),
``delete_attachment`` (trash or purge) and ``get_page_images`` (a page's images as MCP image
content, so a multimodal client sees them).

Uploads are capped per file like ``upload_attachment``; images are capped per image and in
total so one call cannot flood the model's context.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Annotated, Any

import anyio.to_thread
from fastmcp.exceptions import ToolError
from fastmcp.tools import ToolResult
from mcp_types import ContentBlock, ImageContent, TextContent
from pydantic import BaseModel, Field

from confluence_mcp.models import DeleteResult
from confluence_mcp.params import PageId, capped
from confluence_mcp.registry import confluence_tool
from confluence_mcp.tools.attachments import (
    AttachmentId,
    AttachmentList,
    FileName,
    attachment_info,
    decode_upload,
    media_type_of,
)
from confluence_mcp.tools.lean import lean_result

if TYPE_CHECKING:
    from fastmcp import FastMCP

    from confluence_client import Attachment
    from confluence_mcp.services import Services

__all__ = ["IMAGE_MAX_BYTES", "IMAGES_TOTAL_BYTES", "NewFile", "register"]

IMAGE_MAX_BYTES = 2 * 1024 * 1024
"""Largest image ``get_page_images`` returns (bigger ones are listed as skipped)."""
IMAGES_TOTAL_BYTES = 8 * 1024 * 1024
"""Most image bytes one ``get_page_images`` call returns."""


# One file of upload_attachments (no docstring: it would land in the schema as a description).
class NewFile(BaseModel):
    filename: FileName
    content_base64: str


async def _check_attachment_page(services: Services, attachment: Attachment) -> None:
    if services.guard.allowed_spaces is None:
        return
    if attachment.page_id is None:
        await services.guard.check_space_id(None)  # unknown container: not found
    else:
        await services.guard.check_page_id(attachment.page_id)


def register(mcp: FastMCP[Any], services: Services) -> None:
    """Add the extra attachment tools to ``mcp``."""
    max_bytes = services.settings.confluence_max_attachment_bytes
    areas = frozenset({"attachments"})

    @confluence_tool(mcp, access="write", areas=areas, output_schema=None)
    async def upload_attachments(
        page_id: PageId,
        files: Annotated[list[NewFile], Field(min_length=1, max_length=20)],
        comment: Annotated[str, capped(255)] | None = None,
    ) -> ToolResult:
        """Attach several files (base64) to a page in one upload."""
        decoded: list[tuple[str, bytes, str]] = []
        for item in files:
            if not item.filename.strip(" ."):
                raise ToolError("Each filename must name a file, e.g. report.pdf.")
            data, url_type = await anyio.to_thread.run_sync(
                decode_upload, item.content_base64, max_bytes
            )
            decoded.append((item.filename, data, url_type or ""))
        await services.guard.check_page_id(page_id)
        client = await services.client()
        made = await client.upload_attachments(page_id, decoded, comment=comment)
        return lean_result(AttachmentList(attachments=[attachment_info(a) for a in made]))

    @confluence_tool(mcp, access="delete", areas=areas)
    async def delete_attachment(
        attachment_id: AttachmentId, purge: bool = False, restore: bool = False
    ) -> DeleteResult:
        """Trash an attachment; purge=true deletes it for good, restore=true takes it back."""
        from confluence_client import NotFoundError, NotSupportedError

        if purge and restore:
            raise ToolError("Give purge=true or restore=true, not both.")
        client = await services.client()
        if services.guard.allowed_spaces is None and not restore:
            # No space to check and no trash state to tell apart: the delete itself answers
            # not-found for a missing (or, without purge, already trashed) attachment.
            await client.delete_attachment(attachment_id, purge=purge)
            return DeleteResult(id=attachment_id, status="purged" if purge else "trashed")
        attachment: Attachment | None = None
        try:
            attachment = await client.get_attachment(attachment_id)
        except NotFoundError:
            if not (purge or restore):
                raise  # already trashed (or absent): only purging or restoring is left
        if restore:
            if attachment is not None:
                await _check_attachment_page(services, attachment)  # no hint from elsewhere
                raise ToolError(f"Attachment {attachment_id} is not in the trash.")
            await _check_attachment_page(
                services, await client.get_trashed_attachment(attachment_id)
            )
            await client.restore_attachment(attachment_id)
            return DeleteResult(id=attachment_id, status="restored")
        if attachment is not None:
            await _check_attachment_page(services, attachment)
        elif services.guard.allowed_spaces is not None:
            # Purging a trashed one: its page comes from the v1 trash lookup (none through the
            # OAuth gateway: then refuse, as for anything whose space is unknown).
            try:
                trashed = await client.get_trashed_attachment(attachment_id)
            except NotSupportedError:
                await services.guard.check_space_id(None)
            else:
                await _check_attachment_page(services, trashed)
        await client.delete_attachment(attachment_id, purge=purge)
        return DeleteResult(id=attachment_id, status="purged" if purge else "trashed")

    # No output schema: the images are the content (a text line names them).
    @confluence_tool(mcp, access="read", areas=areas, output_schema=None)
    async def get_page_images(
        page_id: PageId, max_images: Annotated[int, Field(ge=1, le=20)] = 5
    ) -> ToolResult:
        """A page's image attachments as images (size-capped)."""
        await services.guard.check_page_id(page_id)
        client = await services.client()
        per_image = min(IMAGE_MAX_BYTES, max_bytes)
        budget = min(IMAGES_TOTAL_BYTES, max_bytes * max_images)
        shown: list[Attachment] = []
        blocks: list[ContentBlock] = []
        skipped: list[str] = []
        async for attachment in client.iter_attachments(page_id):
            kind = media_type_of(attachment)
            if not kind.startswith("image/") or kind == "image/svg+xml":
                continue
            size = attachment.file_size
            if len(shown) >= max_images or (size is not None and size > min(per_image, budget)):
                skipped.append(attachment.title)
                continue
            data = await client.download_attachment(attachment, max_bytes=min(per_image, budget))
            budget -= len(data)
            shown.append(attachment)
            encoded = await anyio.to_thread.run_sync(_b64, data)
            blocks.append(ImageContent(type="image", data=encoded, mime_type=kind))
        summary = f"{len(shown)} image(s) of page {page_id}: " + (
            ", ".join(a.title for a in shown) or "none"
        )
        if skipped:
            summary += f". Not shown (count or size cap): {', '.join(skipped)}"
        return ToolResult(content=[TextContent(type="text", text=summary), *blocks])


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
