"""Tables, storage -> markdown (GFM tables with attribute hints; others stay verbatim)."""

from __future__ import annotations

import re

from lxml import etree  # type: ignore[import-untyped]

from confluence_client.content._render_common import (
    FlowRenderer,
    attr_line,
    element_attrs,
    is_block,
    nodes_of,
)
from confluence_client.content._render_inline import InlineRenderer, Unrepresentable
from confluence_client.content._xml import local_tag

__all__ = ["TableRendering", "colgroup_hint"]

_WIDTH_RE = re.compile(r"width: ([^;]*);")


class TableRendering(FlowRenderer):
    """Renders ``<table>`` as a GFM table when nothing would be lost."""

    def _table(self, element: etree._Element, inline: InlineRenderer) -> str:
        attrs = element_attrs(element)
        nodes = nodes_of(element)
        if nodes and not isinstance(nodes[0], str) and local_tag(nodes[0]) == "colgroup":
            attrs["md-colgroup"] = colgroup_hint(nodes.pop(0))
        if len(nodes) == 1 and not isinstance(nodes[0], str) and local_tag(nodes[0]) == "tbody":
            if nodes[0].attrib:
                raise Unrepresentable("tbody attributes")
            rows = nodes_of(nodes[0])
        else:
            attrs["md-tbody"] = "none"
            rows = nodes
        if not rows or any(isinstance(r, str) or local_tag(r) != "tr" or r.attrib for r in rows):
            raise Unrepresentable("table rows")
        grid: list[list[etree._Element]] = []
        for row in rows:
            assert not isinstance(row, str)
            cells = nodes_of(row)
            if any(
                isinstance(c, str) or local_tag(c) not in ("th", "td") or c.attrib for c in cells
            ):
                raise Unrepresentable("table cells")
            grid.append([c for c in cells if not isinstance(c, str)])
        width = len(grid[0])
        if width == 0 or any(len(row) != width for row in grid):
            raise Unrepresentable("ragged table")
        attrs.update(_header_hints(grid, width))
        texts, bare = self._cells(grid, inline.one_line())
        if bare:
            attrs["md-bare"] = "true"
        lines = ["| " + " | ".join(row) + " |" for row in texts]
        lines.insert(1, "|" + "---|" * width)
        return attr_line(attrs) + "\n".join(lines)

    @staticmethod
    def _cells(
        grid: list[list[etree._Element]], inline: InlineRenderer
    ) -> tuple[list[list[str]], bool]:
        modes: set[bool] = set()
        texts: list[list[str]] = []
        for row in grid:
            out = []
            for cell in row:
                nodes = nodes_of(cell)
                if len(nodes) == 1 and not isinstance(nodes[0], str) and local_tag(nodes[0]) == "p":
                    if nodes[0].attrib:
                        raise Unrepresentable("paragraph attributes in a cell")
                    modes.add(False)
                    text = inline.content(nodes[0])
                elif any(is_block(n) for n in nodes):
                    raise Unrepresentable("block content in a cell")
                else:
                    if nodes:
                        modes.add(True)
                    text = inline.content(cell) if nodes else ""
                    if not nodes:
                        modes.add(True)
                if "\n" in text:
                    raise Unrepresentable("line break in a cell")
                out.append(text.strip(" "))
            texts.append(out)
        if len(modes) > 1:
            raise Unrepresentable("cells mixing bare and paragraph content")
        return texts, modes == {True}

    # -- macros and containers ----------------------------------------------------------------


def _header_hints(grid: list[list[etree._Element]], width: int) -> dict[str, str]:
    """Hints saying which cells are ``th``: the first row and/or whole columns."""
    columns: list[set[str]] = [{local_tag(row[i]) for row in grid[1:]} for i in range(width)]
    if any(len(tags) > 1 for tags in columns):
        raise Unrepresentable("header cells that follow neither the first row nor a column")
    th_columns = [i for i, tags in enumerate(columns) if tags == {"th"}]
    hints = {"md-th-columns": ",".join(map(str, th_columns))} if th_columns else {}
    first = [local_tag(cell) for cell in grid[0]]
    if all(tag == "th" for tag in first):
        return hints
    if first == ["th" if i in th_columns else "td" for i in range(width)]:
        return {"md-header": "td"} | hints
    raise Unrepresentable("first row mixing header and data cells")


def colgroup_hint(colgroup: etree._Element) -> str:
    """``"190.0px,,80px"``: the widths of a colgroup whose columns carry nothing else."""
    widths = []
    for col in nodes_of(colgroup):
        if isinstance(col, str) or local_tag(col) != "col" or len(col):
            raise Unrepresentable("colgroup content")
        attrs = element_attrs(col)
        if not attrs:
            widths.append("")
            continue
        match = _WIDTH_RE.fullmatch(attrs.get("style", ""))
        if list(attrs) != ["style"] or match is None or "," in match.group(1):
            raise Unrepresentable("column attributes")
        widths.append(match.group(1))
    if colgroup.attrib or not widths:
        raise Unrepresentable("colgroup attributes")
    return ",".join(widths)
