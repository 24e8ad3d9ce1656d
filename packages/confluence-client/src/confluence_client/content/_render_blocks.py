"""Storage block structure to markdown, with every block checked by reading it back.

Each block is rendered in the friendliest form that converts back to equivalent storage
(canonical comparison); when none does, the block is kept verbatim in a ```` ```confluence ````
fence. That check is what makes the markdown safe to edit and write back.
"""

from __future__ import annotations

import copy
import re
from typing import TypeAlias

from lxml import etree  # type: ignore[import-untyped]

from confluence_client.content._canonical import canonical_xml
from confluence_client.content._md_blocks import markdown_to_tree
from confluence_client.content._render_inline import (
    InlineMode,
    InlineRenderer,
    Unrepresentable,
    backtick_fence,
    collapse,
)
from confluence_client.content._syntax import DEFAULT_PARAMETER, RAW_LANGUAGE, format_attrs
from confluence_client.content._xml import (
    AC,
    RawSlots,
    attr_name,
    local_tag,
    new_root,
    serialize_children,
)

__all__ = ["render_document", "raw_fence"]

Node: TypeAlias = "etree._Element | str"
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_LANGUAGE_RE = re.compile(r"[A-Za-z0-9_+#.-]+")
_CONTAINER_LINE_RE = re.compile(r"^\s*(:{3,})", re.MULTILINE)
_ORDERED_RE = re.compile(r"^(\d{1,9})[.)]")
_LINE_START_CHARS = frozenset("#>+=:-")
_WIDTH_RE = re.compile(r"width: ([^;]*);")
_BLOCK_TAGS = frozenset(
    {"p", "ul", "ol", "table", "blockquote", "hr", "pre", "div", "h1", "h2", "h3", "h4", "h5"}
    | {"h6", "ac:structured-macro", "ac:layout", "ac:layout-section", "ac:layout-cell"}
    | {"ac:task-list", "ac:image", "ac:adf-extension", "ac:macro", "section", "dl"}
)
_MODES = (InlineMode.RICH, InlineMode.SPANS, InlineMode.RAW)


def render_document(root: etree._Element) -> str:
    """Markdown for a parsed storage document (wrapper root)."""
    return "\n\n".join(_Renderer().flow(_nodes(root))) + "\n"


def raw_fence(storage: str) -> str:
    """A fenced block that reads back as exactly ``storage``."""
    fence = backtick_fence(storage, 3)
    return f"{fence}{RAW_LANGUAGE}\n{storage}\n{fence}"


def _nodes(container: etree._Element) -> list[Node]:
    """Children and non-blank stray text of ``container``, in order."""
    out: list[Node] = []
    if collapse(container.text).strip():
        out.append(container.text or "")
    for child in container:
        out.append(child)
        if collapse(child.tail).strip():
            out.append(child.tail or "")
    return out


def _is_block(node: Node) -> bool:
    return not isinstance(node, str) and local_tag(node) in _BLOCK_TAGS


def _fragment(nodes: list[Node]) -> etree._Element:
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


def _indent(text: str, width: int) -> str:
    pad = " " * width
    return "\n".join(pad + line if line else line for line in text.split("\n"))


def _attrs(element: etree._Element, skip: tuple[str, ...] = ()) -> dict[str, str]:
    return {
        attr_name(k, element): v
        for k, v in element.attrib.items()
        if attr_name(k, element) not in skip
    }


def _attr_line(attrs: dict[str, str]) -> str:
    try:
        text = format_attrs(attrs)
    except ValueError as exc:
        raise Unrepresentable(str(exc)) from None
    return text + "\n" if text else ""


def _fix_line_starts(text: str) -> str:
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


