"""Markdown block structure to storage format (the markdown -> storage direction)."""

from __future__ import annotations

import re

from lxml import etree  # type: ignore[import-untyped]
from markdown_it.tree import SyntaxTreeNode

from confluence_client.content._errors import StorageParseError
from confluence_client.content._md_inline import InlineBuilder
from confluence_client.content._resources import (
    add_parameters,
    build_resource,
    macro_attributes,
)
from confluence_client.content._syntax import (
    RAW_LANGUAGE,
    decode_attr_map,
    markdown_parser,
    split_info,
)
from confluence_client.content._tree import append_fragment, append_text, sub
from confluence_client.content._xml import AC, RawSlots, new_root, parse_storage

__all__ = ["markdown_to_tree"]

_TASK_PREFIX_RE = re.compile(r"^\[([ xX])\](?: |$)")
_HTML_TAG_RE = re.compile(r"html:[a-z][a-z0-9]*")
_LAYOUT = frozenset({"ac:layout", "ac:layout-section", "ac:layout-cell"})
_MACRO_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_INVALID_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def markdown_to_tree(markdown: str, raw: RawSlots) -> etree._Element:
    """Parse markdown and build the storage tree under a wrapper root."""
    markdown = _INVALID_XML_RE.sub("\ufffd", markdown)
    root = new_root()
    tree = SyntaxTreeNode(markdown_parser().parse(markdown))
    _BlockBuilder(raw).build(tree.children, root)
    _number_tasks(root)
    return root


def _attrs(node: SyntaxTreeNode) -> tuple[dict[str, str], dict[str, str]]:
    attrs = decode_attr_map(dict(node.attrs))
    real = {k: v for k, v in attrs.items() if not k.startswith("md-")}
    return real, {k: v for k, v in attrs.items() if k.startswith("md-")}


def _inline_children(node: SyntaxTreeNode) -> list[SyntaxTreeNode]:
    return node.children[0].children if node.children else []


