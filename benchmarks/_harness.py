"""Shared parts of the load benchmarks: processes on loopback and a light MCP client.

Every server runs in its own process (the fake Confluence, confluence-mcp, mcp-atlassian, a
bare FastMCP server), so none shares a GIL with the load generator. The load generator speaks
Streamable HTTP with plain httpx (initialize, then ``tools/call`` posts) rather than FastMCP's
``Client``: with 32 clients on a small machine a heavy client would measure itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

try:
    import sniffio  # noqa: F401
except ImportError:
    # httpcore imports sniffio each time it sets up a lock; when it is not installed (anyio no
    # longer needs it) every one of those imports searches sys.path again and fails (~0.1 ms,
    # several per request), which made the load generator cost as much CPU per call as the
    # server it measures. A None entry makes the import fail at once, as it would anyway.
    sys.modules["sniffio"] = None  # type: ignore[assignment]

__all__ = [
    "FAKE_PASSWORD",
    "pool_limits",
    "FAKE_USER",
    "McpSession",
    "ServerProcess",
    "ToolError",
    "benchmark_parser",
    "bare_fastmcp",
    "confluence_mcp",
    "cpu_seconds",
    "ensure_mcp_atlassian",
    "free_port",
    "inbound_connections",
    "mcp_atlassian",
    "percentile",
    "print_report",
    "proc_status",
    "start_fake",
    "upstream_requests",
]

FAKE_USER = "fake@example.com"
FAKE_PASSWORD = "fake-api-token"  # noqa: S105 - the fake's documented default
_ACCEPT = {"Accept": "application/json, text/event-stream"}
_PROTOCOL = "2025-06-18"

# A bare FastMCP server with one tool doing what every get_page does at least: one GET to the
# same fake, the JSON returned as the tool's result.
BARE_SERVER = """\
import os, sys
import httpx
from fastmcp import FastMCP

BASE = os.environ["FAKE_URL"]
mcp = FastMCP("bare")
_http: list[httpx.AsyncClient] = []


@mcp.tool
async def get_page(page_id: str) -> dict:
    \"\"\"Get a page.\"\"\"
    if not _http:
        _http.append(httpx.AsyncClient(auth=(os.environ["FAKE_USER"], os.environ["FAKE_TOKEN"])))
    response = await _http[0].get(
        f"{BASE}/wiki/api/v2/pages/{page_id}", params={"body-format": "storage"}
    )
    response.raise_for_status()
    return response.json()


if __name__ == "__main__":
    mcp.run(transport="http", host="127.0.0.1", port=int(sys.argv[1]), show_banner=False)
"""


def pool_limits(clients: int) -> httpx.Limits:
    """A connection per client; idle ones dropped after 2 s, before a server (uvicorn: 5 s)
    closes them: at equal timeouts a request sent on a connection the server is closing
    fails with ``ReadError``, which is the client's race, not the server's fault."""
    return httpx.Limits(
        max_connections=clients + 4, max_keepalive_connections=clients + 4, keepalive_expiry=2.0
    )


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of ``values`` (``fraction`` in 0..1)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def proc_status(pid: int) -> dict[str, int]:
    """RSS, peak RSS (kB) and open file descriptors of a live process, from /proc."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    fields["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    return fields


