"""Parsing and serialising Confluence storage format with lxml.

Storage format is XHTML fragments that use the ``ac:``/``ri:`` prefixes without declaring them
and HTML named entities such as ``&nbsp;`` that plain XML does not know. We wrap a document in
a root element that declares those namespaces (and any other prefix the text uses) and give the
parser an internal DTD naming the HTML entities, so lxml reads it as ordinary XML.
"""

from __future__ import annotations

import copy
import html.entities
import re
from functools import lru_cache

from lxml import etree  # type: ignore[import-untyped]

from confluence_client.content._errors import StorageParseError

__all__ = [
    "AC",
    "RI",
    "NAMESPACES",
    "ROOT_TAG",
    "RawSlots",
    "attr_name",
    "doctype",
    "element_to_storage",
    "local_tag",
    "new_root",
    "parse_storage",
    "serialize_children",
]

AC = "http://atlassian.com/content"
RI = "http://atlassian.com/resource/identifier"
NAMESPACES = {"ac": AC, "ri": RI, "at": "http://atlassian.com/template"}
ROOT_TAG = "confluence-storage"
_UNKNOWN_NS = "urn:confluence-client:undeclared:"
# Declarations of our stand-in namespaces never reach Confluence. The old spelling
# (``urn:confluence-mcp:``) was written into some pages before the SDK had its own name.
_STAND_IN_DECL_RE = re.compile(
    r'\sxmlns:([A-Za-z_][\w.-]*)="urn:confluence-(?:client|mcp):undeclared:\1"'
)
_PREFIX_RE = re.compile(r"</?([A-Za-z_][\w.-]*):[A-Za-z_]|\s([A-Za-z_][\w.-]*):[\w.-]+\s*=")
_RAW_TAG = "confluence-client-raw"
_NAMED_ENTITY_RE = re.compile(r"&(?!(?:amp|lt|gt|quot|apos);|#)")
_POSITION_RE = re.compile(r",? line \d+, column \d+")
_RAW_RE = re.compile(rf'<{_RAW_TAG} i="(\d+)"/>')


@lru_cache(maxsize=2)
def _doctype(full: bool) -> str:
    # Only entities we declare ourselves exist, so documents cannot define their own
    # (no external entities, no expansion bombs). The HTML 4 set covers what Confluence
    # writes and parses fast; the ~2,000 HTML 5 names are a retry for unusual documents.
    predefined = {"amp", "lt", "gt", "quot", "apos"}
    if full:
        names = {k[:-1]: v for k, v in html.entities.html5.items() if k.endswith(";")}
    else:
        names = {k: chr(v) for k, v in html.entities.name2codepoint.items()}
    decls = []
    for name, value in names.items():
        if name in predefined:
            continue
        refs = "".join(f"&#{ord(ch)};" for ch in value)
        decls.append(f'<!ENTITY {name} "{refs}">')
    return f"<!DOCTYPE {ROOT_TAG} [{''.join(decls)}]>"


def doctype() -> str:
    """The internal DTD naming every HTML entity (for parsers other than lxml)."""
    return _doctype(True)


def _namespace_map(storage: str) -> dict[str, str]:
    nsmap = dict(NAMESPACES)
    for match in _PREFIX_RE.finditer(storage):
        prefix = match.group(1) or match.group(2)
        if prefix not in nsmap and prefix not in ("xml", "xmlns"):
            nsmap[prefix] = _UNKNOWN_NS + prefix
    return nsmap


def new_root(nsmap: dict[str, str] | None = None) -> etree._Element:
    """An empty wrapper root declaring the storage namespaces."""
    root: etree._Element = etree.Element(ROOT_TAG, nsmap=nsmap or NAMESPACES)
    return root


