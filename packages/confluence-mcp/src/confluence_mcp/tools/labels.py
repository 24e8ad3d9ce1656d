"""Page labels: ``list_labels``, ``add_labels``, ``remove_label``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastmcp.exceptions import ToolError
from pydantic import Field

from confluence_client.validation import LABEL_NAME_PATTERN
from confluence_mcp.caller import caller_may_read
from confluence_mcp.models import ResultModel
from confluence_mcp.params import PageId, capped
from confluence_mcp.registry import confluence_tool

if TYPE_CHECKING:
    from fastmcp import FastMCP

    from confluence_client import ConfluenceClient
    from confluence_mcp.services import Services

__all__ = ["LabelList", "LabelName", "register"]

# Confluence's label rule, by the SDK's pattern (which it checks again): no whitespace, control
# characters or any of !#&()*,.:;<>?@[]^. Enforced, but kept out of the schema (after a
# validator): tools/list bytes are a budget.
LabelName = Annotated[str, capped(255), Field(pattern=LABEL_NAME_PATTERN)]

# Labels per page are few in practice; stop reading beyond this many.
_MAX_LABELS = 500


class LabelList(ResultModel):
    """A page's labels (lower-cased, as Confluence stores them); for a caller who may not
    read the page, only the labels the call named."""

    page_id: str
    labels: list[str]


def register(mcp: FastMCP[Any], services: Services) -> None:
    """Add the label tools to ``mcp``."""

    @confluence_tool(mcp, access="read")
    async def list_labels(page_id: PageId) -> LabelList:
        """List a page's labels."""
        await services.guard.check_page_id(page_id)
        client = await services.client()
        return LabelList(page_id=page_id, labels=await _labels(client, page_id))

    @confluence_tool(mcp, access="write", idempotent=True)
    async def add_labels(
        page_id: PageId,
        labels: Annotated[list[LabelName], Field(min_length=1, max_length=20)],
    ) -> LabelList:
        """Add labels to a page (existing ones are kept); returns all its labels."""
        await services.guard.check_page_id(page_id)
        client = await services.client()
        after = await client.add_labels(page_id, labels)
        names = [label.name for label in after]
        if not caller_may_read():  # only what this call added, not what the page had
            wanted = {label.strip().lower() for label in labels}
            names = [name for name in names if name in wanted]
        return LabelList(page_id=page_id, labels=names)

    @confluence_tool(mcp, access="delete", idempotent=True)
    async def remove_label(page_id: PageId, label: LabelName) -> LabelList:
        """Remove one label from a page; returns the labels left."""
        await services.guard.check_page_id(page_id)
        client = await services.client()
        # Reading first turns "label not on this page" into a clear answer instead of the
        # generic not-found Confluence gives for both a missing page and a missing label.
        current = await _labels(client, page_id)
        name = label.strip().lower()
        # The page's labels are content: listed only to a caller who may read the page.
        may_read = caller_may_read()
        if name not in current:
            listing = f"; its labels are: {', '.join(current) or '(none)'}" if may_read else ""
            raise ToolError(f"Label {name!r} is not on page {page_id}{listing}.")
        await client.remove_label(page_id, name)
        left = [other for other in current if other != name] if may_read else []
        return LabelList(page_id=page_id, labels=left)


async def _labels(client: ConfluenceClient, page_id: str) -> list[str]:
    names: list[str] = []
    cursor: str | None = None
    while True:
        found = await client.list_labels(page_id, limit=100, cursor=cursor)
        names.extend(label.name for label in found.items)
        cursor = found.next_cursor
        if cursor is None or len(names) >= _MAX_LABELS:
            return names
