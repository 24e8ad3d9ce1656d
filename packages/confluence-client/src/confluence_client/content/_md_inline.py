"""Markdown inline nodes to storage inline markup."""

from __future__ import annotations

import re

from lxml import etree  # type: ignore[import-untyped]
from markdown_it.tree import SyntaxTreeNode

from confluence_client.content._errors import StorageParseError
from confluence_client.content._resources import (
    add_parameters,
    build_resource,
    decode_resource,
    macro_attributes,
)
from confluence_client.content._syntax import (
    RAW_LANGUAGE,
    decode_attr_map,
    decode_ref,
)
from confluence_client.content._tree import append_fragment, append_text, sub
from confluence_client.content._xml import RawSlots, parse_storage

__all__ = ["InlineBuilder", "plain_text"]

_BREAK_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
_OPEN_TAG_RE = re.compile(r"<([A-Za-z][A-Za-z0-9]*)(?:\s[^<>]*)?(?<!/)>")
_SIMPLE = {"em": "em", "strong": "strong", "s": "s"}
_HINT = "md-"


def plain_text(nodes: list[SyntaxTreeNode]) -> str:
    """Concatenated text of inline nodes, markup dropped."""
    out: list[str] = []
    for node in nodes:
        if node.type in ("text", "code_inline"):
            out.append(node.content)
        elif node.type in ("softbreak", "hardbreak"):
            out.append(" ")
        else:
            out.append(plain_text(node.children))
    return "".join(out)


