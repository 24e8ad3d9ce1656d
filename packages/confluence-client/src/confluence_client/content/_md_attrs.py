"""Inline attribute rules (``[text]{...}``, ``` `code`{...} ```) in time linear in the input.

mdit-py-plugins' inline attribute rules parse ``state.src[pos:]``: each ``[x]`` and each link
or code span copies (and scans for ``%``) the whole rest of the paragraph, so a body of many
``[a](`` takes time quadratic in its length. These replacements do the same work on a window
of at most :data:`MAX_ATTRS_CHARS` characters, and only when a ``{`` is actually there.
Attribute sanitising stays the plugin's (event handlers and unsafe URLs removed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mdit_py_plugins.attrs.parse import ParseError, parse

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_inline import StateInline
    from markdown_it.token import Token

__all__ = ["MAX_ATTRS_CHARS", "use_bounded_attr_rules"]

MAX_ATTRS_CHARS = 8192
"""Longest ``{...}`` block read after an inline element (ours are far shorter)."""

_AFTER = ("image", "code_inline", "link_close", "span_close")


def _attrs_at(src: str, pos: int) -> tuple[int, dict[str, Any]] | None:
    """(length - 1, attributes) of the ``{...}`` block starting at ``pos``, else None."""
    if pos >= len(src) or src[pos] != "{":
        return None
    try:
        return parse(src[pos : pos + MAX_ATTRS_CHARS])
    except ParseError:
        return None


def _add_attrs(md: MarkdownIt, token: Token, attrs: dict[str, Any]) -> None:
    from mdit_py_plugins.attrs import index

    add = getattr(index, "_add_attrs", None)  # the plugin's sanitising, where it has one
    if add is not None:
        add(md, token, attrs, None)
    else:  # pragma: no cover - older plugin versions keep every attribute
        token.attrs.update(attrs)


def _span_rule(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "[":
        return False
    maximum = state.posMax
    label_start = state.pos + 1
    label_end = state.md.helpers.parseLinkLabel(state, state.pos, False)
    if label_end < 0 or label_end + 1 >= maximum:
        return False
    found = _attrs_at(state.src, label_end + 1)
    if found is None:
        return False
    length, attrs = found
    if not silent:
        state.pos = label_start
        state.posMax = label_end
        _add_attrs(state.md, state.push("span_open", "span", 1), attrs)
        state.md.inline.tokenize(state)
        state.push("span_close", "span", -1)
    state.pos = label_end + 1 + length + 1
    state.posMax = maximum
    return True


def _opening(tokens: list[Token], index: int) -> int | None:
    if tokens[index].nesting != -1:
        return index
    level = 0
    while index >= 0:
        level += tokens[index].nesting
        if level == 0:
            return index
        index -= 1
    return None


def _attr_inline_rule(state: StateInline, silent: bool) -> bool:
    # Cheapest test first: reading ``state.pending`` joins the pending text buffer, which on
    # a long run of text is itself a copy.
    if state.src[state.pos] != "{" or not state.tokens or state.tokens[-1].type not in _AFTER:
        return False
    if state.pending:
        return False
    found = _attrs_at(state.src, state.pos)
    if found is None:
        return False
    index = _opening(state.tokens, len(state.tokens) - 1)
    if index is None:
        return False
    length, attrs = found
    state.pos += length + 1
    if not silent:
        token = state.tokens[index]
        if "class" in attrs and "class" in token.attrs:
            attrs["class"] = f"{token.attrs['class']} {attrs['class']}"
        _add_attrs(state.md, token, attrs)
    return True


def use_bounded_attr_rules(md: MarkdownIt) -> None:
    """Swap the attrs plugin's inline rules (``span``, ``attr``) for the bounded ones."""
    md.inline.ruler.at("span", _span_rule)
    md.inline.ruler.at("attr", _attr_inline_rule)
