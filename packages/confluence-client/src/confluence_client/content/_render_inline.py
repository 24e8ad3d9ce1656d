"""Storage inline markup to markdown (the storage -> markdown direction, inside a block).

Three renderings of decreasing friendliness; the block renderer tries them in order and keeps
the first that reads back to the same storage:

- ``RICH``: markdown emphasis, links, images, and attribute spans for lozenges and emoticons;
- ``SPANS``: the same, but emphasis and code written as ``[text]{md-tag=strong}`` spans, which
  have no delimiter-flanking rules to trip over;
- ``RAW``: every element other than a hard break as an inline raw-storage code span.
"""

from __future__ import annotations

import enum
import re

from lxml import etree  # type: ignore[import-untyped]

from confluence_client.content._resources import encode_parameter, encode_resource
from confluence_client.content._syntax import (
    RAW_LANGUAGE,
    encode_ref,
    escape_text,
    format_attrs,
)
from confluence_client.content._xml import AC, RI, attr_name, element_to_storage, local_tag

__all__ = ["InlineMode", "InlineRenderer", "Unrepresentable", "backtick_fence", "collapse"]

_WS_RE = re.compile(r"[ \t\r\n]+")
_BACKTICKS_RE = re.compile(r"`+")
_DELIMITED = {"strong": "**", "em": "*", "s": "~~"}
_GENERIC_INLINE = frozenset(
    {"span", "u", "sub", "sup", "small", "big", "del", "ins", "strike", "b", "i", "code"}
    | {"strong", "em", "s", "cite", "q", "abbr", "kbd", "var", "samp", "mark", "font"}
    | {"ac:inline-comment-marker", "ac:placeholder", "time"}
)
_MACRO_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_RESERVED_CLASSES = frozenset({"status", "emoticon", "date", "task", "macro"})


class Unrepresentable(Exception):
    """This markup has no faithful markdown form in the current mode."""


class InlineMode(enum.Enum):
    RICH = "rich"
    SPANS = "spans"
    RAW = "raw"


def collapse(text: str | None) -> str:
    """Whitespace runs become one space (storage whitespace is not significant)."""
    return _WS_RE.sub(" ", text) if text else ""


def backtick_fence(text: str, minimum: int) -> str:
    """A run of backticks longer than any run inside ``text``."""
    longest = max((len(m) for m in _BACKTICKS_RE.findall(text)), default=0)
    return "`" * max(minimum, longest + 1)


def _code_span(text: str, classes: str = "") -> str:
    if "\n" in text or "\r" in text:
        raise Unrepresentable("code spans cannot hold line breaks")
    fence = backtick_fence(text, 1)
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) else ""
    if text.strip(" ") == "":
        pad = ""
        if text == "":
            raise Unrepresentable("empty code span")
    return f"{fence}{pad}{text}{pad}{fence}{classes}"


def _attrs_of(element: etree._Element, skip: tuple[str, ...] = ()) -> dict[str, str]:
    return {
        attr_name(k, element): v
        for k, v in element.attrib.items()
        if attr_name(k, element) not in skip
    }


def _destination(target: str) -> str:
    if any(ch in target for ch in "<>\n\r"):
        raise Unrepresentable("link target with angle brackets or line breaks")
    if target == "" or any(ch in target for ch in " ()\t") or target.startswith("<"):
        return f"<{target}>"
    return target


