"""A recursive-descent parser for the CQL subset the fake understands.

Grammar (keywords case-insensitive)::

    query   := [expr] [ORDER BY field [ASC|DESC] {, field [ASC|DESC]}]
    expr    := term {OR term}
    term    := factor {AND factor}
    factor  := NOT factor | "(" expr ")" | clause
    clause  := field op value | field [NOT] IN "(" value {, value} ")"
    op      := = | != | ~ | !~ | > | >= | < | <=
    value   := "quoted \\" string" | 'single' | word | number | func "(" [value {, value}] ")"

Anything else is a ``CQLSyntaxError`` naming the offending position, which the routes
answer with 400, like Confluence's "Could not parse cql".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ._errors import CQLSyntaxError

__all__ = ["Func", "Clause", "And", "Or", "Not", "Node", "CQLQuery", "parse_cql", "FIELDS"]

FIELDS = frozenset(
    {
        "type",
        "space",
        "space.key",
        "title",
        "text",
        "sitesearch",
        "label",
        "ancestor",
        "parent",
        "id",
        "content",
        "creator",
        "contributor",
        "lastmodified",
        "created",
        "user",
        "user.fullname",
        "user.accountid",
    }
)
_ORDER_FIELDS = frozenset({"title", "created", "lastmodified", "id", "space", "type"})
_KEYWORDS = frozenset({"and", "or", "not", "in", "order", "by", "asc", "desc"})
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<op>!=|!~|>=|<=|=|~|>|<)
      | (?P<punct>[(),])
      | (?P<word>[A-Za-z0-9_.:\-+*?@/]+)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class Func:
    """A function value such as ``currentUser()`` or ``now("-1w")``."""

    name: str
    args: tuple[str, ...]


Value = str | Func


@dataclass(frozen=True, slots=True)
class Clause:
    """``field op value`` (``IN`` / ``NOT IN`` carry several values)."""

    field: str
    op: str
    values: tuple[Value, ...]


@dataclass(frozen=True, slots=True)
class And:
    """All parts must match."""

    parts: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """Any part must match."""

    parts: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    """The part must not match."""

    part: Node


Node = Clause | And | Or | Not


@dataclass(frozen=True, slots=True)
class CQLQuery:
    """A parsed query: a filter (None matches everything) and ORDER BY keys (field, desc)."""

    where: Node | None
    order_by: tuple[tuple[str, bool], ...] = ()


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str
    text: str
    pos: int


def _tokenize(query: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    pos = 0
    while pos < len(query):
        if query[pos:].strip() == "":
            break
        m = _TOKEN.match(query, pos)
        if m is None or m.end() == pos:
            start = len(query[pos:]) - len(query[pos:].lstrip()) + pos
            raise CQLSyntaxError(f"unexpected character {query[start]!r}", query, start)
        kind = m.lastgroup or ""
        text = m.group(kind)
        tokens.append(_Tok(kind, text, m.start(kind)))
        pos = m.end()
    return tokens


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = _tokenize(query)
        self.i = 0

    def fail(self, message: str) -> CQLSyntaxError:
        pos = self.tokens[self.i].pos if self.i < len(self.tokens) else len(self.query)
        return CQLSyntaxError(message, self.query, pos)

    def peek_word(self) -> str | None:
        if self.i < len(self.tokens) and self.tokens[self.i].kind == "word":
            return self.tokens[self.i].text.lower()
        return None

    def take(self, kind: str, text: str | None = None) -> _Tok:
        if self.i >= len(self.tokens):
            raise self.fail(f"expected {text or kind}, found end of query")
        tok = self.tokens[self.i]
        if tok.kind != kind or (text is not None and tok.text.lower() != text):
            raise self.fail(f"expected {text or kind}, found {tok.text!r}")
        self.i += 1
        return tok

    def at(self, kind: str, text: str | None = None) -> bool:
        if self.i >= len(self.tokens):
            return False
        tok = self.tokens[self.i]
        return tok.kind == kind and (text is None or tok.text.lower() == text)

    def parse(self) -> CQLQuery:
        where = None if self.at("word", "order") or not self.tokens else self.expr()
        order: list[tuple[str, bool]] = []
        if self.at("word", "order"):
            self.i += 1
            self.take("word", "by")
            while True:
                field = self.take("word").text.lower()
                if field not in _ORDER_FIELDS:
                    self.i -= 1
                    raise self.fail(f"cannot order by {field!r}")
                desc = False
                if self.peek_word() in ("asc", "desc"):
                    desc = self.take("word").text.lower() == "desc"
                order.append((field, desc))
                if not self.at("punct", ","):
                    break
                self.i += 1
        if self.i < len(self.tokens):
            raise self.fail(f"unexpected {self.tokens[self.i].text!r}")
        return CQLQuery(where, tuple(order))

    def expr(self) -> Node:
        parts = [self.term()]
        while self.peek_word() == "or":
            self.i += 1
            parts.append(self.term())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def term(self) -> Node:
        parts = [self.factor()]
        while self.peek_word() == "and":
            self.i += 1
            parts.append(self.factor())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def factor(self) -> Node:
        if self.peek_word() == "not":
            self.i += 1
            return Not(self.factor())
        if self.at("punct", "("):
            self.i += 1
            node = self.expr()
            self.take("punct", ")")
            return node
        return self.clause()

    def clause(self) -> Clause:
        tok = self.take("word")
        field = tok.text.lower()
        if field not in FIELDS:
            self.i -= 1
            raise self.fail(f"unknown field {tok.text!r}")
        negated = False
        if self.peek_word() == "not":
            self.i += 1
            negated = True
        if self.peek_word() == "in":
            self.i += 1
            self.take("punct", "(")
            values = [self.value()]
            while self.at("punct", ","):
                self.i += 1
                values.append(self.value())
            self.take("punct", ")")
            return Clause(field, "not in" if negated else "in", tuple(values))
        if negated:
            raise self.fail("expected IN after NOT")
        op = self.take("op").text
        return Clause(field, op, (self.value(),))

    def value(self) -> Value:
        if self.at("str"):
            raw = self.take("str").text
            return re.sub(r"\\(.)", r"\1", raw[1:-1])
        tok = self.take("word")
        if tok.text.lower() in _KEYWORDS:
            self.i -= 1
            raise self.fail(f"reserved word {tok.text!r} must be quoted")
        if self.at("punct", "("):
            self.i += 1
            args: list[str] = []
            while not self.at("punct", ")"):
                arg = self.value()
                if isinstance(arg, Func):
                    raise self.fail("nested functions are not supported")
                args.append(arg)
                if not self.at("punct", ")"):
                    self.take("punct", ",")
            self.take("punct", ")")
            return Func(tok.text.lower(), tuple(args))
        return tok.text


def parse_cql(query: str) -> CQLQuery:
    """Parse a CQL query; raises ``CQLSyntaxError`` (400) on anything outside the subset."""
    if len(query) > 10_000:
        raise CQLSyntaxError("query too long", query[:50] + "...", 10_000)
    return _Parser(query).parse()
