"""deploy/monitoring/ names only metrics that a running server serves at ``/metrics``.

A server with ``MCP_METRICS=prometheus`` on a loopback socket sees successful, failing,
refused, unauthenticated and rate-limited calls, an upstream 429 and a readiness probe; then
every metric name used by an alerting rule, the PrometheusRule and the Grafana dashboard must
be among the scraped sample names. The PrometheusRule must carry the rules file's groups.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport

from confluence_client.testing import FakeConfluenceServer
from confluence_mcp.app import create_server
from confluence_mcp.http.app import create_http_app
from confluence_mcp.http.layer import build_http_layer
from confluence_mcp.http.serving import running_http_server
from confluence_mcp.remote.metrics import PrometheusMetrics
from confluence_mcp.remote.settings import load_remote_settings
from confluence_mcp.remote.telemetry import instrument_client_factory
from confluence_mcp.services import build_client
from mcp_auth import create_api_key

prometheus_parser = pytest.importorskip("prometheus_client.parser")

MONITORING = Path(__file__).resolve().parents[1] / "deploy" / "monitoring"
ACCEPT = {"accept": "application/json, text/event-stream"}

_KEYWORDS = frozenset(
    {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless"}
    | {"bool", "offset", "inf", "nan"}
)


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects (functions, labels, keywords dropped)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # label values may hold any character
    text = re.sub(r"\$\{?\w+\}?", "1", text)  # Grafana variables ($__rate_interval, $job)
    text = re.sub(r"\{[^}]*\}", " ", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", " ", text)  # ranges
    text = re.sub(
        r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", r" \1 ", text
    )  # grouping labels
    names = set()
    for match in re.finditer(r"(?<![\w.])([A-Za-z_:][\w:]*)(\s*\(|\s+(?:by|without)\b)?", text):
        name, call = match.group(1), match.group(2)
        if call or name.lower() in _KEYWORDS:
            continue
        names.add(name)
    return names


def test_metric_names_reads_promql() -> None:
    expr = (
        'histogram_quantile(0.99, sum by (le, tool) (rate(a_bucket{job=~"$job",x="}"}'
        "[$__rate_interval]))) / on (tool) group_left b_total and time() - c offset 5m > bool 1"
    )
    assert metric_names(expr) == {"a_bucket", "b_total", "c"}


def rule_exprs(groups: list[dict[str, Any]]) -> dict[str, str]:
    return {rule["alert"]: rule["expr"] for group in groups for rule in group["rules"]}


def dashboard_exprs() -> dict[str, str]:
    dashboard = json.loads((MONITORING / "grafana-dashboard.json").read_text())
    found = {
        f"{panel['title']} / {target['refId']}": target["expr"]
        for panel in dashboard["panels"]
        for target in panel["targets"]
    }
    for variable in dashboard["templating"]["list"]:
        if variable["type"] == "query":
            found[f"${variable['name']}"] = re.sub(
                r"label_values\((.*),\s*\w+\)", r"\1", variable["query"]
            )
    return found


def test_prometheus_rule_carries_the_rules_file() -> None:
    plain = yaml.safe_load((MONITORING / "alerts.rules.yml").read_text())
    manifest = yaml.safe_load((MONITORING / "prometheusrule.yaml").read_text())
    assert manifest["kind"] == "PrometheusRule"
    assert manifest["spec"]["groups"] == plain["groups"]
    alerts = set(rule_exprs(plain["groups"]))
    # The list: tool errors, upstream 429s, auth failures, authz.denied, rate-limit
    # refusals, p99 latency, readiness flapping, process restarts.
    assert {
        "ConfluenceMCPToolErrorRate",
        "ConfluenceUpstreamRateLimited",
        "ConfluenceMCPAuthFailureSpike",
        "ConfluenceMCPAuthzDeniedSpike",
        "ConfluenceMCPRateLimitRefusals",
        "ConfluenceMCPHighLatencyP99",
        "ConfluenceMCPReadinessFlapping",
        "ConfluenceMCPRestarting",
    } <= alerts


@pytest.fixture
def fake_confluence() -> Iterator[FakeConfluenceServer]:
    with FakeConfluenceServer(seed="demo") as server:
        yield server


async def scrape_after_traffic(fake: FakeConfluenceServer, keys: Path) -> str:
    reader = create_api_key(keys, "reader", ["confluence:read"]).key
    busy = create_api_key(keys, "busy", ["confluence:read"]).key
    remote = load_remote_settings(
        {
            "confluence_url": fake.wiki_url,
            "confluence_username": fake.credentials.username,
            "confluence_api_token": fake.credentials.api_token,
            "confluence_deployment": "cloud",
            "transport": "http",
            "stateless_http": True,
            "mcp_audit_log": "off",
            "mcp_metrics": "prometheus",
            "mcp_api_keys_file": keys,
            "mcp_rate_limit": "20/minute",
        },
        env_file=None,
    )
    metrics = PrometheusMetrics()
    mcp = create_server(
        remote.core, client_factory=instrument_client_factory(build_client, metrics=metrics)
    )
    layer = build_http_layer(mcp, remote, metrics=metrics)
    app = create_http_app(mcp, remote.core, routes=layer.routes, middleware=layer.middleware)
    call = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": "create_page", "arguments": {"space_key": "DEMO", "title": "t"}},
    }
    async with running_http_server(app) as base, httpx.AsyncClient() as http:
        async with Client(StreamableHttpTransport(f"{base}/mcp", auth=reader)) as client:
            await client.call_tool("list_spaces", {})
            await client.call_tool("get_page", {"page_id": "424242"}, raise_on_error=False)
            fake.faults.rate_limit(path_prefix="/wiki", retry_after=0, reset_after=0, count=20)
            await client.call_tool("get_space", {"space_key": "DEMO"}, raise_on_error=False)
            fake.faults.clear()
        denied = await http.post(
            f"{base}/mcp", json=call, headers={**ACCEPT, "authorization": f"Bearer {reader}"}
        )
        refused = await http.post(
            f"{base}/mcp", json=call, headers={**ACCEPT, "authorization": "Bearer not-a-key"}
        )
        statuses = [
            (
                await http.post(
                    f"{base}/mcp", json={}, headers={**ACCEPT, "authorization": f"Bearer {busy}"}
                )
            ).status_code
            for _ in range(22)
        ]
        ready = await http.get(f"{base}/readyz")
        assert layer.audit.flush(timeout=10)
        scraped = await http.get(f"{base}/metrics")
    assert (denied.status_code, refused.status_code, ready.status_code) == (403, 401, 200)
    assert 429 in statuses
    assert scraped.status_code == 200
    return scraped.text


async def test_every_monitored_metric_is_served(
    fake_confluence: FakeConfluenceServer, tmp_path: Path
) -> None:
    exposition = await scrape_after_traffic(fake_confluence, tmp_path / "keys.json")
    served = {
        sample.name
        for family in prometheus_parser.text_string_to_metric_families(exposition)
        for sample in family.samples
    }
    rules = rule_exprs(yaml.safe_load((MONITORING / "alerts.rules.yml").read_text())["groups"])
    used = {f"rule {name}": metric_names(expr) for name, expr in rules.items()}
    used |= {f"panel {name}": metric_names(expr) for name, expr in dashboard_exprs().items()}
    assert all(used.values()), [where for where, names in used.items() if not names]
    missing = {where: names - served for where, names in used.items() if names - served}
    assert not missing, f"not served at /metrics: {missing}"
    # The traffic above produced the labelled series the alerts watch.
    assert 'mcp_audit_events_total{event="auth.failure"' in exposition
    assert 'mcp_audit_events_total{event="authz.denied",reason="insufficient_scope"}' in exposition
    assert "mcp_ready 1.0" in exposition
    assert 'mcp_rate_limit_refusals_total{kind="principal"' in exposition
