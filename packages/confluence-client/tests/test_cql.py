"""The CQL builder keeps user text inside one string literal, whatever it contains."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from confluence_client import Cql, InvalidInputError, quote_cql

_LITERAL = re.compile(r'"(?:[^"\\]|\\.)*"')


def _unquote(literal: str) -> str:
    assert literal[0] == literal[-1] == '"'
    return re.sub(r"\\(.)", r"\1", literal[1:-1])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", '"plain"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ('end\\"', '"end\\\\\\""'),
        ("tab\tnew\nline", '"tab new line"'),
        ("del\x7fnel\x85c1\x9fend", '"del nel c1 end"'),
    ],
)
def test_quote(text: str, expected: str) -> None:
    assert quote_cql(text) == expected


@pytest.mark.parametrize(
    "hostile",
    [
        '" OR space = "SECRET',
        '\\" OR type = page OR title = \\"',
        'x" AND NOT (label = "y") ORDER BY created',
        'a" ) OR ( "b',
        "AND OR NOT ORDER BY ~ != >= <= IN",
        '\\\\" OR 1 = 1 --',
    ],
)
def test_hostile_text_stays_one_literal(hostile: str) -> None:
    query = str(Cql.eq("space", "DEMO") & Cql.contains("text", hostile))
    prefix = 'space = "DEMO" AND text ~ '
    assert query.startswith(prefix)
    literal = query[len(prefix) :]
    assert _LITERAL.fullmatch(literal)
    assert _unquote(literal) == hostile


@given(st.text(alphabet=st.characters(blacklist_categories=["Cc", "Cs"]), max_size=200))
def test_any_text_roundtrips_through_one_literal(text: str) -> None:
    literal = quote_cql(text)
    assert _LITERAL.fullmatch(literal)
    assert _unquote(literal) == text


def test_combinators_and_order() -> None:
    q = (Cql.eq("type", "page") & (Cql.eq("space", "A") | Cql.eq("space", "B"))) & ~Cql.eq(
        "label", "draft"
    )
    assert str(q) == ('type = "page" AND (space = "A" OR space = "B") AND NOT (label = "draft")')
    ordered = q.order_by("lastmodified", descending=True).order_by("title")
    assert str(ordered).endswith("ORDER BY lastmodified DESC, title")


def test_where_in_and_ints() -> None:
    assert str(Cql.where("id", ">=", 10)) == "id >= 10"
    assert str(Cql.in_("space", ["A", 'B"'])) == 'space IN ("A", "B\\"")'
    assert str(Cql.from_user("type = page")) == "(type = page)"


def test_text_search() -> None:
    q = Cql.text_search('a "b"', space_key="DEMO")
    assert str(q) == 'type = "page" AND text ~ "a \\"b\\"" AND space = "DEMO"'
    assert str(Cql.text_search("x", content_type=None)) == 'text ~ "x"'


@pytest.mark.parametrize(
    "build",
    [
        lambda: Cql.eq("space = x OR", "v"),
        lambda: Cql.eq("", "v"),
        lambda: Cql.where("a", "==", "v"),  # type: ignore[arg-type]
        lambda: Cql.eq("a", True),
        lambda: Cql.in_("a", []),
        lambda: Cql.from_user("  "),
        lambda: Cql.eq("a", "b").restrict(Cql.eq("c", "d").order_by("e")),
        lambda: Cql.eq("a", "b").restrict("space = X"),  # type: ignore[arg-type]
        lambda: quote_cql(5),  # type: ignore[arg-type]
        lambda: Cql.eq("a", "b").order_by("c") & Cql.eq("d", "e"),
        lambda: Cql.eq("a", "b") & "raw",  # type: ignore[operator]
        lambda: str(Cql.contains("text", "x" * 9000)),
        lambda: Cql.eq("a", "b").order_by("bad field"),
    ],
)
def test_misuse_is_rejected(build: object) -> None:
    with pytest.raises(InvalidInputError):
        build()  # type: ignore[operator]


def test_equality_and_repr() -> None:
    assert Cql.eq("a", "b") == Cql.eq("a", "b")
    assert Cql.eq("a", "b") != 'a = "b"'
    assert len({Cql.eq("a", "b"), Cql.eq("a", "b")}) == 1
    assert repr(Cql.eq("a", "b")) == "Cql('a = \"b\"')"


@pytest.mark.parametrize(
    ("text", "is_cql"),
    [
        ('space = DEMO AND text ~ "plan"', True),
        ('title ~ "roadmap"', True),
        ("label in (a, b)", True),
        ("LastModified >= now('-7d')", True),
        ("roadmap for 2025", False),
        ("what is the space policy?", False),
        ("", False),
    ],
)
def test_looks_like_cql(text: str, is_cql: bool) -> None:
    assert Cql.looks_like_cql(text) is is_cql


def test_from_user_keeps_order_by_last_through_restrictions() -> None:
    query = Cql.from_user('text ~ "a" ORDER BY lastmodified desc, title')
    scoped = query.restrict(Cql.eq("space", "A")).restrict(Cql.in_("space", ["A", "B"]))
    assert str(scoped) == (
        '(text ~ "a") AND space = "A" AND space IN ("A", "B") ORDER BY lastmodified DESC, title'
    )
    # "order by" inside a string literal is data, not a clause
    assert str(Cql.from_user('title ~ "order by x"')) == '(title ~ "order by x")'


def test_a_restriction_cannot_be_escaped_by_an_or() -> None:
    scoped = Cql.from_user("space = A OR space = SECRET").restrict(Cql.eq("space", "A"))
    assert str(scoped) == '(space = A OR space = SECRET) AND space = "A"'


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('text ~ "a") OR (space = SECRET', "unbalanced"),
        ("(space = A", "unbalanced"),
        ('title ~ "unterminated', "unbalanced"),
        ("title ~ 'it's'", "unbalanced"),
        ("title ~ 'it\\'s' OR (x = 1", "unbalanced"),
        ("ORDER BY title", "no condition before ORDER BY"),
        ("space = A ORDER BY title sideways", "cannot read ORDER BY item 'title sideways'"),
        ("space = A ORDER BY title, ", "cannot read ORDER BY item ''"),
        ("space = A ORDER BY 1title", "cannot read ORDER BY item '1title'"),
    ],
)
def test_from_user_refuses_shapes_it_cannot_scope(text: str, reason: str) -> None:
    with pytest.raises(InvalidInputError, match=re.escape(reason)) as info:
        Cql.from_user(text)
    assert info.value.field == "cql"


@pytest.mark.parametrize(
    "build",
    [
        lambda: Cql.contains("text", "x" * 20000),  # too long for str()
        lambda: Cql.contains("title", "\x00\u202e'\")" * 500),
        lambda: Cql("\ud800 surrogate", "\x1b[31m"),
        lambda: Cql(None, None),  # type: ignore[arg-type]
    ],
)
def test_repr_never_raises(build: object) -> None:
    cql = build()  # type: ignore[operator]
    shown = repr(cql)
    assert shown.startswith("Cql(")
    assert len(shown) < 1500  # cut: a 20,000-character query does not flood a log line


def test_repr_survives_text_whose_str_raises() -> None:
    class Hostile:
        def __str__(self) -> str:
            raise RuntimeError("no")

        def __format__(self, spec: str) -> str:
            raise RuntimeError("no")

    assert repr(Cql(Hostile())) == "Cql(<unprintable>)"  # type: ignore[arg-type]