def inbound_connections(pid: int, port: int) -> int:
    """How many of the process's fds are accepted TCP connections on ``port`` (its clients':
    how many the load generator keeps open is the client's choice, not the server's state)."""
    inodes: set[str] = set()
    for table in ("tcp", "tcp6"):
        path = Path(f"/proc/{pid}/net/{table}")
        for row in path.read_text().splitlines()[1:] if path.exists() else []:
            cells = row.split()
            local_port = int(cells[1].rpartition(":")[2], 16)
            if local_port == port and cells[3] != "0A":  # 0A: LISTEN
                inodes.add(cells[9])
    count = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:[") and target[8:-1] in inodes:
            count += 1
    return count


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a live process has used so far, from /proc."""
    # The command name (field 2) may hold spaces: split after its closing parenthesis.
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class ServerProcess:
    """A child process serving HTTP on 127.0.0.1; ``url`` is its MCP endpoint or base."""

    name: str
    argv: list[str]
    env: dict[str, str]
    url: str
    process: subprocess.Popen[bytes] | None = None
    cleanup: list[Path] = field(default_factory=list)

    def start(self) -> ServerProcess:
        self.process = subprocess.Popen(
            self.argv, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for path in self.cleanup:
            shutil.rmtree(path, ignore_errors=True)

    async def wait_mcp(self, within: float = 180) -> None:
        """Until an MCP session can be opened (the server listens and answers)."""
        deadline = time.monotonic() + within
        async with httpx.AsyncClient(timeout=5) as http:
            while True:
                if self.process is not None and self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited during start-up")
                try:
                    session = McpSession(http, self.url)
                    await session.open()
                    return
                except (httpx.HTTPError, RuntimeError):
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"{self.name} did not start serving") from None
                    await asyncio.sleep(0.2)


def _base_env() -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", tempfile.gettempdir()),
    }


def start_fake(seed: str = "demo") -> ServerProcess:
    """The fake Confluence (``python -m confluence_client.testing``) in its own process."""
    port = free_port()
    argv = [sys.executable, "-m", "confluence_client.testing", "--port", str(port)]
    fake = ServerProcess("fake", [*argv, "--seed", seed], _base_env(), f"http://127.0.0.1:{port}")
    fake.start()
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{fake.url}/__fake__/health", timeout=2).status_code == 200:
                return fake
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or (fake.process and fake.process.poll() is not None):
            fake.stop()
            raise RuntimeError("the fake Confluence did not start")
        time.sleep(0.1)


def confluence_mcp(fake_url: str, extra_env: Mapping[str, str] | None = None) -> ServerProcess:
    """This project's server over Streamable HTTP against the fake's Cloud base."""
    port = free_port()
    script = shutil.which("confluence-mcp", path=str(Path(sys.executable).parent))
    command = [script] if script else [sys.executable, "-m", "confluence_mcp"]
    env = {
        **_base_env(),
        "CONFLUENCE_URL": f"{fake_url}/wiki",
        "CONFLUENCE_DEPLOYMENT": "cloud",
        "CONFLUENCE_USERNAME": FAKE_USER,
        "CONFLUENCE_API_TOKEN": FAKE_PASSWORD,
        # Measure the server, not its inbound rate limiters or its audit trail.
        "MCP_RATE_LIMIT": "off",
        "MCP_IP_RATE_LIMIT": "off",
        # Every client is one caller (127.0.0.1) opening 32 sessions at once: above the
        # default 20 per client, and the sessions cap is not what is measured.
        "MCP_MAX_SESSIONS_PER_PRINCIPAL": "1000",
        "MCP_AUDIT_LOG": "off",
        **(extra_env or {}),
    }
    argv = [*command, "serve", "--transport", "http", "--port", str(port)]
    return ServerProcess("confluence-mcp", argv, env, f"http://127.0.0.1:{port}/mcp")


def benchmark_parser(doc: str | None, calls: int, calls_help: str) -> argparse.ArgumentParser:
    """The options of the ``get_page`` benchmarks that compare checkouts: ``--calls`` and
    ``--baseline DIR`` (another checkout, measured too as "confluence-mcp (before)")."""
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("--calls", type=int, default=calls, help=calls_help)
    parser.add_argument(
        "--baseline",
        type=Path,
        help="a checkout (e.g. git archive of main) to measure too, as 'confluence-mcp (before)'",
    )
    return parser


def print_report(
    lines: Iterable[str], figures: object = None, json_path: Path | None = None
) -> None:
    """Print a benchmark's report; with ``json_path`` (``--json``), write ``figures`` there too."""
    for line in lines:
        print(line)
    if json_path is not None:
        json_path.write_text(json.dumps(figures, indent=2), encoding="utf-8")


def bare_fastmcp(fake_url: str) -> ServerProcess:
    """A bare FastMCP HTTP server whose one tool GETs the page from the same fake."""
    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="bare-fastmcp-"))
    script = folder / "bare_server.py"
    script.write_text(BARE_SERVER, encoding="utf-8")
    env = {**_base_env(), "FAKE_URL": fake_url, "FAKE_USER": FAKE_USER, "FAKE_TOKEN": FAKE_PASSWORD}
    argv = [sys.executable, str(script), str(port)]
    server = ServerProcess("bare FastMCP", argv, env, f"http://127.0.0.1:{port}/mcp")
    server.cleanup.append(folder)
    return server


