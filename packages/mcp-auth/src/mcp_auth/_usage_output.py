"""Usage reports as a text table, JSON or CSV, and calls per day per tool as a PNG chart.

The chart needs matplotlib (extra `mcp-auth[chart]`), imported only when a chart is drawn.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import TextIO

from mcp_auth._usage import UsageReport

__all__ = ["FORMATS", "ChartUnavailableError", "draw_chart", "write_report"]

FORMATS = ("table", "json", "csv")
_COLUMNS = ("calls", "errors", "denied", "rate_limited", "p50_ms", "p95_ms")


class ChartUnavailableError(RuntimeError):
    """matplotlib is not installed."""


def write_report(report: UsageReport, out: TextIO, output_format: str = "table") -> None:
    """Write ``report`` to ``out`` as ``table``, ``json`` or ``csv`` (rows only)."""
    if output_format == "json":
        json.dump(report.to_dict(), out, indent=2)
        out.write("\n")
    elif output_format == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow((report.by, *_COLUMNS))
        for row in report.sorted_rows():
            values = row.as_dict()
            writer.writerow((row.key, *("" if values[c] is None else values[c] for c in _COLUMNS)))
    elif output_format == "table":
        _write_table(report, out)
    else:
        raise ValueError(f"unknown format {output_format!r}: use one of {', '.join(FORMATS)}")


def _write_table(report: UsageReport, out: TextIO) -> None:
    period = f"{_day(report.first)} to {_day(report.last)}" if report.first and report.last else "-"
    print(
        f"{report.events} events from {len(report.files)} file(s), {period}; "
        f"{report.malformed} malformed line(s) skipped",
        file=out,
    )
    headers = (report.by.upper(), *(column.upper() for column in _COLUMNS))
    rows = [
        (row.key, *("-" if value is None else str(value) for value in _values(row.as_dict())))
        for row in report.sorted_rows()
    ]
    if not rows:
        print("no tool calls in this period", file=out)
    else:
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
        for line in (headers, *rows):
            cells = [line[0].ljust(widths[0])]
            cells += [cell.rjust(width) for cell, width in zip(line[1:], widths[1:], strict=True)]
            print("  ".join(cells), file=out)
    refused = report.refused_scopes.most_common(10)
    if refused:
        print("\ntop refused scopes:", file=out)
        for scope, count in refused:
            print(f"  {count:>8}  {scope}", file=out)
    if report.auth_failures:
        failures = ", ".join(f"{reason} {n}" for reason, n in sorted(report.auth_failures.items()))
        print(f"\nauthentication failures: {failures}", file=out)


def _values(row: dict[str, object]) -> list[object]:
    return [row[column] for column in _COLUMNS]


def _day(moment: datetime) -> str:
    return moment.date().isoformat()


def draw_chart(report: UsageReport, path: str | Path, *, top_tools: int = 8) -> None:
    """Calls per day of the busiest tools (the rest summed as "other") as a PNG."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # files only: never open a window
        import matplotlib.pyplot as plt
    except ImportError:
        raise ChartUnavailableError("--chart needs matplotlib") from None
    days = sorted(report.calls_per_day)
    totals: Counter[str] = Counter()
    for per_tool in report.calls_per_day.values():
        totals.update(per_tool)
    tools = [tool for tool, _ in totals.most_common(top_tools)]
    figure, axes = plt.subplots(figsize=(10, 5))
    try:
        for tool in tools:
            axes.plot(
                days, [report.calls_per_day[day][tool] for day in days], marker="o", label=tool
            )
        others = [
            sum(n for tool, n in report.calls_per_day[day].items() if tool not in tools)
            for day in days
        ]
        if any(others):
            axes.plot(days, others, marker="o", linestyle="--", label="other")
        axes.set_title("Tool calls per day")
        axes.set_xlabel("day (UTC)")
        axes.set_ylabel("calls")
        if tools:
            axes.legend(loc="upper left", fontsize="small")
        figure.autofmt_xdate()
        figure.tight_layout()
        figure.savefig(path, format="png", dpi=100)
    finally:
        plt.close(figure)
