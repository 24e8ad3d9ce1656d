"""The markdown dialect we read and write: parser set-up, escaping and attribute blocks.

The dialect is CommonMark plus GFM tables and strikethrough, with three mdit-py-plugins
extensions that carry what plain markdown cannot:

- attributes after inline elements and on the line before a block: ``[x]{.status colour=Red}``,
  ``![a](attachment:a.png){ac:width=300}``, ``{data-layout=wide}`` above a table;
- ``:::`` containers for elements that wrap markdown (rich-text macros, layouts);
- fence info strings ``python {title="x"}`` for code macros.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt
from mdit_py_plugins.attrs import attrs_block_plugin, attrs_plugin
from mdit_py_plugins.attrs.parse import ParseError, parse
from mdit_py_plugins.container import container_plugin

from confluence_client.content._md_attrs import use_bounded_attr_rules

__all__ = [
    "CONTAINER",
    "DEFAULT_PARAMETER",
    "RAW_LANGUAGE",
    "decode_ref",
    "encode_ref",
    "escape_text",
    "format_attrs",
    "markdown_parser",
    "parse_attrs",
    "split_info",
]

CONTAINER = "cf"
# Attribute key standing for a macro's unnamed default parameter (``ac:name=""``).
DEFAULT_PARAMETER = "_"
RAW_LANGUAGE = "confluence"

_BARE_VALUE_RE = re.compile(r"[A-Za-z0-9_:-]+")
_KEY_RE = re.compile(r"[A-Za-z0-9_:-]+")
_VALUE_ESCAPES = {"%": "%25", '"': "%22", "\\": "%5C", "{": "%7B", "}": "%7D", "\n": "%0A"}
_VALUE_ESCAPES["\r"] = "%0D"
_VALUE_UNESCAPE_RE = re.compile(r"%(25|22|5C|7B|7D|0A|0D)", re.IGNORECASE)
_REF_ESCAPES = {"%": "%25", "#": "%23", "/": "%2F", "<": "%3C", ">": "%3E", "\\": "%5C"}
_REF_ESCAPES |= {"\n": "%0A", "\r": "%0D", "&": "%26"}
_REF_UNESCAPE_RE = re.compile(r"%(25|23|2F|3C|3E|5C|0A|0D|26)", re.IGNORECASE)
_ALWAYS_ESCAPE = frozenset("\\`*_[]<>{}|~")
_LINE_START_ESCAPE = frozenset("#>-+=:!")
_ORDERED_MARKER_RE = re.compile(r"^(\d{1,9})([.)])")
_ENTITY_START_RE = re.compile(r"&(?=[A-Za-z0-9#])")


@lru_cache(maxsize=1)
def markdown_parser() -> MarkdownIt:
    """The shared, configured markdown-it parser.

    Raw HTML is recognised so that hand-written ``<br>`` or a pasted XHTML block can be
    honoured; what is not well-formed storage stays text (see the builders).
    """
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    md.use(attrs_plugin, spans=True)
    use_bounded_attr_rules(md)  # the plugin's inline rules are quadratic in the input
    md.use(attrs_block_plugin)
    md.use(container_plugin, name=CONTAINER, validate=lambda params, *_: bool(params.strip()))
    # Keep link targets as written: Confluence stores them verbatim, and percent-encoding
    # titles or non-ASCII URLs would change the page on a round trip.
    md.normalizeLink = _verbatim  # type: ignore[method-assign,assignment]
    md.normalizeLinkText = _verbatim  # type: ignore[method-assign]
    return md


def _verbatim(link: str) -> str:
    return link


def escape_text(text: str, *, line_start: bool = False) -> str:
    """Escape plain text so that markdown reads it back as the same characters.

    With ``line_start`` the text begins a line: leading spaces are dropped (they are layout
    there, and storage ignores them) and block markers such as ``#`` or ``1.`` are escaped.
    """
    if line_start:
        text = text.lstrip(" ")  # indentation at a line start is layout (or a code block)
    out: list[str] = []
    for index, char in enumerate(text):
        if char in _ALWAYS_ESCAPE or (line_start and index == 0 and char in _LINE_START_ESCAPE):
            out.append("\\" + char)
        elif char == "&" and _ENTITY_START_RE.match(text, index):
            out.append("\\&")
        elif char == "\u00a0":
            out.append("&nbsp;")
        else:
            out.append(char)
    escaped = "".join(out)
    if line_start:
        escaped = _ORDERED_MARKER_RE.sub(r"\1\\\2", escaped, count=1)
    return escaped


def _encode_value(value: str) -> str:
    if _BARE_VALUE_RE.fullmatch(value):
        return value
    return '"' + "".join(_VALUE_ESCAPES.get(ch, ch) for ch in value) + '"'


def decode_value(value: str) -> str:
    """Undo the percent-escapes ``format_attrs`` put into quoted values."""
    return _VALUE_UNESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)), value)


def format_attrs(attrs: dict[str, str], classes: tuple[str, ...] = ()) -> str:
    """``{.class key=value key="quoted value"}``, or ``""`` when there is nothing to say.

    Raises:
        ValueError: a key cannot be written in attribute syntax.
    """
    parts = [f".{name}" for name in classes]
    for key, value in attrs.items():
        if not _KEY_RE.fullmatch(key):
            raise ValueError(f"attribute name {key!r} cannot be written in markdown")
        parts.append(f"{key}={_encode_value(value)}")
    return "{" + " ".join(parts) + "}" if parts else ""


def parse_attrs(text: str) -> dict[str, str] | None:
    """Parse a whole ``{...}`` attribute block; ``None`` when it is not one."""
    text = text.strip()
    if not text.startswith("{"):
        return None
    try:
        end, attrs = parse(text)
    except ParseError:
        return None
    if end != len(text) - 1:
        return None
    return {key: decode_value(value) for key, value in attrs.items()}


def decode_attr_map(attrs: dict[str, str | int | float]) -> dict[str, str]:
    """Decode the attributes the attrs plugin put on a token."""
    return {key: decode_value(str(value)) for key, value in attrs.items()}


def split_info(info: str) -> tuple[str, dict[str, str]] | None:
    """Split ``name {attrs}`` (fence info or container line); ``None`` when malformed."""
    name, brace, rest = info.strip().partition("{")
    name = name.strip()
    if not brace:
        return name, {}
    attrs = parse_attrs("{" + rest)
    return None if attrs is None else (name, attrs)


def encode_ref(value: str) -> str:
    """Escape a page title, space key or file name for a ``page:``/``attachment:`` target."""
    return "".join(_REF_ESCAPES.get(ch, ch) for ch in value)


def decode_ref(value: str) -> str:
    """Undo :func:`encode_ref`."""
    return _REF_UNESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)), value)
