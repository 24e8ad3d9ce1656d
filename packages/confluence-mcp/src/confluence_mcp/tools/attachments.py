"""Attachments: ``list_attachments``, ``upload_attachment``, ``download_attachment``.

Both directions are capped by ``CONFLUENCE_MAX_ATTACHMENT_BYTES``. Uploads arrive as base64
and are checked (length before decoding, strict alphabet, decoded size) before Confluence sees
them. Downloads are checked against the attachment's declared size first and streamed with the
cap by the SDK, then returned as what they are: text as text, images as MCP image content and
anything else as an embedded (base64) resource.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
import re
from typing import TYPE_CHECKING, Annotated, Any

import anyio.to_thread
from fastmcp.exceptions import ToolError
from fastmcp.tools import ToolResult
from mcp_types import (
    BlobResourceContents,
    ContentBlock,
    EmbeddedResource,
    ImageContent,
    TextContent,
)
from pydantic import AfterValidator, BeforeValidator, Field

from confluence_client.validation import FILE_NAME_PATTERN
from confluence_mcp.models import ResultModel
from confluence_mcp.params import Cursor, Limit, PageId, capped
from confluence_mcp.registry import confluence_tool
from confluence_mcp.schemas import output_schema_for

if TYPE_CHECKING:
    from fastmcp import FastMCP

    from confluence_client import Attachment
    from confluence_mcp.services import Services

__all__ = [
    "AttachmentId",
    "AttachmentInfo",
    "AttachmentList",
    "FileName",
    "attachment_content",
    "attachment_info",
    "decode_upload",
    "media_type_of",
    "register",
]


def _id_text(value: object) -> object:
    # Clients often send a numeric-looking id as a JSON number; accept it as its digits.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


# Ids come from list_attachments; the rule is enforced but kept out of the schema.
AttachmentId = Annotated[
    str, BeforeValidator(_id_text), capped(23), Field(pattern=r"^(att)?[0-9]+$")
]
_FILE_NAME = re.compile(FILE_NAME_PATTERN)


def _bare_file_name(value: str) -> str:
    # The SDK's rule (it checks again, but only after the page is read); the first character
    # it refuses is named, which a bare "should match pattern" would not.
    if not _FILE_NAME.fullmatch(value):
        at = next(i for i, char in enumerate(value) if not _FILE_NAME.fullmatch(char))
        raise ValueError(
            "must be a bare file name, without path separators, control, zero-width or "
            f"bidirectional-override characters (found U+{ord(value[at]):04X} at position {at})"
        )
    return value


# A bare file name: no path separators, control, zero-width or bidirectional-override characters.
FileName = Annotated[str, capped(255, allow_empty=False), AfterValidator(_bare_file_name)]

_DATA_URL = re.compile(r"^data:([\w.+-]+/[\w.+-]+)?(;[\w=.+-]+)*;base64,", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")
# Media types that are text although they do not start with "text/".
_TEXT_TYPES = frozenset(
    {
        "application/json",
        "application/xml",
        "application/javascript",
        "application/x-yaml",
        "application/yaml",
        "application/x-sh",
        "application/sql",
        "application/csv",
        "image/svg+xml",
    }
)


class AttachmentInfo(ResultModel):
    """Attachment metadata."""

    id: str
    title: str
    media_type: str | None = None
    size: int | None = None
    version: int | None = None


class AttachmentList(ResultModel):
    attachments: list[AttachmentInfo]
    next_cursor: str | None = None


def attachment_info(attachment: Attachment, size: int | None = None) -> AttachmentInfo:
    """The tool-result shape of SDK attachment metadata."""
    return AttachmentInfo(
        id=attachment.id,
        title=attachment.title,
        media_type=attachment.media_type,
        size=size if size is not None else attachment.file_size,
        version=attachment.version.number if attachment.version is not None else None,
    )


def decode_upload(content_base64: str, max_bytes: int) -> tuple[bytes, str | None]:
    """Decode an upload: returns the bytes and the media type of a ``data:`` URL, if any.

    Raises :class:`ToolError` for invalid base64, an empty file or more than ``max_bytes``;
    the size is checked on the encoded length first so an oversized upload is never decoded.
    """
    text = content_base64.strip()
    media_type: str | None = None
    prefix = _DATA_URL.match(text)
    if prefix is not None:
        media_type = prefix.group(1)
        text = text[prefix.end() :]
    elif text[:5].lower() == "data:":
        raise ToolError(
            "content_base64 holds a data: URL that is not base64-encoded: send "
            "'data:<media type>;base64,<base64 bytes>' or the base64 bytes alone."
        )
    text = _WHITESPACE.sub("", text)
    if (len(text) // 4) * 3 - 2 > max_bytes:
        raise _too_large(f"about {(len(text) // 4) * 3}", max_bytes)
    try:
        if len(text) % 4:
            # b64decode tolerates surplus padding; a length that is not a multiple of 4
            # means a truncated or mangled upload, so refuse it rather than guess.
            raise ValueError("length is not a multiple of 4")
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ToolError(
            "content_base64 is not valid base64: use the standard alphabet (A-Z, a-z, 0-9, "
            "+, /) with '=' padding."
        ) from None
    if not data:
        raise ToolError("content_base64 decodes to an empty file; nothing to upload.")
    if len(data) > max_bytes:
        raise _too_large(str(len(data)), max_bytes)
    return data, media_type


def _too_large(size: str, max_bytes: int) -> ToolError:
    return ToolError(
        f"Too large: {size} bytes exceeds this server's attachment limit of {max_bytes} bytes "
        "(CONFLUENCE_MAX_ATTACHMENT_BYTES)."
    )


def media_type_of(attachment: Attachment) -> str:
    """The attachment's media type, guessed from its name when Confluence says nothing useful."""
    declared = (attachment.media_type or "").split(";", 1)[0].strip().lower()
    if declared and declared != "application/octet-stream":
        return declared
    return mimetypes.guess_type(attachment.title)[0] or declared or "application/octet-stream"


