"""``confluence-mcp audit report``: mcp-auth's usage report under our command name."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from confluence_mcp.cli import main
from confluence_mcp.remote.usage import run_audit
from mcp_auth import AuditLogger, AuthMethod, FileSink, Principal


def audit_log(path: Path) -> Path:
    reader = Principal(subject="reader", auth_method=AuthMethod.API_KEY)
    with AuditLogger([FileSink(path)], background=False) as log:
        log.tool_call(reader, "get_page", outcome="success", duration_ms=20)
        log.tool_call(reader, "create_page", outcome="denied", duration_ms=0.2)
        log.authz_denied(reader, "create_page", ["confluence:write"])
    return path


def test_report_through_our_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = audit_log(tmp_path / "audit.jsonl")
    assert main(["audit", "report", str(log), "--by", "principal", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["rows"] == [
        {
            "key": "reader",
            "calls": 2,
            "errors": 0,
            "denied": 1,
            "rate_limited": 0,
            "p50_ms": pytest.approx(20, rel=0.01),
            "p95_ms": pytest.approx(20, rel=0.01),
        }
    ]
    assert data["refused_scopes"] == [{"scope": "confluence:write", "count": 1}]


def test_errors_name_our_command_and_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert run_audit(["report", str(tmp_path / "none.jsonl")], stdout=out, stderr=err) == 1
    assert err.getvalue().startswith("confluence-mcp audit: error: no audit file")
    log = audit_log(tmp_path / "audit.jsonl")
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    err = io.StringIO()
    code = run_audit(
        ["report", str(log), "--chart", str(tmp_path / "u.png")], stdout=out, stderr=err
    )
    assert code == 1
    assert "install confluence-mcp[chart]" in err.getvalue()


def test_help_is_mcp_auths(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "report", "--help"]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith("usage: confluence-mcp audit report")
    assert "--by {tool,principal,day}" in shown
