"""Confluence ``view`` HTML (the rendered page) to markdown, for reading only.

Unlike storage, view HTML has lost the macro structure, so this conversion is deliberately
lossy: it keeps the text, headings, lists, tables, code, links and images an LLM needs to
read a page, and drops presentation wrappers. Never use its output to write a page back.
"""

from __future__ import annotations

import re

from lxml import etree, html  # type: ignore[import-untyped]

from confluence_client.content._render_inline import backtick_fence, collapse
from confluence_client.content._syntax import escape_text

__all__ = ["view_to_markdown"]

_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_BRUSH_RE = re.compile(r"brush:\s*([A-Za-z0-9_+#.-]+)")
_LANGUAGE_CLASS_RE = re.compile(r"language-([A-Za-z0-9_+#.-]+)")
_BLOCKS = frozenset(
    {"p", "ul", "ol", "table", "pre", "blockquote", "hr", "div", "section", "article"}
    | {"header", "footer", "main", "aside", "figure", "dl", "details", "nav"}
    | set(_HEADINGS)
)
_DROPPED = frozenset({"script", "style", "noscript", "template", "button", "svg"})
_EMPHASIS = {"strong": "**", "b": "**", "em": "*", "i": "*", "s": "~~", "del": "~~"}


def view_to_markdown(view_html: str) -> str:
    """Convert Confluence's rendered ``view`` HTML to readable markdown (lossy, read-only).

    Never raises: unreadable input gives its visible text.
    """
    if not view_html.strip():
        return ""
    try:
        root = html.fragment_fromstring(view_html, create_parent="div")
    except (etree.ParserError, ValueError):
        return escape_text(collapse(view_html)).strip() + "\n"
    blocks = _flow(root)
    return "\n\n".join(b for b in blocks if b.strip()) + "\n"


def _tag(element: etree._Element) -> str:
    return element.tag.lower() if isinstance(element.tag, str) else ""


def _classes(element: etree._Element) -> set[str]:
    return set((element.get("class") or "").split())


def _flow(container: etree._Element) -> list[str]:
    blocks: list[str] = []
    run: list[str] = [escape_text(collapse(container.text))]
    for child in container:
        tag = _tag(child)
        if tag in _DROPPED or not tag:
            run.append(escape_text(collapse(child.tail)))
            continue
        if tag in _BLOCKS:
            blocks.append("".join(run).strip())
            run = []
            blocks.extend(_block(child))
        else:
            run.append(_inline(child))
        run.append(escape_text(collapse(child.tail)))
    blocks.append("".join(run).strip())
    return [b for b in blocks if b]


def _block(element: etree._Element) -> list[str]:
    tag = _tag(element)
    if tag == "p":
        return [_inline_content(element).strip()]
    if tag in _HEADINGS:
        text = _inline_content(element).strip().replace("\n", " ")
        return ["#" * _HEADINGS[tag] + " " + text] if text else []
    if tag in ("ul", "ol"):
        return [_list(element)]
    if tag == "table":
        return [_table(element)]
    if tag == "pre":
        return [_code(element)]
    if tag == "blockquote":
        inner = "\n\n".join(_flow(element))
        return ["\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))]
    if tag == "hr":
        return ["---"]
    if "confluence-information-macro" in _classes(element):
        inner = "\n\n".join(_flow(element))
        return ["\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))]
    return _flow(element)


def _inline_content(element: etree._Element) -> str:
    parts = [escape_text(collapse(element.text))]
    for child in element:
        parts.append(_inline(child))
        parts.append(escape_text(collapse(child.tail)))
    return "".join(parts)


def _inline(element: etree._Element) -> str:
    tag = _tag(element)
    if tag in _DROPPED or not tag:
        return ""
    if tag == "br":
        return "\\\n"
    if tag in _EMPHASIS:
        inner = _inline_content(element).strip()
        return f"{_EMPHASIS[tag]}{inner}{_EMPHASIS[tag]}" if inner else ""
    if tag == "code":
        text = element.text_content()
        fence = backtick_fence(text, 1)
        return (
            f"{fence} {text} {fence}"
            if text.startswith("`") or text.endswith("`")
            else f"{fence}{text}{fence}"
        )
    if tag == "a":
        text = _inline_content(element).strip() or escape_text(element.get("href") or "")
        href = element.get("href")
        return f"[{text}](<{href}>)" if href and not set(href) & set("<>\n") else text
    if tag == "img":
        return _image(element)
    if tag == "time":
        return escape_text(element.get("datetime") or element.text_content())
    if tag in _BLOCKS:  # a block inside inline content: keep its text on one line
        return " ".join(_flow(element)).replace("\n", " ")
    return _inline_content(element)


def _image(element: etree._Element) -> str:
    classes = _classes(element)
    alt = element.get("alt") or ""
    if "emoticon" in classes:
        return escape_text(element.get("data-emoji-fallback") or alt)
    src = element.get("data-image-src") or element.get("src") or ""
    if not src or set(src) & set("<>\n"):
        return escape_text(alt)
    return f"![{escape_text(alt)}](<{src}>)"


def _list(element: etree._Element) -> str:
    ordered = _tag(element) == "ol"
    tasks = "inline-task-list" in _classes(element)
    lines = []
    number = int(element.get("start") or 1) if (element.get("start") or "1").isdigit() else 1
    for item in element:
        if _tag(item) != "li":
            continue
        marker = f"{number}." if ordered else "-"
        number += 1
        if tasks:
            marker += " [x]" if "checked" in _classes(item) else " [ ]"
        body = "\n\n".join(_flow(item)) or ""
        width = len(marker) + 1
        indented = "\n".join((" " * width + line) if line else line for line in body.split("\n"))
        lines.append(f"{marker} {indented[width:]}".rstrip())
    return "\n".join(lines)


def _table(element: etree._Element) -> str:
    rows = list(element.iter("tr"))
    grid = []
    for row in rows:
        cells = [c for c in row if _tag(c) in ("td", "th")]
        texts = [" ".join(_flow(c)).replace("\n", " ").strip() for c in cells]
        grid.append([t.replace("|", "\\|") if "\\|" not in t else t for t in texts])
    if not grid or not any(grid):
        return ""
    width = max(len(row) for row in grid)
    grid = [row + [""] * (width - len(row)) for row in grid]
    lines = ["| " + " | ".join(row) + " |" for row in grid]
    lines.insert(1, "|" + "---|" * width)
    return "\n".join(lines)


def _code(element: etree._Element) -> str:
    text = element.text_content().rstrip("\n")
    params = element.get("data-syntaxhighlighter-params") or ""
    match = _BRUSH_RE.search(params) or _LANGUAGE_CLASS_RE.search(element.get("class") or "")
    language = match.group(1) if match else ""
    fence = backtick_fence(text, 3)
    return f"{fence}{language}\n{text}\n{fence}"
