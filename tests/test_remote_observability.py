"""Health, readiness, traces, metrics and logs of the remote service on a loopback socket.

Spans and metrics are captured with OpenTelemetry's in-memory exporter and reader; the logs
are captured as JSON lines and scanned for every secret the test configured.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from confluence_client.testing import FakeConfluenceServer
from confluence_mcp.app import create_server
from confluence_mcp.http.app import create_http_app
from confluence_mcp.http.layer import build_http_layer
from confluence_mcp.http.serving import running_http_server
from confluence_mcp.remote.logs import configure_logging
from confluence_mcp.remote.metrics import OTelMetrics
from confluence_mcp.remote.settings import load_remote_settings
from confluence_mcp.remote.telemetry import instrument_client_factory
from confluence_mcp.services import build_client
from mcp_auth import AuditLogger, MemorySink, create_api_key

CONFLUENCE_TOKEN = "confluence-api-token-do-not-log-7f3a"
CLIENT_SECRET = "introspection-client-secret-9b1c"


class RecordingProcessor(SpanProcessor):
    """Exports finished spans to memory while a test is recording (global provider)."""

    def __init__(self) -> None:
        self.exporter = InMemorySpanExporter()
        self.recording = False

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        return None

    def on_end(self, span: ReadableSpan) -> None:
        if self.recording:
            self.exporter.export([span])


_PROCESSOR = RecordingProcessor()


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """FastMCP's spans go to the global provider: attach our processor to it (once)."""
    current = trace.get_tracer_provider()
    if not getattr(current, "_confluence_mcp_test_processor", False):
        provider = current if isinstance(current, TracerProvider) else TracerProvider()
        provider.add_span_processor(_PROCESSOR)
        provider._confluence_mcp_test_processor = True  # type: ignore[attr-defined]
        if provider is not current:
            trace.set_tracer_provider(provider)
    _PROCESSOR.exporter.clear()
    _PROCESSOR.recording = True
    try:
        yield _PROCESSOR.exporter
    finally:
        _PROCESSOR.recording = False
        _PROCESSOR.exporter.clear()


Serve = Callable[..., AbstractAsyncContextManager[str]]


@pytest.fixture
def fake_confluence() -> Iterator[FakeConfluenceServer]:
    """The demo fake, with a recognisable API token the log scans look for."""
    with FakeConfluenceServer(seed="demo", api_token=CONFLUENCE_TOKEN) as server:
        yield server


@pytest.fixture
def serve(fake_confluence: FakeConfluenceServer) -> Serve:
    @asynccontextmanager
    async def start(
        *, metrics: OTelMetrics | None = None, audit: AuditLogger | None = None, **overrides: Any
    ) -> AsyncIterator[str]:
        values: dict[str, Any] = {
            "confluence_url": fake_confluence.wiki_url,
            "confluence_username": fake_confluence.credentials.username,
            "confluence_api_token": fake_confluence.credentials.api_token,
            "confluence_deployment": "cloud",
            "transport": "http",
            "mcp_audit_log": "off",
            **overrides,
        }
        remote = load_remote_settings(values, env_file=None)
        mcp = create_server(
            remote.core, client_factory=instrument_client_factory(build_client, metrics=metrics)
        )
        layer = build_http_layer(mcp, remote, metrics=metrics, audit=audit)
        app = create_http_app(mcp, remote.core, routes=layer.routes, middleware=layer.middleware)
        async with running_http_server(app) as base:
            yield base

    return start


def points(reader: InMemoryMetricReader) -> dict[str, list[Any]]:
    data = reader.get_metrics_data()
    assert data is not None
    found: dict[str, list[Any]] = {}
    for resource in data.resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                found.setdefault(metric.name, []).extend(metric.data.data_points)
    return found


# --- health and readiness --------------------------------------------------------------------


async def test_health_and_readiness_with_confluence_up(serve: Serve) -> None:
    async with serve() as base, httpx.AsyncClient() as http:
        live = await http.get(f"{base}/healthz")
        ready = await http.get(f"{base}/readyz")
    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})


async def test_readiness_when_confluence_answers_401(serve: Serve) -> None:
    async with serve(confluence_api_token="not-the-token") as base, httpx.AsyncClient() as http:
        live = await http.get(f"{base}/healthz")
        ready = await http.get(f"{base}/readyz")
    assert live.status_code == 200  # liveness never asks Confluence
    assert ready.status_code == 503
    assert ready.json() == {
        "status": "unavailable",
        "reason": "Confluence refused the configured credentials",
    }


async def test_readiness_when_confluence_is_down(
    serve: Serve, fake_confluence: FakeConfluenceServer
) -> None:
    async with serve(mcp_readiness_cache_seconds=0) as base, httpx.AsyncClient() as http:
        before = await http.get(f"{base}/readyz")
        confluence_url = fake_confluence.url
        fake_confluence.stop()
        after = await http.get(f"{base}/readyz")
        live = await http.get(f"{base}/healthz")
    assert before.status_code == 200
    assert after.status_code == 503
    assert after.json()["reason"] == "Confluence is unreachable"
    assert live.status_code == 200
    assert confluence_url not in after.text


# --- traces ----------------------------------------------------------------------------------


