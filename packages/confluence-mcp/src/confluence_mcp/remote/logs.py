"""Application logs: JSON lines or text, secrets redacted.

``configure_logging`` installs one stderr handler on the root logger with a filter that
removes every configured secret value and anything shaped like a bearer/basic credential,
JWT or API key (mcp-auth's ``scrub_secrets``) from messages and arguments. uvicorn's access
log stays off (it prints query strings); ``confluence_mcp.http.access_log`` writes our own.

Messages quote untrusted text (request paths, tool names, upstream errors). In the text
format a newline in one would start a forged log line, and ESC sequences would drive the
reader's terminal, so :class:`TextFormatter` shows every control character (and Unicode line
and bidi-override characters) as an escape: one record is always one line. JSON needs no
help: ``json.dumps`` escapes them.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import IO, Any

from mcp_auth import scrub_secrets

__all__ = [
    "ACCESS_LOGGER",
    "JsonFormatter",
    "RedactingFilter",
    "TextFormatter",
    "configure_logging",
    "remove_logging",
    "escape_controls",
]

ACCESS_LOGGER = "confluence_mcp.access"
_REDACTED = "[REDACTED]"
_HANDLER_NAME = "confluence-mcp"
# Attributes every LogRecord has: everything else was passed with `extra=` and is logged.
_STANDARD_ATTRS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
# C0 and C1 controls, DEL, Unicode line/paragraph separators, bidi overrides/isolates, and
# lone surrogates (from JSON "\ud800" escapes: not writable as UTF-8, the line would be lost).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """``text`` with every control, line-separator and bidi character as a visible escape."""
    return _UNSAFE.sub(_escape, text)


class TextFormatter(logging.Formatter):
    """``time LEVEL logger: message`` on one line, untrusted text escaped.

    A traceback keeps its lines, each indented and escaped, so none can pass for a record.
    """

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        record.message = escape_controls(record.getMessage())
        record.asctime = self.formatTime(record, self.datefmt)
        line = escape_controls(self.formatMessage(record))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        extra = "\n".join(part for part in (record.exc_text, record.stack_info) if part)
        if not extra:
            return line
        return line + "".join(f"\n    {escape_controls(part)}" for part in extra.splitlines())


class RedactingFilter(logging.Filter):
    """Removes secrets from a record's message (rendered once, arguments included)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        # Longest first, so a secret containing another is removed whole.
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """``text`` without configured secrets or credential-shaped strings."""
        for secret in self.secrets:
            text = text.replace(secret, _REDACTED)
        return scrub_secrets(text)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            # Tracebacks can quote arguments: keep the type, render the text redacted.
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        for key, value in list(vars(record).items()):
            if key not in _STANDARD_ATTRS and isinstance(value, str):
                setattr(record, key, self.redact(value))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and any ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                entry[key] = value if isinstance(value, int | float | bool | None) else str(value)
        if record.exc_text:
            entry["exception"] = record.exc_text
        # JSON escapes controls itself; lone surrogates it would leave raw (unwritable).
        return _SURROGATE.sub(_escape, json.dumps(entry, ensure_ascii=False))


def configure_logging(
    *,
    log_format: str = "text",
    level: str = "INFO",
    secrets: Iterable[str] = (),
    stream: IO[str] | None = None,
) -> logging.Handler:
    """Send all logging to ``stream`` (stderr) in ``log_format``, redacted; returns the handler.

    Calling it again replaces the handler it installed before (idempotent).
    """
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(RedactingFilter(secrets))
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter())
    remove_logging()
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    # uvicorn's and FastMCP's loggers propagate to ours (one format on stderr, redacted);
    # uvicorn's access log stays off (query strings).
    for name in ("uvicorn", "uvicorn.error", "fastmcp"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True
    return handler


def remove_logging() -> None:
    """Take away the handler :func:`configure_logging` installed, if any (embedding and tests:
    the handler keeps the stream it was given, which may be closed later)."""
    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing.get_name() == _HANDLER_NAME:
            root.removeHandler(existing)
