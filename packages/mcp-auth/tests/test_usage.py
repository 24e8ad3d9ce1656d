"""Usage analytics over audit logs written by the real `AuditLogger`: the report engine, the
quantile sketch and the `audit report` command."""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
import shutil
import sys
import tracemalloc
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from mcp_auth import (
    AuditEvent,
    AuditEventName,
    AuditLogger,
    AuthMethod,
    FileSink,
    Principal,
    QuantileSketch,
    RefusalReason,
    build_usage_report,
)
from mcp_auth._usage_cli import parse_since
from mcp_auth.cli import audit_main, main

UTC = timezone.utc  # the package supports Python 3.10 (no datetime.UTC)
NOW = datetime.now(UTC)
ALICE = Principal(subject="alice", auth_method=AuthMethod.API_KEY)
BOT = Principal(subject="ci-bot", auth_method=AuthMethod.JWT, client_id="ci")


def write_log(path: Path, *, days_ago: int = 0) -> None:
    """A day of traffic: alice searches 20 times (10..29 ms), the bot fails, is denied and
    rate limited; one stranger's token has expired."""
    moment = NOW - timedelta(days=days_ago)
    with AuditLogger([FileSink(path)], background=False) as log:
        for i in range(20):
            log.tool_call(
                ALICE, "search", outcome="success", duration_ms=10 + i, arguments={"q": 1}
            )
        log.tool_call(BOT, "get_page", outcome="error", duration_ms=400, error_type="ToolError")
        log.tool_call(BOT, "create_page", outcome="denied", duration_ms=0.1)
        log.authz_denied(BOT, "create_page", ["docs:write"])
        log.authz_denied(BOT, "delete_page", ["docs:delete", "docs:write"])
        log.rate_limit_exceeded(BOT, limit="1/minute")
        log.auth_failure(RefusalReason.EXPIRED)
    if days_ago:
        # Re-date the lines: the logger stamps "now".
        lines = [json.loads(line) for line in path.read_text().splitlines()]
        stamp = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        path.write_text("".join(json.dumps({**line, "timestamp": stamp}) + "\n" for line in lines))


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = audit_main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_report_by_tool_counts_each_outcome(tmp_path: Path) -> None:
    write_log(tmp_path / "audit.jsonl")
    report = build_usage_report([tmp_path / "audit.jsonl"])
    rows = {row.key: row.as_dict() for row in report.sorted_rows()}
    assert rows["search"] == {
        "key": "search",
        "calls": 20,
        "errors": 0,
        "denied": 0,
        "rate_limited": 0,
        # The values at ranks q * (n - 1), rounded down, within the sketch's 1%.
        "p50_ms": pytest.approx(19, rel=0.011),
        "p95_ms": pytest.approx(28, rel=0.011),
    }
    assert (rows["get_page"]["calls"], rows["get_page"]["errors"]) == (1, 1)
    assert rows["get_page"]["p50_ms"] == pytest.approx(400, rel=0.01)
    # A denied call is a call and a denial, but its duration is not the tool's.
    assert (rows["create_page"]["denied"], rows["create_page"]["p50_ms"]) == (1, None)
    assert rows["-"]["rate_limited"] == 1  # refused before any tool was named
    assert next(row.key for row in report.sorted_rows()) == "search"
    assert report.refused_scopes.most_common() == [
        ("docs:write", 2),
        ("docs:delete", 1),
    ]
    assert report.auth_failures == {"expired": 1}
    assert (report.lines, report.events, report.malformed) == (26, 26, 0)


def test_report_by_principal_and_by_day(tmp_path: Path) -> None:
    write_log(tmp_path / "audit.jsonl")
    write_log(tmp_path / "old.jsonl", days_ago=3)
    by_principal = build_usage_report([tmp_path / "audit.jsonl"], by="principal")
    rows = {row.key: row for row in by_principal.sorted_rows()}
    assert (rows["alice"].calls, rows["ci-bot"].calls, rows["ci-bot"].rate_limited) == (20, 2, 1)
    by_day = build_usage_report([tmp_path / "old.jsonl", tmp_path / "audit.jsonl"], by="day")
    days = [row.key for row in by_day.sorted_rows()]
    assert days == [(NOW - timedelta(days=3)).date().isoformat(), NOW.date().isoformat()]
    assert {row.calls for row in by_day.sorted_rows()} == {22}


