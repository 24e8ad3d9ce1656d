"""Usage analytics over audit logs: who called which tool how often, and what was refused.

`build_usage_report(paths, since=..., by="tool")` streams the JSON lines of each audit file
and of its rotated siblings (`audit.jsonl.1`, `audit.jsonl.2.gz`, `audit.jsonl-20260101.gz`;
gzip is recognised by its magic bytes), one line at a time: memory stays constant whatever
the size of the files (a few counters and one quantile sketch per group). Lines that are not
audit events (broken JSON, no event name, bad timestamp, a truncated gzip member) are
skipped and counted in `malformed`.

Per group (tool, principal or day): calls (`tool.call`), errors and denials (their
outcomes), rate-limit refusals (`rate_limit.exceeded`) and p50/p95 duration of the calls
that ran. Across the report: the most refused scopes (`authz.denied`), authentication
failures by reason, and calls per day per tool (for charts).
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from mcp_auth._compat import parse_datetime
from mcp_auth._quantiles import QuantileSketch

__all__ = ["GROUPINGS", "UsageReport", "UsageRow", "audit_files", "build_usage_report"]

# Not datetime.UTC: this package supports Python 3.10.
_UTC = timezone.utc

GROUPINGS = ("tool", "principal", "day")
_ANONYMOUS = "anonymous"
_NO_OPERATION = "-"
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass
class UsageRow:
    """The figures of one group."""

    key: str
    calls: int = 0
    errors: int = 0
    denied: int = 0
    rate_limited: int = 0
    durations: QuantileSketch = field(default_factory=QuantileSketch, repr=False)

    @property
    def p50_ms(self) -> float | None:
        """Median duration of the calls that ran (denied calls excluded), in ms."""
        return _rounded(self.durations.quantile(0.50))

    @property
    def p95_ms(self) -> float | None:
        """95th percentile duration of the calls that ran, in ms."""
        return _rounded(self.durations.quantile(0.95))

    def as_dict(self) -> dict[str, Any]:
        """The row as plain values (JSON and CSV output)."""
        return {
            "key": self.key,
            "calls": self.calls,
            "errors": self.errors,
            "denied": self.denied,
            "rate_limited": self.rate_limited,
            "p50_ms": self.p50_ms,
            "p95_ms": self.p95_ms,
        }


@dataclass
class UsageReport:
    """Aggregates over the audit events of a period (see the module doc)."""

    by: str = "tool"
    since: datetime | None = None
    files: list[str] = field(default_factory=list)
    lines: int = 0
    events: int = 0
    malformed: int = 0
    first: datetime | None = None
    last: datetime | None = None
    rows: dict[str, UsageRow] = field(default_factory=dict)
    refused_scopes: Counter[str] = field(default_factory=Counter)
    auth_failures: Counter[str] = field(default_factory=Counter)
    calls_per_day: defaultdict[str, Counter[str]] = field(
        default_factory=lambda: defaultdict(Counter)
    )

    def sorted_rows(self) -> list[UsageRow]:
        """Days in order; tools and principals busiest first."""
        if self.by == "day":
            return [self.rows[key] for key in sorted(self.rows)]
        return sorted(self.rows.values(), key=lambda row: (-row.calls, row.key))

    def add_line(self, line: bytes | str) -> None:
        """Count one JSON line (blank lines are ignored, anything else unreadable is
        malformed)."""
        if not line.strip():
            return
        self.lines += 1
        try:
            event = json.loads(line)
            name = event["event"]
            moment = _timestamp(event["timestamp"])
        except (ValueError, TypeError, KeyError):  # JSONDecodeError and bad bytes included
            self.malformed += 1
            return
        if not isinstance(name, str):
            self.malformed += 1
            return
        if self.since is not None and moment < self.since:
            return
        self._add_event(name, moment, event)

    def _add_event(self, name: str, moment: datetime, event: dict[str, Any]) -> None:
        self.events += 1
        if self.first is None or moment < self.first:
            self.first = moment
        if self.last is None or moment > self.last:
            self.last = moment
        operation = _text(event.get("operation")) or _NO_OPERATION
        if name == "tool.call":
            row = self._row(event, operation, moment)
            row.calls += 1
            outcome = event.get("outcome")
            if outcome == "denied":
                row.denied += 1
            else:
                if outcome == "error":
                    row.errors += 1
                duration = event.get("duration_ms")
                if isinstance(duration, int | float):
                    row.durations.add(float(duration))
            self.calls_per_day[moment.date().isoformat()][operation] += 1
        elif name == "rate_limit.exceeded":
            self._row(event, operation, moment).rate_limited += 1
        elif name == "authz.denied":
            missing = event.get("missing_scopes") or ()
            self.refused_scopes.update(scope for scope in missing if isinstance(scope, str))
        elif name == "auth.failure":
            self.auth_failures[_text(event.get("reason")) or "unknown"] += 1

    def _row(self, event: dict[str, Any], operation: str, moment: datetime) -> UsageRow:
        if self.by == "tool":
            key = operation
        elif self.by == "principal":
            key = _text(event.get("subject")) or _ANONYMOUS
        else:
            key = moment.date().isoformat()
        row = self.rows.get(key)
        if row is None:
            row = self.rows[key] = UsageRow(key)
        return row

    def to_dict(self, top_scopes: int = 10) -> dict[str, Any]:
        """Everything as plain values (the JSON output)."""
        return {
            "by": self.by,
            "since": _iso(self.since),
            "first_event": _iso(self.first),
            "last_event": _iso(self.last),
            "files": list(self.files),
            "lines": self.lines,
            "events": self.events,
            "malformed_lines": self.malformed,
            "rows": [row.as_dict() for row in self.sorted_rows()],
            "refused_scopes": [
                {"scope": scope, "count": count}
                for scope, count in self.refused_scopes.most_common(top_scopes)
            ],
            "auth_failures": dict(sorted(self.auth_failures.items())),
        }


def audit_files(path: str | Path) -> list[Path]:
    """``path`` and its rotated siblings (``path.N``, ``path.N.gz``, ``path-DATE[.gz]``);
    a missing ``path`` itself is fine when rotated files exist."""
    base = Path(path)
    siblings = [
        candidate
        for pattern in (f"{base.name}.*", f"{base.name}-*")
        for candidate in base.parent.glob(pattern)
        if candidate.is_file()
    ]
    found = sorted(set(siblings))
    if base.is_file():
        found.append(base)
    return found


def build_usage_report(
    paths: Sequence[str | Path],
    *,
    since: datetime | None = None,
    by: str = "tool",
    rotated: bool = True,
) -> UsageReport:
    """Stream every event of ``paths`` (and their rotated files) into a :class:`UsageReport`.

    Raises `FileNotFoundError` when a path matches no file, `ValueError` for an unknown
    grouping.
    """
    if by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}: use one of {', '.join(GROUPINGS)}")
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=_UTC)
    report = UsageReport(by=by, since=since)
    for path in paths:
        files = audit_files(path) if rotated else [Path(path)]
        if not files or not files[-1].is_file():
            raise FileNotFoundError(f"no audit file at {path}")
        for file in files:
            report.files.append(str(file))
            for line in _lines(file, report):
                report.add_line(line)
    return report


def _lines(file: Path, report: UsageReport) -> Iterator[bytes]:
    with file.open("rb") as raw:
        compressed = raw.read(2) == _GZIP_MAGIC
    with gzip.open(file, "rb") if compressed else file.open("rb") as stream:
        try:
            yield from stream
        except (EOFError, OSError, zlib.error):
            report.malformed += 1  # a truncated or corrupt gzip member: the rest is lost


def _timestamp(value: Any) -> datetime:
    if not isinstance(value, str):
        raise TypeError("timestamp is not a string")
    moment = parse_datetime(value)  # "Z" and any fraction, on 3.10 too
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=_UTC)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(_UTC).isoformat()
