"""Storage format to a simple "view" HTML rendering and to plain text (search, excerpts).

Confluence's own renderer is huge; the fake only needs output a client can tell apart from
storage: macros become the HTML Confluence emits for them (in spirit), links become anchors,
user mentions show display names.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from ._errors import FakeBadRequestError

__all__ = ["ViewLinks", "storage_to_view", "storage_to_text", "check_storage", "AC_NS", "RI_NS"]

AC_NS = "http://atlassian.com/content"
RI_NS = "http://atlassian.com/resource/identifier"
_WRAP = f'<root xmlns:ac="{AC_NS}" xmlns:ri="{RI_NS}">{{}}</root>'
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_NO_TEXT = {f"{{{AC_NS}}}{name}" for name in ("parameter", "task-id", "task-status")}
_NS_DECL = re.compile(r'\s+xmlns:(?:ac|ri)="[^"]*"')


def _numeric_entities(text: str) -> str:
    # Storage format uses HTML entities (&nbsp;) that XML does not define.
    def repl(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in _XML_ENTITIES:
            return m.group(0)
        char = html.unescape(m.group(0))
        return f"&#{ord(char)};" if len(char) == 1 else m.group(0)

    return _ENTITY.sub(repl, text)


def check_storage(storage: str) -> None:
    """400 unless ``storage`` is well-formed XHTML, as Confluence refuses to save it."""
    try:
        etree.fromstring(_WRAP.format(_numeric_entities(storage)))  # noqa: S314 - see _parse
    except etree.ParseError as exc:
        raise FakeBadRequestError(f"Error parsing xhtml: {exc}") from None


def _parse(storage: str) -> etree.Element | None:
    # The stdlib parser never fetches external entities and expat caps entity expansion;
    # input that is not well-formed falls back to a text rendering.
    try:
        return etree.fromstring(_WRAP.format(_numeric_entities(storage)))  # noqa: S314
    except etree.ParseError:
        return None


_BLOCKS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "tr", "pre", "blockquote", "div"}
    | {f"{{{AC_NS}}}{name}" for name in ("structured-macro", "task", "layout-cell", "parameter")}
)
_USER = f"{{{RI_NS}}}user"
_LINK = f"{{{AC_NS}}}link"


def storage_to_text(storage: str, user_name: Callable[[str], str] | None = None) -> str:
    """The readable text of a storage document: link text or page titles for links,
    display names for mentions (``user_name``), whitespace collapsed."""
    name = user_name or _same
    text = "".join(name(p[1]) if isinstance(p, tuple) else p for p in _text_parts(storage))
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=2048)
def _text_parts(storage: str) -> tuple[str | tuple[str, str], ...]:
    """Text pieces in document order; mentions stay ``("user", account_id)`` until named."""
    root = _parse(storage)
    if root is None:
        return (re.sub(r"<[^>]+>", " ", storage),)
    parts: list[str | tuple[str, str]] = []
    _collect(root, parts)
    return tuple(parts)


def _collect(el: etree.Element, parts: list[str | tuple[str, str]]) -> None:
    if el.tag == _LINK:
        _collect_link(el, parts)
        return
    if el.tag == _USER:
        account = el.get(f"{{{RI_NS}}}account-id") or el.get(f"{{{RI_NS}}}userkey") or ""
        parts.append(("user", account))
    elif el.text and el.tag not in _NO_TEXT:
        parts.append(el.text)
    for child in el:
        _collect(child, parts)
        if child.tail:
            parts.append(child.tail)
    if el.tag in _BLOCKS:
        parts.append(" ")


def _collect_link(el: etree.Element, parts: list[str | tuple[str, str]]) -> None:
    user = el.find(_USER)
    body = el.find(f"{{{AC_NS}}}plain-text-link-body")
    rich = el.find(f"{{{AC_NS}}}link-body")
    if user is not None:
        _collect(user, parts)
    elif body is not None and body.text:
        parts.append(body.text)
    elif rich is not None:
        parts.append("".join(rich.itertext()))
    else:
        target = el.find(f"{{{RI_NS}}}page")
        attr = "content-title"
        if target is None:
            target, attr = el.find(f"{{{RI_NS}}}attachment"), "filename"
        if target is not None:
            parts.append(target.get(f"{{{RI_NS}}}{attr}", ""))


def _same(value: str) -> str:
    return value


def _no_page(title: str, space_key: str | None) -> str | None:
    return None


def _no_file(filename: str) -> str | None:
    return None


@dataclass(frozen=True, slots=True)
class ViewLinks:
    """How the view names users and resolves page and attachment links (default: unresolved)."""

    user_name: Callable[[str], str] = _same
    user_href: Callable[[str], str] = _same
    page_href: Callable[[str, str | None], str | None] = _no_page
    attachment_src: Callable[[str], str | None] = _no_file


def storage_to_view(storage: str, links: ViewLinks | None = None) -> str:
    """A simple HTML rendering of storage format (``body.view``)."""
    root = _parse(storage)
    if root is None:
        return f"<p>{html.escape(storage)}</p>"
    _render_children(root, links or ViewLinks())
    out = html.escape(root.text or "", quote=False) + "".join(
        etree.tostring(c, encoding="unicode") for c in root
    )
    return _NS_DECL.sub("", out)


def _el(tag: str, attrs: dict[str, str] | None = None) -> etree.Element:
    return etree.Element(tag, attrs or {})


def _render_children(el: etree.Element, links: ViewLinks) -> None:
    # Parent first: a macro reads its parameters before its children are rendered away.
    for child in list(el):
        replacement = _render_one(child, links)
        if replacement is not None:
            replacement.tail = child.tail
            index = list(el).index(child)
            el.remove(child)
            el.insert(index, replacement)
            child = replacement
        _render_children(child, links)


def _render_one(el: etree.Element, links: ViewLinks) -> etree.Element | None:
    tag = el.tag
    if not tag.startswith("{"):
        return None
    ns, local = tag[1:].split("}", 1)
    if ns == RI_NS:
        return _resource(el, local, links)
    if local in ("structured-macro", "macro"):
        return _macro(el)
    if local == "link":
        return _link(el, links)
    if local == "image":
        img = el.find(f"{{{RI_NS}}}attachment")
        name = img.get(f"{{{RI_NS}}}filename", "") if img is not None else ""
        src = links.attachment_src(name) or name
        attrs = {
            "class": "confluence-embedded-image",
            "src": src,
            "alt": el.get(f"{{{AC_NS}}}alt", ""),
        }
        return _el("img", attrs)
    if local == "task-list":
        new = _el("ul", {"class": "inline-task-list"})
        _adopt(new, el)
        return new
    if local == "task":
        li = _el("li")
        status = el.findtext(f"{{{AC_NS}}}task-status", "")
        li.set("class", "checked" if status == "complete" else "")
        body = el.find(f"{{{AC_NS}}}task-body")
        if body is not None:
            _adopt(li, body)
        return li
    if local in ("layout", "layout-section", "layout-cell"):
        return _div(el, local)
    if local in ("plain-text-body", "rich-text-body", "link-body", "plain-text-link-body"):
        return _div(el, local)
    if local in ("parameter", "task-id", "task-status", "emoticon", "placeholder"):
        return _el("span")
    return _div(el, local)


def _link(el: etree.Element, links: ViewLinks) -> etree.Element:
    user = el.find(f"{{{RI_NS}}}user")
    if user is not None:
        return _resource(user, "user", links)
    body = el.find(f"{{{AC_NS}}}plain-text-link-body")
    rich = el.find(f"{{{AC_NS}}}link-body")
    page = el.find(f"{{{RI_NS}}}page")
    attachment = el.find(f"{{{RI_NS}}}attachment")
    anchor = _el("a", {"href": "#"})
    if page is not None:
        title = page.get(f"{{{RI_NS}}}content-title", "")
        anchor.set("href", links.page_href(title, page.get(f"{{{RI_NS}}}space-key")) or "#")
        anchor.text = title
    elif attachment is not None:
        name = attachment.get(f"{{{RI_NS}}}filename", "")
        anchor.set("href", links.attachment_src(name) or "#")
        anchor.text = name
    if el.get(f"{{{AC_NS}}}anchor"):
        anchor.set(
            "href", anchor.get("href", "#").rstrip("#") + "#" + el.get(f"{{{AC_NS}}}anchor", "")
        )
    if body is not None and body.text:
        anchor.text = body.text
    elif rich is not None:
        anchor.text = rich.text
        for child in list(rich):
            anchor.append(child)
    return anchor


def _resource(el: etree.Element, local: str, links: ViewLinks) -> etree.Element:
    span = _el("span")
    if local == "user":
        account = el.get(f"{{{RI_NS}}}account-id") or el.get(f"{{{RI_NS}}}userkey") or ""
        attrs = {
            "href": links.user_href(account),
            "class": "confluence-userlink user-mention",
            "data-account-id": account,
        }
        link = _el("a", attrs)
        link.text = "@" + links.user_name(account)
        return link
    span.text = el.get(f"{{{RI_NS}}}content-title") or el.get(f"{{{RI_NS}}}filename") or ""
    return span


def _macro(el: etree.Element) -> etree.Element:
    name = el.get(f"{{{AC_NS}}}name", "")
    params = {
        p.get(f"{{{AC_NS}}}name", ""): (p.text or "") for p in el.findall(f"{{{AC_NS}}}parameter")
    }
    if name in ("code", "noformat"):
        pre = _el("pre", {"class": "syntaxhighlighter-pre"})
        if params.get("language"):
            pre.set("data-language", params["language"])
        pre.text = (el.findtext(f"{{{AC_NS}}}plain-text-body") or "").strip()
        return pre
    if name == "status":
        span = _el("span", {"class": "status-macro aui-lozenge"})
        span.text = params.get("title", "")
        return span
    if name == "toc":
        return _el("div", {"class": "toc-macro"})
    div = _el("div", {"class": f"confluence-{name}-macro"})
    _adopt(div, el)
    return div


def _div(el: etree.Element, local: str) -> etree.Element:
    div = _el("div", {"class": local})
    _adopt(div, el)
    return div


def _adopt(new: etree.Element, old: etree.Element) -> None:
    new.text = old.text
    for child in list(old):
        new.append(child)
