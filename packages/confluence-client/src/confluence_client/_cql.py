"""A small CQL builder that makes injection impossible by construction.

User text only ever enters a query as a double-quoted string literal with ``\\`` and ``"``
escaped (and control characters blanked), so quotes, backslashes, reserved words (``AND``,
``OR``, ``NOT``, ``ORDER BY``) and operators inside it stay data. Field names, operators and
keywords come from code, and field names are checked against an identifier pattern.

CQL written by a caller (a person or a model) enters through :meth:`Cql.from_user`, which
parenthesises its condition, so that :meth:`Cql.restrict` can narrow it (to allowed spaces,
say) without an ``OR`` inside escaping the restriction.

    >>> q = Cql.eq("space", "DEMO") & Cql.contains("text", 'say "hi" OR 1=1')
    >>> str(q.order_by("lastmodified", descending=True))
    'space = "DEMO" AND text ~ "say \\\\"hi\\\\" OR 1=1" ORDER BY lastmodified DESC'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from confluence_client._errors import InvalidInputError

__all__ = ["Cql", "quote_cql"]

_FIELD = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # C0, DEL and C1
_MAX_QUERY = 8000
_REPR_LIMIT = 200

# Text is CQL when it compares a CQL field with an operator (`space = X`, `text ~ "y"`,
# `label in (a, b)`); anything else is plain text to search for.
_LOOKS_LIKE_CQL = re.compile(
    r"\b(type|space|title|text|label|creator|contributor|ancestor|parent|id|content|"
    r"created|lastmodified|mention|favourite|watcher)\s*(=|!=|~|!~|>=|<=|>|<|\bin\b|\bnot in\b)",
    re.IGNORECASE,
)
_ORDER_BY = re.compile(r"\s*\border\s+by\s+(?P<fields>[^()\"']+)$", re.IGNORECASE)

Operator = Literal["=", "!=", "~", "!~", ">", ">=", "<", "<="]
_OPERATORS: frozenset[str] = frozenset({"=", "!=", "~", "!~", ">", ">=", "<", "<="})


def quote_cql(value: str) -> str:
    """Return ``value`` as a CQL string literal (double-quoted, escaped)."""
    if not isinstance(value, str):
        raise InvalidInputError("CQL values must be strings", field="value")
    cleaned = _CONTROL.sub(" ", value)
    return '"' + cleaned.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _field(name: str) -> str:
    if not isinstance(name, str) or not _FIELD.fullmatch(name):
        raise InvalidInputError(f"not a CQL field name: {name!r}", field="field")
    return name


class Cql:
    """An immutable CQL expression. Build with the class methods, combine with ``&``,
    ``|`` and ``~`` (NOT); ``str(cql)`` is the query text."""

    __slots__ = ("_order", "_text")

    def __init__(self, _text: str, _order: str = "") -> None:
        # Private: use the class methods; the constructor trusts its input.
        self._text = _text
        self._order = _order

    # --- building blocks -------------------------------------------------------------
    @classmethod
    def where(cls, field: str, op: Operator, value: str | int) -> Cql:
        """``field op "value"``; ints are written bare."""
        if op not in _OPERATORS:
            raise InvalidInputError(f"not a CQL operator: {op!r}", field="op")
        if isinstance(value, bool):
            raise InvalidInputError("CQL values must be strings or integers", field="value")
        literal = str(value) if isinstance(value, int) else quote_cql(value)
        return cls(f"{_field(field)} {op} {literal}")

    @classmethod
    def eq(cls, field: str, value: str | int) -> Cql:
        """``field = "value"``."""
        return cls.where(field, "=", value)

    @classmethod
    def contains(cls, field: str, value: str) -> Cql:
        """``field ~ "value"`` (text match)."""
        return cls.where(field, "~", value)

    @classmethod
    def in_(cls, field: str, values: Iterable[str]) -> Cql:
        """``field IN ("a", "b")``."""
        items = [quote_cql(v) for v in values]
        if not items:
            raise InvalidInputError("IN needs at least one value", field="values")
        return cls(f"{_field(field)} IN ({', '.join(items)})")

    @staticmethod
    def looks_like_cql(text: str) -> bool:
        """Whether ``text`` reads as CQL (a field compared with an operator) rather than
        plain words to search for."""
        return isinstance(text, str) and _LOOKS_LIKE_CQL.search(text) is not None

    @classmethod
    def from_user(cls, text: str) -> Cql:
        """Raw CQL written by a caller, as a query that can still be restricted.

        The condition is parenthesised and a trailing ``ORDER BY`` is kept apart, so
        :meth:`restrict` can AND a scope to it. Unbalanced parentheses or quotes (which could
        pull an ``OR`` outside that scope) and unreadable ``ORDER BY`` items are refused with
        :class:`InvalidInputError`; control characters become spaces. Confluence still
        parses the rest; this is not a validator.
        """
        if not isinstance(text, str):
            raise InvalidInputError("CQL text must be a non-empty string", field="cql")
        # Control characters become spaces, as in literals: between tokens they are
        # whitespace to Confluence anyway, and none reaches it raw.
        text = _CONTROL.sub(" ", text)
        if not text.strip():
            raise InvalidInputError("CQL text must be a non-empty string", field="cql")
        _check_balanced(text)
        condition, order = text, ""
        match = _ORDER_BY.search(text)
        if match:
            condition = text[: match.start()]
            order = ", ".join(_order_item(item) for item in match.group("fields").split(","))
        if not condition.strip():
            raise InvalidInputError("the query has no condition before ORDER BY", field="cql")
        return cls(f"({condition.strip()})", order)

    @classmethod
    def text_search(
        cls, text: str, *, space_key: str | None = None, content_type: str | None = "page"
    ) -> Cql:
        """Plain-text search: ``text ~ "..."`` optionally narrowed by space and type."""
        query = cls.contains("text", text)
        if content_type is not None:
            query = cls.eq("type", content_type) & query
        if space_key is not None:
            query = query & cls.eq("space", space_key)
        return query

    # --- combining ---------------------------------------------------------------------
    def __and__(self, other: Cql) -> Cql:
        return self._join("AND", other)

    def __or__(self, other: Cql) -> Cql:
        return Cql(f"({self._text} OR {self._combinable(other)._text})")

    def __invert__(self) -> Cql:
        return Cql(f"NOT ({self._text})")

    def _join(self, keyword: str, other: Cql) -> Cql:
        return Cql(f"{self._text} {keyword} {self._combinable(other)._text}")

    def _combinable(self, other: Cql) -> Cql:
        if not isinstance(other, Cql):
            raise InvalidInputError("only Cql expressions can be combined", field="cql")
        if self._order or other._order:
            raise InvalidInputError("ORDER BY must come last; add it after combining", field="cql")
        return other

    def restrict(self, condition: Cql) -> Cql:
        """This query, limited to results that also match ``condition``; an ``ORDER BY``
        of this query stays at the end (``condition`` must not have one)."""
        if not isinstance(condition, Cql) or condition._order:
            raise InvalidInputError(
                "restrict() takes a Cql condition without ORDER BY", field="cql"
            )
        return Cql(f"{self._text} AND {condition._text}", self._order)

    def order_by(self, field: str, *, descending: bool = False) -> Cql:
        """Append (or extend) ``ORDER BY field [DESC]``."""
        clause = f"{_field(field)}{' DESC' if descending else ''}"
        order = f"{self._order}, {clause}" if self._order else clause
        return Cql(self._text, order)

    def _render(self) -> str:
        return f"{self._text} ORDER BY {self._order}" if self._order else f"{self._text}"

    def __str__(self) -> str:
        text = self._render()
        if len(text) > _MAX_QUERY:
            raise InvalidInputError(f"CQL query longer than {_MAX_QUERY} characters", field="cql")
        return text

    def __repr__(self) -> str:
        # Never raises (it shows up in tracebacks and logs): no length check, long text cut.
        try:
            text = self._render()
        except Exception:
            return "Cql(<unprintable>)"
        if len(text) > _REPR_LIMIT:
            return f"Cql({text[:_REPR_LIMIT]!r}...)"
        return f"Cql({text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Cql) and self._render() == other._render()

    def __hash__(self) -> int:
        return hash(self._render())


def _order_item(item: str) -> str:
    words = item.split()
    if len(words) == 2 and words[1].lower() in ("asc", "desc") and _FIELD.fullmatch(words[0]):
        return f"{words[0]} {words[1].upper()}"
    if len(words) == 1 and _FIELD.fullmatch(words[0]):
        return words[0]
    raise InvalidInputError(f"cannot read ORDER BY item {item.strip()!r}", field="cql")


def _check_balanced(text: str) -> None:
    depth = 0
    quote: str | None = None
    escaped = False
    for char in text:
        if quote is not None:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                break
    if depth != 0 or quote is not None:
        raise InvalidInputError("unbalanced parentheses or quotes", field="cql")