async def test_confluence_requests_are_child_spans_of_the_tool_span(
    serve: Serve, spans: InMemorySpanExporter
) -> None:
    async with serve() as base, Client(StreamableHttpTransport(f"{base}/mcp")) as client:
        await client.call_tool("get_space", {"space_key": "DEMO"})
    finished = spans.get_finished_spans()
    confluence = [span for span in finished if span.name.startswith("confluence.")]
    assert confluence
    tool_spans = [
        span
        for span in finished
        if span.kind is SpanKind.SERVER and "get_space" in span.name and span.context is not None
    ]
    assert tool_spans, [span.name for span in finished]
    tool = tool_spans[0]
    assert tool.context is not None
    by_id = {span.context.span_id: span for span in finished if span.context is not None}

    def ancestors(span: ReadableSpan) -> list[int]:
        found = []
        parent = span.parent
        while parent is not None and parent.span_id in by_id:
            found.append(parent.span_id)
            parent = by_id[parent.span_id].parent
        return found

    for span in confluence:
        assert tool.context.span_id in ancestors(span)
    # Each HTTP attempt to Confluence is a CLIENT span below its SDK call.
    attempts = [span for span in finished if span.name.startswith("HTTP ")]
    assert attempts
    assert all(span.kind is SpanKind.CLIENT for span in attempts)
    sdk_call = confluence[0].context
    assert sdk_call is not None
    assert all(sdk_call.span_id in ancestors(span) for span in attempts)
    assert all(span.attributes and span.attributes["url.path"] for span in attempts)


# --- metrics ---------------------------------------------------------------------------------


async def test_metrics_by_tool_and_principal(
    serve: Serve, tmp_path: Path, fake_confluence: FakeConfluenceServer
) -> None:
    keys = tmp_path / "keys.json"
    key = create_api_key(keys, "analytics-team", ["confluence:read"]).key
    reader = InMemoryMetricReader()
    metrics = OTelMetrics(MeterProvider(metric_readers=[reader]))
    async with (
        serve(metrics=metrics, mcp_api_keys_file=keys) as base,
        Client(StreamableHttpTransport(f"{base}/mcp", auth=key)) as client,
    ):
        await client.call_tool("list_spaces", {})
        await client.call_tool("get_page", {"page_id": "424242"}, raise_on_error=False)
        fake_confluence.faults.rate_limit(
            path_prefix="/wiki", retry_after=0, reset_after=0, count=20
        )
        await client.call_tool("get_space", {"space_key": "DEMO"}, raise_on_error=False)
        fake_confluence.faults.clear()
    headers = {
        "accept": "application/json, text/event-stream",
        "authorization": f"Bearer {key}",
    }
    async with (
        serve(metrics=metrics, mcp_api_keys_file=keys, mcp_rate_limit="1/minute") as base,
        httpx.AsyncClient() as http,
    ):
        statuses = [
            (await http.post(f"{base}/mcp", json={}, headers=headers)).status_code for _ in range(2)
        ]
    assert statuses[1] == 429
    found = points(reader)
    calls = {
        (p.attributes["tool"], p.attributes["outcome"], p.attributes["principal"]): p.value
        for p in found["mcp.tool.calls"]
    }
    assert calls[("list_spaces", "success", "analytics-team")] == 1
    assert calls[("get_page", "error", "analytics-team")] == 1
    assert calls[("get_space", "error", "analytics-team")] == 1
    assert {p.attributes["tool"] for p in found["mcp.tool.errors"]} == {"get_page", "get_space"}
    durations = {p.attributes["tool"]: p.count for p in found["mcp.tool.duration"]}
    assert durations["list_spaces"] == 1
    # Counted per HTTP attempt (the SDK retries 429s), named by the API path.
    [upstream] = found["confluence.upstream.rate_limited"]
    assert upstream.attributes == {"operation": "/wiki/api/v2/spaces"}
    assert upstream.value >= 2
    refusals = {
        (p.attributes["kind"], p.attributes["principal"]): p.value
        for p in found["mcp.rate_limit.refusals"]
    }
    assert refusals == {("principal", "analytics-team"): 1}


# --- logs --------------------------------------------------------------------------------------


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()
    configure_logging(
        log_format="json", level="DEBUG", secrets=[CONFLUENCE_TOKEN, CLIENT_SECRET], stream=stream
    )
    try:
        yield stream
    finally:
        for handler in list(root.handlers):
            if handler not in saved[0]:
                root.removeHandler(handler)
        root.setLevel(saved[1])
        logging.getLogger("uvicorn.access").disabled = False


async def test_secrets_never_reach_logs_or_audit(
    serve: Serve,
    json_logs: io.StringIO,
    tmp_path: Path,
    fake_confluence: FakeConfluenceServer,
) -> None:
    keys = tmp_path / "keys.json"
    key = create_api_key(keys, "logger-test", ["confluence:read"]).key
    sink = MemorySink()
    audit = AuditLogger([sink], background=False)
    async with serve(
        audit=audit,
        mcp_api_keys_file=keys,
        confluence_api_token=CONFLUENCE_TOKEN,
        mcp_oauth_client_secret=CLIENT_SECRET,
    ) as base:
        async with Client(StreamableHttpTransport(f"{base}/mcp", auth=key)) as client:
            await client.call_tool("list_spaces", {})
        async with httpx.AsyncClient() as http:
            await http.post(f"{base}/mcp", json={}, headers={"authorization": f"Bearer {key}x"})
            await http.get(f"{base}/readyz", params={"access_token": key})
        logging.getLogger("confluence_mcp.test").warning(
            "diagnostic with %s and %s and %s", CONFLUENCE_TOKEN, CLIENT_SECRET, key
        )
    captured = json_logs.getvalue()
    lines = [json.loads(line) for line in captured.splitlines()]
    assert any(line["logger"] == "confluence_mcp.access" for line in lines)
    everything = captured + "\n".join(sink.lines)
    for secret in (CONFLUENCE_TOKEN, CLIENT_SECRET, key, key.rsplit("_", 1)[1]):
        assert secret not in everything
