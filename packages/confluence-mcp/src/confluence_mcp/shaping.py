"""Turning SDK objects into tool results: page references, windows of long text, timestamps."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from confluence_mcp.models import PageRef

if TYPE_CHECKING:
    from confluence_client import Page

__all__ = ["TextWindow", "iso", "page_ref", "window"]


def iso(value: datetime | None) -> str | None:
    """An ISO 8601 timestamp, or ``None``."""
    return value.isoformat() if value is not None else None


def page_ref(page: Page) -> PageRef:
    """The compact reference to a page that listing and write tools return."""
    return PageRef(id=page.id, title=page.title, version=page.version_number, url=page.web_url)


class TextWindow:
    """A slice of a long text, cut at a line break when one is near the end of the slice."""

    def __init__(self, text: str, offset: int, max_chars: int) -> None:
        self.total_chars = len(text)
        start = min(max(offset, 0), len(text))
        end = min(start + max_chars, len(text))
        if end < len(text):
            # Prefer ending on a line boundary in the last fifth of the window, so markdown
            # blocks (and placeholders) are not split mid-line; never shrink below 80 %.
            cut = text.rfind("\n", start + (max_chars * 4) // 5, end)
            if cut != -1:
                end = cut + 1
        self.start = start
        self.end = end
        self.text = text[start:end]
        self.next_offset: int | None = end if end < len(text) else None

    def render(self) -> str:
        """The slice, with a marker saying how to get the rest when it was cut."""
        if self.next_offset is None:
            return self.text
        return (
            f"{self.text}\n\n[truncated: characters {self.start}-{self.end} of "
            f"{self.total_chars} shown; call get_page again with offset={self.next_offset} "
            f"to continue]"
        )


def window(text: str, offset: int, max_chars: int) -> TextWindow:
    """Shorthand for :class:`TextWindow`."""
    return TextWindow(text, offset, max_chars)
