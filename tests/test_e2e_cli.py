"""The ``confluence-mcp`` command as users run it: spawned processes, real environment."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from fastmcp import Client
from fastmcp.client.transports import StdioTransport, StreamableHttpTransport

from .conftest import confluence_mcp_command, wait_until_listening


def run_cli(
    args: list[str], env: dict[str, str], cwd: Path, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    base = {key: os.environ[key] for key in ("PATH", "HOME", "SYSTEMROOT") if key in os.environ}
    return subprocess.run(
        [*confluence_mcp_command(), *args],
        env={**base, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "CONFLUENCE_URL is not set"),
        ({"CONFLUENCE_URL": "https://acme.atlassian.net"}, "no Confluence credentials"),
        (
            {"CONFLUENCE_URL": "https://acme.atlassian.net", "CONFLUENCE_USERNAME": "me"},
            "CONFLUENCE_API_TOKEN is missing",
        ),
        ({"CONFLUENCE_URL": "ftp://x", "PORT": "99999"}, "PORT:"),
        (
            {
                "CONFLUENCE_URL": "https://acme.atlassian.net",
                "CONFLUENCE_USERNAME": "me",
                "CONFLUENCE_API_TOKEN": "s3cr3t-value",
                "ENABLED_TOOLS": "get_paeg",
            },
            "ENABLED_TOOLS: unknown tool name(s) get_paeg",
        ),
    ],
)
def test_config_errors_exit_2_with_one_clear_message(
    env: dict[str, str], expected: str, tmp_path: Path
) -> None:
    result = run_cli([], env, tmp_path)
    assert result.returncode == 2, result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert "s3cr3t-value" not in result.stderr + result.stdout
    assert result.stdout == ""


def test_dotenv_in_working_directory_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("CONFLUENCE_URL=not-a-url\n", encoding="utf-8")
    result = run_cli(["check"], {}, tmp_path)
    assert result.returncode == 2
    assert "CONFLUENCE_URL:" in result.stderr


def test_check_against_the_fake(server_env: Callable[..., dict[str, str]], tmp_path: Path) -> None:
    ok = run_cli(["check"], server_env(), tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert "Signed in as:" in ok.stdout
    assert "DEMO" in ok.stdout
    refused = run_cli(["check"], server_env(confluence_api_token="nope"), tmp_path)
    assert refused.returncode == 1
    assert "HTTP 401" in refused.stderr
    assert "Traceback" not in refused.stderr


async def test_demo_over_stdio(tmp_path: Path) -> None:
    command, *args = confluence_mcp_command()
    transport = StdioTransport(
        command,
        [*args, "demo", "--transport", "stdio"],
        env={},
        cwd=str(tmp_path),
        keep_alive=False,
    )
    async with Client(transport) as client:
        spaces = (await client.call_tool("list_spaces", {})).structured_content
        assert {"DEMO", "ENG"} <= {space["key"] for space in spaces["spaces"]}
        page = (
            await client.call_tool("get_page", {"title": "Getting Started", "space_key": "DEMO"})
        ).structured_content
        assert "Overview" in page["content"]


async def test_stdio_answers_lines_it_cannot_read_and_exits_cleanly_at_eof(
    tmp_path: Path,
) -> None:
    # A request the transport cannot read must still get its JSON-RPC error (with its id
    # when the id can be read), or a client waits for ever; then the server goes on serving.
    command, *args = confluence_mcp_command()
    process = await asyncio.create_subprocess_exec(
        command,
        *args,
        "demo",
        "--transport",
        "stdio",
        cwd=tmp_path,
        env={key: os.environ[key] for key in ("PATH", "HOME") if key in os.environ},
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    try:
        initialize = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "probe", "version": "1"},
            },
        }
        lines = [
            b"not json",
            b"",
            b"[]",
            b'{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"x":"\\ud800"}}',
            b'{"jsonrpc":"2.0","id":"five","method":"tools/call","params":"x"}',
            json.dumps(initialize).encode(),
        ]
        process.stdin.write(b"".join(line + b"\n" for line in lines))
        await process.stdin.drain()
        answers = []
        async with asyncio.timeout(120):  # a hang guard, not a timing assertion
            for _ in range(5):
                answers.append(json.loads(await process.stdout.readline()))
        errors = sorted(
            ((str(a["id"]), a["error"]["code"]) for a in answers if "error" in a), key=str
        )
        assert errors == [("2", -32600), ("None", -32600), ("None", -32700), ("five", -32600)]
        assert [a["result"]["serverInfo"]["name"] for a in answers if "result" in a] == [
            "confluence"
        ]
        process.stdin.close()
        async with asyncio.timeout(120):
            _, stderr = await process.communicate()
        assert process.returncode == 0
        assert b"Traceback" not in stderr
    finally:
        if process.returncode is None:  # the test failed half-way: stop the server
            process.kill()
            await process.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_demo_over_http_for_inspector(tmp_path: Path) -> None:
    port = free_port()
    base = {key: os.environ[key] for key in ("PATH", "HOME") if key in os.environ}
    process = await asyncio.create_subprocess_exec(
        *confluence_mcp_command(),
        "demo",
        "--port",
        str(port),
        env=base,
        cwd=tmp_path,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stderr is not None
        announced = ""
        while "Press Ctrl+C" not in announced:
            line = await asyncio.wait_for(process.stderr.readline(), timeout=60)
            assert line, f"demo exited early: {announced}"
            announced += line.decode()
        assert f"http://127.0.0.1:{port}/mcp" in announced
        # the banner is printed once the port is bound, just before uvicorn listens on it
        await wait_until_listening(port, process)
        async with Client(StreamableHttpTransport(f"http://127.0.0.1:{port}/mcp")) as client:
            tools = {tool.name for tool in await client.list_tools()}
        assert len(tools) >= 20
        assert {"search", "get_page", "list_spaces", "create_page"} <= tools
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), timeout=20)


def test_version(tmp_path: Path) -> None:
    result = run_cli(["--version"], {}, tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("confluence-mcp ")
    module = subprocess.run(
        [sys.executable, "-m", "confluence_mcp", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert module.stdout == result.stdout