def _split(attrs: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """(real attributes, ``md-`` conversion hints)."""
    real = {k: v for k, v in attrs.items() if not k.startswith(_HINT)}
    return real, {k: v for k, v in attrs.items() if k.startswith(_HINT)}


class InlineBuilder:
    """Appends the storage form of markdown inline nodes to an element."""

    def __init__(self, raw: RawSlots) -> None:
        self._raw = raw

    def build(self, nodes: list[SyntaxTreeNode], parent: etree._Element) -> None:
        index = 0
        while index < len(nodes):
            node = nodes[index]
            if node.type == "html_inline":
                index = self._html(nodes, index, parent)
            else:
                self._node(node, parent)
            index += 1

    def _html(self, nodes: list[SyntaxTreeNode], index: int, parent: etree._Element) -> int:
        """Hand-written inline HTML: ``<br>``, a self-contained tag, or an open/close pair
        around markdown. Returns the index of the last node used; unusable HTML is text."""
        html = nodes[index].content
        if _BREAK_RE.fullmatch(html):
            sub(parent, "br")
            return index
        opening = _OPEN_TAG_RE.fullmatch(html)
        close = _closing(nodes, index, opening.group(1)) if opening else None
        try:
            if opening is not None and close is not None:
                element = parse_storage(f"{html}</{opening.group(1)}>")[0]
                parent.append(element)
                self.build(nodes[index + 1 : close], element)
                return close
            append_fragment(parent, parse_storage(html))
        except StorageParseError:
            append_text(parent, html)
        return index

    def raw(self, text: str, parent: etree._Element) -> None:
        """Insert verbatim storage text: parsed when well-formed, spliced in otherwise."""
        try:
            append_fragment(parent, parse_storage(text))
        except StorageParseError:
            marker = self._raw.marker(parent, text)
            marker.tail = None

    def _node(self, node: SyntaxTreeNode, parent: etree._Element) -> None:
        kind = node.type
        if kind == "text":
            append_text(parent, node.content)
        elif kind == "softbreak":
            append_text(parent, " ")
        elif kind == "hardbreak":
            sub(parent, "br")
        elif kind == "code_inline":
            if RAW_LANGUAGE in str(node.attrs.get("class", "")).split():
                self.raw(node.content, parent)
            else:
                sub(parent, "code").text = node.content
        elif kind in _SIMPLE:
            self.build(node.children, sub(parent, _SIMPLE[kind]))
        elif kind == "link":
            self._link(node, parent)
        elif kind == "image":
            self.image(node, parent)
        elif kind == "span":
            self._span(node, parent)
        elif kind == "html_inline":
            self._html([node], 0, parent)
        else:  # anything a plugin may add later: keep its text rather than lose it
            append_text(parent, node.content or plain_text(node.children))

    def _link(self, node: SyntaxTreeNode, parent: etree._Element) -> None:
        attrs = decode_attr_map(dict(node.attrs))
        href = attrs.pop("href", "")
        attrs, hints = _split(attrs)
        link_attrs: dict[str, str] = {}
        resource = decode_resource(href)
        if resource is not None:
            if resource[2]:
                link_attrs["ac:anchor"] = resource[2]
        elif href.startswith("#") and len(href) > 1:
            link_attrs["ac:anchor"] = decode_ref(href[1:])
        else:
            anchor_el = sub(parent, "a", {"href": href} | attrs)
            self.build(node.children, anchor_el)
            return
        link = sub(parent, "ac:link", link_attrs | _prefixed(attrs, "ac:"))
        if resource is not None:
            build_resource(link, href, _prefixed(attrs, "ri:"))
        children = node.children
        text_only = all(child.type == "text" for child in children)
        text = plain_text(children)
        if not children or (resource is not None and resource[0] == "ri:user" and text == "@"):
            return
        if hints.get("md-body") == "rich" or not text_only:
            self.build(children, sub(link, "ac:link-body"))
        else:
            sub(link, "ac:plain-text-link-body").text = _cdata(text)

    def image(self, node: SyntaxTreeNode, parent: etree._Element) -> None:
        """Append the ``ac:image`` for a markdown image node."""
        attrs = decode_attr_map(dict(node.attrs))
        src = attrs.pop("src", "")
        attrs.pop("alt", None)
        attrs, _ = _split(attrs)
        image_attrs: dict[str, str] = {}
        alt = plain_text(node.children)
        if alt:
            image_attrs["ac:alt"] = alt
        if "title" in attrs:
            image_attrs["ac:title"] = attrs.pop("title")
        image = sub(parent, "ac:image", image_attrs | _prefixed(attrs, "ac:"))
        is_attachment = src.startswith("attachment:")
        if not (is_attachment and build_resource(image, src, _prefixed(attrs, "ri:"))):
            sub(image, "ri:url", {"ri:value": src})

    def _span(self, node: SyntaxTreeNode, parent: etree._Element) -> None:
        attrs = decode_attr_map(dict(node.attrs))
        classes = attrs.pop("class", "").split()
        kind = classes[0] if classes else ""
        attrs, hints = _split(attrs)
        if kind == "status":
            macro = sub(parent, "ac:structured-macro", macro_attributes("status", attrs | hints))
            title = plain_text(node.children)
            add_parameters(macro, ({"title": title} if title else {}) | attrs)
        elif kind == "macro":
            name = plain_text(node.children)
            macro = sub(parent, "ac:structured-macro", macro_attributes(name, attrs | hints))
            add_parameters(macro, attrs)
        elif kind == "emoticon":
            emoticon = _prefixed(attrs, "ac:")
            if "ac:emoji-id" in emoticon and "ac:emoji-fallback" not in emoticon:
                emoticon["ac:emoji-fallback"] = plain_text(node.children)
            sub(parent, "ac:emoticon", emoticon)
        elif kind == "date":
            sub(parent, "time", {"datetime": plain_text(node.children)} | attrs)
        elif kind == "task":
            return  # task metadata is read by the task-list builder; elsewhere it means nothing
        else:
            if classes:
                attrs = {"class": " ".join(classes)} | attrs
            element = sub(parent, hints.get("md-tag", "span"), attrs)
            self.build(node.children, element)


def _closing(nodes: list[SyntaxTreeNode], index: int, tag: str) -> int | None:
    """Index of the html_inline node closing the ``tag`` opened at ``index``."""
    depth = 0
    for position in range(index + 1, len(nodes)):
        node = nodes[position]
        if node.type != "html_inline":
            continue
        opening = _OPEN_TAG_RE.fullmatch(node.content)
        if opening and opening.group(1).lower() == tag.lower():
            depth += 1
        elif node.content.lower().replace(" ", "") == f"</{tag.lower()}>":
            if depth == 0:
                return position
            depth -= 1
    return None


def _prefixed(attrs: dict[str, str], prefix: str) -> dict[str, str]:
    return {k: v for k, v in attrs.items() if k.startswith(prefix)}


def _cdata(text: str) -> str:
    # CDATA cannot contain its own terminator; escaped text is equivalent there.
    return text if "]]>" in text else etree.CDATA(text)
