"""Where a text selection occurs in a storage-format body (inline comments anchor to one).

Confluence counts a selection's occurrences in the page's text and anchors an inline comment
to the n-th (``textSelectionMatchIndex`` out of ``textSelectionMatchCount``). The text is what
sits between tags, XML-escaped as stored; CDATA (code macro bodies) is not page text. A
selection that crosses a tag boundary (``a <strong>b</strong>``) is not found.
"""

from __future__ import annotations

import re
from html import escape

__all__ = ["selection_spans"]

_MARKUP = re.compile(r"<!\[CDATA\[.*?\]\]>|<!--.*?-->|<[^>]*>", re.DOTALL)


def selection_spans(storage: str, selection: str) -> list[tuple[int, int]]:
    """``(start, end)`` offsets in ``storage`` of each occurrence of ``selection`` in its text."""
    needle = escape(selection, quote=False)
    if not needle:
        return []
    spans: list[tuple[int, int]] = []
    position = 0
    for markup in [*_MARKUP.finditer(storage), None]:
        end = markup.start() if markup is not None else len(storage)
        start = storage.find(needle, position, end)
        while start != -1:
            spans.append((start, start + len(needle)))
            start = storage.find(needle, start + len(needle), end)
        if markup is not None:
            position = markup.end()
    return spans
