"""Where audit events go: a text stream, an append-only file, Python logging, or memory.

Sinks are called from the audit logger's background thread (never from the event loop), one
event at a time, so they may block on I/O and need no locking of their own.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TextIO, runtime_checkable

if TYPE_CHECKING:
    from mcp_auth._audit import AuditEvent

__all__ = ["AuditSink", "StreamSink", "FileSink", "LoggingSink", "MemorySink"]


@runtime_checkable
class AuditSink(Protocol):
    """Receives each audit event as a JSON line (no trailing newline) and as a model."""

    def write(self, line: str, event: AuditEvent) -> None: ...

    def close(self) -> None: ...


class StreamSink:
    """Writes JSON lines to a text stream (stderr by default); the stream is not closed."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream

    def write(self, line: str, event: AuditEvent) -> None:
        # Resolve stderr at write time so pytest's capture and redirections are honoured.
        stream = self._stream if self._stream is not None else sys.stderr
        stream.write(line + "\n")
        stream.flush()

    def close(self) -> None:
        """Flush the stream (it belongs to the caller, so it stays open)."""
        stream = self._stream if self._stream is not None else sys.stderr
        stream.flush()

    def __repr__(self) -> str:
        return f"StreamSink({self._stream!r})"


class FileSink:
    """Appends JSON lines to a file, created with mode 0600 (it may name users and clients).

    Each line is flushed as written so a crash loses at most the event being written.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self._file = os.fdopen(fd, "a", encoding="utf-8")

    def write(self, line: str, event: AuditEvent) -> None:
        self._file.write(line + "\n")
        self._file.flush()

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()

    def __repr__(self) -> str:
        return f"FileSink({str(self.path)!r})"


class LoggingSink:
    """Hands each event to a Python logger: the message is the JSON line, and the event's
    fields travel in `extra={"audit_event": {...}}` for structured handlers."""

    def __init__(self, logger: str | logging.Logger = "mcp_auth.audit", level: int = logging.INFO):
        self.logger = logger if isinstance(logger, logging.Logger) else logging.getLogger(logger)
        self.level = level

    def write(self, line: str, event: AuditEvent) -> None:
        self.logger.log(
            self.level,
            line,
            extra={"audit_event": event.model_dump(mode="json", exclude_none=True)},
        )

    def close(self) -> None:
        """Nothing to release: handlers belong to the logging configuration."""

    def __repr__(self) -> str:
        return f"LoggingSink({self.logger.name!r})"


class MemorySink:
    """Keeps events in memory: for tests and for a server's own diagnostics."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: list[AuditEvent] = []
        self._lines: list[str] = []

    def write(self, line: str, event: AuditEvent) -> None:
        with self._lock:
            self._events.append(event)
            self._lines.append(line)

    def close(self) -> None:
        """Events stay readable after the logger closes."""

    @property
    def events(self) -> list[AuditEvent]:
        """A copy of the events written so far, oldest first."""
        with self._lock:
            return list(self._events)

    @property
    def lines(self) -> list[str]:
        """A copy of the JSON lines written so far, oldest first."""
        with self._lock:
            return list(self._lines)

    def clear(self) -> None:
        """Forget every event written so far."""
        with self._lock:
            self._events.clear()
            self._lines.clear()
