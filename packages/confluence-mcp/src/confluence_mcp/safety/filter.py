"""Hidden-content filter: what a reader of the page cannot see does not reach the model.

Two passes, both no-ops on clean input (the same string comes back):

- :func:`prune_hidden_storage` on a storage body before it becomes markdown: editor-only
  ``ac:placeholder`` text, XML/HTML comments, elements styled invisible (``display:none``,
  ``visibility:hidden``, zero font size, white text) and code-macro languages that are not a
  plain language name (the info string of the markdown fence).
- :func:`clean_text` on every string returned: after entity decoding, invisible and bidi
  control characters, Unicode tag characters and stray variation selectors are dropped, and
  free-text code-fence info strings are cut to their first word.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

__all__ = ["clean_text", "is_hidden_element", "prune_hidden_storage"]

# Format (Cf) characters that render as nothing, plus bidi controls and the invisible math
# operators. ZWJ/ZWNJ are kept between letters or symbols (emoji, Indic and Persian text).
_INVISIBLE = frozenset(
    {0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, 0x3164, 0xFEFF, 0xFFA0}
    | set(range(0x200B, 0x2010))
    | set(range(0x202A, 0x202F))
    | set(range(0x2060, 0x2070))
    | set(range(0xFFF0, 0xFFF9))
)
_JOINERS = frozenset({0x200C, 0x200D})
_TAGS = range(0xE0000, 0xE0080)
_SELECTORS = frozenset(range(0xFE00, 0xFE10)) | frozenset(range(0xE0100, 0xE01F0))
_FLAG = 0x1F3F4  # black flag: tag characters after it spell a subdivision flag
_CANCEL_TAG = 0xE007F
_ENTITY = re.compile(r"&#(?:[xX]([0-9A-Fa-f]{1,6})|([0-9]{1,7}));")
_FENCE = re.compile(r"^([ \t]{0,3})(`{3,}|~{3,})([^\n]*)$", re.MULTILINE)
_LANGUAGE = re.compile(r"[A-Za-z0-9_+#.-]{1,40}")
# The converter writes ``lang {key=value ...}``; its attribute block is structured, not prose.
_CONVERTER_INFO = re.compile(r"(?:[A-Za-z0-9_+#.-]{1,40})?\s*(?:\{[^{}\n]*\})?")

_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:\.0+)?(?:px|pt|em|rem|%)?\s*(?:;|$)"
    r"|opacity\s*:\s*0(?:\.0+)?\s*(?:;|$)",
    re.IGNORECASE,
)
_WHITE_TEXT = re.compile(
    r"(?:^|;)\s*color\s*:\s*(?:#fff(?:fff)?\b|white\b|rgb\(\s*255\s*,\s*255\s*,\s*255\s*\))",
    re.IGNORECASE,
)


def _hidden(cp: int) -> bool:
    return cp in _INVISIBLE or cp in _TAGS or unicodedata.category(chr(cp)) == "Cf"


def _visible_neighbour(char: str) -> bool:
    return unicodedata.category(char)[0] in "LMS"


def _strip_invisible(text: str) -> tuple[str, int]:
    out: list[str] = []
    removed = 0
    i = 0
    while i < len(text):
        char = text[i]
        cp = ord(char)
        if cp == _FLAG:
            # Keep a well-formed subdivision flag: black flag, tag letters, cancel tag.
            j = i + 1
            while j < len(text) and ord(text[j]) in _TAGS and ord(text[j]) != _CANCEL_TAG:
                j += 1
            if j < len(text) and ord(text[j]) == _CANCEL_TAG and j > i + 1:
                out.append(text[i : j + 1])
                i = j + 1
                continue
        if cp in _JOINERS:
            between = 0 < i < len(text) - 1 and out and _visible_neighbour(out[-1][-1])
            if between and _visible_neighbour(text[i + 1]):
                out.append(char)
                i += 1
                continue
        if cp in _SELECTORS:
            # A selector belongs right after a symbol (emoji presentation) or a CJK ideograph.
            prev = out[-1][-1] if out else ""
            if prev and (unicodedata.category(prev) == "So" or ord(prev) >= 0x2E80):
                out.append(char)
            else:
                removed += 1
            i += 1
            continue
        if cp not in _JOINERS and not _hidden(cp):
            out.append(char)
        else:
            removed += 1
        i += 1
    return "".join(out), removed


def _decode_hidden_entities(text: str) -> tuple[str, int]:
    """Drop numeric character references to invisible characters (``&#8203;``)."""
    removed = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal removed
        hexa, dec = match.groups()
        cp = int(hexa, 16) if hexa else int(dec)
        if cp <= 0x10FFFF and (_hidden(cp) or cp in _SELECTORS):
            removed += 1
            return ""
        return match.group(0)

    return _ENTITY.sub(replace, text), removed


def _neutralise_fences(text: str) -> tuple[str, int]:
    removed = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal removed
        indent, fence, info = match.groups()
        stripped = info.strip()
        if fence[0] == "`" and "`" in info:
            return match.group(0)  # not a fence opener (CommonMark): inline code
        # Plain language names and the converter's own {attribute} blocks stay as they are.
        if _CONVERTER_INFO.fullmatch(stripped):
            return match.group(0)
        first = stripped.split()[0]
        removed += 1
        return indent + fence + (first if _LANGUAGE.fullmatch(first) else "")

    if "```" not in text and "~~~" not in text:
        return text, 0
    return _FENCE.sub(replace, text), removed


def clean_text(text: str) -> tuple[str, int]:
    """``text`` without hidden characters and free-text fence info; returns (text, removed)."""
    if text.isascii() and "&#" not in text and "```" not in text and "~~~" not in text:
        return text, 0
    text, entities = _decode_hidden_entities(text) if "&#" in text else (text, 0)
    text, chars = (text, 0) if text.isascii() else _strip_invisible(text)
    text, fences = _neutralise_fences(text)
    return text, entities + chars + fences


def is_hidden_element(tag: str, attributes: Mapping[str, str], text: str) -> bool:
    """Whether a storage element is invisible to a reader (or editor-only)."""
    if tag == "ac:placeholder":
        return True
    if tag == "ac:parameter" and attributes.get("ac:name") == "language":
        return not _LANGUAGE.fullmatch(text.strip())
    style = attributes.get("style", "")
    if style and (_HIDDEN_STYLE.search(style) or _WHITE_TEXT.search(style)):
        return True
    return "hidden" in attributes and tag not in {"ac:parameter"}


def prune_hidden_storage(storage: str) -> tuple[str, int]:
    """``storage`` without hidden elements and comments; unparsable input comes back as is
    (the converter then reports it)."""
    if "<" not in storage:
        return storage, 0
    from confluence_client.content import StorageParseError, prune_storage

    try:
        return prune_storage(
            storage,
            lambda element: is_hidden_element(element.tag, element.attributes, element.text),
            remove_comments=True,
        )
    except StorageParseError:
        return storage, 0
