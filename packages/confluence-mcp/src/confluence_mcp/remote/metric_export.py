"""Where ``MCP_METRICS=otel`` metrics go: ``OTEL_METRICS_EXPORTER`` from the standard env.

- ``otlp`` (extra ``confluence-mcp[otlp]``): OTLP over HTTP to ``OTEL_EXPORTER_OTLP_ENDPOINT``
  (or ``OTEL_EXPORTER_OTLP_METRICS_ENDPOINT``), e.g. an OpenTelemetry Collector that forwards
  to Cloud Monitoring or Prometheus; every ``OTEL_METRIC_EXPORT_INTERVAL`` ms (60 s default);
- ``console``: JSON to stderr (stdout is the MCP stream on stdio);
- ``none`` (default): no exporter; instruments still record for a provider handed in.

The provider is given to :class:`~confluence_mcp.remote.metrics.OTelMetrics` directly rather
than installed globally, so tests and embedders keep control of the global state.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import IO, TYPE_CHECKING

from confluence_mcp.remote.otel_env import exporter_named, otlp_extra_missing, service_resource

if TYPE_CHECKING:
    from opentelemetry.sdk.metrics import MeterProvider

__all__ = ["meter_provider_from_env"]


def meter_provider_from_env(
    env: Mapping[str, str] | None = None, *, out: IO[str] | None = None
) -> MeterProvider | None:
    """A meter provider exporting per ``OTEL_METRICS_EXPORTER``; None for ``none``."""
    values = os.environ if env is None else env
    name = exporter_named(values, "OTEL_METRICS_EXPORTER")
    if name is None:
        return None
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import MetricExporter, PeriodicExportingMetricReader

    exporter: MetricExporter
    if name == "console":
        from opentelemetry.sdk.metrics.export import ConsoleMetricExporter

        exporter = ConsoleMetricExporter(out=out or sys.stderr)
    else:
        try:
            from opentelemetry.exporter.otlp.proto.http.metric_exporter import (  # type: ignore[import-not-found,unused-ignore]
                OTLPMetricExporter,
            )
        except ImportError:
            raise otlp_extra_missing("OTEL_METRICS_EXPORTER") from None
        exporter = OTLPMetricExporter()
    reader = PeriodicExportingMetricReader(exporter)
    return MeterProvider(resource=service_resource(values), metric_readers=[reader])
