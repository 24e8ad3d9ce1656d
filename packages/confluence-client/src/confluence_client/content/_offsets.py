"""Byte ranges of a section in the original storage text, so edits can splice it.

lxml does not report where an element sits in the source, but the stdlib's expat parser
does (``CurrentByteIndex``). We walk the same document with expat, find the heading by its
position among all headings (document order is the same for both parsers) and return where
its section's content starts and ends in the original text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.parsers import expat

from confluence_client.content._xml import ROOT_TAG, doctype

__all__ = ["section_span"]

_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_LAYOUT = "ac:layout"


@dataclass
class _Walk:
    data: bytes
    heading_index: int
    seen: int = 0
    depth: int = 0
    level: int = 0
    heading_depth: int | None = None
    start: int | None = None
    stop: int | None = None
    stack: list[str] = field(default_factory=list)

    def on_start(self, name: str, parser: expat.XMLParserType) -> None:
        self.depth += 1
        if self.stop is not None:
            return
        position = parser.CurrentByteIndex
        sibling = self.start is not None and self.depth == self.heading_depth
        if sibling and ((_HEADINGS.get(name, 99) <= self.level) or name == _LAYOUT):
            self.stop = position
        if name in _HEADINGS and self.start is None:
            if self.seen == self.heading_index:
                self.heading_depth, self.level = self.depth, _HEADINGS[name]
            self.seen += 1

    def on_end(self, name: str, parser: expat.XMLParserType) -> None:
        position = parser.CurrentByteIndex
        inside = self.heading_depth is not None and self.depth == self.heading_depth - 1
        if self.stop is None and self.start is not None and inside:
            self.stop = position  # the container ends the section
        if self.start is None and self.heading_depth == self.depth and name in _HEADINGS:
            # CurrentByteIndex points at "</h2>" (or at "<h2/>" for an empty heading).
            self.start = self.data.index(b">", position) + 1
        self.depth -= 1


def section_span(storage: str, heading_index: int) -> tuple[int, int] | None:
    """``(start, stop)`` character offsets of the content under the ``heading_index``-th
    heading of ``storage``; ``None`` when expat cannot tell (the caller falls back)."""
    prefix = f"{doctype()}<{ROOT_TAG}>".encode()
    data = prefix + storage.encode("utf-8") + f"</{ROOT_TAG}>".encode()
    walk = _Walk(data, heading_index)
    parser = expat.ParserCreate()
    parser.StartElementHandler = lambda name, _attrs: walk.on_start(name, parser)
    parser.EndElementHandler = lambda name: walk.on_end(name, parser)
    try:
        parser.Parse(data, True)
    except expat.ExpatError:
        return None
    if walk.start is None or walk.stop is None or walk.stop < walk.start:
        return None
    body = storage.encode("utf-8")
    start, stop = walk.start - len(prefix), walk.stop - len(prefix)
    if not 0 <= start <= stop <= len(body):
        return None
    return len(body[:start].decode("utf-8")), len(body[:stop].decode("utf-8"))
