"""Removing chosen elements and comments from a storage document (the caller decides which).

The SDK stays neutral: :func:`prune_storage` knows nothing about why an element goes; a
server's content policy passes the predicate. A document where nothing matches comes back
as the very same string, byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from lxml import etree  # type: ignore[import-untyped]

from confluence_client.content._xml import attr_name, local_tag, parse_storage, serialize_children

__all__ = ["StorageElement", "prune_storage"]


@dataclass(frozen=True, slots=True)
class StorageElement:
    """What a pruning predicate sees of one element: ``ac:placeholder``-style tag,
    prefixed attribute names, and its text content (descendants included)."""

    tag: str
    attributes: Mapping[str, str]
    text: str


def prune_storage(
    storage: str,
    remove: Callable[[StorageElement], bool],
    *,
    remove_comments: bool = False,
) -> tuple[str, int]:
    """``storage`` without the elements ``remove`` selects (and XML comments if asked).

    Returns the new document and how many elements/comments were removed; the text after a
    removed element (its tail) is kept. Raises ``StorageParseError`` on malformed input.
    """
    root = parse_storage(storage)
    doomed: list[etree._Element] = []
    for node in root.iter():
        if node is root or any(node is d or _inside(node, d) for d in doomed[-1:]):
            continue
        if isinstance(node, etree._Comment):
            if remove_comments:
                doomed.append(node)
            continue
        if not isinstance(node.tag, str):
            continue
        attributes = {attr_name(key, node): value for key, value in node.attrib.items()}
        element = StorageElement(local_tag(node), attributes, "".join(node.itertext()))
        if remove(element):
            doomed.append(node)
    if not doomed:
        return storage, 0
    for node in doomed:
        _drop_keeping_tail(node)
    return serialize_children(root), len(doomed)


def _inside(node: etree._Element, ancestor: etree._Element) -> bool:
    parent = node.getparent()
    while parent is not None:
        if parent is ancestor:
            return True
        parent = parent.getparent()
    return False


def _drop_keeping_tail(node: etree._Element) -> None:
    parent = node.getparent()
    if parent is None:
        return
    tail = node.tail or ""
    previous = node.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(node)
