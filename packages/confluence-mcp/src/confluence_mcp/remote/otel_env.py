"""What tracing and metric export share of the standard OpenTelemetry env: the exporter a
``OTEL_*_EXPORTER`` variable names, and the service resource (``OTEL_SERVICE_NAME``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

from confluence_mcp.errors import ConfigError

if TYPE_CHECKING:
    from opentelemetry.sdk.resources import Resource

__all__ = ["exporter_named", "otlp_extra_missing", "service_resource"]

_DEFAULT_SERVICE_NAME = "confluence-mcp"


def exporter_named(values: Mapping[str, str], variable: str) -> Literal["console", "otlp"] | None:
    """The exporter ``variable`` names; None when it is unset or ``none``."""
    name = values.get(variable, "none").strip().lower()
    if name in ("", "none"):
        return None
    if name == "console":
        return "console"
    if name == "otlp":
        return "otlp"
    raise ConfigError(f"{variable}: use console, otlp or none")


def otlp_extra_missing(variable: str) -> ConfigError:
    """The error for ``variable=otlp`` without the OTLP exporter installed."""
    return ConfigError(f"{variable}=otlp needs the otlp extra: install confluence-mcp[otlp]")


def service_resource(values: Mapping[str, str]) -> Resource:
    """The resource naming this service: ``OTEL_SERVICE_NAME`` (read by the SDK itself), else
    ``confluence-mcp``."""
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource

    attributes = {} if values.get("OTEL_SERVICE_NAME") else {SERVICE_NAME: _DEFAULT_SERVICE_NAME}
    return Resource.create(attributes)
