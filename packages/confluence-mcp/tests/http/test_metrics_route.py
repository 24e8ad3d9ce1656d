"""``/metrics`` under attack: bounded label values, Host check, IP limit, token, own port."""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from hypothesis import given, settings
from hypothesis import strategies as st
from mcp.shared.exceptions import MCPError

from confluence_mcp.http.serving import running_http_server
from confluence_mcp.remote.metrics import MAX_LABEL_VALUES, OTHER_LABEL, BoundedLabel
from mcp_auth import create_api_key

prometheus_client = pytest.importorskip("prometheus_client")

from confluence_mcp.remote.metrics import PrometheusMetrics  # noqa: E402

# Each server gets its own recorder: the process-wide one (configure_observability) may be
# left over from another test.
TOOL_LABEL = re.compile(r'tool="([^"]*)"')
PRINCIPAL_LABEL = re.compile(r'principal="([^"]*)"')


async def test_caller_tool_names_never_become_label_values(
    remote_settings_for: Any, serve_remote: Any, tmp_path: Path
) -> None:
    keys = tmp_path / "keys.json"
    key = create_api_key(keys, "reader", ["confluence:read"]).key
    settings = remote_settings_for(
        mcp_metrics="prometheus",
        mcp_api_keys_file=keys,
        enabled_tools="list_spaces,get_space,create_page",
        mcp_rate_limit="off",
    )
    names = [
        "list_spaces",  # visible
        "create_page",  # visible, but the key may not call it (denied)
        "get_page",  # registered but hidden by ENABLED_TOOLS
        "delete_page",
        *(f"probe-{index}-" + "x" * 20_000 for index in range(30)),  # unknown, huge
    ]
    async with serve_remote(settings, metrics=PrometheusMetrics()) as (base, _layer):
        async with Client(StreamableHttpTransport(f"{base}/mcp", auth=key)) as client:
            for name in names:
                with contextlib.suppress(MCPError):  # denied and unknown tools
                    await client.call_tool_mcp(name, {"space_key": "DEMO"})
        async with httpx.AsyncClient() as http:
            scraped = await http.get(f"{base}/metrics")
    assert scraped.status_code == 200
    tools = set(TOOL_LABEL.findall(scraped.text))
    assert "list_spaces" in tools
    assert tools <= {"list_spaces", "get_space", "create_page", OTHER_LABEL}
    assert OTHER_LABEL in tools
    assert "xxxxxxxx" not in scraped.text
    assert len(scraped.content) < 64_000


async def test_metrics_route_has_the_host_check_and_ip_limit(
    remote_settings_for: Any, serve_remote: Any
) -> None:
    settings = remote_settings_for(mcp_metrics="prometheus", mcp_ip_rate_limit="2/minute")
    async with (
        serve_remote(settings, metrics=PrometheusMetrics()) as (base, _layer),
        httpx.AsyncClient() as http,
    ):
        rebound = await http.get(f"{base}/metrics", headers={"host": "attacker.example"})
        statuses = [(await http.get(f"{base}/metrics")).status_code for _ in range(3)]
        health = await http.get(f"{base}/healthz")
    assert rebound.status_code == 421
    assert statuses == [200, 200, 429]
    assert health.status_code == 200


async def test_metrics_token(remote_settings_for: Any, serve_remote: Any) -> None:
    settings = remote_settings_for(mcp_metrics="prometheus", mcp_metrics_token="scrape-secret-1")
    async with (
        serve_remote(settings, metrics=PrometheusMetrics()) as (base, _layer),
        httpx.AsyncClient() as http,
    ):
        missing = await http.get(f"{base}/metrics")
        wrong = await http.get(f"{base}/metrics", headers={"authorization": "Bearer nope"})
        right = await http.get(
            f"{base}/metrics", headers={"authorization": "Bearer scrape-secret-1"}
        )
        # The auth scheme is case-insensitive; another scheme with the token is not a bearer.
        lower = await http.get(
            f"{base}/metrics", headers={"authorization": "bearer scrape-secret-1"}
        )
        basic = await http.get(
            f"{base}/metrics", headers={"authorization": "Basic scrape-secret-1"}
        )
    assert (missing.status_code, wrong.status_code, right.status_code) == (401, 401, 200)
    assert (lower.status_code, basic.status_code) == (200, 401)
    assert "scrape-secret-1" not in missing.text
    assert "mcp_tool_calls" in right.text


async def test_metrics_on_their_own_port(remote_settings_for: Any, serve_remote: Any) -> None:
    settings = remote_settings_for(mcp_metrics="prometheus", mcp_metrics_port=9)
    async with (
        serve_remote(settings, metrics=PrometheusMetrics()) as (base, layer),
        httpx.AsyncClient() as http,
    ):
        assert layer.metrics_app is not None
        on_mcp_port = await http.get(f"{base}/metrics")
        async with running_http_server(layer.metrics_app) as metrics_base:
            scraped = await http.get(f"{metrics_base}/metrics")
            rebound = await http.get(
                f"{metrics_base}/metrics", headers={"host": "attacker.example"}
            )
    assert "mcp_tool_calls" not in on_mcp_port.text
    assert scraped.status_code == 200
    assert "mcp_tool_calls" in scraped.text
    assert rebound.status_code == 421


class _ThreadSpy:
    """A collector that notes which thread the exposition ran in."""

    def __init__(self) -> None:
        self.threads: list[threading.Thread] = []

    def collect(self) -> Iterator[Any]:
        self.threads.append(threading.current_thread())
        return iter(())


async def test_scrapes_render_off_the_event_loop(
    remote_settings_for: Any, serve_remote: Any
) -> None:
    spy = _ThreadSpy()
    async with serve_remote(
        remote_settings_for(mcp_metrics="prometheus"), metrics=PrometheusMetrics()
    ) as (base, layer):
        layer.metrics.registry.register(spy)
        async with httpx.AsyncClient() as http:
            scraped = await http.get(f"{base}/metrics")
    assert scraped.status_code == 200
    assert spy.threads
    assert threading.main_thread() not in spy.threads


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=40), max_size=300), st.integers(min_value=0, max_value=20))
def test_bounded_label_property(values: list[str], cap: int) -> None:
    label = BoundedLabel(cap)
    seen = [label(value) for value in values]
    assert set(seen) <= {*values, OTHER_LABEL}
    assert len(set(seen) - {OTHER_LABEL}) <= cap
    # A value keeps its label once given one.
    first = {value: out for value, out in zip(values, seen, strict=True) if out != OTHER_LABEL}
    assert all(label(value) == out for value, out in first.items())


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(min_size=1, max_size=60), st.text(max_size=60)),
        min_size=1,
        max_size=2 * MAX_LABEL_VALUES + 50,
    )
)
def test_prometheus_series_stay_bounded(calls: list[tuple[str, str]]) -> None:
    metrics = PrometheusMetrics()
    for tool, principal in calls:
        metrics.tool_call(tool, principal, "success", 0.01)
        metrics.upstream_rate_limited(tool)
    text = metrics.render().decode()
    tools = set(TOOL_LABEL.findall(text))
    principals = set(PRINCIPAL_LABEL.findall(text))
    assert len(tools) <= MAX_LABEL_VALUES + 1
    assert len(principals) <= MAX_LABEL_VALUES + 1
    assert all(p == OTHER_LABEL or p.startswith(("p-", "anonymous")) for p in principals)