def _is_text(media_type: str) -> bool:
    return (
        media_type.startswith("text/")
        or media_type in _TEXT_TYPES
        or media_type.endswith(("+json", "+xml"))
    )


def attachment_content(attachment: Attachment, data: bytes) -> ContentBlock:
    """The MCP content block for downloaded bytes: text, image, or embedded blob."""
    media_type = media_type_of(attachment)
    if _is_text(media_type):
        try:
            return TextContent(type="text", text=data.decode("utf-8-sig"))
        except UnicodeDecodeError:
            pass  # declared as text but not UTF-8: hand it over untouched, as bytes
    encoded = base64.b64encode(data).decode("ascii")
    if media_type.startswith("image/") and not _is_text(media_type):
        return ImageContent(type="image", data=encoded, mime_type=media_type)
    return EmbeddedResource(
        type="resource",
        resource=BlobResourceContents(
            uri=f"confluence://attachment/{attachment.id}",
            mime_type=media_type,
            blob=encoded,
        ),
    )


def register(mcp: FastMCP[Any], services: Services) -> None:
    """Add the attachment tools to ``mcp``."""
    max_bytes = services.settings.confluence_max_attachment_bytes
    areas = frozenset({"attachments"})

    @confluence_tool(mcp, access="read", areas=areas)
    async def list_attachments(
        page_id: PageId, limit: Limit = 25, cursor: Cursor | None = None
    ) -> AttachmentList:
        """List a page's attachments (metadata only)."""
        await services.guard.check_page_id(page_id)
        client = await services.client()
        found, next_cursor = await services.cursors.fetch(
            cursor,
            lambda upstream: client.list_attachments(page_id, limit=limit, cursor=upstream),
            listing="list_attachments",
            binding=f"{page_id}\n{limit}",
        )
        return AttachmentList(
            attachments=[attachment_info(item) for item in found.items], next_cursor=next_cursor
        )

    @confluence_tool(mcp, access="write", areas=areas)
    async def upload_attachment(
        page_id: PageId,
        filename: FileName,
        content_base64: str,
        comment: Annotated[str, capped(255)] | None = None,
    ) -> AttachmentInfo:
        """Attach a file (base64 or data: URL) to a page; a reused filename adds a version."""
        if not filename.strip(" ."):
            raise ToolError("filename must name a file, e.g. report.pdf.")
        # Decoding up to the cap (100 MiB at most) is CPU work: off the event loop.
        data, url_type = await anyio.to_thread.run_sync(decode_upload, content_base64, max_bytes)
        await services.guard.check_page_id(page_id)
        client = await services.client()
        created = await client.upload_attachment(
            page_id, filename, data, media_type=url_type, comment=comment
        )
        return attachment_info(created, size=created.file_size or len(data))

    @confluence_tool(
        mcp, access="read", areas=areas, output_schema=output_schema_for(AttachmentInfo)
    )
    async def download_attachment(attachment_id: AttachmentId) -> ToolResult:
        """Download an attachment: text as text, images as images, else base64."""
        client = await services.client()
        attachment = await client.get_attachment(attachment_id)
        if services.guard.allowed_spaces is not None:
            if attachment.page_id is None:
                await services.guard.check_space_id(None)  # unknown container: not found
            else:
                await services.guard.check_page_id(attachment.page_id)
        if attachment.file_size is not None and attachment.file_size > max_bytes:
            raise _too_large(str(attachment.file_size), max_bytes)
        data = await client.download_attachment(attachment, max_bytes=max_bytes)
        info = attachment_info(attachment, size=len(data))
        summary = TextContent(
            type="text",
            text=f"{info.title} ({media_type_of(attachment)}, {len(data)} bytes, id {info.id})",
        )
        block = await anyio.to_thread.run_sync(attachment_content, attachment, data)
        return ToolResult(
            content=[summary, block],
            structured_content=info.model_dump(),
        )
