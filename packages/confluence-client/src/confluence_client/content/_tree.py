"""Small helpers for building storage trees with lxml (qualified names, text appends)."""

from __future__ import annotations

from lxml import etree  # type: ignore[import-untyped]

from confluence_client.content._xml import NAMESPACES

__all__ = ["append_fragment", "append_text", "qualify", "set_attrs", "sub"]


def qualify(name: str) -> str | None:
    """lxml spelling of ``ac:name``-style names; ``None`` for an unknown prefix."""
    prefix, colon, local = name.partition(":")
    if not colon:
        return name
    uri = NAMESPACES.get(prefix)
    return f"{{{uri}}}{local}" if uri else None


def set_attrs(element: etree._Element, attrs: dict[str, str]) -> None:
    """Set attributes, skipping names or values XML cannot hold."""
    for name, value in attrs.items():
        key = qualify(name)
        if key is None:
            continue
        try:
            element.set(key, value)
        except ValueError:
            continue


def sub(parent: etree._Element, tag: str, attrs: dict[str, str] | None = None) -> etree._Element:
    """Append a child element named ``tag`` (``ac:``/``ri:`` prefixes allowed)."""
    key = qualify(tag)
    try:
        element = etree.SubElement(parent, key or "span")
    except ValueError:  # not an XML name
        element = etree.SubElement(parent, "span")
    if attrs:
        set_attrs(element, attrs)
    return element


def append_text(parent: etree._Element, text: str) -> None:
    """Append text after the last child of ``parent`` (or as its text)."""
    if not text:
        return
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def append_fragment(parent: etree._Element, fragment_root: etree._Element) -> None:
    """Move the content of a parsed wrapper root into ``parent``."""
    append_text(parent, fragment_root.text or "")
    for child in list(fragment_root):
        parent.append(child)
