"""Audit events and readiness reach both metrics back ends."""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader

from confluence_mcp.remote.auth import build_audit_logger
from confluence_mcp.remote.metrics import MetricsAuditSink, OTelMetrics, PrometheusMetrics
from mcp_auth import AuditLogger, AuthMethod, Principal, RefusalReason


def _points(reader: InMemoryMetricReader) -> dict[str, list[Any]]:
    data = reader.get_metrics_data()
    assert data is not None
    return {
        metric.name: list(metric.data.data_points)
        for resource in data.resource_metrics
        for scope in resource.scope_metrics
        for metric in scope.metrics
    }


def test_otel_counts_audit_events_and_keeps_readiness() -> None:
    reader = InMemoryMetricReader()
    metrics = OTelMetrics(MeterProvider(metric_readers=[reader]))
    with AuditLogger([MetricsAuditSink(metrics)], background=False) as audit:
        audit.auth_failure(RefusalReason.EXPIRED)
        audit.auth_failure(RefusalReason.EXPIRED)
        audit.authz_denied(
            Principal(subject="alice", auth_method=AuthMethod.API_KEY),
            "create_page",
            ["confluence:write"],
        )
    metrics.readiness(False)
    metrics.readiness(True)
    found = _points(reader)
    events = {
        (p.attributes["event"], p.attributes["reason"]): p.value for p in found["mcp.audit.events"]
    }
    assert events == {("auth.failure", "expired"): 2, ("authz.denied", "insufficient_scope"): 1}
    [ready] = found["mcp.ready"]
    assert ready.value == 1


def test_prometheus_counts_events_logged_to_a_file(tmp_path: Any) -> None:
    pytest.importorskip("prometheus_client")
    metrics = PrometheusMetrics()
    audit = build_audit_logger(str(tmp_path / "audit.jsonl"), metrics=metrics)
    audit.config_warning("JWKS over http")
    audit.close()
    metrics.readiness(False)
    registry = metrics.registry
    assert (
        registry.get_sample_value(
            "mcp_audit_events_total", {"event": "config.warning", "reason": ""}
        )
        == 1
    )
    assert registry.get_sample_value("mcp_ready") == 0
    assert (tmp_path / "audit.jsonl").read_text().count("config.warning") == 1
    assert registry.get_sample_value("process_start_time_seconds") is not None


def test_off_audit_log_still_counts() -> None:
    reader = InMemoryMetricReader()
    metrics = OTelMetrics(MeterProvider(metric_readers=[reader]))
    audit = build_audit_logger("off", metrics=metrics)
    audit.rate_limit_exceeded(None, limit="1/minute")
    audit.close()
    [point] = _points(reader)["mcp.audit.events"]
    assert point.attributes == {"event": "rate_limit.exceeded", "reason": ""}
    assert build_audit_logger("off").sinks == ()


def test_otel_metrics_export_per_env() -> None:
    import io
    import json

    from confluence_mcp.errors import ConfigError
    from confluence_mcp.remote.metric_export import meter_provider_from_env

    assert meter_provider_from_env({}) is None
    assert meter_provider_from_env({"OTEL_METRICS_EXPORTER": "none"}) is None
    with pytest.raises(ConfigError, match="console, otlp or none"):
        meter_provider_from_env({"OTEL_METRICS_EXPORTER": "statsd"})
    out = io.StringIO()
    provider = meter_provider_from_env({"OTEL_METRICS_EXPORTER": "console"}, out=out)
    assert provider is not None
    metrics = OTelMetrics(provider)
    metrics.tool_call("search", "alice", "success", 0.02)
    provider.shutdown()  # a final export
    exported = json.loads(out.getvalue())  # one export: the final one at shutdown
    [resource] = exported["resource_metrics"]
    assert resource["resource"]["attributes"]["service.name"] == "confluence-mcp"
    names = {m["name"] for scope in resource["scope_metrics"] for m in scope["metrics"]}
    assert {"mcp.tool.calls", "mcp.tool.duration"} <= names


def test_otlp_metrics_need_their_extra() -> None:
    from confluence_mcp.errors import ConfigError
    from confluence_mcp.remote.metric_export import meter_provider_from_env

    try:
        import opentelemetry.exporter.otlp.proto.http  # noqa: F401
    except ImportError:
        with pytest.raises(ConfigError, match=r"confluence-mcp\[otlp\]"):
            meter_provider_from_env({"OTEL_METRICS_EXPORTER": "otlp"})
    else:
        provider = meter_provider_from_env({"OTEL_METRICS_EXPORTER": "otlp"})
        assert provider is not None
        provider.shutdown()
