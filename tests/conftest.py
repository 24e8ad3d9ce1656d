"""Integration fixtures: the fake Confluence over real HTTP, and MCP clients on every transport.

- ``fake_confluence``: a started fake (demo seed; spaces DEMO and ENG), fresh per test.
- ``server_env(**overrides)``: the environment a ``confluence-mcp`` process needs to use it.
- ``server_settings(**overrides)``: the same as a :class:`Settings` for in-process servers.
- ``mcp_client(transport, **overrides)``: an async factory returning a connected
  ``fastmcp.Client``; ``transport`` is one of :data:`TRANSPORTS`:

  ``memory``          in-memory FastMCP transport (same process)
  ``http``            Streamable HTTP, stateful, on a real 127.0.0.1 socket
  ``http-stateless``  Streamable HTTP, stateless
  ``sse``             legacy SSE endpoint (``/sse``) of the same HTTP app
  ``stdio``           a spawned ``confluence-mcp`` process over stdin/stdout

  Overrides are settings fields (``read_only_mode=True``, ``confluence_spaces_filter="ENG"``,
  ``confluence_max_attachment_bytes=1024``...); every server and client started is stopped
  after the test.
- ``transport``: parametrised over :data:`TRANSPORTS` (use it to run a test on all of them).
"""

from __future__ import annotations

import asyncio
import shutil
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from typing import Any

import pytest
from fastmcp import Client
from fastmcp.client.transports import SSETransport, StdioTransport, StreamableHttpTransport

from confluence_client.testing import FakeConfluenceServer
from confluence_mcp.app import create_server
from confluence_mcp.http.app import create_http_app
from confluence_mcp.http.serving import running_http_server
from confluence_mcp.remote.logs import remove_logging
from confluence_mcp.settings import Settings

TRANSPORTS = ("memory", "http", "http-stateless", "sse", "stdio")

McpClientFactory = Callable[..., Awaitable[Client[Any]]]


def _utf8_safe(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Escape lone surrogates in what a report carries (captured output and logs, a failure's
    text): the fuzz suite sends them on purpose, servers and libraries echo them, and an xdist
    worker cannot send a report holding one (it crashes instead of reporting)."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()  # type: ignore[attr-defined]
    report.sections = [(title, _utf8_safe(content)) for title, content in report.sections]
    if report.longrepr is not None and not isinstance(report.longrepr, tuple):
        text = str(report.longrepr)
        if _utf8_safe(text) != text:
            report.longrepr = _utf8_safe(text)


@pytest.fixture(autouse=True)
def no_leftover_log_handler() -> Iterator[None]:
    """An in-process ``serve`` puts a root log handler on the stderr this test captured, which
    pytest then closes; a later server thread logging through it printed "Logging error"."""
    yield
    remove_logging()


@pytest.fixture
def fake_confluence() -> Iterator[FakeConfluenceServer]:
    with FakeConfluenceServer(seed="demo") as server:
        yield server


def _env_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, frozenset | set | list | tuple):
        return ",".join(sorted(str(item) for item in value))
    return str(value)


@pytest.fixture
def server_env(fake_confluence: FakeConfluenceServer) -> Callable[..., dict[str, str]]:
    def make(**overrides: Any) -> dict[str, str]:
        values: dict[str, Any] = {
            "confluence_url": fake_confluence.wiki_url,
            "confluence_username": fake_confluence.credentials.username,
            "confluence_api_token": fake_confluence.credentials.api_token,
            "confluence_deployment": "cloud",
            **overrides,
        }
        return {name.upper(): _env_value(value) for name, value in values.items()}

    return make


@pytest.fixture
def server_settings(server_env: Callable[..., dict[str, str]]) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        env = server_env(**overrides)
        return Settings(_env_file=None, **{name.lower(): value for name, value in env.items()})

    return make


def confluence_mcp_command() -> list[str]:
    """The installed console script, or ``python -m confluence_mcp`` as a fallback."""
    script = shutil.which("confluence-mcp", path=str(sys.prefix) + "/bin")
    return [script] if script else [sys.executable, "-m", "confluence_mcp"]


async def wait_until_listening(port: int, process: asyncio.subprocess.Process) -> None:
    """Return once 127.0.0.1:``port`` accepts connections; fail if ``process`` exits first.

    Only a refused connection is retried (for at most a minute): any other error fails.
    """
    async with asyncio.timeout(60):
        while True:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except ConnectionRefusedError:
                assert process.returncode is None, f"the server exited ({process.returncode})"
                await asyncio.sleep(0.05)
            else:
                writer.close()
                await writer.wait_closed()
                return


@pytest.fixture
async def mcp_client(
    server_settings: Callable[..., Settings], server_env: Callable[..., dict[str, str]]
) -> AsyncIterator[McpClientFactory]:
    async with AsyncExitStack() as stack:

        async def connect(transport: str, **overrides: Any) -> Client[Any]:
            if transport == "memory":
                client: Client[Any] = Client(create_server(server_settings(**overrides)))
            elif transport in ("http", "http-stateless", "sse"):
                settings = server_settings(
                    transport="http", stateless_http=transport == "http-stateless", **overrides
                )
                app = create_http_app(create_server(settings), settings)
                base = await stack.enter_async_context(running_http_server(app))
                if transport == "sse":
                    client = Client(SSETransport(f"{base}/sse"))
                else:
                    client = Client(
                        StreamableHttpTransport(f"{base}{settings.streamable_http_path}")
                    )
            elif transport == "stdio":
                command, *args = confluence_mcp_command()
                env = server_env(transport="stdio", **overrides)
                client = Client(StdioTransport(command, args, env=env, keep_alive=False))
            else:
                raise ValueError(f"unknown transport {transport!r}")
            return await stack.enter_async_context(client)

        yield connect


@pytest.fixture(params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name
