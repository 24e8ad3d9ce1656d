"""Tracing set-up, Confluence client spans and tool metrics (in-memory exporters)."""

from __future__ import annotations

from typing import Any

import pytest
from fastmcp import Client
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from confluence_client import RateLimitedError
from confluence_client.testing import FakeConfluenceServer
from confluence_mcp.app import create_server
from confluence_mcp.errors import ConfigError
from confluence_mcp.remote.metrics import OTelMetrics
from confluence_mcp.remote.telemetry import (
    InstrumentedClient,
    ToolMetricsMiddleware,
    configure_tracing,
    instrument_client_factory,
)
from confluence_mcp.services import build_client


def metric_points(reader: InMemoryMetricReader) -> dict[str, list[Any]]:
    data = reader.get_metrics_data()
    found: dict[str, list[Any]] = {}
    assert data is not None
    for resource in data.resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                found.setdefault(metric.name, []).extend(metric.data.data_points)
    return found


@pytest.fixture
def spans() -> tuple[TracerProvider, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider, exporter


def test_tracing_off_by_default() -> None:
    assert configure_tracing({}) is None
    assert configure_tracing({"OTEL_TRACES_EXPORTER": "none"}) is None


def test_tracing_exporter_errors() -> None:
    with pytest.raises(ConfigError, match="console, otlp or none"):
        configure_tracing({"OTEL_TRACES_EXPORTER": "zipkin"})


def test_otlp_needs_its_extra() -> None:
    try:
        import opentelemetry.exporter.otlp.proto.http  # noqa: F401
    except ImportError:
        with pytest.raises(ConfigError, match=r"confluence-mcp\[otlp\]"):
            configure_tracing({"OTEL_TRACES_EXPORTER": "otlp"})
    else:
        pytest.skip("the otlp extra is installed")


def test_console_tracing_installs_a_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    from opentelemetry import trace

    installed: list[Any] = []
    monkeypatch.setattr(trace, "set_tracer_provider", installed.append)
    provider = configure_tracing({"OTEL_TRACES_EXPORTER": "console"})
    assert provider is not None
    assert installed == [provider]
    assert provider.resource.attributes["service.name"] == "confluence-mcp"
    provider.shutdown()
    named = configure_tracing({"OTEL_TRACES_EXPORTER": "console", "OTEL_SERVICE_NAME": "wiki"})
    assert named is not None
    named.shutdown()


async def test_sdk_calls_are_client_spans(
    remote_settings_for: Any,
    fake_confluence: FakeConfluenceServer,
    spans: tuple[TracerProvider, InMemorySpanExporter],
) -> None:
    provider, exporter = spans
    reader = InMemoryMetricReader()
    metrics = OTelMetrics(MeterProvider(metric_readers=[reader]))

    def without_hook(settings: Any) -> Any:
        # A factory that cannot observe HTTP attempts: only SDK calls are traced.
        return build_client(settings)

    factory = instrument_client_factory(
        without_hook, tracer=provider.get_tracer("t"), metrics=metrics
    )
    client = factory(remote_settings_for().core)
    assert isinstance(client, InstrumentedClient)
    try:
        user = await client.get_current_user()
        assert user.display_name
        fake_confluence.faults.rate_limit(
            path_prefix="/wiki", retry_after=0, reset_after=0, count=10
        )
        with pytest.raises(RateLimitedError) as raised:
            await client.get_space("DEMO")
        assert getattr(raised.value, "status_code", None) == 429
    finally:
        fake_confluence.faults.clear()
        await client.aclose()
    finished = exporter.get_finished_spans()
    assert [span.name for span in finished] == [
        "confluence.get_current_user",
        "confluence.get_space",
    ]
    assert all(span.kind is SpanKind.INTERNAL for span in finished)
    assert finished[1].status.status_code is StatusCode.ERROR
    assert finished[1].attributes is not None
    assert finished[1].attributes["http.response.status_code"] == 429
    points = metric_points(reader)
    [point] = points["confluence.upstream.rate_limited"]
    assert point.value == 1
    assert point.attributes == {"operation": "get_space"}


async def test_tool_metrics_middleware(remote_settings_for: Any) -> None:
    reader = InMemoryMetricReader()
    mcp = create_server(remote_settings_for().core)
    recorder = OTelMetrics(MeterProvider(metric_readers=[reader]))
    mcp.add_middleware(ToolMetricsMiddleware(recorder, tool_names={"list_spaces", "get_page"}))
    async with Client(mcp) as client:
        await client.call_tool("list_spaces", {})
        await client.call_tool("get_page", {"page_id": "999999999"}, raise_on_error=False)
        # Names outside the closed set (unlisted or unknown) are all "other".
        await client.call_tool("get_space", {"space_key": "DEMO"})
        with pytest.raises(Exception, match="Unknown tool"):
            await client.call_tool("no_such_tool_" + "x" * 5000, {})
    points = metric_points(reader)
    calls = {
        (p.attributes["tool"], p.attributes["outcome"], p.attributes["principal"]): p.value
        for p in points["mcp.tool.calls"]
    }
    assert calls == {
        ("list_spaces", "success", "anonymous"): 1,
        ("get_page", "error", "anonymous"): 1,
        ("other", "success", "anonymous"): 1,
        ("other", "error", "anonymous"): 1,
    }
    assert {p.attributes["tool"] for p in points["mcp.tool.errors"]} == {"get_page", "other"}
    assert {p.attributes["tool"] for p in points["mcp.tool.duration"]} == {
        "list_spaces",
        "get_page",
        "other",
    }


def test_rate_limit_refusals_metric() -> None:
    reader = InMemoryMetricReader()
    metrics = OTelMetrics(MeterProvider(metric_readers=[reader]))
    metrics.rate_limited("ip", None)
    metrics.rate_limited("principal", "alice")
    points = metric_points(reader)["mcp.rate_limit.refusals"]
    assert {(p.attributes["kind"], p.attributes["principal"]) for p in points} == {
        ("ip", "anonymous"),
        ("principal", "alice"),
    }


def hooked_factory(settings: Any, *, on_request: Any = None) -> Any:
    """A client factory that passes the SDK's on_request hook (as build_client will)."""
    from confluence_client import BasicAuth, ConfluenceClient, RetryPolicy

    return ConfluenceClient(
        str(settings.confluence_url),
        BasicAuth(settings.confluence_username, settings.confluence_api_token.get_secret_value()),
        deployment="cloud",
        retry=RetryPolicy(max_retries=2, initial_backoff=0, max_backoff=0, max_total_wait=5),
        on_request=on_request,
    )


async def test_each_http_attempt_is_a_client_span_under_the_sdk_call(
    remote_settings_for: Any,
    fake_confluence: FakeConfluenceServer,
    spans: tuple[TracerProvider, InMemorySpanExporter],
) -> None:
    provider, exporter = spans
    reader = InMemoryMetricReader()
    metrics = OTelMetrics(MeterProvider(metric_readers=[reader]))
    factory = instrument_client_factory(
        hooked_factory, tracer=provider.get_tracer("t"), metrics=metrics
    )
    client = factory(remote_settings_for().core)
    fake_confluence.faults.rate_limit(path_prefix="/wiki", retry_after=0, reset_after=0, count=1)
    try:
        space = await client.get_space("DEMO")
    finally:
        fake_confluence.faults.clear()
        await client.aclose()
    assert space.key == "DEMO"
    finished = exporter.get_finished_spans()
    [call] = [span for span in finished if span.name == "confluence.get_space"]
    attempts = [span for span in finished if span.name == "HTTP GET"]
    assert len(attempts) >= 2
    assert all(span.kind is SpanKind.CLIENT for span in attempts)
    assert call.context is not None
    assert {span.parent.span_id for span in attempts if span.parent} == {call.context.span_id}
    first = attempts[0]
    assert first.attributes is not None
    assert first.attributes["http.response.status_code"] == 429
    assert first.attributes["confluence.attempt"] == 1
    assert first.status.status_code is StatusCode.ERROR
    assert first.start_time is not None
    assert first.end_time is not None
    assert first.end_time >= first.start_time
    assert attempts[-1].status.status_code is StatusCode.UNSET
    [point] = metric_points(reader)["confluence.upstream.rate_limited"]
    assert point.value == 1
    assert point.attributes == {"operation": "/wiki/api/v2/spaces"}


def test_operation_names_hide_ids_and_keys() -> None:
    from confluence_mcp.remote.telemetry import _operation_of

    assert _operation_of("/wiki/api/v2/pages/12345/labels") == "/wiki/api/v2/pages/{}/labels"
    assert _operation_of("/rest/api/space/DEMO") == "/rest/api/space/{}"


def test_observer_records_transport_failures(
    spans: tuple[TracerProvider, InMemorySpanExporter],
) -> None:
    from confluence_client import RequestEvent
    from confluence_mcp.remote.telemetry import ConfluenceRequestObserver

    provider, exporter = spans
    observer = ConfluenceRequestObserver(tracer=provider.get_tracer("t"))
    observer(RequestEvent("POST", "/wiki/api/v2/pages", None, "ConnectionFailedError", 1, 0.5, 1))
    [span] = exporter.get_finished_spans()
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes is not None
    assert span.attributes["error.type"] == "ConnectionFailedError"
    assert "http.response.status_code" not in span.attributes
