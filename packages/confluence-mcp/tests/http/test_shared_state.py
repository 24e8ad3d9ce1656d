"""State shared by replicas: rate limits in Redis, the refusal a model sees, replica session ids.

Real clients over loopback HTTP. The Redis tests start Debian's ``redis-server`` on a free
port (own directory, stopped by PID); without the binary they skip, unless
``CONFLUENCE_MCP_REQUIRE_REDIS=1`` (CI's scale-out step sets it after installing Redis).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from fastmcp.exceptions import ToolError

from confluence_mcp.cli import main
from mcp_auth import create_api_key

ACCEPT = {"accept": "application/json, text/event-stream"}
LEGACY = "legacy"  # the 2025-11-25 initialize handshake and Mcp-Session-Id
MODERN = "2026-07-28"  # one self-contained POST per request, no session


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CONFLUENCE_MCP_REQUIRE_REDIS") == "1":
            pytest.fail("redis-server is required here (CONFLUENCE_MCP_REQUIRE_REDIS=1)")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = _free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def reader_key(tmp_path: Path) -> tuple[Path, str]:
    keys = tmp_path / "keys.json"
    return keys, create_api_key(keys, "reader", ["confluence:read"]).key


def _client(base: str, key: str, mode: str) -> Client[Any]:
    return Client(StreamableHttpTransport(f"{base}/mcp", auth=key), mode=mode)


async def _calls_until_refused(client: Client[Any], most: int) -> tuple[int, str]:
    """Call a tool until the rate limit refuses one; (calls that passed, the refusal text)."""
    for done in range(most):
        try:
            await client.call_tool("list_spaces", {})
        except ToolError as refusal:
            return done, str(refusal)
    raise AssertionError(f"no refusal after {most} calls")


@pytest.mark.parametrize("mode", [LEGACY, MODERN])
@pytest.mark.parametrize("stateless", [False, True])
async def test_a_rate_limited_tool_call_is_a_tool_error_saying_when_to_retry(
    mode: str,
    stateless: bool,
    remote_settings_for: Any,
    serve_remote: Any,
    reader_key: tuple[Path, str],
) -> None:
    keys, key = reader_key
    settings = remote_settings_for(
        mcp_api_keys_file=keys, mcp_rate_limit="6/minute", stateless_http=stateless
    )
    async with serve_remote(settings) as (base, _layer), _client(base, key, mode) as client:
        passed, text = await _calls_until_refused(client, 10)
    # Every request counts (a handshake, the client's own tools/list): at most 6 calls pass.
    assert 1 <= passed <= 6
    assert "Rate limit exceeded for this caller (6/minute): retry after" in text
    seconds = int(text.split("retry after ")[1].split()[0])
    assert 1 <= seconds <= 60


async def test_the_refused_tool_call_carries_retry_after_and_other_requests_get_429(
    remote_settings_for: Any, serve_remote: Any, reader_key: tuple[Path, str]
) -> None:
    keys, key = reader_key
    settings = remote_settings_for(
        mcp_api_keys_file=keys, mcp_rate_limit="1/minute", stateless_http=True
    )
    headers = {**ACCEPT, "authorization": f"Bearer {key}", "mcp-protocol-version": "2025-11-25"}
    call = {
        "jsonrpc": "2.0",
        "id": "c-7",
        "method": "tools/call",
        "params": {"name": "list_spaces", "arguments": {}},
    }
    async with serve_remote(settings) as (base, _layer), httpx.AsyncClient() as http:
        first = await http.post(f"{base}/mcp", json=call, headers=headers)
        refused = await http.post(f"{base}/mcp", json=call, headers=headers)
        listing = await http.post(
            f"{base}/mcp", json={**call, "method": "tools/list", "params": {}}, headers=headers
        )
    assert first.status_code == 200
    assert refused.status_code == 200
    body = refused.json()
    assert body["id"] == "c-7"
    assert body["result"]["isError"] is True
    assert body["result"]["_meta"]["retry_after"] == int(refused.headers["retry-after"])
    assert listing.status_code == 429
    assert int(listing.headers["retry-after"]) >= 1


async def test_two_servers_sharing_redis_hold_one_limit_in_total(
    redis_url: str, remote_settings_for: Any, serve_remote: Any, reader_key: tuple[Path, str]
) -> None:
    keys, key = reader_key
    settings = remote_settings_for(
        mcp_api_keys_file=keys,
        mcp_rate_limit="8/minute",
        mcp_rate_limit_storage=redis_url,
        stateless_http=True,
    )
    async with serve_remote(settings) as (one, _a), serve_remote(settings) as (two, _b):
        passed = 0
        refusals = 0
        async with _client(one, key, MODERN) as first, _client(two, key, MODERN) as second:
            for attempt in range(12):
                try:
                    await (first if attempt % 2 == 0 else second).call_tool("list_spaces", {})
                    passed += 1
                except ToolError:
                    refusals += 1
    # Alone, each server would allow 8: 12 calls would all pass.
    assert passed <= 8
    assert refusals >= 4


async def test_a_redis_that_does_not_answer_lets_requests_through(
    remote_settings_for: Any,
    serve_remote: Any,
    reader_key: tuple[Path, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    keys, key = reader_key
    settings = remote_settings_for(
        mcp_api_keys_file=keys,
        mcp_rate_limit="1/minute",
        mcp_rate_limit_storage=f"redis://127.0.0.1:{_free_port()}/0",  # nothing listens
        stateless_http=True,
    )
    async with serve_remote(settings) as (base, _layer), _client(base, key, MODERN) as client:
        for _ in range(3):
            await client.call_tool("list_spaces", {})
    assert "rate-limit storage unavailable, request let through" in caplog.text


def test_check_says_whether_redis_answers(
    redis_url: str,
    monkeypatch: pytest.MonkeyPatch,
    fake_confluence: Any,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    for name, value in {
        "CONFLUENCE_URL": fake_confluence.wiki_url,
        "CONFLUENCE_DEPLOYMENT": "cloud",
        "CONFLUENCE_USERNAME": fake_confluence.credentials.username,
        "CONFLUENCE_API_TOKEN": fake_confluence.credentials.api_token,
        "TRANSPORT": "http",
        "MCP_RATE_LIMIT_STORAGE": redis_url,
    }.items():
        monkeypatch.setenv(name, value)
    assert main(["check"]) == 0
    assert "answers" in capsys.readouterr().out
    monkeypatch.setenv("MCP_RATE_LIMIT_STORAGE", f"redis://:pw@127.0.0.1:{_free_port()}/0")
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert "does not answer" in err
    assert "pw@" not in err


@pytest.mark.parametrize("mode", [LEGACY, MODERN])
async def test_replica_id_prefixes_session_ids_and_sessions_still_work(
    mode: str, remote_settings_for: Any, serve_remote: Any
) -> None:
    settings = remote_settings_for(mcp_replica_id="r7", mcp_ip_rate_limit="off")
    async with serve_remote(settings) as (base, _layer):
        async with Client(StreamableHttpTransport(f"{base}/mcp"), mode=mode) as client:
            for _ in range(3):
                await client.call_tool("list_spaces", {})
        init = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-11-25",
                "capabilities": {},
                "clientInfo": {"name": "t", "version": "1"},
            },
        }
        async with httpx.AsyncClient() as http:
            opened = await http.post(f"{base}/mcp", json=init, headers=ACCEPT)
            session = opened.headers["mcp-session-id"]
            bare = session.removeprefix("r7.")
            ping = {"jsonrpc": "2.0", "id": 2, "method": "ping"}
            headers = {**ACCEPT, "mcp-protocol-version": "2025-11-25"}
            same = await http.post(
                f"{base}/mcp", json=ping, headers={**headers, "mcp-session-id": session}
            )
            other = await http.post(
                f"{base}/mcp", json=ping, headers={**headers, "mcp-session-id": f"r8.{bare}"}
            )
            closed = await http.delete(
                f"{base}/mcp", headers={**headers, "mcp-session-id": session}
            )
    assert session.startswith("r7.")
    assert bare
    assert "." not in bare
    assert same.status_code == 200
    assert other.status_code == 404  # another replica's session: unknown here
    assert closed.status_code < 300
