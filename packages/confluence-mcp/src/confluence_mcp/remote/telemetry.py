"""OpenTelemetry: tracer set-up from the standard env, Confluence client spans, tool metrics.

- ``OTEL_TRACES_EXPORTER`` = ``console`` (stderr) | ``otlp`` (extra ``confluence-mcp[otlp]``;
  ``OTEL_EXPORTER_OTLP_ENDPOINT`` etc. are read by the exporter) | ``none`` (default here:
  nothing is imported or installed). ``OTEL_SERVICE_NAME`` names the service
  (``confluence-mcp`` when unset). FastMCP makes the span per tool call.
- :func:`instrument_client_factory` wraps the SDK client the server builds so each SDK call
  is a child span of the tool's span, and (through the SDK's ``on_request`` hook) each HTTP
  attempt to Confluence, retries included, is a CLIENT span below it; Confluence 429s are
  counted per attempt.
- :class:`ToolMetricsMiddleware` reports every tool call to a :class:`MetricsRecorder`.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
import time
from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any, cast

import mcp_types as mt
from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext
from fastmcp.tools.base import ToolResult

from confluence_mcp.remote.metrics import OTHER_LABEL, MetricsRecorder
from confluence_mcp.remote.otel_env import exporter_named, otlp_extra_missing, service_resource

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.trace import Tracer

    from confluence_client import ConfluenceClient, RequestEvent
    from confluence_mcp.settings import Settings

__all__ = [
    "ConfluenceRequestObserver",
    "InstrumentedClient",
    "ToolMetricsMiddleware",
    "configure_tracing",
    "instrument_client_factory",
]

ClientFactory = Callable[["Settings"], "ConfluenceClient"]


def configure_tracing(env: Mapping[str, str] | None = None) -> TracerProvider | None:
    """Install a global tracer provider per ``OTEL_TRACES_EXPORTER``; None when off."""
    values = os.environ if env is None else env
    exporter_name = exporter_named(values, "OTEL_TRACES_EXPORTER")
    if exporter_name is None:
        return None
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter

    exporter: SpanExporter
    if exporter_name == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        # stderr: on stdio, stdout is the MCP protocol stream.
        exporter = ConsoleSpanExporter(out=sys.stderr)
    else:
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # type: ignore[import-not-found,unused-ignore]
                OTLPSpanExporter,
            )
        except ImportError:
            raise otlp_extra_missing("OTEL_TRACES_EXPORTER") from None
        exporter = OTLPSpanExporter()
    provider = TracerProvider(resource=service_resource(values))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    return provider


class ConfluenceRequestObserver:
    """The SDK's ``on_request`` hook: one CLIENT span per HTTP attempt, 429s counted.

    The SDK calls it on the event loop right after the attempt, so the span is created
    after the fact with the attempt's own start and end times, under the current span.
    """

    def __init__(self, *, tracer: Tracer, metrics: MetricsRecorder | None = None) -> None:
        self._tracer = tracer
        self._metrics = metrics

    def __call__(self, event: RequestEvent) -> None:
        """Record one attempt."""
        from opentelemetry.trace import SpanKind, Status, StatusCode

        end_ns = event.start_time_ns + int(event.duration_s * 1e9)
        span = self._tracer.start_span(
            f"HTTP {event.method}",
            kind=SpanKind.CLIENT,
            start_time=event.start_time_ns,
            attributes={
                "http.request.method": event.method,
                "url.path": event.path,
                "confluence.attempt": event.attempt,
            },
        )
        if event.status is not None:
            span.set_attribute("http.response.status_code", event.status)
        failed = event.error is not None or (event.status is not None and event.status >= 400)
        if failed:
            error_type = event.error or str(event.status)
            span.set_attribute("error.type", error_type)
            span.set_status(Status(StatusCode.ERROR, error_type))
        span.end(end_time=end_ns)
        if event.status == 429 and self._metrics is not None:
            self._metrics.upstream_rate_limited(_operation_of(event.path))


def _operation_of(path: str) -> str:
    """A low-cardinality name for an API path: ids and keys replaced by ``{}``."""
    parts = [
        "{}" if part.isdigit() or (part.isupper() and len(part) <= 32) else part
        for part in path.strip("/").split("/")
    ]
    return "/" + "/".join(parts)


class InstrumentedClient:
    """Proxy of a ``ConfluenceClient``: every coroutine method runs in a span named
    ``confluence.<method>`` (the HTTP attempts, when observed, are its children).

    ``metrics`` is given only when the client has no ``on_request`` observer: then a
    ``RateLimitedError`` surfacing from a call is counted as an upstream 429 here.
    """

    def __init__(
        self,
        client: ConfluenceClient,
        *,
        tracer: Tracer,
        metrics: MetricsRecorder | None = None,
    ) -> None:
        self._client = client
        self._tracer = tracer
        self._metrics = metrics

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name.startswith("_") or name == "aclose" or not inspect.iscoroutinefunction(attribute):
            return attribute
        return self._traced(name, attribute)

    def _traced(self, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        from opentelemetry.trace import Status, StatusCode

        tracer = self._tracer
        metrics = self._metrics

        @functools.wraps(method)
        async def traced(*args: Any, **kwargs: Any) -> Any:
            with tracer.start_as_current_span(
                f"confluence.{name}",
                attributes={"confluence.operation": name},
                record_exception=False,
                set_status_on_exception=False,
            ) as span:
                try:
                    return await method(*args, **kwargs)
                except Exception as exc:
                    # The class name only: messages may quote user input.
                    span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
                    span.set_attribute("error.type", type(exc).__name__)
                    status = getattr(exc, "status_code", None)
                    if isinstance(status, int):
                        span.set_attribute("http.response.status_code", status)
                    if status == 429 and metrics is not None:
                        metrics.upstream_rate_limited(name)
                    raise

        return traced

    async def aclose(self) -> None:
        """Close the wrapped client."""
        await self._client.aclose()


def instrument_client_factory(
    factory: Callable[..., ConfluenceClient],
    *,
    tracer: Tracer | None = None,
    metrics: MetricsRecorder | None = None,
) -> ClientFactory:
    """A client factory whose clients are :class:`InstrumentedClient` proxies.

    When ``factory`` accepts ``on_request`` (the server's ``build_client`` does) every HTTP
    attempt is also traced and counted by a :class:`ConfluenceRequestObserver`.
    """
    from opentelemetry import trace

    from confluence_mcp import __version__

    chosen = tracer or trace.get_tracer("confluence_mcp", __version__)
    observed = "on_request" in inspect.signature(factory).parameters
    observer = ConfluenceRequestObserver(tracer=chosen, metrics=metrics)

    def build(settings: Settings) -> ConfluenceClient:
        if observed:
            proxy = InstrumentedClient(factory(settings, on_request=observer), tracer=chosen)
        else:
            proxy = InstrumentedClient(factory(settings), tracer=chosen, metrics=metrics)
        # Duck-typed stand-in: every public attribute resolves to the real client's.
        return cast("ConfluenceClient", proxy)

    return build


class ToolMetricsMiddleware(Middleware):
    """Reports each tool call (tool, principal, outcome, duration) to ``recorder``.

    The tool name is the caller's text: it is reported only when it is one of
    ``tool_names`` (the tools this server exposes), else as ``other``, so a caller cannot
    mint metric series (unknown or hidden names, megabytes long).
    """

    def __init__(self, recorder: MetricsRecorder, *, tool_names: Collection[str]) -> None:
        self.recorder = recorder
        self.tool_names = frozenset(tool_names)

    async def on_call_tool(
        self,
        context: MiddlewareContext[mt.CallToolRequestParams],
        call_next: CallNext[mt.CallToolRequestParams, ToolResult],
    ) -> ToolResult:
        """Time the call and classify its outcome."""
        from fastmcp.exceptions import InsufficientScopeError

        from mcp_auth.fastmcp import current_principal

        started = time.perf_counter()
        principal = current_principal()
        subject = principal.subject if principal else None
        name = context.message.name if context.message.name in self.tool_names else OTHER_LABEL
        try:
            result = await call_next(context)
        except InsufficientScopeError:
            self.recorder.tool_call(name, subject, "denied", time.perf_counter() - started)
            raise
        except Exception:
            self.recorder.tool_call(name, subject, "error", time.perf_counter() - started)
            raise
        outcome = "error" if result.is_error else "success"
        self.recorder.tool_call(name, subject, outcome, time.perf_counter() - started)
        return result