def test_since_keeps_only_recent_events(tmp_path: Path) -> None:
    write_log(tmp_path / "old.jsonl", days_ago=10)
    write_log(tmp_path / "audit.jsonl")
    paths = [tmp_path / "old.jsonl", tmp_path / "audit.jsonl"]
    assert build_usage_report(paths).events == 52
    recent = build_usage_report(paths, since=NOW - timedelta(days=7))
    assert (recent.lines, recent.events) == (52, 26)
    naive = build_usage_report(paths, since=(NOW - timedelta(days=7)).replace(tzinfo=None))
    assert naive.events == 26


def test_rotated_gzipped_and_malformed_lines(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    write_log(log)
    shutil.copy(log, tmp_path / "audit.jsonl.1")
    with log.open("rb") as plain, gzip.open(tmp_path / "audit.jsonl.2.gz", "wb") as packed:
        packed.write(plain.read())
    # A gzip file cut short: what was decompressed counts, the break is one malformed line.
    whole = gzip.compress(log.read_bytes())
    (tmp_path / "audit.jsonl-20260101.gz").write_bytes(whole[: len(whole) // 2])
    (tmp_path / "unrelated.jsonl").write_text("{}\n")
    with log.open("a") as extra:
        extra.write('not json\n[1]\n{"event": "tool.call"}\n{"event": 3, "timestamp": "x"}\n')
        extra.write('{"event": "tool.call", "timestamp": "yesterday"}\n\n\xff\xfe\n')
    report = build_usage_report([log])
    assert [Path(name).name for name in report.files] == [
        "audit.jsonl-20260101.gz",
        "audit.jsonl.1",
        "audit.jsonl.2.gz",
        "audit.jsonl",
    ]
    assert report.rows["search"].calls >= 60
    assert report.malformed == 7  # six bad lines and the truncated member
    only = build_usage_report([log], rotated=False)
    assert (only.rows["search"].calls, len(only.files)) == (20, 1)


def test_missing_file_and_bad_grouping(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no audit file"):
        build_usage_report([tmp_path / "none.jsonl"])
    with pytest.raises(ValueError, match="unknown grouping"):
        build_usage_report([tmp_path / "none.jsonl"], by="week")


def test_reading_is_streamed(tmp_path: Path) -> None:
    """Memory does not grow with the file: 40,000 events (~7 MB) read within 2 MB."""
    log = tmp_path / "audit.jsonl"
    event = AuditEvent(
        event=AuditEventName.TOOL_CALL,
        subject="alice",
        operation="search",
        outcome="success",
        duration_ms=12.5,
        arguments={"query": 20, "limit": 2},
    )
    line = event.to_json() + "\n"
    with log.open("w") as out:
        for i in range(40_000):
            out.write(line.replace('"duration_ms":12.5', f'"duration_ms":{1 + i % 997}'))
    assert log.stat().st_size > 6_000_000
    tracemalloc.start()
    try:
        report = build_usage_report([log])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.rows["search"].calls == 40_000
    assert peak < 2_000_000


def test_quantile_sketch_is_within_one_percent() -> None:
    rng = random.Random(7)
    values = [rng.lognormvariate(3, 1.5) for _ in range(20_000)]
    sketch = QuantileSketch()
    for value in values:
        sketch.add(value)
    values.sort()
    for q in (0.0, 0.01, 0.5, 0.9, 0.95, 0.99, 1.0):
        exact = values[int(q * (len(values) - 1))]
        estimate = sketch.quantile(q)
        assert estimate is not None
        assert abs(estimate - exact) <= 0.0101 * exact, q


def test_quantile_sketch_edges() -> None:
    sketch = QuantileSketch(max_buckets=4)
    assert sketch.quantile(0.5) is None
    for value in (0, -1, 1, 10, 100, 1_000, 10_000, 100_000):
        sketch.add(value)
    assert sketch.quantile(0.1) == 0.0
    assert len(sketch._buckets) <= 4
    assert sketch.quantile(1.0) == pytest.approx(100_000, rel=0.01)
    with pytest.raises(ValueError, match="q must be"):
        sketch.quantile(1.5)
    with pytest.raises(ValueError, match="relative_accuracy"):
        QuantileSketch(0)


def test_command_table_json_and_csv(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    write_log(log)
    with log.open("a") as extra:
        extra.write("garbage\n")
    code, out, err = run("report", str(log))
    assert code == 0
    assert "26 events from 1 file(s)" in out
    assert "1 malformed line(s) skipped" in out
    header, first = out.splitlines()[1:3]
    assert header.split() == [
        "TOOL",
        "CALLS",
        "ERRORS",
        "DENIED",
        "RATE_LIMITED",
        "P50_MS",
        "P95_MS",
    ]
    assert first.split()[:2] == ["search", "20"]
    assert "docs:write" in out
    assert "authentication failures: expired 1" in out
    code, out, err = run("report", str(log), "--by", "principal", "--format", "json")
    data = json.loads(out)
    assert [row["key"] for row in data["rows"]] == ["alice", "ci-bot"]
    assert data["malformed_lines"] == 1
    assert data["refused_scopes"][0] == {"scope": "docs:write", "count": 2}
    assert "skipped 1 malformed line(s)" in err
    code, out, _ = run("report", str(log), "--format", "csv", "--since", "1d")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["tool"] == "search"
    assert rows[0]["calls"] == "20"
    assert next(row for row in rows if row["tool"] == "create_page")["p50_ms"] == ""


def test_command_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run("report", str(tmp_path / "missing.jsonl"))
    assert (code, err.strip()) == (
        1,
        f"mcp-auth audit: error: no audit file at {tmp_path}/missing.jsonl",
    )
    code, _, _ = run("report", "x", "--since", "soon")
    assert code == 2
    assert "invalid --since 'soon'" in capsys.readouterr().err  # argparse writes usage errors
    code, _, err = run("report", "x", "--by", "week")
    assert code == 2
    code, _, _ = run("--help")
    assert code == 0


def test_chart_is_a_png(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    write_log(tmp_path / "audit.jsonl")
    write_log(tmp_path / "old.jsonl", days_ago=2)
    chart = tmp_path / "usage.png"
    code, _, err = run(
        "report", str(tmp_path / "audit.jsonl"), str(tmp_path / "old.jsonl"), "--chart", str(chart)
    )
    assert (code, err) == (0, "")
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, _, err = run(
        "report", str(tmp_path / "audit.jsonl"), "--chart", str(tmp_path / "no/x.png")
    )
    assert code == 1
    assert "cannot write" in err


def test_chart_without_matplotlib_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_log(tmp_path / "audit.jsonl")
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    out, err = io.StringIO(), io.StringIO()
    code = audit_main(
        ["report", str(tmp_path / "audit.jsonl"), "--chart", str(tmp_path / "u.png")],
        prog="srv audit",
        chart_extra="srv[chart]",
        stdout=out,
        stderr=err,
    )
    assert code == 1
    assert (
        err.getvalue().strip() == "srv audit: error: --chart needs matplotlib: install srv[chart]"
    )
    assert "search" in out.getvalue()  # the report itself was still written


def test_main_dispatches_audit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_log(tmp_path / "audit.jsonl")
    assert main(["audit", "report", str(tmp_path / "audit.jsonl"), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["events"] == 26


def test_parse_since() -> None:
    now = datetime(2026, 3, 10, 12, tzinfo=UTC)
    assert parse_since("7d", now) == datetime(2026, 3, 3, 12, tzinfo=UTC)
    assert parse_since("2026-03-01", now) == datetime(2026, 3, 1, tzinfo=UTC)
    assert parse_since("2026-03-01T10:00:00Z", now) == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert parse_since("2026-03-01T11:30:00.1234567+0130", now) == datetime(
        2026, 3, 1, 10, 0, 0, 123456, tzinfo=UTC
    )