def parse_storage(storage: str) -> etree._Element:
    """Parse a storage document into a wrapper root element holding its nodes.

    Raises:
        StorageParseError: the text is not well-formed (after entity and namespace help).
    """
    if "xmlns:" in storage:
        storage = _STAND_IN_DECL_RE.sub("", storage)  # re-declared below, in one spelling
    nsmap = _namespace_map(storage)
    decls = "".join(f' xmlns:{prefix}="{uri}"' for prefix, uri in nsmap.items())
    try:
        body = f"<{ROOT_TAG}{decls}>{storage}</{ROOT_TAG}>".encode()
    except UnicodeEncodeError:  # lone surrogates cannot be XML characters
        raise StorageParseError("storage format contains invalid characters") from None
    # Parsing the entity DTD is most of the cost of a small document: skip it when unused.
    doctype = _doctype(False) if _NAMED_ENTITY_RE.search(storage) else ""
    try:
        return _parse(doctype.encode() + body)
    except etree.XMLSyntaxError as exc:
        if "Entity" not in str(exc.msg):
            raise _parse_error(exc) from None
    try:
        return _parse(_doctype(True).encode() + body)
    except etree.XMLSyntaxError as exc:
        raise _parse_error(exc) from None


def _parse(data: bytes) -> etree._Element:
    parser = etree.XMLParser(
        strip_cdata=False,
        resolve_entities=True,
        load_dtd=False,
        no_network=True,
        remove_blank_text=False,
        huge_tree=False,
    )
    return etree.fromstring(data, parser)


def _parse_error(exc: etree.XMLSyntaxError) -> StorageParseError:
    # The DOCTYPE and the root's start tag share the document's first line.
    line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
    # lxml appends a position that counts our wrapper's DOCTYPE; it would only mislead.
    reason = _POSITION_RE.sub("", str(exc.msg)).strip()
    return StorageParseError(f"storage format is not well-formed: {reason}", line=line)


class RawSlots:
    """Verbatim text spliced into serialised output where it could not be parsed.

    A raw block whose text is not well-formed cannot live in an lxml tree; we put a marker
    element there instead and replace it with the exact original text after serialising.
    """

    def __init__(self) -> None:
        self._texts: list[str] = []

    def marker(self, parent: etree._Element, text: str) -> etree._Element:
        """Append a marker for ``text`` to ``parent`` and return it."""
        element = etree.SubElement(parent, _RAW_TAG)
        element.set("i", str(len(self._texts)))
        self._texts.append(text)
        return element

    def splice(self, serialised: str) -> str:
        """Replace every marker in ``serialised`` by its verbatim text."""
        if not self._texts:
            return serialised
        return _RAW_RE.sub(lambda m: self._texts[int(m.group(1))], serialised)


def serialize_children(root: etree._Element, raw: RawSlots | None = None) -> str:
    """Serialise the content of a wrapper root (not the root itself) as storage text."""
    etree.cleanup_namespaces(root)
    text = etree.tostring(root, encoding="unicode")
    if text.endswith("/>") and len(root) == 0 and not root.text:
        return ""
    inner = _STAND_IN_DECL_RE.sub("", text[text.index(">") + 1 : text.rindex("</")])
    return raw.splice(inner) if raw is not None else inner


def element_to_storage(element: etree._Element) -> str:
    """Serialise one element (without its tail) as a standalone storage fragment."""
    root = new_root({k: v for k, v in element.nsmap.items() if k is not None})
    clone = copy.deepcopy(element)
    clone.tail = None
    root.append(clone)
    return serialize_children(root)


def local_tag(element: etree._Element) -> str:
    """``ac:link``-style name of an element (prefix kept for namespaced tags)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""  # comments and processing instructions
    return _prefixed(tag, element.nsmap)


def attr_name(name: str, element: etree._Element) -> str:
    """``ac:name``-style spelling of an lxml attribute key."""
    return _prefixed(name, element.nsmap)


def _prefixed(name: str, nsmap: dict[str | None, str]) -> str:
    if not name.startswith("{"):
        return name
    uri, local = name[1:].split("}", 1)
    for prefix, value in nsmap.items():
        if value == uri and prefix is not None:
            return f"{prefix}:{local}"
    return local
