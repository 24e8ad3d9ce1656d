"""Connection hygiene below the ASGI app: a connection cap and a request-header deadline.

An ASGI middleware only runs once a request's headers are complete, so it cannot see a
client that opens connections and never finishes its headers (slowloris); uvicorn only times
out idle keep-alive connections, and stops doing so at the first byte. This module does it in
the HTTP protocol itself:

- :func:`guarded_protocol` makes a uvicorn HTTP protocol subclass that refuses a
  connection beyond ``max_connections`` at once (a fixed 503 and close: no parsing, no task)
  and closes any connection whose request headers are not complete ``header_timeout`` seconds
  after it opened or after its previous response. It is built on the httptools parser where
  that is installed (its C parser costs a fraction of h11's pure-Python one per request),
  else on h11; over httptools, an unfinished request head is also capped at
  :data:`MAX_HEADER_BYTES`, as h11 caps it itself (400 and close);
- :class:`OncePerInterval` is a logging filter that lets one record of a kind through per
  interval: the refusals above, and asyncio's "socket.accept() out of system resource" (one
  per accept attempt when file descriptors run out, with a traceback each).
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import threading
import time
from typing import TYPE_CHECKING, Any, Literal

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

if TYPE_CHECKING:
    from collections.abc import Callable

    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = [
    "MAX_HEADER_BYTES",
    "REFUSAL_LOG_INTERVAL",
    "HttpParser",
    "OncePerInterval",
    "effective_connection_cap",
    "guarded_h11_protocol",
    "guarded_httptools_protocol",
    "guarded_protocol",
    "install_accept_error_filter",
]

HttpParser = Literal["auto", "httptools", "h11"]
# h11's own limit on a request head (h11.DEFAULT_MAX_INCOMPLETE_EVENT_SIZE).
MAX_HEADER_BYTES = 16 * 1024

REFUSAL_LOG_INTERVAL = 60.0
_FD_HEADROOM = 64  # descriptors kept for the log/audit files, Confluence connections, ...
_REFUSAL = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\n"
    b"content-length: 21\r\nconnection: close\r\nretry-after: 1\r\n\r\ntoo many connections\n"
)
_LOG = logging.getLogger("confluence_mcp.http")
_REFUSALS = logging.getLogger("confluence_mcp.http.refusals")


class OncePerInterval(logging.Filter):
    """Passes the first record for which ``match`` is true, then none for ``interval`` s.

    The record that opens a new interval says how many were suppressed in the last one.
    """

    def __init__(self, match: Callable[[logging.LogRecord], bool], interval: float) -> None:
        super().__init__()
        self.match = match
        self.interval = interval
        self._next = 0.0
        self._suppressed = 0
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        """False for a matching record inside the quiet interval."""
        if not self.match(record):
            return True
        now = time.monotonic()
        with self._lock:
            if now < self._next:
                self._suppressed += 1
                return False
            suppressed, self._suppressed = self._suppressed, 0
            self._next = now + self.interval
        if suppressed:
            record.msg = f"{record.msg} ({suppressed} more like it in the last interval)"
        # One line, not a traceback per accept: the cause is in the message.
        record.exc_info = None
        record.exc_text = None
        return True


_REFUSALS.addFilter(OncePerInterval(lambda _record: True, REFUSAL_LOG_INTERVAL))


def _is_accept_error(record: logging.LogRecord) -> bool:
    return "out of system resource" in record.getMessage()


def install_accept_error_filter(interval: float = REFUSAL_LOG_INTERVAL) -> None:
    """Log asyncio's "too many open files" accept error once per ``interval`` (idempotent)."""
    logger = logging.getLogger("asyncio")
    if not any(isinstance(existing, OncePerInterval) for existing in logger.filters):
        logger.addFilter(OncePerInterval(_is_accept_error, interval))


def effective_connection_cap(requested: int) -> int:
    """``requested``, lowered to fit this process's open-file limit (minus some headroom)."""
    try:
        import resource
    except ImportError:  # not on POSIX: no limit to fit
        return requested
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft - _FD_HEADROOM >= requested:
        return requested
    fitted = max(1, soft - _FD_HEADROOM)
    _LOG.warning(
        "MCP_MAX_CONNECTIONS=%d exceeds the open-file limit (%d): capping at %d",
        requested,
        soft,
        fitted,
    )
    return fitted


