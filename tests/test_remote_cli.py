"""The remote service as users run it: spawned ``confluence-mcp`` processes.

`keys create|list|revoke`, the refusal to serve unauthenticated on all interfaces, and a real
server process whose stderr (JSON logs, access log, audit) never shows a secret.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
from pathlib import Path

import httpx
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport

from confluence_client.testing import FakeConfluenceServer

from .conftest import confluence_mcp_command, wait_until_listening

ANY_HOST = "0.0.0.0"  # noqa: S104 - the wildcard bind the start-up check refuses
CONFLUENCE_TOKEN = "cli-confluence-token-never-logged-51d2"


def base_env() -> dict[str, str]:
    return {key: os.environ[key] for key in ("PATH", "HOME", "SYSTEMROOT") if key in os.environ}


def run_cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*confluence_mcp_command(), *args],
        env={**base_env(), **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_keys_commands(tmp_path: Path) -> None:
    env = {"MCP_API_KEYS_FILE": str(tmp_path / "keys.json")}
    created = run_cli(
        ["keys", "create", "--name", "ci-bot", "--scopes", "confluence:read", "--json"],
        env,
        tmp_path,
    )
    assert created.returncode == 0, created.stderr
    key = json.loads(created.stdout)["key"]
    assert key.startswith("mcpk_")
    assert key not in (tmp_path / "keys.json").read_text()
    listed = run_cli(["keys", "list"], env, tmp_path)
    assert listed.returncode == 0
    assert "ci-bot" in listed.stdout
    assert key not in listed.stdout
    revoked = run_cli(["keys", "revoke", "ci-bot"], env, tmp_path)
    assert revoked.returncode == 0, revoked.stderr


def test_refuses_to_serve_unauthenticated_on_all_interfaces(
    fake_confluence: FakeConfluenceServer, tmp_path: Path
) -> None:
    env = {
        "CONFLUENCE_URL": fake_confluence.wiki_url,
        "CONFLUENCE_USERNAME": fake_confluence.credentials.username,
        "CONFLUENCE_API_TOKEN": fake_confluence.credentials.api_token,
    }
    port = free_port()
    result = run_cli(
        ["--transport", "http", "--host", ANY_HOST, "--port", str(port)], env, tmp_path
    )
    assert result.returncode == 2
    assert "refusing to serve without authentication" in result.stderr
    assert "MCP_ALLOW_UNAUTHENTICATED" in result.stderr
    assert fake_confluence.credentials.api_token not in result.stderr


async def test_server_process_logs_json_without_secrets(tmp_path: Path) -> None:
    keys = tmp_path / "keys.json"
    created = run_cli(
        ["keys", "create", "--file", str(keys), "--name", "agent", "--scopes", "confluence:read"],
        {},
        tmp_path,
    )
    assert created.returncode == 0, created.stderr
    key = created.stdout.split()[0]
    port = free_port()
    with FakeConfluenceServer(seed="demo", api_token=CONFLUENCE_TOKEN) as fake:
        env = {
            **base_env(),
            "CONFLUENCE_URL": fake.wiki_url,
            "CONFLUENCE_DEPLOYMENT": "cloud",
            "CONFLUENCE_USERNAME": fake.credentials.username,
            "CONFLUENCE_API_TOKEN": CONFLUENCE_TOKEN,
            "TRANSPORT": "http",
            "PORT": str(port),
            "MCP_API_KEYS_FILE": str(keys),
            "MCP_AUDIT_LOG": "stderr",
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "DEBUG",
        }
        log = tmp_path / "stderr.log"  # a file, so a chatty DEBUG log never fills a pipe
        with log.open("wb") as stderr:
            process = await asyncio.create_subprocess_exec(
                *confluence_mcp_command(),
                env=env,
                cwd=tmp_path,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=stderr,
            )
        try:
            base = f"http://127.0.0.1:{port}"
            await wait_until_listening(port, process)
            async with httpx.AsyncClient() as http:
                assert (await http.get(f"{base}/healthz")).status_code == 200
                ready = await http.get(f"{base}/readyz")
                bad = await http.post(
                    f"{base}/mcp", json={}, headers={"authorization": f"Bearer {key}x"}
                )
                in_query = await http.get(f"{base}/healthz", params={"access_token": key})
            assert ready.status_code == 200
            assert bad.status_code == 401
            assert in_query.status_code == 400
            async with Client(StreamableHttpTransport(f"{base}/mcp", auth=key)) as client:
                spaces = await client.call_tool("list_spaces", {})
            assert {"DEMO", "ENG"} <= {s["key"] for s in spaces.structured_content["spaces"]}
        finally:
            process.terminate()
            await asyncio.wait_for(process.wait(), timeout=20)
    output = log.read_text()
    records = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert any(record.get("logger") == "confluence_mcp.access" for record in records)
    assert any(record.get("event") == "tool.call" for record in records)
    assert any(record.get("event") == "auth.failure" for record in records)
    for secret in (CONFLUENCE_TOKEN, key, key.rsplit("_", 1)[1]):
        assert secret not in output
