"""Section edits: find a heading in a storage document and replace what lies under it.

A section is a heading plus the siblings that follow it, up to the next heading of the same
or a higher level in the same container (page body, layout cell, macro body) or the next
page layout (``ac:layout`` is a region of the page of its own, not part of a section). Only those
siblings change; every other node of the document is kept as parsed.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote

from lxml import etree  # type: ignore[import-untyped]

from confluence_client.content._canonical import storage_equivalent
from confluence_client.content._errors import AmbiguousSectionError, SectionNotFoundError
from confluence_client.content._md_blocks import markdown_to_tree
from confluence_client.content._offsets import section_span
from confluence_client.content._tree import append_fragment, append_text
from confluence_client.content._xml import (
    AC,
    RI,
    RawSlots,
    new_root,
    parse_storage,
    serialize_children,
)

__all__ = ["Section", "get_section", "list_sections", "replace_section"]

_LEVELS = {f"h{n}": n for n in range(1, 7)}
_WS_RE = re.compile(r"\s+")
_MARKDOWN_HEADING_RE = re.compile(r"^#{1,6}\s+")
_LAYOUT = f"{{{AC}}}layout"
_SKIPPED = frozenset({f"{{{AC}}}parameter", f"{{{AC}}}plain-text-body"})


@dataclass(frozen=True, slots=True)
class Section:
    """One heading of a storage document.

    Attributes:
        title: the heading's visible text, whitespace collapsed.
        level: 1 to 6.
        anchor: the anchor Confluence derives from the title (spaces become hyphens); page
            URLs prefix it with the page title and a hyphen.
        index: position among all headings of the document, from 0.
        occurrence: 1 for the first heading with this title, 2 for the second, ...
    """

    title: str
    level: int
    anchor: str
    index: int
    occurrence: int


def list_sections(storage: str) -> list[Section]:
    """The headings of a storage document, in document order.

    Raises:
        StorageParseError: the document is not well-formed.
    """
    return [section for section, _ in _headings(parse_storage(storage))]


def get_section(storage: str, heading: str, *, occurrence: int | None = None) -> str:
    """Storage of the content under ``heading`` (the heading element itself excluded),
    as written in ``storage``.

    ``heading`` is matched as in :func:`replace_section`.

    Raises:
        StorageParseError: the document is not well-formed.
        SectionNotFoundError, AmbiguousSectionError: see :func:`replace_section`.
    """
    root = parse_storage(storage)
    element = _resolve(root, heading, occurrence)
    index = next(s.index for s, e in _headings(root) if e is element)
    holder = new_root({k: v for k, v in root.nsmap.items() if k})
    append_text(holder, element.tail or "")
    for sibling in _section_siblings(element):
        holder.append(sibling)
    rebuilt = serialize_children(holder)
    span = section_span(storage, index)  # the section exactly as written, when provable
    if span is not None and storage_equivalent(storage[span[0] : span[1]], rebuilt):
        return storage[span[0] : span[1]]
    return rebuilt


def replace_section(
    storage: str,
    heading: str,
    content: str,
    *,
    content_format: Literal["storage", "markdown"] = "storage",
    occurrence: int | None = None,
) -> str:
    """Replace the content under one heading, leaving the rest of the document as it was.

    Args:
        storage: the page body in storage format.
        heading: the heading's text (exact, then case-insensitive), a markdown heading line
            (``"## Rollback"``), or its anchor (``"Rollback"``, ``"#Page-Title-Rollback"``,
            or the name of an anchor macro inside the heading).
        content: the new content of the section, without the heading itself.
        content_format: ``"storage"`` (the default) or ``"markdown"`` (converted like
            :func:`markdown_to_storage`).
        occurrence: which match to edit (1-based) when several headings match.

    Returns:
        The whole document in storage format.

    Raises:
        StorageParseError: ``storage`` (or ``content`` given as storage) is not well-formed.
        SectionNotFoundError: no heading matches (``available`` lists the headings).
        AmbiguousSectionError: several headings match and ``occurrence`` was not given.
    """
    root = parse_storage(storage)
    element = _resolve(root, heading, occurrence)
    index = next(s.index for s, e in _headings(root) if e is element)
    raw = RawSlots()
    if content_format == "storage":
        replacement = parse_storage(content)
        new_text = content
    else:
        replacement = markdown_to_tree(content, raw)
        new_text = serialize_children(copy.deepcopy(replacement), raw)
    parent = element.getparent()
    assert parent is not None  # headings always sit inside the wrapper root
    for sibling in _section_siblings(element):
        parent.remove(sibling)
    holder = new_root()
    append_fragment(holder, replacement)
    element.tail = holder.text  # the old tail was the section's leading text
    position = parent.index(element) + 1
    for offset, node in enumerate(list(holder)):
        parent.insert(position + offset, node)
    rebuilt = serialize_children(root, raw)
    # Prefer splicing the original text, so bytes outside the section stay exactly as they
    # were; the re-serialised tree is the fallback (and the check that the splice is right).
    span = section_span(storage, index)
    if span is not None:
        spliced = storage[: span[0]] + new_text + storage[span[1] :]
        if storage_equivalent(spliced, rebuilt):
            return spliced
    return rebuilt


def _section_siblings(element: etree._Element) -> list[etree._Element]:
    level = _LEVELS[str(element.tag)]
    siblings = []
    for sibling in element.itersiblings():
        sibling_level = _LEVELS.get(str(sibling.tag))
        if (sibling_level is not None and sibling_level <= level) or sibling.tag == _LAYOUT:
            break
        siblings.append(sibling)
    if siblings:
        siblings[-1].tail = None  # text before the next heading belongs to this section
    return siblings


def _headings(root: etree._Element) -> list[tuple[Section, etree._Element]]:
    out: list[tuple[Section, etree._Element]] = []
    seen: dict[str, int] = {}
    for element in root.iter(*_LEVELS):
        title = _WS_RE.sub(" ", "".join(_visible_text(element))).strip()
        seen[title] = seen.get(title, 0) + 1
        section = Section(
            title=title,
            level=_LEVELS[str(element.tag)],
            anchor=title.replace(" ", "-"),
            index=len(out),
            occurrence=seen[title],
        )
        out.append((section, element))
    return out


def _visible_text(element: etree._Element) -> list[str]:
    parts = [element.text or ""] if element.tag not in _SKIPPED else []
    for child in element:
        if not isinstance(child.tag, str) or child.tag in _SKIPPED:
            pass
        elif child.tag == f"{{{AC}}}link" and not any("body" in str(c.tag) for c in child):
            page = child.find(f"{{{RI}}}page")
            parts.append(page.get(f"{{{RI}}}content-title", "") if page is not None else "")
        elif child.tag == f"{{{AC}}}emoticon":
            parts.append(child.get(f"{{{AC}}}emoji-fallback", ""))
        else:
            parts.extend(_visible_text(child))
        parts.append(child.tail or "")
    return parts


def _anchor_names(element: etree._Element) -> list[str]:
    names: list[str] = []
    for macro in element.iter(f"{{{AC}}}structured-macro"):
        if macro.get(f"{{{AC}}}name") == "anchor":
            names.extend((p.text or "").strip() for p in macro.iter(f"{{{AC}}}parameter"))
    return names


def _resolve(root: etree._Element, heading: str, occurrence: int | None) -> etree._Element:
    headings = _headings(root)
    wanted = _WS_RE.sub(" ", _MARKDOWN_HEADING_RE.sub("", heading.strip())).strip()
    anchor = unquote(wanted.lstrip("#")).replace(" ", "-").casefold()
    tiers: tuple[Callable[[Section, etree._Element], bool], ...] = (
        lambda s, _: s.title == wanted,
        lambda s, _: s.title.casefold() == wanted.casefold(),
        lambda s, e: (
            anchor != ""
            and (
                s.anchor.casefold() == anchor
                or anchor in (name.casefold() for name in _anchor_names(e))
            )
        ),
        # Page URLs prefix the anchor with the page title: "Page-Title-Heading".
        lambda s, _: anchor.endswith("-" + s.anchor.casefold()),
    )
    available = [s.title for s, _ in headings]
    for matches_tier in tiers:
        matches = [e for s, e in headings if matches_tier(s, e)]
        if not matches:
            continue
        if occurrence is None:
            if len(matches) == 1:
                return matches[0]
            raise AmbiguousSectionError(
                f"{len(matches)} headings match {heading!r}; pass occurrence to choose one",
                heading=heading,
                available=available,
                matches=len(matches),
            )
        if 1 <= occurrence <= len(matches):
            return matches[occurrence - 1]
        raise SectionNotFoundError(
            f"heading {heading!r} has {len(matches)} match(es), not occurrence {occurrence}",
            heading=heading,
            available=available,
        )
    raise SectionNotFoundError(
        f"no heading matches {heading!r}", heading=heading, available=available
    )
