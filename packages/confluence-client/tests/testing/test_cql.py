"""The CQL parser and evaluator (unit level; the HTTP search has its own tests)."""

from __future__ import annotations

import contextlib
import re
from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from confluence_client.testing import CQLSyntaxError, parse_cql
from confluence_client.testing._cql import EvalContext, Facts, matches, order
from confluence_client.testing._cql_parser import And, Clause, Func, Not, Or
from confluence_client.testing._errors import FakeBadRequestError

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)
CTX = EvalContext("me", NOW)


def facts(**kw: object) -> Facts:
    base: dict[str, object] = {
        "kind": "page",
        "id": "100",
        "title": "Database failover runbook",
        "text": "Promote the replica; AND then check status",
        "space_key": "DEMO",
        "labels": ("runbook", "database"),
        "ancestors": ("1", "2"),
        "parent": "2",
        "creator": "me",
        "contributors": ("me", "bob"),
        "created": datetime(2024, 3, 1, 9, tzinfo=timezone.utc),
        "modified": datetime(2024, 3, 5, 9, tzinfo=timezone.utc),
    }
    base.update(kw)
    return Facts(**base)  # type: ignore[arg-type]


def test_parse_tree_shapes() -> None:
    q = parse_cql(
        'type = page AND (space = DEMO OR NOT label IN (a, "b c")) ORDER BY title DESC, id'
    )
    assert isinstance(q.where, And)
    first, second = q.where.parts
    assert first == Clause("type", "=", ("page",))
    assert isinstance(second, Or)
    assert isinstance(second.parts[1], Not)
    assert second.parts[1].part == Clause("label", "in", ("a", "b c"))
    assert q.order_by == (("title", True), ("id", False))


def test_parse_values_escapes_functions_and_order_only() -> None:
    q = parse_cql(r'title = "say \"hi\" \\ now" and creator = currentUser()')
    assert isinstance(q.where, And)
    assert q.where.parts[0] == Clause("title", "=", ('say "hi" \\ now',))
    assert q.where.parts[1] == Clause("creator", "=", (Func("currentuser", ()),))
    assert parse_cql("lastmodified > now('-2w')").where == Clause(
        "lastmodified", ">", (Func("now", ("-2w",)),)
    )
    assert parse_cql("ORDER BY created").where is None
    assert parse_cql("label not in (x)").where == Clause("label", "not in", ("x",))


@pytest.mark.parametrize(
    "query",
    [
        "colour = red",
        "type = ",
        "type page",
        "(type = page",
        "type = page)",
        "type = page AND",
        "title = AND",
        "type = page ORDER title",
        "type = page ORDER BY colour",
        "label NOT = x",
        "label in (a b)",
        'title = "unterminated',
        "title = a # b",
        "title = f(g(x))",
        "title = f(x y)",
        "x" * 10_001,
    ],
)
def test_invalid_queries_raise_syntax_errors(query: str) -> None:
    with pytest.raises(CQLSyntaxError) as info:
        parse_cql(query)
    assert info.value.status == 400
    assert "Could not parse cql" in str(info.value)
    assert info.value.position >= 0


@given(st.text(max_size=60))
def test_parser_never_crashes_on_arbitrary_text(text: str) -> None:
    with contextlib.suppress(CQLSyntaxError):
        parse_cql(text)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("type = page", True),
        ("type = comment", False),
        ("type in (comment, page)", True),
        ("space = DEMO and space.key != ENG", True),
        ('title = "Database failover runbook"', True),
        ("title ~ failover", True),
        ("title ~ 'fail*'", True),
        ("title !~ failover", False),
        ('text ~ "replica"', True),
        ("text ~ '\"check status\"'", True),
        ("text ~ '\"status check\"'", False),
        ("siteSearch ~ promote", True),
        ("label = runbook and label != faq", True),
        ("label not in (runbook)", False),
        ("ancestor = 1", True),
        ("parent = 1", False),
        ("id = 100 and content in (100, 200)", True),
        ("creator = currentUser()", True),
        ("contributor = bob", True),
        ('lastmodified > "2024-03-04"', True),
        ('lastmodified > "2024-03-05"', False),
        ('lastmodified >= "2024-03-05"', True),
        ('lastmodified = "2024-03-05"', True),
        ('lastmodified != "2024-03-05"', False),
        ('lastmodified <= "2024-03-05"', True),
        ('lastmodified < "2024-03-05"', False),
        ('created = "2024-03-01 09:00"', True),
        ('created != "2024/03/01 10:00"', True),
        ('created > "2024/03/01"', False),
        ('created <= "2024-03-01 09:00"', True),
        ("created > now('-1w')", False),
        ("created > now('-1y')", True),
        ("lastmodified < startOfDay()", True),
        ("NOT (type = page OR label = x)", False),
    ],
)
def test_evaluation(query: str, expected: bool) -> None:
    assert matches(parse_cql(query).where, facts(), CTX) is expected


@pytest.mark.parametrize(
    "query",
    [
        "label ~ x",
        "lastmodified ~ x",
        "type > page",
        "creator = someFunc()",
        "created > now('soon')",
        "created > yesterday",
        "created > lastWeek()",
    ],
)
def test_evaluation_errors_are_bad_requests(query: str) -> None:
    with pytest.raises(FakeBadRequestError):
        matches(parse_cql(query).where, facts(), CTX)


def test_user_fields_and_order() -> None:
    user = Facts(kind="user", id="u1", title="Alice Martin", account_id="u1")
    assert matches(parse_cql('user.fullname ~ "alice"').where, user, CTX)
    assert matches(parse_cql("user = u1 and user.accountid = u1").where, user, CTX)
    items = [facts(id="3", title="b"), facts(id="att2", title="a"), facts(id="1", title="c")]
    assert [f.id for f in order(items, parse_cql("type = page"))] == ["1", "att2", "3"]
    by_title = order(items, parse_cql("ORDER BY title DESC"))
    assert [f.title for f in by_title] == ["c", "b", "a"]
    by_several = order(items, parse_cql("ORDER BY type, space, lastmodified, created ASC"))
    assert len(by_several) == 3


@given(st.text(max_size=80))
def test_sdk_builder_literals_round_trip_through_the_fake_parser(text: str) -> None:
    from confluence_client import Cql, quote_cql

    cleaned = re.sub(r"[\x00-\x1f\x7f-\x9f]", " ", text)
    query = parse_cql(f"title = {quote_cql(text)} AND type = page")
    assert isinstance(query.where, And)
    assert query.where.parts[0] == Clause("title", "=", (cleaned,))
    built = parse_cql(str(Cql.contains("text", text) & Cql.eq("space", "DEMO")))
    assert isinstance(built.where, And)
    assert built.where.parts[0] == Clause("text", "~", (cleaned,))
