"""Helpers shared by the block renderers (storage -> markdown)."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import TypeAlias

from lxml import etree  # type: ignore[import-untyped]

from confluence_client.content._render_inline import Unrepresentable, backtick_fence, collapse
from confluence_client.content._syntax import RAW_LANGUAGE, format_attrs
from confluence_client.content._xml import attr_name, local_tag, new_root

__all__ = [
    "HTML_CONTAINERS",
    "Node",
    "FlowRenderer",
    "attr_line",
    "element_attrs",
    "fix_line_starts",
    "fragment",
    "indent",
    "is_block",
    "nodes_of",
    "raw_fence",
]

Node: TypeAlias = "etree._Element | str"
_ORDERED_RE = re.compile(r"^(\d{1,9})[.)]")
_LINE_START_CHARS = frozenset("#>+=:-")
# XHTML block wrappers written as ``::: html:<tag>`` containers when nothing simpler fits.
HTML_CONTAINERS = frozenset(
    {"div", "section", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "colgroup", "col"}
    | {"caption", "dl", "dt", "dd", "details", "summary", "figure", "figcaption"}
)
_BLOCK_TAGS = HTML_CONTAINERS | frozenset(
    {"p", "ul", "ol", "blockquote", "hr", "pre", "h1", "h2", "h3", "h4", "h5", "h6"}
    | {"ac:structured-macro", "ac:layout", "ac:layout-section", "ac:layout-cell"}
    | {"ac:task-list", "ac:image", "ac:adf-extension", "ac:macro"}
)


class FlowRenderer:
    """What the list and table renderers need from the renderer they are mixed into."""

    flow: Callable[[list[Node]], list[str]]


def raw_fence(storage: str) -> str:
    """A fenced block that reads back as exactly ``storage``."""
    fence = backtick_fence(storage, 3)
    return f"{fence}{RAW_LANGUAGE}\n{storage}\n{fence}"


def nodes_of(container: etree._Element) -> list[Node]:
    """Children and non-blank stray text of ``container``, in order."""
    out: list[Node] = []
    if collapse(container.text).strip():
        out.append(container.text or "")
    for child in container:
        out.append(child)
        if collapse(child.tail).strip():
            out.append(child.tail or "")
    return out


def is_block(node: Node) -> bool:
    return not isinstance(node, str) and local_tag(node) in _BLOCK_TAGS


def fragment(nodes: list[Node]) -> etree._Element:
    nsmap = next((n.nsmap for n in nodes if not isinstance(n, str)), None)
    root = new_root({k: v for k, v in nsmap.items() if k} if nsmap else None)
    for node in nodes:
        if isinstance(node, str):
            if len(root):
                root[-1].tail = (root[-1].tail or "") + node
            else:
                root.text = (root.text or "") + node
        else:
            clone = copy.deepcopy(node)
            clone.tail = None
            root.append(clone)
    return root


def indent(text: str, width: int) -> str:
    pad = " " * width
    return "\n".join(pad + line if line else line for line in text.split("\n"))


def element_attrs(element: etree._Element, skip: tuple[str, ...] = ()) -> dict[str, str]:
    return {
        attr_name(k, element): v
        for k, v in element.attrib.items()
        if attr_name(k, element) not in skip
    }


def attr_line(attrs: dict[str, str]) -> str:
    try:
        text = format_attrs(attrs)
    except ValueError as exc:
        raise Unrepresentable(str(exc)) from None
    return text + "\n" if text else ""


def fix_line_starts(text: str) -> str:
    """Escape characters that would start a block construct at the start of a line."""
    lines = []
    for line in text.split("\n"):
        ordered = _ORDERED_RE.match(line)
        if ordered:
            line = f"{ordered.group(1)}\\{line[len(ordered.group(1)) :]}"
        elif line[:1] in _LINE_START_CHARS:
            line = "\\" + line
        lines.append(line)
    return "\n".join(lines)
