"""The one module that knows how page bodies are converted (replaceable in one place).

Tools speak markdown by default and pass Confluence storage format through verbatim on
request; the actual conversion is :mod:`confluence_client.content`, imported on first use so
start-up stays lean (it pulls in lxml and markdown-it).
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Literal

__all__ = ["BodyInputFormat", "ContentConverter", "ReadFormat"]

ReadFormat = Literal["markdown", "storage", "view"]
BodyInputFormat = Literal["markdown", "storage"]


class ContentConverter:
    """Storage ⇄ markdown for tool inputs and outputs."""

    def to_markdown(self, storage: str) -> str:
        """Storage XHTML → markdown that keeps macros etc. as restorable placeholders."""
        return str(_conversion().storage_to_markdown(storage))

    def view_to_markdown(self, view_html: str) -> str:
        """Rendered ``view`` HTML → plain markdown (read-only consumption)."""
        return str(_conversion().view_to_markdown(view_html))

    def to_storage(self, body: str, body_format: BodyInputFormat) -> str:
        """A tool's body input → storage XHTML (storage passes through untouched)."""
        if body_format == "storage":
            return body
        return str(_conversion().markdown_to_storage(body))

    def replace_section(self, storage: str, heading: str, new_section_storage: str) -> str:
        """Replace the content under ``heading`` and leave the rest of the document as is."""
        return str(_conversion().replace_section(storage, heading, new_section_storage))


def _conversion() -> ModuleType:
    # Imported on first use: the conversion pulls in lxml and markdown-it.
    return importlib.import_module("confluence_client.content")
