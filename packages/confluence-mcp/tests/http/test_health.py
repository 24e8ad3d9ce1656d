"""ReadinessProbe and the /healthz, /readyz routes against the fake Confluence."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import httpx

from confluence_client.testing import FakeConfluenceServer
from confluence_mcp.http.health import ReadinessProbe


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/wiki"


async def test_ready_when_confluence_answers(
    remote_settings_for: Any, fake_confluence: FakeConfluenceServer
) -> None:
    probe = ReadinessProbe(remote_settings_for().core, cache_seconds=60)
    try:
        assert await probe.check() is None
        calls = len(fake_confluence.requests)
        assert await probe.check() is None  # cached: no second upstream call
        assert len(fake_confluence.requests) == calls
    finally:
        await probe.aclose()


async def test_unready_when_confluence_is_down(remote_settings_for: Any) -> None:
    probe = ReadinessProbe(remote_settings_for(confluence_url=closed_port_url()).core)
    try:
        assert await probe.check() == "Confluence is unreachable"
    finally:
        await probe.aclose()


async def test_unready_when_credentials_are_refused(remote_settings_for: Any) -> None:
    probe = ReadinessProbe(remote_settings_for(confluence_api_token="wrong-token").core)
    try:
        assert await probe.check() == "Confluence refused the configured credentials"
    finally:
        await probe.aclose()


async def test_unready_without_configuration(remote_settings_for: Any) -> None:
    probe = ReadinessProbe(remote_settings_for(confluence_url=None).core)
    assert await probe.check() == "Confluence connection is not configured"
    await probe.aclose()


async def test_slow_confluence_times_out(remote_settings_for: Any) -> None:
    class Slow:
        async def get_current_user(self) -> None:
            await asyncio.sleep(10)

        async def aclose(self) -> None:
            return None

    probe = ReadinessProbe(
        remote_settings_for().core,
        timeout=0.01,
        cache_seconds=0,
        client_factory=lambda _s: Slow(),  # type: ignore[arg-type,return-value]
    )
    assert await probe.check() == "Confluence did not answer in time"
    await probe.aclose()


async def test_routes_outside_auth(
    remote_settings_for: Any, serve_remote: Any, tmp_path: Any
) -> None:
    from mcp_auth import create_api_key

    create_api_key(tmp_path / "keys.json", "probe-test")
    settings = remote_settings_for(
        mcp_api_keys_file=tmp_path / "keys.json", confluence_api_token="wrong-token"
    )
    async with serve_remote(settings) as (base, _layer), httpx.AsyncClient() as http:
        live = await http.get(f"{base}/healthz")
        ready = await http.get(f"{base}/readyz")
    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    assert ready.status_code == 503
    body = ready.json()
    assert body == {
        "status": "unavailable",
        "reason": "Confluence refused the configured credentials",
    }
    assert "127.0.0.1" not in ready.text
    assert "wrong" not in ready.text