class _BlockBuilder:
    def __init__(self, raw: RawSlots) -> None:
        self._inline = InlineBuilder(raw)

    def build(
        self, nodes: list[SyntaxTreeNode], parent: etree._Element, bare: bool = False
    ) -> None:
        for node in nodes:
            self._block(node, parent, bare)

    def _block(self, node: SyntaxTreeNode, parent: etree._Element, bare: bool) -> None:
        kind = node.type
        if kind == "paragraph":
            self._paragraph(node, parent, bare)
        elif kind == "heading":
            attrs, _ = _attrs(node)
            self._inline.build(_inline_children(node), sub(parent, node.tag, attrs))
        elif kind in ("bullet_list", "ordered_list"):
            self._list(node, parent)
        elif kind == "blockquote":
            self.build(node.children, sub(parent, "blockquote"))
        elif kind == "hr":
            sub(parent, "hr")
        elif kind in ("fence", "code_block"):
            self._fence(node, parent)
        elif kind == "table":
            self._table(node, parent)
        elif kind == "container_cf":
            self._container(node, parent)
        elif kind == "html_block":
            self._html_block(node.content, parent)
        else:  # block kinds a future parser option may add: keep their text
            append_text(parent, node.content)

    def _paragraph(self, node: SyntaxTreeNode, parent: etree._Element, bare: bool) -> None:
        attrs, hints = _attrs(node)
        inline = _inline_children(node)
        if hints.get("md-p") == "none":  # inline content directly in a block container
            self._inline.build(inline, parent)
            return
        if bare:
            if len(parent) or parent.text:
                append_text(parent, " ")
            self._inline.build(inline, parent)
            return
        meaningful = [n for n in inline if not (n.type == "text" and not n.content.strip())]
        if len(meaningful) == 1 and meaningful[0].type == "image" and not hints and not attrs:
            self._inline.image(meaningful[0], parent)  # Cloud stores lone images as blocks
            return
        paragraph = sub(parent, "p", attrs)
        lone_nbsp = len(inline) == 1 and inline[0].type == "text" and inline[0].content == "\u00a0"
        if lone_nbsp and hints.get("md-nbsp") != "true":
            return  # "&nbsp;" alone is how we write an empty paragraph
        self._inline.build(inline, paragraph)

    def _html_block(self, html: str, parent: etree._Element) -> None:
        """Well-formed XHTML written into markdown is storage; anything else is text."""
        try:
            append_fragment(parent, parse_storage(html.strip()))
        except StorageParseError:
            sub(parent, "p").text = html.strip()

    def _list(self, node: SyntaxTreeNode, parent: etree._Element) -> None:
        attrs, hints = _attrs(node)
        items = node.children
        if node.type == "bullet_list" and items and all(_task_status(i) for i in items):
            self._task_list(node, parent)
            return
        tag = "ul" if node.type == "bullet_list" else "ol"
        element = sub(parent, tag, attrs)
        bare = hints.get("md-bare") == "true"
        for item in items:
            self.build(item.children, sub(element, "li"), bare=bare)

    def _task_list(self, node: SyntaxTreeNode, parent: etree._Element) -> None:
        attrs, _ = _attrs(node)
        task_list = sub(parent, "ac:task-list", attrs)
        for item in node.children:
            first = item.children[0]
            inline = list(_inline_children(first))
            meta: dict[str, str] = {}
            if (
                inline
                and inline[-1].type == "span"
                and "task" in str(inline[-1].attrs.get("class", "")).split()
            ):
                meta = decode_attr_map(dict(inline.pop().attrs))
            task = sub(task_list, "ac:task")
            sub(task, "ac:task-id").text = meta.get("task-id", "")
            if "task-uuid" in meta:
                sub(task, "ac:task-uuid").text = meta["task-uuid"]
            status = "incomplete" if _task_status(item) == " " else "complete"
            sub(task, "ac:task-status").text = status
            body = sub(task, "ac:task-body")
            target = body
            if meta.get("md-bare") != "true":
                target = sub(body, "span", {"class": "placeholder-inline-tasks"})
            self._inline.build(inline, target)
            _strip_task_prefix(target)
            _strip_trailing_space(target)
            self.build(item.children[1:], body)

    def _fence(self, node: SyntaxTreeNode, parent: etree._Element) -> None:
        content = node.content[:-1] if node.content.endswith("\n") else node.content
        split = split_info(node.info) if node.type == "fence" else ("", {})
        if split is None:  # unreadable attributes: keep the first word as the language
            split = (node.info.split()[0], {})
        language, attrs = split
        if language == RAW_LANGUAGE:
            self._inline.raw(content, parent)
            return
        if attrs.get("md-tag") == "pre":
            sub(parent, "pre").text = content
            return
        name = attrs.pop("ac:name", "code")
        macro = sub(parent, "ac:structured-macro", macro_attributes(name, attrs))
        add_parameters(macro, ({"language": language} if language else {}) | attrs)
        body = sub(macro, "ac:plain-text-body")
        body.text = content if "]]>" in content else etree.CDATA(content)

    def _table(self, node: SyntaxTreeNode, parent: etree._Element) -> None:
        attrs, hints = _attrs(node)
        table = sub(parent, "table", attrs)
        _colgroup(table, hints)
        body = table if hints.get("md-tbody") == "none" else sub(table, "tbody")
        bare = hints.get("md-bare") == "true"
        th_columns = {c for c in hints.get("md-th-columns", "").split(",") if c}
        header_row = hints.get("md-header") != "td"
        rows = [row for section in node.children for row in section.children]
        for index, row in enumerate(rows):
            tr = sub(body, "tr")
            for column, cell in enumerate(row.children):
                tag = "th" if (index == 0 and header_row) or str(column) in th_columns else "td"
                element = sub(tr, tag)
                inline = cell.children[0].children if cell.children else []
                if bare:
                    self._inline.build(inline, element)
                elif not inline:
                    sub(element, "p")
                else:
                    self._inline.build(inline, sub(element, "p"))

    def _captioned_image(
        self, node: SyntaxTreeNode, attrs: dict[str, str], parent: etree._Element
    ) -> None:
        image = sub(parent, "ac:image", _prefixed(attrs, "ac:"))
        src = attrs.get("src", "")
        is_attachment = src.startswith("attachment:")
        if not (is_attachment and build_resource(image, src, _prefixed(attrs, "ri:"))):
            sub(image, "ri:url", {"ri:value": src})
        self.build(node.children, sub(image, "ac:caption"))

    def _container(self, node: SyntaxTreeNode, parent: etree._Element) -> None:
        split = split_info(node.info)
        if split is None or not split[0]:
            self.build(node.children, parent)  # not ours: keep the content, drop the fence
            return
        name, attrs = split
        if name in _LAYOUT:
            self.build(node.children, sub(parent, name, attrs))
            return
        if name == "ac:image":
            self._captioned_image(node, attrs, parent)
            return
        if _HTML_TAG_RE.fullmatch(name):
            real = {k: v for k, v in attrs.items() if not k.startswith("md-")}
            element = sub(parent, name[5:], real)
            if name == "html:table":
                _colgroup(element, attrs)
                if attrs.get("md-tbody") != "none":
                    element = sub(element, "tbody")
            self.build(node.children, element)
            return
        if not _MACRO_NAME_RE.fullmatch(name):
            self.build(node.children, parent)
            return
        macro = sub(parent, "ac:structured-macro", macro_attributes(name, attrs))
        add_parameters(macro, attrs)
        # An empty container is a macro without a body (toc, children, jira, ...).
        if node.children or attrs.get("md-body") == "rich":
            self.build(node.children, sub(macro, "ac:rich-text-body"))


def _colgroup(table: etree._Element, hints: dict[str, str]) -> None:
    if "md-colgroup" in hints:
        colgroup = sub(table, "colgroup")
        for width in hints["md-colgroup"].split(","):
            sub(colgroup, "col", {"style": f"width: {width.strip()};"} if width.strip() else {})


def _prefixed(attrs: dict[str, str], prefix: str) -> dict[str, str]:
    return {k: v for k, v in attrs.items() if k.startswith(prefix)}


def _task_status(item: SyntaxTreeNode) -> str | None:
    if not item.children or item.children[0].type != "paragraph":
        return None
    inline = _inline_children(item.children[0])
    if not inline or inline[0].type != "text":
        return None
    match = _TASK_PREFIX_RE.match(inline[0].content)
    return match.group(1) if match else None


def _strip_task_prefix(element: etree._Element) -> None:
    element.text = _TASK_PREFIX_RE.sub("", element.text or "", count=1) or None


def _strip_trailing_space(element: etree._Element) -> None:
    # The space before the metadata span separates markdown, not words.
    if len(element):
        element[-1].tail = (element[-1].tail or "").rstrip(" ") or None
    else:
        element.text = (element.text or "").rstrip(" ") or None


def _number_tasks(root: etree._Element) -> None:
    """Give tasks written without an id the next free number (Confluence needs one)."""
    ids = list(root.iter(f"{{{AC}}}task-id"))
    used = [int(el.text) for el in ids if el.text and el.text.isdigit()]
    next_id = max(used, default=0) + 1
    for element in ids:
        if not element.text:
            element.text = str(next_id)
            next_id += 1
