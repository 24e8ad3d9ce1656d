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
    assert str(Cql.trusted("type = page")) == "(type = page)"


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
        lambda: Cql.trusted("  "),
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
