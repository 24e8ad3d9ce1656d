"""Evaluate parsed CQL against content (or user) facts; see ``_cql_parser`` for the grammar."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from ._cql_parser import And, Clause, CQLQuery, Func, Node, Not, Or, Value, parse_cql
from ._errors import FakeBadRequestError

__all__ = ["Facts", "EvalContext", "CQLQuery", "parse_cql", "matches", "order"]


@dataclass(slots=True)
class Facts:
    """What CQL can see of one result (a page, comment, attachment or user)."""

    kind: str
    id: str
    title: str
    text: str = ""
    space_key: str = ""
    labels: tuple[str, ...] = ()
    ancestors: tuple[str, ...] = ()
    parent: str | None = None
    creator: str = ""
    contributors: tuple[str, ...] = ()
    created: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    modified: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    account_id: str = ""


@dataclass(frozen=True, slots=True)
class EvalContext:
    """Who is asking and when (for ``currentUser()`` and ``now()``)."""

    current_user: str
    now: datetime


_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "y": 365 * 86400}


def _scalar(value: Value, ctx: EvalContext) -> str:
    if isinstance(value, Func):
        if value.name == "currentuser" and not value.args:
            return ctx.current_user
        raise FakeBadRequestError(f"Could not parse cql : unsupported function {value.name}()")
    return value


def _when(value: Value, ctx: EvalContext) -> datetime:
    if isinstance(value, Func):
        if value.name == "now":
            offset = value.args[0] if value.args else "0d"
            m = re.fullmatch(r"([+-]?\d+)([mhdwy])", offset.strip())
            if not m:
                raise FakeBadRequestError(f"Could not parse cql : bad now() offset {offset!r}")
            return ctx.now + timedelta(seconds=int(m.group(1)) * _UNITS[m.group(2)])
        if value.name == "startofday" and not value.args:
            return ctx.now.replace(hour=0, minute=0, second=0, microsecond=0)
        raise FakeBadRequestError(f"Could not parse cql : unsupported function {value.name}()")
    for fmt in ("%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d"):
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=timezone.utc)
        except ValueError:
            continue
    raise FakeBadRequestError(f"Could not parse cql : {value!r} is not a date (use yyyy-MM-dd)")


def _contains(haystack: str, needle: str) -> bool:
    """CQL ``~``: every word (wildcards ignored) appears; a quoted phrase must appear as is."""
    hay = haystack.lower()
    phrase = re.fullmatch(r'\s*"(.*)"\s*', needle)
    if phrase:
        return phrase.group(1).lower() in hay
    words = [w.strip("*?") for w in re.split(r"\s+", needle.lower()) if w.strip("*?")]
    return bool(words) and all(w in hay for w in words)


def _clause(c: Clause, f: Facts, ctx: EvalContext) -> bool:
    name = c.field
    if name in ("lastmodified", "created"):
        stamp = f.modified if name == "lastmodified" else f.created
        return _compare(stamp, c.op, _when(c.values[0], ctx), c.values[0])
    values = [_scalar(v, ctx) for v in c.values]
    if c.op in ("~", "!~"):
        target = {
            "title": f.title,
            "text": f"{f.title} {f.text}",
            "sitesearch": f"{f.title} {f.text}",
            "user.fullname": f.title,
        }.get(name)
        if target is None:
            raise FakeBadRequestError(f"Could not parse cql : {name} does not support ~")
        hit = _contains(target, values[0])
        return hit if c.op == "~" else not hit
    candidates = _field_values(name, f)
    if c.op in ("=", "in"):
        return any(v in candidates for v in _normalise(name, values))
    if c.op in ("!=", "not in"):
        return not any(v in candidates for v in _normalise(name, values))
    raise FakeBadRequestError(f"Could not parse cql : {name} does not support {c.op}")


def _normalise(name: str, values: Sequence[str]) -> list[str]:
    if name in ("type", "label"):
        return [v.lower() for v in values]
    return list(values)


def _field_values(name: str, f: Facts) -> tuple[str, ...]:
    table: dict[str, tuple[str, ...]] = {
        "type": (f.kind,),
        "space": (f.space_key,),
        "space.key": (f.space_key,),
        "title": (f.title,),
        "user.fullname": (f.title,),
        "label": f.labels,
        "ancestor": f.ancestors,
        "parent": (f.parent,) if f.parent else (),
        "id": (f.id,),
        "content": (f.id,),
        "creator": (f.creator,),
        "contributor": f.contributors or (f.creator,),
        "user": (f.account_id,),
        "user.accountid": (f.account_id,),
    }
    if name not in table:
        raise FakeBadRequestError(f"Could not parse cql : {name} does not support equality")
    return table[name]


def _compare(stamp: datetime, op: str, when: datetime, raw: Value) -> bool:
    date_only = isinstance(raw, str) and len(raw) == 10
    if op == "=":
        return stamp.date() == when.date() if date_only else stamp == when
    if op == "!=":
        return stamp.date() != when.date() if date_only else stamp != when
    if op == ">":
        return stamp >= when + timedelta(days=1) if date_only else stamp > when
    if op == ">=":
        return stamp >= when
    if op == "<":
        return stamp < when
    if op == "<=":
        return stamp < when + timedelta(days=1) if date_only else stamp <= when
    raise FakeBadRequestError(f"Could not parse cql : dates do not support {op}")


def matches(node: Node | None, facts: Facts, ctx: EvalContext) -> bool:
    """Whether ``facts`` satisfies the filter (None matches everything)."""
    if node is None:
        return True
    if isinstance(node, And):
        return all(matches(p, facts, ctx) for p in node.parts)
    if isinstance(node, Or):
        return any(matches(p, facts, ctx) for p in node.parts)
    if isinstance(node, Not):
        return not matches(node.part, facts, ctx)
    return _clause(node, facts, ctx)


def _numeric_id(facts: Facts) -> int:
    digits = facts.id.removeprefix("att")
    return int(digits) if digits.isdigit() else 0


def order(items: list[Facts], query: CQLQuery) -> list[Facts]:
    """Apply ORDER BY (stable, last key first); default is id order."""
    out = sorted(items, key=_numeric_id)
    keys = {
        "title": lambda f: f.title.lower(),
        "created": lambda f: f.created,
        "lastmodified": lambda f: f.modified,
        "id": _numeric_id,
        "space": lambda f: f.space_key,
        "type": lambda f: f.kind,
    }
    for name, desc in reversed(query.order_by):
        out.sort(key=keys[name], reverse=desc)
    return out
