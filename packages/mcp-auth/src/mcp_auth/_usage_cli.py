"""`audit report AUDIT_FILE... [--since 7d] [--by tool|principal|day] [--format table|json|csv]
[--chart usage.png] [--no-rotated]`: the usage report on the command line."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import date, datetime, timezone
from typing import TextIO

from mcp_auth._compat import parse_datetime
from mcp_auth._usage import GROUPINGS, build_usage_report
from mcp_auth._usage_output import FORMATS, ChartUnavailableError, draw_chart, write_report

__all__ = ["build_audit_parser", "parse_since", "run_audit_command"]

# Not datetime.UTC: this package supports Python 3.10.
_UTC = timezone.utc


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """A duration back from now (`7d`, `12h`, `30m`, `2w`) or an ISO 8601 date/time (UTC
    when no offset is given)."""
    from mcp_auth.cli import parse_duration

    now = now or datetime.now(_UTC)
    duration = parse_duration(text)
    if duration is not None:
        return now - duration
    value = text.strip()
    try:
        moment = parse_datetime(value)
    except ValueError:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise ValueError(
                f"invalid --since {text!r}: use a duration like 7d/12h or an ISO 8601 date"
            ) from None
        moment = datetime(day.year, day.month, day.day)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=_UTC)


def _since_arg(text: str) -> datetime:
    try:
        return parse_since(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_audit_parser(prog: str = "mcp-auth audit") -> argparse.ArgumentParser:
    """The argument parser of the audit commands (`report`)."""
    parser = argparse.ArgumentParser(prog=prog, description="Read audit logs.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    text = (
        "Usage report: calls, errors, denials, rate-limit refusals and p50/p95 duration per "
        "tool, principal or day, the most refused scopes and authentication failures. Reads "
        "rotated and gzipped files too, in constant memory."
    )
    report = commands.add_parser("report", help="usage report from audit logs", description=text)
    report.add_argument("files", nargs="+", metavar="AUDIT_FILE", help="audit log (JSON lines)")
    report.add_argument(
        "--since", type=_since_arg, metavar="WHEN", help="only events since 7d, 12h, or a date"
    )
    report.add_argument("--by", choices=GROUPINGS, default="tool", help="group rows by")
    report.add_argument(
        "--format", dest="output_format", choices=FORMATS, default="table", help="output format"
    )
    report.add_argument("--chart", metavar="PNG", help="also draw calls per day per tool")
    report.add_argument(
        "--no-rotated",
        dest="rotated",
        action="store_false",
        help="read only the files named, not their rotated siblings (.1, .2.gz, ...)",
    )
    return parser


def run_audit_command(
    argv: Sequence[str] | None,
    *,
    prog: str,
    chart_extra: str,
    stdout: TextIO,
    stderr: TextIO,
) -> int:
    """Parse ``argv`` and run the command (see :func:`mcp_auth.cli.audit_main`)."""
    parser = build_audit_parser(prog)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed usage or help
        return 0 if exc.code in (0, None) else 2
    try:
        report = build_usage_report(args.files, since=args.since, by=args.by, rotated=args.rotated)
    except OSError as exc:
        print(
            f"{prog}: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=stderr
        )
        return 1
    write_report(report, stdout, args.output_format)
    if report.malformed and args.output_format != "table":
        print(f"{prog}: skipped {report.malformed} malformed line(s)", file=stderr)
    if args.chart:
        try:
            draw_chart(report, args.chart)
        except ChartUnavailableError:
            print(f"{prog}: error: --chart needs matplotlib: install {chart_extra}", file=stderr)
            return 1
        except OSError as exc:
            print(f"{prog}: error: cannot write {args.chart}: {exc.strerror or exc}", file=stderr)
            return 1
    return 0