class InlineRenderer:
    """Renders the inline content of one element as markdown."""

    def __init__(self, mode: InlineMode, *, single_line: bool = False) -> None:
        self.mode = mode
        # Headings and table cells cannot hold a line break; write <br/> as a span there.
        self.single_line = single_line

    def one_line(self) -> InlineRenderer:
        """The same renderer for places that cannot hold a line break."""
        return InlineRenderer(self.mode, single_line=True)

    def content(self, element: etree._Element) -> str:
        """Markdown for the text and children of ``element`` (its tail excluded)."""
        parts = [escape_text(collapse(element.text))]
        for child in element:
            parts.append(self.element(child))
            parts.append(escape_text(collapse(child.tail)))
        return "".join(parts)

    def element(self, element: etree._Element) -> str:
        tag = local_tag(element)
        if tag == "br":
            return "[]{md-tag=br}" if self.single_line and not element.attrib else "\\\n"
        if self.mode is InlineMode.RAW or not tag:
            return self.raw(element)
        handler = _HANDLERS.get(tag)
        if handler is not None:
            return handler(self, element)
        if tag in _GENERIC_INLINE:
            return self._span(element, tag)
        return self.raw(element)

    def raw(self, element: etree._Element) -> str:
        """Inline raw storage, read back verbatim."""
        return _code_span(element_to_storage(element), "{." + RAW_LANGUAGE + "}")

    def _span(self, element: etree._Element, tag: str) -> str:
        attrs = _attrs_of(element)
        classes = tuple(attrs.pop("class", "").split())
        if classes and classes[0] in _RESERVED_CLASSES:
            raise Unrepresentable("class name reserved for our own spans")
        if tag != "span":
            attrs = {"md-tag": tag} | attrs
        try:
            suffix = format_attrs(attrs, classes) or "{}"
        except ValueError as exc:
            raise Unrepresentable(str(exc)) from None
        return f"[{self.content(element)}]{suffix}"

    def _delimited(self, element: etree._Element) -> str:
        tag = local_tag(element)
        inner = self.content(element)
        plain = self.mode is InlineMode.RICH and not element.attrib
        if plain and inner and inner.strip() == inner and not inner.endswith("\\"):
            marker = _DELIMITED[tag]
            return f"{marker}{inner}{marker}"
        return self._span(element, tag)

    def _code(self, element: etree._Element) -> str:
        if self.mode is InlineMode.RICH and not element.attrib and len(element) == 0:
            return _code_span(element.text or "")
        return self._span(element, "code")

    def _link(self, element: etree._Element) -> str:
        attrs = _attrs_of(element, ("href",))
        href = element.get("href")
        if href is None or any(local_tag(d) in ("a", "ac:link") for d in element.iterdescendants()):
            return self._span(element, "a")
        text = self.content(element)
        return f"[{text}]({_destination(href)}){_format(attrs)}"

    def _ac_link(self, element: etree._Element) -> str:
        attrs = _attrs_of(element, ("ac:anchor",))
        anchor = element.get(f"{{{AC}}}anchor")
        resource: etree._Element | None = None
        body: etree._Element | None = None
        for child in element:
            if collapse(child.tail).strip():
                return self.raw(element)
            if (
                child.tag in (f"{{{AC}}}plain-text-link-body", f"{{{AC}}}link-body")
                and body is None
            ):
                body = child
            elif isinstance(child.tag, str) and child.tag.startswith(f"{{{RI}}}") and not resource:
                resource = child
            else:
                return self.raw(element)
        if collapse(element.text).strip():
            return self.raw(element)
        target = self._ac_target(resource, anchor, attrs)
        if target is None:
            return self.raw(element)
        text = ""
        if body is None:
            if resource is not None and resource.tag == f"{{{RI}}}user":
                text = "@"
        elif body.tag == f"{{{AC}}}plain-text-link-body":
            if len(body) or body.attrib or "\n" in (body.text or ""):
                return self.raw(element)
            text = escape_text(body.text or "")
            if not text:
                return self.raw(element)
        else:
            if body.attrib:
                return self.raw(element)
            text = self.content(body)
            if len(body) == 0:
                attrs["md-body"] = "rich"
        return f"[{text}]({_destination(target)}){_format(attrs)}"

    @staticmethod
    def _ac_target(
        resource: etree._Element | None, anchor: str | None, attrs: dict[str, str]
    ) -> str | None:
        if resource is None:
            return f"#{encode_ref(anchor)}" if anchor else None
        encoded = encode_resource(resource, anchor)
        if encoded is None:
            return None
        attrs.update(encoded[1])
        return encoded[0]

    def _image(self, element: etree._Element) -> str:
        attrs = _attrs_of(element, ("ac:alt", "ac:title"))
        children = [c for c in element if isinstance(c.tag, str)]
        if len(children) != 1 or len(children) != len(element) or collapse(element.text).strip():
            return self.raw(element)
        resource = children[0]
        if collapse(resource.tail).strip():
            return self.raw(element)
        ri = _attrs_of(resource)
        encoded = encode_resource(resource)
        if resource.tag == f"{{{RI}}}attachment" and encoded is not None:
            target = encoded[0]
            attrs.update(encoded[1])
        elif resource.tag == f"{{{RI}}}url" and list(ri) == ["ri:value"] and not len(resource):
            target = ri["ri:value"]
            if target.startswith("attachment:"):
                return self.raw(element)
        else:
            return self.raw(element)
        title = element.get(f"{{{AC}}}title")
        if title is not None:
            attrs = {"title": title} | attrs
        alt = escape_text(element.get(f"{{{AC}}}alt") or "")
        if "\n" in alt or element.get(f"{{{AC}}}alt") == "":
            return self.raw(element)
        return f"![{alt}]({_destination(target)}){_format(attrs)}"

    def _emoticon(self, element: etree._Element) -> str:
        if len(element) or collapse(element.text).strip():
            return self.raw(element)
        attrs = _attrs_of(element)
        display = attrs.get("ac:emoji-fallback") or f":{attrs.get('ac:name', '')}:"
        if "ac:emoji-id" in attrs and attrs.get("ac:emoji-fallback"):
            del attrs["ac:emoji-fallback"]  # the visible text carries it
        return f"[{escape_text(display)}]{_format(attrs, ('emoticon',))}"

    def _time(self, element: etree._Element) -> str:
        attrs = _attrs_of(element)
        if list(attrs) == ["datetime"] and len(element) == 0 and not element.text:
            return f"[{escape_text(attrs['datetime'])}]{{.date}}"
        return self._span(element, "time")

    def _macro(self, element: etree._Element) -> str:
        """Status lozenges and other body-less macros as attribute spans."""
        name = element.get(f"{{{AC}}}name") or ""
        attrs = _attrs_of(element, ("ac:name",))
        if not _MACRO_NAME_RE.fullmatch(name):
            return self.raw(element)
        if "ac:schema-version" not in attrs:
            attrs["md-schema"] = "none"  # older pages: the default would add one
        elif attrs["ac:schema-version"] == "1":
            del attrs["ac:schema-version"]  # the default when converting back
        params: dict[str, str] = {}
        for child in element:
            encoded = encode_parameter(child) if child.tag == f"{{{AC}}}parameter" else None
            if encoded is None or collapse(child.tail).strip() or encoded[0] in params:
                return self.raw(element)
            params[encoded[0]] = encoded[1]
        if collapse(element.text).strip():
            return self.raw(element)
        if name == "status" and params.get("title") and all(":" not in k for k in params):
            title = params.pop("title")
            return f"[{escape_text(title)}]{_format(params | attrs, ('status',))}"
        if name == "status":  # a lozenge without a title has no text to show
            return self.raw(element)
        return f"[{escape_text(name)}]{_format(params | attrs, ('macro',))}"


def _format(attrs: dict[str, str], classes: tuple[str, ...] = ()) -> str:
    try:
        return format_attrs(attrs, classes)
    except ValueError as exc:
        raise Unrepresentable(str(exc)) from None


_HANDLERS = {
    "strong": InlineRenderer._delimited,
    "em": InlineRenderer._delimited,
    "s": InlineRenderer._delimited,
    "code": InlineRenderer._code,
    "a": InlineRenderer._link,
    "ac:link": InlineRenderer._ac_link,
    "ac:image": InlineRenderer._image,
    "ac:emoticon": InlineRenderer._emoticon,
    "ac:structured-macro": InlineRenderer._macro,
    "time": InlineRenderer._time,
}
