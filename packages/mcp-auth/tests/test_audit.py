import io
import json
import logging
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opentelemetry.sdk.trace import TracerProvider

from mcp_auth import (
    AuditEvent,
    AuditEventName,
    AuditLogger,
    AuthConfigurationError,
    AuthMethod,
    FileSink,
    LoggingSink,
    MemorySink,
    Principal,
    RefusalReason,
    StreamSink,
    bind_request_context,
    bind_upstream_account,
    scrub_secrets,
)

ALICE = Principal(
    subject="alice",
    auth_method=AuthMethod.JWT,
    scopes=frozenset({"read"}),
    client_id="cli-app",
    issuer="https://as.example",
)


def _lines(sink: MemorySink) -> list[dict[str, object]]:
    return [json.loads(line) for line in sink.lines]


def test_each_helper_writes_one_event_with_its_fields() -> None:
    sink = MemorySink()
    with AuditLogger([sink]) as audit:
        audit.auth_success(ALICE, credential_id="kid1")
        audit.auth_failure(RefusalReason.EXPIRED, auth_method=AuthMethod.JWT, detail="expired")
        audit.authz_denied(ALICE, "delete_page", ["write", "admin"], required_scopes=["write"])
        audit.tool_call(
            ALICE, "get_page", outcome="success", duration_ms=12.34567, arguments={"id": "12"}
        )
        audit.rate_limit_exceeded(None, limit="60/minute", operation="search", retry_after=2.5)
        audit.config_warning("JWKS served over http", setting="jwks_url")
    events = _lines(sink)
    assert [e["event"] for e in events] == [name.value for name in AuditEventName]
    success, failure, denied, call, limited, warning = events
    assert success["subject"] == "alice"
    assert success["client_id"] == "cli-app"
    assert success["auth_method"] == "jwt"
    assert success["credential_id"] == "kid1"
    assert failure == {
        "event": "auth.failure",
        "timestamp": failure["timestamp"],
        "reason": "expired",
        "auth_method": "jwt",
        "detail": "expired",
    }
    assert denied["missing_scopes"] == ["admin", "write"]
    assert denied["required_scopes"] == ["write"]
    assert denied["reason"] == "insufficient_scope"
    assert call["operation"] == "get_page"
    assert call["duration_ms"] == 12.346
    assert call["arguments"] == {"id": 4}
    assert limited["limit"] == "60/minute"
    assert limited["retry_after"] == 2.5
    assert "subject" not in limited
    assert warning["setting"] == "jwks_url"


def test_timestamp_is_utc_with_milliseconds() -> None:
    event = AuditEvent(
        event=AuditEventName.CONFIG_WARNING,
        timestamp=datetime(2026, 1, 2, 3, 4, 5, 678901, timezone.utc),
    )
    assert json.loads(event.to_json())["timestamp"] == "2026-01-02T03:04:05.678Z"


def test_tool_arguments_are_logged_as_sizes_never_values() -> None:
    sink = MemorySink()
    with AuditLogger([sink]) as audit:
        audit.tool_call(
            ALICE,
            "create_page",
            outcome="error",
            duration_ms=1,
            arguments={"body": "top secret text é", "count": 3, "odd": object()},
            error_type="ValueError",
        )
    (line,) = sink.lines
    assert "top secret" not in line
    event = json.loads(line)
    assert event["arguments"]["body"] == len(
        json.dumps("top secret text é", ensure_ascii=False).encode()
    )
    assert event["arguments"]["count"] == 1
    assert event["arguments"]["odd"] > 0
    assert event["error_type"] == "ValueError"


def test_request_context_and_trace_ids_are_attached() -> None:
    sink = MemorySink()
    tracer = TracerProvider().get_tracer("test")
    with AuditLogger([sink]) as audit:
        audit.config_warning("outside")
        with (
            bind_request_context(remote_addr="10.0.0.1", user_agent="agent/1") as ctx,
            tracer.start_as_current_span("req") as span,
        ):
            audit.auth_success(ALICE)
    outside, inside = _lines(sink)
    assert "request_id" not in outside
    assert "trace_id" not in outside
    assert inside["request_id"] == ctx.request_id
    assert inside["remote_addr"] == "10.0.0.1"
    assert inside["user_agent"] == "agent/1"
    assert inside["trace_id"] == f"{span.get_span_context().trace_id:032x}"
    assert inside["span_id"] == f"{span.get_span_context().span_id:016x}"


def test_credentials_are_scrubbed_from_free_text() -> None:
    jwt_like = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl"
    api_key = "mcpk_0123456789abcdef_" + "A" * 43
    sink = MemorySink()
    with AuditLogger([sink]) as audit, bind_request_context(user_agent=f"curl Bearer {jwt_like}"):
        audit.auth_failure(RefusalReason.MALFORMED, detail=f"bad {jwt_like} and {api_key}")
    (line,) = sink.lines
    assert jwt_like not in line
    assert api_key not in line
    assert "[redacted]" in line
    assert scrub_secrets("Authorization: Basic dXNlcjpwYXNz") == "Authorization: [redacted]"
    assert scrub_secrets("nothing to hide") == "nothing to hide"