class _ConnectionGuard(asyncio.Protocol):
    """What both guarded protocols share: the connection cap and the header deadline's timer.

    Put before the uvicorn protocol in the bases; the subclass sets the two limits and its
    ``data_received`` returns at once while :attr:`_refused` (nothing was parsed or started).
    """

    _max_connections: int
    _header_timeout: float
    _header_deadline: asyncio.TimerHandle | None = None
    _refused = False
    if TYPE_CHECKING:  # set by the uvicorn protocol this guards
        connections: set[Any]
        transport: asyncio.Transport
        loop: asyncio.AbstractEventLoop

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        if len(self.connections) >= self._max_connections:
            self._refused = True
            self.transport = transport
            _REFUSALS.warning(
                "refusing connections: %d open (MCP_MAX_CONNECTIONS)", len(self.connections)
            )
            transport.write(_REFUSAL)
            transport.close()
            return
        super().connection_made(transport)
        self._arm_header_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_deadline()
        if self._refused:
            return
        super().connection_lost(exc)

    def _arm_header_deadline(self) -> None:
        self._cancel_header_deadline()
        self._header_deadline = self.loop.call_later(self._header_timeout, self._headers_too_slow)

    def _cancel_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if self._awaiting_head() and not self.transport.is_closing():
            self.transport.close()

    def _awaiting_head(self) -> bool:
        """Whether the deadline still applies when it fires (the subclass may know better)."""
        return True


def guarded_h11_protocol(*, max_connections: int, header_timeout: float) -> type[H11Protocol]:
    """A uvicorn HTTP protocol class with a connection cap and a request-header deadline."""

    class GuardedH11Protocol(_ConnectionGuard, H11Protocol):
        """H11Protocol refusing excess connections and closing header-stalled ones."""

        _max_connections = max_connections
        _header_timeout = header_timeout

        def data_received(self, data: bytes) -> None:
            if self._refused:
                return
            super().data_received(data)
            if self.conn.their_state is not h11.IDLE:
                self._cancel_header_deadline()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
                self._arm_header_deadline()

        def _awaiting_head(self) -> bool:
            return self.conn.their_state is h11.IDLE

    return GuardedH11Protocol


def guarded_httptools_protocol(
    *, max_connections: int, header_timeout: float, max_header_bytes: int = MAX_HEADER_BYTES
) -> type[HttpToolsProtocol]:
    """:func:`guarded_h11_protocol` on uvicorn's httptools protocol, plus h11's cap on an
    unfinished request head (uvicorn's httptools protocol has none)."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class GuardedHttpToolsProtocol(_ConnectionGuard, HttpToolsProtocol):
        """HttpToolsProtocol refusing excess connections, closing header-stalled ones and
        answering 400 to an unfinished request head over ``max_header_bytes``."""

        _max_connections = max_connections
        _header_timeout = header_timeout
        _head_pending = True
        _head_bytes = 0
        _heads_completed = 0

        def data_received(self, data: bytes) -> None:
            if self._refused:
                return
            pending, heads = self._head_pending, self._heads_completed
            super().data_received(data)
            # Only a chunk in which no head completed is all unfinished head: one that also
            # held a whole request (head and body) ends with a head pending again, the next.
            unfinished = pending and self._head_pending and self._heads_completed == heads
            if unfinished and not self.transport.is_closing():
                # h11 refuses an unfinished head over its limit the same way (a complete one
                # is parsed).
                self._head_bytes += len(data)
                if self._head_bytes > max_header_bytes:
                    self.send_400_response("Invalid HTTP request received.")

        def on_headers_complete(self) -> None:
            self._head_pending = False
            self._heads_completed += 1
            self._head_bytes = 0
            self._cancel_header_deadline()
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            super().on_message_complete()
            self._head_pending = True  # what comes next on this connection is a new head

        def on_response_complete(self) -> None:
            super().on_response_complete()
            # Re-armed only when no pipelined request (headers complete) started meanwhile:
            # uvicorn then waits for the next request, with its keep-alive timer set.
            if not self.transport.is_closing() and self.timeout_keep_alive_task is not None:
                self._arm_header_deadline()

    return GuardedHttpToolsProtocol


def guarded_protocol(
    *, max_connections: int, header_timeout: float, parser: HttpParser = "auto"
) -> type[asyncio.Protocol]:
    """The guarded protocol on ``parser``: ``auto`` is httptools where it is installed."""
    if parser == "httptools" or (
        parser == "auto" and importlib.util.find_spec("httptools") is not None
    ):
        return guarded_httptools_protocol(
            max_connections=max_connections, header_timeout=header_timeout
        )
    return guarded_h11_protocol(max_connections=max_connections, header_timeout=header_timeout)
