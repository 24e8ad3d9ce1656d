"""Exact text replacement inside a storage document, touching nothing else.

:func:`replace_text` finds ``old`` in the document's *text* (element text after entity
decoding, and CDATA such as code-macro bodies), never in tags, attributes or comments, and
splices the replacement into the original string: every byte outside the match — macros,
links, mentions, entities — stays as it was.
"""

from __future__ import annotations

import html
import re

from confluence_client.content._errors import ContentError

__all__ = ["AmbiguousTextError", "TextNotFoundError", "replace_text"]

_MARKUP = re.compile(r"<!\[CDATA\[|<!--.*?-->|<[^>]*>", re.DOTALL)
_CDATA_END = "]]>"
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});")


class TextNotFoundError(ContentError):
    """The text to replace does not occur in the document's text."""


class AmbiguousTextError(ContentError):
    """The text occurs several times and no occurrence was chosen."""

    def __init__(self, message: str, *, count: int) -> None:
        super().__init__(message)
        self.count = count


class _Region:
    """A run of text: its decoded form and, per decoded character, the raw span."""

    def __init__(self, storage: str, start: int, end: int, *, cdata: bool) -> None:
        self.cdata = cdata
        chars: list[str] = []
        spans: list[tuple[int, int]] = []
        pos = start
        while pos < end:
            match = None if cdata else _ENTITY.match(storage, pos, end)
            if match is not None:
                decoded = html.unescape(match.group(0))
                # A named entity Python does not know stays as written.
                for char in decoded if decoded != match.group(0) else match.group(0):
                    chars.append(char)
                    spans.append((match.start(), match.end()))
                pos = match.end()
            else:
                chars.append(storage[pos])
                spans.append((pos, pos + 1))
                pos += 1
        self.text = "".join(chars)
        self.spans = spans


def _regions(storage: str) -> list[_Region]:
    regions: list[_Region] = []
    pos = 0
    while pos < len(storage):
        match = _MARKUP.search(storage, pos)
        end = match.start() if match else len(storage)
        if end > pos:
            regions.append(_Region(storage, pos, end, cdata=False))
        if match is None:
            break
        if match.group(0) == "<![CDATA[":
            close = storage.find(_CDATA_END, match.end())
            close = len(storage) if close == -1 else close
            regions.append(_Region(storage, match.end(), close, cdata=True))
            pos = close + len(_CDATA_END)
        else:
            pos = match.end()
    return regions


def replace_text(storage: str, old: str, new: str, *, occurrence: int | None = None) -> str:
    """``storage`` with one occurrence of the text ``old`` replaced by the text ``new``.

    ``old`` must occur exactly once, or ``occurrence`` (1-based, in document order) picks
    one. Both are plain text (``new`` is escaped for XML). Raises
    :class:`TextNotFoundError`, :class:`AmbiguousTextError`, or ``ValueError`` for an
    empty ``old`` or an ``occurrence`` past the last match.
    """
    if not old:
        raise ValueError("the text to replace must not be empty")
    matches: list[tuple[_Region, int]] = []
    for region in _regions(storage):
        found = region.text.find(old)
        while found != -1:
            matches.append((region, found))
            found = region.text.find(old, found + len(old))
    if not matches:
        raise TextNotFoundError("the text was not found in the page's text")
    if occurrence is None and len(matches) > 1:
        raise AmbiguousTextError(
            f"the text occurs {len(matches)} times; choose one with occurrence (1 to "
            f"{len(matches)}) or quote more of the surrounding text",
            count=len(matches),
        )
    index = (occurrence or 1) - 1
    if not 0 <= index < len(matches):
        raise ValueError(f"occurrence must be between 1 and {len(matches)}")
    region, at = matches[index]
    start = region.spans[at][0]
    end = region.spans[at + len(old) - 1][1]
    if region.cdata:
        if _CDATA_END in new:
            raise ValueError("the new text cannot contain ']]>' inside a code block")
        replacement = new
    else:
        replacement = html.escape(new, quote=False)
    return storage[:start] + replacement + storage[end:]
