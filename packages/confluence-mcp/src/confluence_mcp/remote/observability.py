"""Process-wide observability: logging, tracing and the metrics recorder, set up once.

``configure_observability(remote)`` is called by the CLI before the server is built: it
configures logging (``LOG_FORMAT``, ``LOG_LEVEL``, secrets redacted), tracing
(``OTEL_TRACES_EXPORTER``), metrics (``MCP_METRICS``, exported per ``OTEL_METRICS_EXPORTER``)
and error tracking (``SENTRY_DSN``), and returns the SDK client factory the server should use
(instrumented only when tracing or metrics are on: off costs nothing).
``build_http_layer`` picks up the same metrics recorder through
:func:`current_observability`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastmcp import FastMCP
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.trace import TracerProvider

    from confluence_client import ConfluenceClient
    from confluence_mcp.remote.metrics import MetricsRecorder
    from confluence_mcp.remote.settings import RemoteSettings
    from confluence_mcp.settings import Settings

__all__ = ["Observability", "configure_observability", "current_observability"]


@dataclass(frozen=True)
class Observability:
    """What :func:`configure_observability` set up."""

    client_factory: Callable[[Settings], ConfluenceClient]
    tracer_provider: TracerProvider | None = None
    metrics: MetricsRecorder | None = None
    error_tracking: bool = False
    meter_provider: MeterProvider | None = None

    def attach(self, mcp: FastMCP[Any]) -> None:
        """Add what watches tool calls on any transport (today: error reporting)."""
        if self.error_tracking:
            from confluence_mcp.remote.error_tracking import ToolErrorReporter

            mcp.add_middleware(ToolErrorReporter())

    def shutdown(self) -> None:
        """Flush and stop tracing, metric export and error tracking; forget this setup."""
        if _current and _current[0] is self:
            # A later server in this process (tests, embedding) must not inherit our metrics.
            _current.clear()
        if self.tracer_provider is not None:
            self.tracer_provider.shutdown()
        if self.meter_provider is not None:
            self.meter_provider.shutdown()  # exports what was recorded since the last export
        if self.error_tracking:
            from confluence_mcp.remote.error_tracking import close_error_tracking

            close_error_tracking()


_current: list[Observability] = []


def configure_observability(remote: RemoteSettings) -> Observability:
    """Configure logging, tracing and metrics for this process (see the module doc)."""
    from confluence_mcp.remote.error_tracking import configure_error_tracking
    from confluence_mcp.remote.logs import configure_logging
    from confluence_mcp.remote.metric_export import meter_provider_from_env
    from confluence_mcp.remote.telemetry import configure_tracing, instrument_client_factory
    from confluence_mcp.services import build_client

    configure_logging(
        log_format=remote.log_format, level=remote.log_level, secrets=remote.secret_values
    )
    tracer_provider = configure_tracing()
    meter_provider = meter_provider_from_env() if remote.mcp_metrics == "otel" else None
    metrics: MetricsRecorder | None
    if meter_provider is not None:
        from confluence_mcp.remote.metrics import OTelMetrics

        metrics = OTelMetrics(meter_provider)
    elif remote.mcp_metrics == "none":
        metrics = None  # the HTTP layer (and what it imports) is not needed: stdio starts lean
    else:
        from confluence_mcp.http.layer import build_metrics

        metrics = build_metrics(remote)
    factory: Callable[[Settings], ConfluenceClient] = build_client
    if tracer_provider is not None or metrics is not None:
        factory = instrument_client_factory(build_client, metrics=metrics)
    error_tracking = configure_error_tracking(remote)
    observability = Observability(
        factory, tracer_provider, metrics, error_tracking, meter_provider=meter_provider
    )
    _current[:] = [observability]
    return observability


def current_observability() -> Observability | None:
    """The last :func:`configure_observability` result in this process, if any."""
    return _current[0] if _current else None
