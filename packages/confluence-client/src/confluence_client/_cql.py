"""A small CQL builder that makes injection impossible by construction.

User text only ever enters a query as a double-quoted string literal with ``\\`` and ``"``
escaped (and control characters blanked), so quotes, backslashes, reserved words (``AND``,
``OR``, ``NOT``, ``ORDER BY``) and operators inside it stay data. Field names, operators and
keywords come from code, and field names are checked against an identifier pattern.

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
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MAX_QUERY = 8000

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

    @classmethod
    def trusted(cls, text: str) -> Cql:
        """Wrap CQL written by the program itself (never user text) to combine it."""
        if not isinstance(text, str) or not text.strip():
            raise InvalidInputError("CQL text must be a non-empty string", field="cql")
        return cls(f"({text.strip()})")

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

    def order_by(self, field: str, *, descending: bool = False) -> Cql:
        """Append (or extend) ``ORDER BY field [DESC]``."""
        clause = f"{_field(field)}{' DESC' if descending else ''}"
        order = f"{self._order}, {clause}" if self._order else clause
        return Cql(self._text, order)

    def __str__(self) -> str:
        text = f"{self._text} ORDER BY {self._order}" if self._order else self._text
        if len(text) > _MAX_QUERY:
            raise InvalidInputError(f"CQL query longer than {_MAX_QUERY} characters", field="cql")
        return text

    def __repr__(self) -> str:
        return f"Cql({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Cql) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))
