"""``edit_page``: replace one exact piece of text — the cheapest safe edit for a model.

Only the matched text changes: macros, links, mentions and every other byte of the storage
body stay as they were (:func:`confluence_client.content.replace_text`). The caller passes
the version it read; ``dry_run`` shows the diff without writing.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any

from fastmcp.exceptions import ToolError
from pydantic import Field

from confluence_client.validation import check_body
from confluence_mcp.params import PageId, Version, capped, sdk_rule
from confluence_mcp.registry import confluence_tool
from confluence_mcp.schemas import output_schema_for
from confluence_mcp.tools.page_writes import DryRun, Message, rewrite_body
from confluence_mcp.tools.write_guard import WriteResult

if TYPE_CHECKING:
    from fastmcp import FastMCP

    from confluence_mcp.services import Services

__all__ = ["register"]

OldText = Annotated[str, capped(100_000, allow_empty=False)]
NewText = Annotated[str, capped(1_000_000), sdk_rule(check_body, "new_text")]
# Markdown escapes a model may copy from get_page output (``delete\_page``).
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~<>])")


def register(mcp: FastMCP[Any], services: Services) -> None:
    """Add ``edit_page`` to ``mcp``."""

    @confluence_tool(mcp, access="write", output_schema=output_schema_for(WriteResult))
    async def edit_page(
        page_id: PageId,
        old_text: OldText,
        new_text: NewText,
        version: Version,
        occurrence: Annotated[int, Field(ge=1)] | None = None,
        dry_run: DryRun = False,
        message: Message | None = None,
    ) -> WriteResult:
        """Replace old_text with new_text on a page (exact match, once; or pick occurrence).
        Everything else on the page is kept byte for byte."""

        async def rewrite(storage: str) -> str:
            return _replace(storage, old_text, new_text, occurrence)

        return await rewrite_body(
            services,
            page_id,
            version,
            rewrite,
            message=message,
            dry_run=dry_run,
            skip_unchanged=True,
        )


def _replace(storage: str, old: str, new: str, occurrence: int | None) -> str:
    from confluence_client.content import TextNotFoundError, replace_text

    try:
        try:
            return replace_text(storage, old, new, occurrence=occurrence)
        except TextNotFoundError:
            plain = _MD_ESCAPE.sub(r"\1", old)
            if plain == old:
                raise
            return replace_text(storage, plain, _MD_ESCAPE.sub(r"\1", new), occurrence=occurrence)
    except ValueError as exc:
        if type(exc) is not ValueError:
            raise  # the SDK's content errors are mapped centrally
        # replace_text's own refusals: an occurrence past the last match, or new text that
        # cannot go into a code block (old_text is never empty here: the schema says so).
        argument = "occurrence" if str(exc).startswith("occurrence") else "new_text"
        raise ToolError(f"Invalid argument {argument!r}: {exc}") from None
