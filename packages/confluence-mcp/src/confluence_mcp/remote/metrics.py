"""Service metrics: tool calls, errors, latency, upstream 429s and rate-limit refusals.

Two back ends behind one small :class:`MetricsRecorder` protocol:

- :class:`OTelMetrics` records through the OpenTelemetry metrics API (``MCP_METRICS=otel``;
  exported per ``OTEL_METRICS_EXPORTER``), or any ``MeterProvider`` handed in (tests use
  an in-memory reader);
- :class:`PrometheusMetrics` keeps a private ``prometheus_client`` registry served at
  ``GET /metrics`` (``MCP_METRICS=prometheus``, extra ``confluence-mcp[prometheus]``).

With ``MCP_METRICS=none`` (the default) no recorder exists and nothing is imported.
Besides tool calls, both count audit events (``auth.failure`` by reason, ``authz.denied``,
...: :class:`MetricsAuditSink` feeds them from the audit logger) and keep the last readiness
verdict as a 0/1 gauge; the Prometheus registry also carries the standard ``process_*``
metrics (start time: restarts). ``deploy/monitoring/`` alerts on exactly these names.
Labels are the tool name, the principal (usage analytics: keep principals few, e.g. one per
team or client) and the outcome.

Every label value comes from a bounded set, because each new value is a new time series
held in memory and written on every scrape: tool names are mapped to the registered tool
names or ``other`` by the caller (:class:`~confluence_mcp.remote.telemetry.ToolMetricsMiddleware`),
and each recorder keeps at most :data:`MAX_LABEL_VALUES` distinct values per label (tools,
principals, upstream operations), counting any further one as ``other``.

``/metrics`` sits behind the same Host/Origin checks and per-IP rate limit as every other
route, can require a bearer token (``MCP_METRICS_TOKEN``) and can move to its own port
(``MCP_METRICS_PORT``); keep it on the internal network. Prometheus labels never carry raw
principal subjects (key names, JWT subjects, often e-mail addresses): they are pseudonyms,
``p-`` plus a keyed hash of the subject whose key is random per process, stable while it
runs, and not reversible by a scraper. Which principal did what is in the audit log.
OpenTelemetry exports to a collector, not to callers, and keeps the subjects.
The text exposition is rendered in a worker thread: a scrape never blocks the event loop.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from opentelemetry.metrics import MeterProvider
    from starlette.routing import Route

    from mcp_auth import AuditEvent

__all__ = [
    "MAX_LABEL_VALUES",
    "OTHER_LABEL",
    "BoundedLabel",
    "MetricsAuditSink",
    "MetricsRecorder",
    "OTelMetrics",
    "PrometheusMetrics",
]

_ANONYMOUS = "anonymous"
OTHER_LABEL = "other"
MAX_LABEL_VALUES = 200
"""Distinct values one label may take per process; further ones are counted as ``other``."""


class BoundedLabel:
    """The values of one label: the first ``cap`` distinct ones, then ``other``."""

    def __init__(self, cap: int = MAX_LABEL_VALUES) -> None:
        self.cap = cap
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, value: str) -> str:
        """``value`` when it already has a series or there is room for one, else ``other``."""
        if value in self._seen:
            return value
        with self._lock:
            if len(self._seen) < self.cap:
                self._seen.add(value)
                return value
        return OTHER_LABEL


class MetricsRecorder(Protocol):
    """What the service reports; implementations must never raise."""

    def tool_call(self, tool: str, principal: str | None, outcome: str, duration_s: float) -> None:
        """One finished tool call (outcome ``success``, ``error`` or ``denied``)."""

    def upstream_rate_limited(self, operation: str) -> None:
        """Confluence answered 429 to one of our calls."""

    def rate_limited(self, kind: str, principal: str | None) -> None:
        """We refused a request with 429 (kind ``ip`` or ``principal``)."""

    def audit_event(self, event: str, reason: str | None) -> None:
        """One audit event (``auth.failure``, ``authz.denied``, ...), with its reason code."""

    def readiness(self, ready: bool) -> None:
        """The verdict of the last readiness check."""


class MetricsAuditSink:
    """An audit sink that counts events into ``metrics`` (runs on the audit thread)."""

    def __init__(self, metrics: MetricsRecorder) -> None:
        self.metrics = metrics

    def write(self, line: str, event: AuditEvent) -> None:
        """Count ``event`` by name and reason; the line itself is not kept."""
        reason = None if event.reason is None else str(event.reason.value)
        self.metrics.audit_event(str(event.event.value), reason)

    def close(self) -> None:
        """Nothing to release."""


class OTelMetrics:
    """Records through OpenTelemetry instruments from ``meter_provider`` (else the global)."""

    def __init__(self, meter_provider: MeterProvider | None = None) -> None:
        from opentelemetry import metrics

        from confluence_mcp import __version__

        meter = metrics.get_meter("confluence_mcp", __version__, meter_provider=meter_provider)
        self._calls = meter.create_counter("mcp.tool.calls", unit="{call}")
        self._errors = meter.create_counter("mcp.tool.errors", unit="{call}")
        self._duration = meter.create_histogram("mcp.tool.duration", unit="s")
        self._upstream = meter.create_counter("confluence.upstream.rate_limited", unit="{response}")
        self._refusals = meter.create_counter("mcp.rate_limit.refusals", unit="{request}")
        self._audit = meter.create_counter("mcp.audit.events", unit="{event}")
        # No unit: "1" would become a "_ratio" suffix in Prometheus naming.
        self._ready = meter.create_gauge("mcp.ready")
        self._tools = BoundedLabel()
        self._principals = BoundedLabel()
        self._operations = BoundedLabel()

    def tool_call(self, tool: str, principal: str | None, outcome: str, duration_s: float) -> None:
        """See :class:`MetricsRecorder`."""
        name = self._tools(tool)
        who = self._principals(principal or _ANONYMOUS)
        self._calls.add(1, {"tool": name, "principal": who, "outcome": outcome})
        if outcome == "error":
            self._errors.add(1, {"tool": name, "principal": who})
        self._duration.record(duration_s, {"tool": name, "principal": who})

    def upstream_rate_limited(self, operation: str) -> None:
        """See :class:`MetricsRecorder`."""
        self._upstream.add(1, {"operation": self._operations(operation)})

    def rate_limited(self, kind: str, principal: str | None) -> None:
        """See :class:`MetricsRecorder`."""
        who = self._principals(principal or _ANONYMOUS)
        self._refusals.add(1, {"kind": kind, "principal": who})

    def audit_event(self, event: str, reason: str | None) -> None:
        """See :class:`MetricsRecorder`."""
        self._audit.add(1, {"event": event, "reason": reason or ""})

    def readiness(self, ready: bool) -> None:
        """See :class:`MetricsRecorder`."""
        self._ready.set(1 if ready else 0)


class PrometheusMetrics:
    """The same metrics in a private Prometheus registry, with a ``/metrics`` route."""

    def __init__(self) -> None:
        self._pseudonym_key = secrets.token_bytes(32)
        self._tools = BoundedLabel()
        self._principals = BoundedLabel()
        self._operations = BoundedLabel()
        try:
            import prometheus_client as prom  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            from confluence_mcp.errors import ConfigError

            raise ConfigError(
                "MCP_METRICS=prometheus needs the prometheus extra: install "
                "confluence-mcp[prometheus]"
            ) from None
        self._prom: Any = prom
        self.registry = prom.CollectorRegistry()
        self._calls = prom.Counter(
            "mcp_tool_calls", "Tool calls", ["tool", "principal", "outcome"], registry=self.registry
        )
        self._errors = prom.Counter(
            "mcp_tool_errors",
            "Tool calls that failed",
            ["tool", "principal"],
            registry=self.registry,
        )
        self._duration = prom.Histogram(
            "mcp_tool_duration_seconds",
            "Tool call latency",
            ["tool", "principal"],
            registry=self.registry,
        )
        self._upstream = prom.Counter(
            "confluence_upstream_rate_limited",
            "429 answers from Confluence",
            ["operation"],
            registry=self.registry,
        )
        self._refusals = prom.Counter(
            "mcp_rate_limit_refusals",
            "Requests refused by our rate limits",
            ["kind", "principal"],
            registry=self.registry,
        )
        self._audit = prom.Counter(
            "mcp_audit_events",
            "Audit events (auth.failure, authz.denied, rate_limit.exceeded, ...)",
            ["event", "reason"],
            registry=self.registry,
        )
        self._ready = prom.Gauge(
            "mcp_ready", "1 when the last readiness check passed, else 0", registry=self.registry
        )
        # process_start_time_seconds (restarts), CPU, memory, open files: Linux only.
        prom.ProcessCollector(registry=self.registry)

    def principal_label(self, principal: str | None) -> str:
        """The label standing for ``principal``: a per-process pseudonym, never the subject."""
        if not principal:
            return _ANONYMOUS
        digest = hashlib.blake2b(
            principal.encode("utf-8"), key=self._pseudonym_key, digest_size=8
        ).hexdigest()
        return f"p-{digest}"

    def tool_call(self, tool: str, principal: str | None, outcome: str, duration_s: float) -> None:
        """See :class:`MetricsRecorder`."""
        name = self._tools(tool)
        who = self._principals(self.principal_label(principal))
        self._calls.labels(name, who, outcome).inc()
        if outcome == "error":
            self._errors.labels(name, who).inc()
        self._duration.labels(name, who).observe(duration_s)

    def upstream_rate_limited(self, operation: str) -> None:
        """See :class:`MetricsRecorder`."""
        self._upstream.labels(self._operations(operation)).inc()

    def rate_limited(self, kind: str, principal: str | None) -> None:
        """See :class:`MetricsRecorder`."""
        self._refusals.labels(kind, self._principals(self.principal_label(principal))).inc()

    def audit_event(self, event: str, reason: str | None) -> None:
        """See :class:`MetricsRecorder`."""
        self._audit.labels(event, reason or "").inc()

    def readiness(self, ready: bool) -> None:
        """See :class:`MetricsRecorder`."""
        self._ready.set(1 if ready else 0)

    def render(self) -> bytes:
        """The registry in the Prometheus text format (blocking: call it off the loop)."""
        return bytes(self._prom.generate_latest(self.registry))

    def route(self, path: str = "/metrics", *, token: str | None = None) -> Route:
        """``GET /metrics`` in the Prometheus text format, rendered in a worker thread.

        With ``token``, the scraper must send ``Authorization: Bearer <token>`` (else 401).
        """
        from anyio import to_thread
        from starlette.requests import Request
        from starlette.responses import JSONResponse, Response
        from starlette.routing import Route

        content_type = self._prom.CONTENT_TYPE_LATEST
        expected = token.encode() if token else None

        async def metrics(request: Request) -> Response:
            # The scheme is case-insensitive (RFC 9110); the header arrives latin-1 decoded.
            scheme, _, given = request.headers.get("authorization", "").strip().partition(" ")
            if expected is not None and not (
                scheme.lower() == "bearer"
                and hmac.compare_digest(given.strip().encode("latin-1"), expected)
            ):
                return JSONResponse(
                    {"error": "invalid_token", "error_description": "send the metrics token"},
                    status_code=401,
                    headers={"www-authenticate": 'Bearer realm="metrics"'},
                )
            body = await to_thread.run_sync(self.render)
            return Response(body, media_type=content_type)

        return Route(path, metrics, methods=["GET"])
