"""``confluence-mcp audit report AUDIT_FILE ...``: mcp-auth's usage report under our CLI.

The report itself (streaming, rotated and gzipped files, quantiles, table/JSON/CSV, chart)
belongs to mcp-auth, which knows the audit events; this only gives it our command name and
the extra that brings matplotlib (``confluence-mcp[chart]``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from confluence_mcp.remote.keys import add_passthrough_command

__all__ = ["AUDIT_COMMAND", "add_audit_command", "run_audit"]

AUDIT_COMMAND = "audit"


def add_audit_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``audit`` in the CLI's sub-commands (its arguments are parsed by mcp-auth)."""
    add_passthrough_command(
        commands,
        AUDIT_COMMAND,
        help="usage report from the audit log (calls, errors, denials per tool or principal)",
    )


def run_audit(
    argv: Sequence[str], *, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Run an audit command (``argv`` after ``audit``); returns the exit status."""
    from mcp_auth.cli import audit_main

    return audit_main(
        list(argv),
        prog=f"confluence-mcp {AUDIT_COMMAND}",
        chart_extra="confluence-mcp[chart]",
        stdout=stdout or sys.stdout,
        stderr=stderr or sys.stderr,
    )