def ensure_mcp_atlassian(venv: Path) -> Path:
    """The ``mcp-atlassian`` command in a throwaway venv, installed from the package index
    with uv when missing (never part of this workspace)."""
    command = venv / "bin" / "mcp-atlassian"
    if not command.exists():
        uv = shutil.which("uv") or "uv"
        subprocess.run([uv, "venv", "--quiet", str(venv)], check=True)
        python = str(venv / "bin" / "python")
        subprocess.run(
            [uv, "pip", "install", "--quiet", "--python", python, "mcp-atlassian"], check=True
        )
    return command


def mcp_atlassian(command: Path, fake_url: str) -> ServerProcess:
    """mcp-atlassian against the fake's Data Center base (it speaks the v1 content API)."""
    port = free_port()
    env = {
        **_base_env(),
        "CONFLUENCE_URL": fake_url,
        "CONFLUENCE_USERNAME": FAKE_USER,
        "CONFLUENCE_API_TOKEN": FAKE_PASSWORD,
        "TOOLSETS": "all",
        # One service account for every caller, as confluence-mcp is configured here.
        "ALLOW_GLOBAL_CRED_FALLBACK": "true",
    }
    argv = [str(command), "--transport", "streamable-http", "--host", "127.0.0.1",
            "--port", str(port), "--path", "/mcp"]  # fmt: skip
    return ServerProcess("mcp-atlassian", argv, env, f"http://127.0.0.1:{port}/mcp")


async def upstream_requests(http: httpx.AsyncClient, fake_url: str) -> list[dict[str, Any]]:
    """The fake's request log (method, path, query, status, fault) since the last clear."""
    response = await http.get(f"{fake_url}/__fake__/requests")
    entries: list[dict[str, Any]] = response.json()["requests"]
    return entries


class ToolError(RuntimeError):
    """A tool call answered with an MCP error (JSON-RPC error or ``isError``)."""


class McpSession:
    """One Streamable HTTP MCP session over a shared ``httpx.AsyncClient``."""

    def __init__(self, http: httpx.AsyncClient, url: str) -> None:
        self._http = http
        self._url = url
        self._headers = dict(_ACCEPT)
        self._ids = 0

    @property
    def headers(self) -> dict[str, str]:
        """The headers this session sends (session id, protocol version, Accept)."""
        return dict(self._headers)

    async def open(self) -> None:
        """``initialize`` + ``notifications/initialized``."""
        params = {
            "protocolVersion": _PROTOCOL,
            "capabilities": {},
            "clientInfo": {"name": "bench", "version": "1"},
        }
        response = await self._post({"jsonrpc": "2.0", "id": 0, "method": "initialize",
                                     "params": params})  # fmt: skip
        session = response.headers.get("mcp-session-id")
        if session:
            self._headers["mcp-session-id"] = session
        self._headers["mcp-protocol-version"] = _PROTOCOL
        self._message(response)
        await self._post({"jsonrpc": "2.0", "method": "notifications/initialized"})

    async def close(self) -> None:
        """End the session (DELETE), ignoring servers that do not support it."""
        if "mcp-session-id" in self._headers:
            await self._http.delete(self._url, headers=self._headers)

    async def call(self, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """The tool's result (``structuredContent`` when present); :class:`ToolError` if not."""
        self._ids += 1
        response = await self._post({"jsonrpc": "2.0", "id": self._ids, "method": "tools/call",
                                     "params": {"name": tool, "arguments": arguments}})  # fmt: skip
        message = self._message(response)
        if "error" in message:
            raise ToolError(f"{tool}: {message['error'].get('message')}")
        result: dict[str, Any] = message["result"]
        if result.get("isError"):
            text = " ".join(part.get("text", "") for part in result.get("content", []))
            raise ToolError(f"{tool}: {text[:300]}")
        structured = result.get("structuredContent")
        return structured if isinstance(structured, dict) else result

    async def _post(self, payload: dict[str, Any]) -> httpx.Response:
        response = await self._http.post(self._url, json=payload, headers=self._headers)
        if response.status_code >= 400:
            raise RuntimeError(f"HTTP {response.status_code}: {response.text[:200]}")
        return response

    @staticmethod
    def _message(response: httpx.Response) -> dict[str, Any]:
        if response.headers.get("content-type", "").startswith("text/event-stream"):
            for line in response.text.splitlines():
                if line.startswith("data:"):
                    message: dict[str, Any] = json.loads(line[5:])
                    if "id" in message:
                        return message
            raise RuntimeError("no JSON-RPC answer in the event stream")
        answer: dict[str, Any] = response.json()
        return answer