class _Renderer:
    def __init__(self) -> None:
        self._bullet = 0

    # -- flow: a sequence of blocks, each verified -------------------------------------------
    def flow(self, nodes: list[Node]) -> list[str]:
        blocks: list[str] = []
        run: list[Node] = []
        previous_list: str | None = None
        for node in nodes:
            if not _is_block(node):
                run.append(node)
                continue
            if run:
                blocks.append(self._verbatim(run))
                run = []
                previous_list = None
            assert not isinstance(node, str)
            tag = local_tag(node)
            kind = "bullet" if tag in ("ul", "ac:task-list") else "ordered" if tag == "ol" else None
            alternate = kind is not None and kind == previous_list
            blocks.append(self._verified(node, alternate))
            previous_list = None if blocks[-1].startswith("`") else kind
        if run:
            blocks.append(self._verbatim(run))
        return blocks

    def _verbatim(self, nodes: list[Node]) -> str:
        return raw_fence(serialize_children(_fragment(nodes)))

    def _verified(self, element: etree._Element, alternate: bool) -> str:
        expected = canonical_xml(_fragment([element]))
        for mode in _MODES:
            try:
                markdown = self._block(element, InlineRenderer(mode), alternate)
                if canonical_xml(markdown_to_tree(markdown, RawSlots())) == expected:
                    return markdown
            except Unrepresentable:
                continue
            except Exception:  # noqa: S112 - any surprise in a friendly form: try the next one
                continue
        return self._verbatim([element])

    def _block(self, element: etree._Element, inline: InlineRenderer, alternate: bool) -> str:
        tag = local_tag(element)
        if tag == "p":
            return self._paragraph(element, inline)
        if tag in _HEADINGS:
            text = inline.content(element).strip(" ")
            if "\n" in text:
                raise Unrepresentable("line break in a heading")
            marks = "#" * _HEADINGS[tag]
            return _attr_line(_attrs(element)) + (f"{marks} {text}" if text else marks)
        if tag in ("ul", "ol"):
            return self._list(element, inline, alternate)
        if tag == "ac:task-list":
            return self._task_list(element, inline, alternate)
        if tag == "table":
            return self._table(element, inline)
        if tag == "blockquote" and not element.attrib:
            inner = "\n\n".join(self.flow(_nodes(element)))
            return "\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))
        if tag == "hr" and not element.attrib and len(element) == 0:
            return "---"
        if tag == "ac:structured-macro":
            return self._macro(element)
        if tag in ("ac:layout", "ac:layout-section", "ac:layout-cell"):
            return self._container(tag, _attrs(element), _nodes(element))
        if tag == "ac:image":
            return inline.element(element)
        raise Unrepresentable(f"no markdown form for <{tag}>")

    def _paragraph(self, element: etree._Element, inline: InlineRenderer) -> str:
        attrs = _attrs(element)
        children = list(element)
        if (
            len(children) == 1
            and local_tag(children[0]) == "ac:image"
            and not collapse(element.text).strip()
            and not collapse(children[0].tail).strip()
        ):
            attrs["md-p"] = "true"
        text = _fix_line_starts(inline.content(element).strip(" "))
        return _attr_line(attrs) + (text or "&nbsp;")

    # -- lists --------------------------------------------------------------------------------
    def _item_blocks(self, item: etree._Element, inline: InlineRenderer) -> tuple[list[str], bool]:
        """Markdown blocks of one list item and whether its content is bare (no <p>)."""
        nodes = _nodes(item)
        bare = bool(nodes) and not _is_block(nodes[0])
        if not bare:
            return self.flow(nodes), False
        blocks: list[str] = []
        run: list[Node] = []
        for node in [*nodes, None]:
            if node is not None and not _is_block(node):
                run.append(node)
                continue
            if run:
                blocks.append(_fix_line_starts(self._inline_run(run, inline).strip(" ")))
                run = []
            if node is not None:
                blocks.extend(self.flow([node]))
        return blocks, True

    @staticmethod
    def _inline_run(nodes: list[Node], inline: InlineRenderer) -> str:
        holder = _fragment(nodes)
        return inline.content(holder)

    def _list(self, element: etree._Element, inline: InlineRenderer, alternate: bool) -> str:
        tag = local_tag(element)
        attrs = _attrs(element, ("start",) if tag == "ol" else ())
        start = element.get("start", "1") if tag == "ol" else "1"
        if not start.isdigit() or (tag == "ol" and element.get("start") == "1"):
            raise Unrepresentable("list start")
        items = _nodes(element)
        if not items or any(isinstance(i, str) or local_tag(i) != "li" or i.attrib for i in items):
            raise Unrepresentable("list with content outside <li>")
        rendered: list[tuple[list[str], bool]] = []
        for item in items:
            assert not isinstance(item, str)
            rendered.append(self._item_blocks(item, inline))
        bare_flags = {bare for blocks, bare in rendered if blocks}
        if len(bare_flags) > 1:
            raise Unrepresentable("list mixing bare and paragraph items")
        if bare_flags == {True}:
            attrs["md-bare"] = "true"
        lines = []
        for index, (blocks, _) in enumerate(rendered):
            if tag == "ul":
                marker = "*" if alternate else "-"
            else:
                marker = f"{int(start) + index}{')' if alternate else '.'}"
            lines.append(self._item(marker, blocks))
        loose = any(len(blocks) > 1 for blocks, _ in rendered)
        return _attr_line(attrs) + ("\n\n" if loose else "\n").join(lines)

    @staticmethod
    def _item(marker: str, blocks: list[str], first_line: str | None = None) -> str:
        head = first_line if first_line is not None else (blocks[0] if blocks else "")
        rest = blocks if first_line is not None else blocks[1:]
        width = len(marker) + 1
        text = f"{marker} {_indent(head, width)[width:] if head else ''}".rstrip(" ")
        for block in rest:
            text += "\n\n" + _indent(block, width)
        return text

    def _task_list(self, element: etree._Element, inline: InlineRenderer, alternate: bool) -> str:
        tasks = _nodes(element)
        if not tasks or any(isinstance(t, str) or local_tag(t) != "ac:task" for t in tasks):
            raise Unrepresentable("task list with content outside <ac:task>")
        marker = "*" if alternate else "-"
        lines = []
        for task in tasks:
            assert not isinstance(task, str)
            lines.append(self._task(task, inline, marker))
        return _attr_line(_attrs(element)) + "\n".join(lines)

    def _task(self, task: etree._Element, inline: InlineRenderer, marker: str) -> str:
        parts = {local_tag(c): c for c in task if isinstance(c.tag, str)}
        order = [local_tag(c) for c in task if isinstance(c.tag, str)]
        expected = ["ac:task-id", "ac:task-uuid", "ac:task-status", "ac:task-body"]
        if order not in (expected, [expected[0], *expected[2:]]) or task.attrib:
            raise Unrepresentable("unexpected task structure")
        if any(len(parts[name]) or parts[name].attrib for name in order[:-1]):
            raise Unrepresentable("task metadata with markup")
        status = (parts["ac:task-status"].text or "").strip()
        if status not in ("complete", "incomplete"):
            raise Unrepresentable("unknown task status")
        meta = {"task-id": (parts["ac:task-id"].text or "").strip()}
        if "ac:task-uuid" in parts:
            meta["task-uuid"] = (parts["ac:task-uuid"].text or "").strip()
        body = parts["ac:task-body"]
        nodes = _nodes(body)
        first = nodes[0] if nodes else None
        if (
            first is not None
            and not isinstance(first, str)
            and local_tag(first) == "span"
            and _attrs(first) == {"class": "placeholder-inline-tasks"}
        ):
            text = inline.content(first)
            rest = nodes[1:]
        else:
            meta["md-bare"] = "true"
            split = next((i for i, n in enumerate(nodes) if _is_block(n)), len(nodes))
            text = self._inline_run(nodes[:split], inline) if split else ""
            rest = nodes[split:]
        if "\n" in text:
            raise Unrepresentable("task text with a line break")
        box = "[x]" if status == "complete" else "[ ]"
        text = text.strip(" ")
        line = f"{box} {text} []{_format_meta(meta)}" if text else f"{box} []{_format_meta(meta)}"
        return self._item(marker, self.flow(rest), first_line=line)

    # -- tables -------------------------------------------------------------------------------
    def _table(self, element: etree._Element, inline: InlineRenderer) -> str:
        attrs = _attrs(element)
        nodes = _nodes(element)
        if nodes and not isinstance(nodes[0], str) and local_tag(nodes[0]) == "colgroup":
            attrs["md-colgroup"] = _colgroup(nodes.pop(0))
        if len(nodes) == 1 and not isinstance(nodes[0], str) and local_tag(nodes[0]) == "tbody":
            if nodes[0].attrib:
                raise Unrepresentable("tbody attributes")
            rows = _nodes(nodes[0])
        else:
            attrs["md-tbody"] = "none"
            rows = nodes
        if not rows or any(isinstance(r, str) or local_tag(r) != "tr" or r.attrib for r in rows):
            raise Unrepresentable("table rows")
        grid: list[list[etree._Element]] = []
        for row in rows:
            assert not isinstance(row, str)
            cells = _nodes(row)
            if any(
                isinstance(c, str) or local_tag(c) not in ("th", "td") or c.attrib for c in cells
            ):
                raise Unrepresentable("table cells")
            grid.append([c for c in cells if not isinstance(c, str)])
        width = len(grid[0])
        if width == 0 or any(len(row) != width for row in grid):
            raise Unrepresentable("ragged table")
        header = {local_tag(c) for c in grid[0]}
        if any(local_tag(c) != "td" for row in grid[1:] for c in row) or len(header) != 1:
            raise Unrepresentable("header cells outside the first row")
        if header == {"td"}:
            attrs["md-header"] = "td"
        texts, bare = self._cells(grid, inline)
        if bare:
            attrs["md-bare"] = "true"
        lines = ["| " + " | ".join(row) + " |" for row in texts]
        lines.insert(1, "|" + "---|" * width)
        return _attr_line(attrs) + "\n".join(lines)

    @staticmethod
    def _cells(
        grid: list[list[etree._Element]], inline: InlineRenderer
    ) -> tuple[list[list[str]], bool]:
        modes: set[bool] = set()
        texts: list[list[str]] = []
        for row in grid:
            out = []
            for cell in row:
                nodes = _nodes(cell)
                if len(nodes) == 1 and not isinstance(nodes[0], str) and local_tag(nodes[0]) == "p":
                    if nodes[0].attrib:
                        raise Unrepresentable("paragraph attributes in a cell")
                    modes.add(False)
                    text = inline.content(nodes[0])
                elif any(_is_block(n) for n in nodes):
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
    def _macro(self, element: etree._Element) -> str:
        name = element.get(f"{{{AC}}}name") or ""
        attrs = _attrs(element, ("ac:name",))
        if "ac:schema-version" not in attrs:
            raise Unrepresentable("macro without a schema version")
        if attrs["ac:schema-version"] == "1":
            del attrs["ac:schema-version"]  # the default when converting back
        params: dict[str, str] = {}
        body: etree._Element | None = None
        for node in _nodes(element):
            if isinstance(node, str) or body is not None:
                raise Unrepresentable("content after the macro body")
            tag = local_tag(node)
            if tag == "ac:parameter":
                key = node.get(f"{{{AC}}}name")
                if key is None or len(node) or len(node.attrib) != 1 or key in params:
                    raise Unrepresentable("structured parameter")
                params[key or DEFAULT_PARAMETER] = node.text or ""
            elif tag in ("ac:plain-text-body", "ac:rich-text-body") and not node.attrib:
                body = node
            else:
                raise Unrepresentable(f"<{tag}> in a macro")
        if any(":" in key or key.startswith("md-") for key in params):
            raise Unrepresentable("parameter name we cannot tell from an attribute")
        if name in ("ac:layout", "ac:layout-section", "ac:layout-cell"):
            raise Unrepresentable("macro name clashes with layout containers")
        if body is None:
            return self._container(name, params | attrs, [])
        if local_tag(body) == "ac:rich-text-body":
            nodes = _nodes(body)
            if not nodes:
                attrs["md-body"] = "rich"
            return self._container(name, params | attrs, nodes)
        if len(body):
            raise Unrepresentable("markup in a plain-text body")
        return self._fence(name, params, attrs, body.text or "")

    @staticmethod
    def _fence(name: str, params: dict[str, str], attrs: dict[str, str], code: str) -> str:
        language = ""
        if name == "code":
            candidate = params.get("language", "")
            if _LANGUAGE_RE.fullmatch(candidate) and candidate != RAW_LANGUAGE:
                language = params.pop("language")
        else:
            attrs = {"ac:name": name} | attrs
        info = " ".join(p for p in (language, _attr_line(params | attrs).strip()) if p)
        fence = backtick_fence(code, 3)
        return f"{fence}{info}\n{code}\n{fence}"

    def _container(self, name: str, attrs: dict[str, str], nodes: list[Node]) -> str:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.:-]*", name):
            raise Unrepresentable("macro name")
        inner = "\n\n".join(self.flow(nodes))
        depth = max((len(m) for m in _CONTAINER_LINE_RE.findall(inner)), default=2)
        colons = ":" * max(3, depth + 1)
        opening = " ".join(p for p in (colons, name, _attr_line(attrs).strip()) if p)
        return f"{opening}\n{inner}\n{colons}" if inner else f"{opening}\n{colons}"


def _colgroup(colgroup: etree._Element) -> str:
    widths = []
    for col in _nodes(colgroup):
        if isinstance(col, str) or local_tag(col) != "col" or len(col):
            raise Unrepresentable("colgroup content")
        attrs = _attrs(col)
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


def _format_meta(meta: dict[str, str]) -> str:
    try:
        return format_attrs(meta, ("task",))
    except ValueError as exc:
        raise Unrepresentable(str(exc)) from None
