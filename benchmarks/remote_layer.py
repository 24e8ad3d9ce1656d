"""What the remote-service layer costs per request: the bare HTTP app against the same app
with the layer (API key auth, scope gate, rate limits, Host/Origin, headers, access log, audit
to memory), in process over ASGI so the network and the upstream do not blur the figure.

Usage: ``uv run python benchmarks/remote_layer.py [--requests 2000]``.

Two request kinds, each sent ``--requests`` times, sequentially:
- ``GET /healthz``-style cheap request (bare app: a 404; layer: the health route);
- a stateless MCP ``tools/call`` of an unknown tool: it crosses the whole layer (token check,
  scope gate, limits) and FastMCP answers it, with no Confluence call;
and, with the layer only, a ``tools/call`` refused with 403 for a missing scope.
Prints requests/s and the mean added microseconds per request.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from confluence_mcp.app import create_server
from confluence_mcp.http.app import create_http_app
from confluence_mcp.http.layer import build_http_layer
from confluence_mcp.remote.settings import RemoteSettings, load_remote_settings
from mcp_auth import AuditLogger, MemorySink, create_api_key

ACCEPT = {"accept": "application/json, text/event-stream"}


def _settings(**overrides: Any) -> RemoteSettings:
    return load_remote_settings(
        {
            "confluence_url": "http://127.0.0.1:9/wiki",
            "confluence_username": "bench",
            "confluence_api_token": "bench-token",  # nothing listens there
            "transport": "http",
            "stateless_http": True,
            "mcp_audit_log": "off",
            "mcp_rate_limit": "off",
            "mcp_ip_rate_limit": "off",
            **overrides,
        },
        env_file=None,
    )


async def _rate(app: Any, method: str, path: str, count: int, **kwargs: Any) -> float:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http:
        for _ in range(50):  # warm-up
            await http.request(method, path, **kwargs)
        started = time.perf_counter()
        for _ in range(count):
            await http.request(method, path, **kwargs)
        return count / (time.perf_counter() - started)


async def main(count: int) -> None:
    logging.getLogger("fastmcp").setLevel(logging.ERROR)  # per-request warnings would dominate
    with tempfile.TemporaryDirectory() as folder:
        keys = Path(folder) / "keys.json"
        key = create_api_key(keys, "bench", ["confluence:read"]).key
        bare_settings = _settings()
        bare = create_http_app(create_server(bare_settings.core), bare_settings.core)
        layered_settings = _settings(mcp_api_keys_file=keys)
        mcp = create_server(layered_settings.core)
        layer = build_http_layer(
            mcp, layered_settings, audit=AuditLogger([MemorySink()], background=False)
        )
        layered = create_http_app(
            mcp, layered_settings.core, routes=layer.routes, middleware=layer.middleware
        )

        def call(tool: str) -> dict[str, Any]:
            return {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "tools/call",
                "params": {"name": tool, "arguments": {}},
            }

        headers = {**ACCEPT, "authorization": f"Bearer {key}"}
        rows = [
            ("GET /healthz", "GET", "/healthz", {}),
            ("tools/call unknown tool", "POST", "/mcp", {"json": call("nope"), "headers": headers}),
        ]
        print(f"{'request':<24}{'bare req/s':>12}{'layer req/s':>13}{'added µs':>10}")
        async with bare.router.lifespan_context(bare), layered.router.lifespan_context(layered):
            for label, method, path, kwargs in rows:
                plain = await _rate(bare, method, path, count, **kwargs)
                guarded = await _rate(layered, method, path, count, **kwargs)
                added = (1 / guarded - 1 / plain) * 1e6
                print(f"{label:<24}{plain:>12.0f}{guarded:>13.0f}{added:>10.0f}")
            refused = await _rate(
                layered, "POST", "/mcp", count, json=call("create_page"), headers=headers
            )
            print(f"{'tools/call 403 scope':<24}{'-':>12}{refused:>13.0f}")
        await layer.aclose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    asyncio.run(main(parser.parse_args().requests))