def test_stream_file_and_logging_sinks(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    stream = io.StringIO()
    path = tmp_path / "logs" / "audit.jsonl"
    path.parent.mkdir()
    path.write_text('{"event": "earlier"}\n')
    caplog.set_level(logging.INFO, logger="mcp_auth.audit")
    with AuditLogger([StreamSink(stream), FileSink(path), LoggingSink()]) as audit:
        audit.auth_failure(RefusalReason.MISSING)
    assert json.loads(stream.getvalue())["reason"] == "missing"
    file_lines = path.read_text().splitlines()
    assert file_lines[0] == '{"event": "earlier"}'  # appended, not truncated
    assert json.loads(file_lines[1])["event"] == "auth.failure"
    (record,) = [r for r in caplog.records if r.name == "mcp_auth.audit"]
    assert json.loads(record.getMessage())["reason"] == "missing"
    assert record.audit_event["event"] == "auth.failure"  # type: ignore[attr-defined]


def test_new_audit_file_is_private(tmp_path: Path) -> None:
    sink = FileSink(tmp_path / "new" / "audit.jsonl")
    sink.close()
    sink.close()
    assert (tmp_path / "new" / "audit.jsonl").stat().st_mode & 0o077 == 0
    assert "audit.jsonl" in repr(sink)


def test_stream_sink_defaults_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    with AuditLogger([StreamSink()], background=False) as audit:
        audit.config_warning("hello")
    assert json.loads(capsys.readouterr().err)["detail"] == "hello"


class _BlockingSink:
    def __init__(self) -> None:
        self.release = threading.Event()
        self.started = threading.Event()
        self.lines: list[str] = []

    def write(self, line: str, event: AuditEvent) -> None:
        self.started.set()
        self.release.wait()
        self.lines.append(line)

    def close(self) -> None:
        pass


def test_emit_never_blocks_and_counts_dropped_events() -> None:
    sink = _BlockingSink()
    audit = AuditLogger([sink], queue_size=2)
    audit.config_warning("first")  # taken by the thread, which then blocks in the sink
    assert sink.started.wait(10)
    for _ in range(5):  # two fit in the queue, three are dropped, and emit returns at once
        audit.config_warning("more")
    assert audit.dropped_events == 3
    assert not audit.flush(timeout=0.01)
    sink.release.set()
    assert audit.flush(timeout=10)
    audit.close()
    assert len(sink.lines) == 3


class _BrokenSink:
    def write(self, line: str, event: AuditEvent) -> None:
        raise OSError("disk full")

    def close(self) -> None:
        raise OSError("still full")


def test_a_broken_sink_does_not_stop_the_others(caplog: pytest.LogCaptureFixture) -> None:
    good = MemorySink()
    audit = AuditLogger([_BrokenSink(), good])
    audit.config_warning("x")
    audit.close()
    audit.close()  # idempotent
    audit.config_warning("after close is ignored")
    assert audit.sink_errors == 1
    assert len(good.events) == 1
    assert any("failed to write" in r.getMessage() for r in caplog.records)
    assert any("failed to close" in r.getMessage() for r in caplog.records)


def test_logger_without_sinks_is_a_no_op() -> None:
    audit = AuditLogger()
    audit.config_warning("nobody listens")
    assert audit.flush()
    audit.close()
    assert "AuditLogger(sinks=[]" in repr(audit)


def test_memory_sink_clear() -> None:
    sink = MemorySink()
    with AuditLogger([sink], background=False) as audit:
        audit.config_warning("x")
    assert len(sink.events) == 1
    sink.clear()
    assert sink.events == []
    assert sink.lines == []


def test_invalid_queue_size_is_a_configuration_error() -> None:
    with pytest.raises(AuthConfigurationError):
        AuditLogger(queue_size=0)


@settings(max_examples=200, deadline=None)
@given(st.text(), st.text(), st.dictionaries(st.text(max_size=5), st.text(), max_size=3))
def test_events_with_any_text_are_written_as_utf8_json(
    operation: str, detail: str, arguments: dict[str, str]
) -> None:
    # Request text can hold lone surrogates (JSON "\ud800" escapes): never lose the event.
    sink = MemorySink()
    logger = AuditLogger([sink], background=False)
    logger.tool_call(None, operation, outcome="denied", duration_ms=1.0, arguments=arguments)
    logger.config_warning(detail)
    assert len(sink.lines) == 2
    for line in sink.lines:
        line.encode("utf-8")
        assert json.loads(line)["event"]


def test_upstream_mode_and_account_name_who_acted_upstream() -> None:
    sink = MemorySink()
    logger = AuditLogger(
        [sink], background=False, upstream_mode="service", upstream_account="svc@example.com"
    )
    logger.auth_success(ALICE)
    with bind_upstream_account("alice@example.com"):
        logger.tool_call(ALICE, "get_page", outcome="success", duration_ms=1.0)
    first, second = _lines(sink)
    assert (first["upstream_mode"], first["upstream_account"]) == ("service", "svc@example.com")
    assert (second["subject"], second["upstream_account"]) == ("alice", "alice@example.com")
    assert second["upstream_mode"] == "service"
    # Outside the block the logger's own account applies again; none at all: no field.
    plain = MemorySink()
    AuditLogger([plain], background=False).auth_success(ALICE)
    assert "upstream_account" not in _lines(plain)[0]
    assert "upstream_mode" not in _lines(plain)[0]
