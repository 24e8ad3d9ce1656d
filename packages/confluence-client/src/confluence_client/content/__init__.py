"""Lossless conversion between Confluence storage format and markdown, and section edits.

- :func:`storage_to_markdown` / :func:`markdown_to_storage`: the round trip used for every
  read and write of a page body. Anything markdown cannot express (macros, page links,
  mentions, images, layouts, task ids, lozenges, emoticons, parameters) survives the trip.
- :func:`view_to_markdown`: Confluence's rendered ``view`` HTML as markdown, read-only.
- :func:`list_sections`, :func:`get_section`, :func:`replace_section`: edit the content under
  one heading without touching the rest of the document.
- :func:`canonicalize_storage`, :func:`storage_equivalent`: compare storage documents.
- :func:`replace_text`: replace one exact piece of text, every other byte kept.
- :func:`prune_storage`: drop the elements (and comments) a caller's predicate selects.

Section edits, text edits and view conversion load on first use (module ``__getattr__``):
a reader that only converts pages does not pay for ``lxml.html`` and ``expat``.
"""

import importlib
import typing

from confluence_client.content._canonical import canonicalize_storage, storage_equivalent
from confluence_client.content._convert import markdown_to_storage, storage_to_markdown
from confluence_client.content._errors import (
    AmbiguousSectionError,
    ContentError,
    SectionError,
    SectionNotFoundError,
    StorageParseError,
)
from confluence_client.content._prune import StorageElement, prune_storage

if typing.TYPE_CHECKING:
    from confluence_client.content._replace_text import (
        AmbiguousTextError,
        TextNotFoundError,
        replace_text,
    )
    from confluence_client.content._sections import (
        Section,
        get_section,
        list_sections,
        replace_section,
    )
    from confluence_client.content._view import view_to_markdown

__all__ = [
    # conversions
    "storage_to_markdown",
    "markdown_to_storage",
    "view_to_markdown",
    # section edits
    "Section",
    "list_sections",
    "get_section",
    "replace_section",
    # exact text edits
    "replace_text",
    "TextNotFoundError",
    "AmbiguousTextError",
    # pruning (the caller's policy decides what goes)
    "StorageElement",
    "prune_storage",
    # comparison
    "canonicalize_storage",
    "storage_equivalent",
    # errors
    "ContentError",
    "StorageParseError",
    "SectionError",
    "SectionNotFoundError",
    "AmbiguousSectionError",
]

_LAZY = {
    "AmbiguousTextError": "_replace_text",
    "TextNotFoundError": "_replace_text",
    "replace_text": "_replace_text",
    "Section": "_sections",
    "get_section": "_sections",
    "list_sections": "_sections",
    "replace_section": "_sections",
    "view_to_markdown": "_view",
}


def __getattr__(name: str) -> typing.Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    # The public surface (loaded or not) and the private names; not the helpers imported here.
    return sorted({*__all__, *(name for name in globals() if name.startswith("_"))})
