"""The two whole-document conversions: storage -> markdown and markdown -> storage."""

from __future__ import annotations

from confluence_client.content._errors import StorageParseError
from confluence_client.content._md_blocks import markdown_to_tree
from confluence_client.content._render_blocks import raw_fence, render_document
from confluence_client.content._xml import RawSlots, parse_storage, serialize_children

__all__ = ["markdown_to_storage", "storage_to_markdown"]


def storage_to_markdown(storage: str) -> str:
    """Convert a Confluence storage-format body to markdown an LLM can read and edit.

    Everything markdown cannot express is kept in forms that convert back exactly (inline
    ``{.confluence}`` spans, ``{md-...}`` attributes, ``page:`` links; the package docstring
    of `confluence_client.content` lists what survives); a block with no faithful markdown
    form is kept verbatim in a ```` ```confluence ```` fence. Never raises: a document that
    is not well-formed becomes one verbatim fence.
    """
    try:
        return render_document(parse_storage(storage))
    except StorageParseError:
        return raw_fence(storage) + "\n"
    except RecursionError:  # pathological inline nesting: keep the page exactly as it is
        return raw_fence(storage) + "\n"


def markdown_to_storage(markdown: str) -> str:
    """Convert markdown (ours or hand-written) to Confluence storage format.

    Restores everything :func:`storage_to_markdown` produced to equivalent storage, and
    turns ordinary markdown into idiomatic storage (code fences become code macros, task
    lists become ``ac:task-list``, ...). Never raises.
    """
    raw = RawSlots()
    root = markdown_to_tree(markdown, raw)
    return serialize_children(root, raw)
