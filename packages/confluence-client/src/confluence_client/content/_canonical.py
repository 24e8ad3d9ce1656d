"""Canonical form of storage documents, for "are these two bodies equivalent?" checks.

Two storage documents are equivalent when they differ only in ways Confluence ignores:
attribute order and quoting, entity versus literal character (``&nbsp;`` versus U+00A0),
CDATA versus escaped text, ``<p />`` versus ``<p></p>``, the order of a macro's
``ac:parameter`` elements (a keyed map), and insignificant whitespace (runs collapse to one
space; whitespace next to block boundaries and hard breaks is dropped). Text inside code
bodies, ``<pre>`` and ``<code>`` is compared exactly.
"""

from __future__ import annotations

import copy
import re

from lxml import etree  # type: ignore[import-untyped]

from confluence_client.content._errors import StorageParseError
from confluence_client.content._xml import AC, parse_storage

__all__ = ["canonical_xml", "canonicalize_storage", "storage_equivalent"]

_WS_RE = re.compile(r"[ \t\r\n]+")
_PRESERVE = frozenset({f"{{{AC}}}plain-text-body", f"{{{AC}}}plain-text-link-body", "pre", "code"})
_BLOCKS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "thead", "tbody"}
    | {"tfoot", "tr", "th", "td", "colgroup", "col", "blockquote", "hr", "div", "pre"}
    | {"section", "caption", "dl", "dt", "dd"}
    | {
        f"{{{AC}}}{name}"
        for name in (
            "parameter",
            "rich-text-body",
            "plain-text-body",
            "layout",
            "layout-section",
            "layout-cell",
            "task-list",
            "task",
            "task-id",
            "task-uuid",
            "task-status",
            "task-body",
            "caption",
            "adf-extension",
            "adf-node",
            "adf-attribute",
            "adf-content",
            "adf-fallback",
        )
    }
)
_MACROS = frozenset({f"{{{AC}}}structured-macro", f"{{{AC}}}macro"})
_PARAMETER = f"{{{AC}}}parameter"
_NAME = f"{{{AC}}}name"


def canonicalize_storage(storage: str) -> str:
    """Canonical XML (C14N 2.0) text of a storage document.

    Raises:
        StorageParseError: the document is not well-formed.
    """
    return canonical_xml(parse_storage(storage))


def storage_equivalent(first: str, second: str) -> bool:
    """Whether two storage documents are equivalent (see the module docstring).

    Documents that do not parse are equivalent only to exactly the same text.
    """
    try:
        return canonicalize_storage(first) == canonicalize_storage(second)
    except StorageParseError:
        return first == second


def canonical_xml(root: etree._Element) -> str:
    """Canonical text of a parsed wrapper root (the tree itself is left untouched)."""
    clone = copy.deepcopy(root)
    _normalise(clone)
    return str(etree.tostring(clone, method="c14n2").decode("utf-8"))


def _is_block(node: etree._Element) -> bool:
    return node.tag in _BLOCKS


def _normalise(element: etree._Element) -> None:
    if element.tag in _PRESERVE:
        return
    children = list(element)
    element.text = _collapse(element.text)
    for child in children:
        child.tail = _collapse(child.tail)
    if any(_is_block(child) for child in children):
        element.text = _strip(element.text)
        for child in children:
            child.tail = _strip(child.tail)
    else:
        _strip_edges(element, children)
    for index, child in enumerate(children):
        if child.tag == "br":
            child.tail = _lstrip(child.tail)
            if index == 0:
                element.text = _rstrip(element.text)
            else:
                children[index - 1].tail = _rstrip(children[index - 1].tail)
    if element.tag in _MACROS:
        _sort_parameters(element)
    for child in children:
        if isinstance(child.tag, str):
            _normalise(child)


def _strip_edges(element: etree._Element, children: list[etree._Element]) -> None:
    if not (_is_block(element) or element.getparent() is None):
        return
    element.text = _lstrip(element.text)
    if children:
        children[-1].tail = _rstrip(children[-1].tail)
    else:
        element.text = _rstrip(element.text)


def _sort_parameters(macro: etree._Element) -> None:
    params = [child for child in macro if child.tag == _PARAMETER]
    if len(params) < 2:
        return
    first = macro.index(params[0])
    for param in params:
        macro.remove(param)
    for offset, param in enumerate(sorted(params, key=lambda p: p.get(_NAME) or "")):
        macro.insert(first + offset, param)


def _collapse(text: str | None) -> str | None:
    if not text:
        return None
    return _WS_RE.sub(" ", text)


def _strip(text: str | None) -> str | None:
    return (text.strip(" ") or None) if text else None


def _lstrip(text: str | None) -> str | None:
    return (text.lstrip(" ") or None) if text else None


def _rstrip(text: str | None) -> str | None:
    return (text.rstrip(" ") or None) if text else None
