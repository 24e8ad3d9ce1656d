"""X-Forwarded-For over a loopback socket: ignored unless the peer is a listed proxy."""

from __future__ import annotations

from typing import Any

import httpx

from confluence_mcp.app import create_server
from confluence_mcp.http.app import create_http_app
from confluence_mcp.http.layer import build_http_layer
from confluence_mcp.http.serving import running_http_server
from mcp_auth import AuditLogger, MemorySink


async def test_forged_forwarded_for_from_loopback_is_ignored(
    remote_settings_for: Any, serve_remote: Any, audit_sink: MemorySink
) -> None:
    settings = remote_settings_for(mcp_ip_rate_limit="3/minute")
    async with serve_remote(settings) as (base, _layer), httpx.AsyncClient() as http:
        statuses = [
            (
                await http.post(
                    f"{base}/mcp", json={}, headers={"x-forwarded-for": f"203.0.113.{index}"}
                )
            ).status_code
            for index in range(6)
        ]
    assert statuses[3:] == [429, 429, 429]  # one bucket: the socket peer, not the header
    addresses = {event.remote_addr for event in audit_sink.events}
    assert addresses == {"127.0.0.1"}


async def test_forwarded_for_is_used_from_a_listed_proxy(remote_settings_for: Any) -> None:
    settings = remote_settings_for(mcp_ip_rate_limit="2/minute")
    sink = MemorySink()
    mcp = create_server(settings.core)
    layer = build_http_layer(mcp, settings, audit=AuditLogger([sink], background=False))
    app = create_http_app(mcp, settings.core, routes=layer.routes, middleware=layer.middleware)
    async with (
        running_http_server(app, forwarded_allow_ips=["127.0.0.1"]) as base,
        httpx.AsyncClient() as http,
    ):
        statuses = [
            (
                await http.post(
                    f"{base}/mcp", json={}, headers={"x-forwarded-for": f"203.0.113.{index}"}
                )
            ).status_code
            for index in range(3)
        ]
        again = await http.post(f"{base}/mcp", json={}, headers={"x-forwarded-for": "203.0.113.0"})
        third = await http.post(f"{base}/mcp", json={}, headers={"x-forwarded-for": "203.0.113.0"})
    assert 429 not in statuses  # three clients behind the proxy, each under its limit
    assert again.status_code != 429
    assert third.status_code == 429  # 203.0.113.0's own bucket is full
    assert {event.remote_addr for event in sink.events} == {"203.0.113.0"}


def test_no_proxy_is_trusted_by_default(remote_settings_for: Any) -> None:
    assert remote_settings_for().forwarded_allow_ips == ()
    listed = remote_settings_for(forwarded_allow_ips="10.0.0.0/8, 192.168.1.1")
    assert listed.forwarded_allow_ips == ("10.0.0.0/8", "192.168.1.1")
