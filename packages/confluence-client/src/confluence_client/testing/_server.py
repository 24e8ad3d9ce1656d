"""``FakeConfluenceServer``: the fake on a loopback port, as a sync or async context manager."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from types import TracebackType
from typing import TYPE_CHECKING

import uvicorn

from ._app import DEFAULT_CLOUD_ID, create_app
from ._auth import Credentials
from ._errors import FakeConfluenceError
from ._faults import FaultInjector
from ._oauth import FakeAuthorizationServer
from ._requestlog import RequestLog
from ._store import FakeStore
from .seed import build_store

if TYPE_CHECKING:
    from typing_extensions import Self  # annotations only: typing.Self is 3.11+

__all__ = ["FakeConfluenceServer", "ServerStartError"]

_START_TIMEOUT = 15.0


class ServerStartError(FakeConfluenceError, RuntimeError):
    """The fake could not start (port taken, start-up timed out)."""


class _QuietDrops(logging.Filter):
    # A dropped-connection fault ends a response early on purpose; uvicorn logs that as an
    # error, which would only be noise in test output.
    def filter(self, record: logging.LogRecord) -> bool:
        return "without completing response" not in record.getMessage()


class FakeConfluenceServer:
    """A fake Confluence on ``127.0.0.1:<free port>`` (Cloud, Data Center and OAuth gateway).

    Use ``with FakeConfluenceServer() as server:`` or ``async with ...``; ``server.url`` is the
    Data Center base, ``server.wiki_url`` the Cloud site base, ``server.gateway_url`` the OAuth
    (3LO) base. ``store``, ``faults`` and ``requests`` may be used from the test's thread.
    """

    def __init__(
        self,
        seed: str = "demo",
        username: str = "fake@example.com",
        api_token: str = "fake-api-token",  # noqa: S107 - documented fake default
        personal_token: str = "fake-pat",  # noqa: S107
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        cloud_id: str = DEFAULT_CLOUD_ID,
        fault_seed: int = 0,
        store: FakeStore | None = None,
        max_attachment_bytes: int = 100 * 1024 * 1024,
    ) -> None:
        self.seed = seed
        self.credentials = Credentials(username, api_token, personal_token)
        self.store = store if store is not None else build_store(seed, username)
        self.faults = FaultInjector(fault_seed)
        self.requests = RequestLog()
        self.cloud_id = cloud_id
        self.oauth = FakeAuthorizationServer(self.store, cloud_id)
        self.app = create_app(
            self.store,
            credentials=self.credentials,
            faults=self.faults,
            request_log=self.requests,
            cloud_id=cloud_id,
            max_attachment_bytes=max_attachment_bytes,
            authorization_server=self.oauth,
        )
        self._host = host
        self._requested_port = port
        self._port: int | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        state = f"running on {self.url}" if self._port else "stopped"
        return f"<FakeConfluenceServer {state}>"

    # ---- addresses ---------------------------------------------------------------------
    @property
    def port(self) -> int:
        """The bound port (only while running)."""
        if self._port is None:
            raise ServerStartError("The fake Confluence is not running")
        return self._port

    @property
    def url(self) -> str:
        """Data Center base URL (``/rest/api/...`` below it)."""
        return f"http://{self._host}:{self.port}"

    @property
    def wiki_url(self) -> str:
        """Cloud site base URL (``/api/v2/...`` and ``/rest/api/...`` below it)."""
        return f"{self.url}/wiki"

    @property
    def gateway_url(self) -> str:
        """OAuth 2.0 (3LO) base, like ``https://api.atlassian.com/ex/confluence/{cloudId}/wiki``."""
        return f"{self.url}/ex/confluence/{self.cloud_id}/wiki"

    @property
    def auth_url(self) -> str:
        """The authorization server, like ``https://auth.atlassian.com`` (``/authorize``,
        ``/oauth/token``); ``url`` also serves ``api.atlassian.com``'s accessible-resources."""
        return self.url

    @property
    def control_url(self) -> str:
        """Base of the run-time control endpoint (faults, request log)."""
        return f"{self.url}/__fake__"

    def reset(self, seed: str | None = None) -> None:
        """Fresh seed content (``seed`` or the one this server started with), no faults, an
        empty request log; the server keeps running on the same port."""
        self.store.replace_contents(build_store(seed or self.seed, self.credentials.username))
        self.faults.clear()
        self.requests.clear()
        self.oauth.reset()

    # ---- lifecycle ---------------------------------------------------------------------
    def start(self) -> Self:
        """Bind the port and serve in a background thread; returns once it accepts requests."""
        if self._thread is not None:
            raise ServerStartError("The fake Confluence is already running")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted sockets inherit TCP_NODELAY on Linux; without it every response waits out
        # the client's delayed ACK (~40 ms), as h11 writes headers and body separately.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            sock.bind((self._host, self._requested_port))
        except OSError as exc:
            sock.close()
            raise ServerStartError(
                f"Cannot bind {self._host}:{self._requested_port}: {exc}"
            ) from exc
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,  # never print request lines (tokens may ride in query strings)
            lifespan="off",
            http="h11",
            ws="none",
            loop="asyncio",
            timeout_graceful_shutdown=2,
        )
        uvicorn_log = logging.getLogger("uvicorn.error")
        if not any(isinstance(f, _QuietDrops) for f in uvicorn_log.filters):
            uvicorn_log.addFilter(_QuietDrops())
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="fake-confluence", daemon=True
        )
        thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                sock.close()
                raise ServerStartError("The fake Confluence did not start")
            time.sleep(0.01)
        self._port = sock.getsockname()[1]
        self._server, self._thread = server, thread
        self._sock = sock
        return self

    def stop(self) -> None:
        """Stop serving and release the port (idempotent)."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.should_exit = True
        thread.join(timeout=10)
        if thread.is_alive():  # pragma: no cover - only when a client holds a request open
            server.force_exit = True
            thread.join(timeout=5)
        self._sock.close()
        self._server = self._thread = None
        self._port = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        return await asyncio.to_thread(self.start)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.stop)
