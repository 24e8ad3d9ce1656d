"""Application logs: JSON lines or text, secrets redacted.

``configure_logging`` installs one stderr handler on the root logger with a filter that
removes every configured secret value and anything shaped like a bearer/basic credential,
JWT or API key (mcp-auth's ``scrub_secrets``) from messages and arguments. uvicorn's access
log stays off (it prints query strings); ``confluence_mcp.http.access_log`` writes our own.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import IO, Any

from mcp_auth import scrub_secrets

__all__ = [
    "ACCESS_LOGGER",
    "JsonFormatter",
    "RedactingFilter",
    "configure_logging",
]

ACCESS_LOGGER = "confluence_mcp.access"
_REDACTED = "[REDACTED]"
_HANDLER_NAME = "confluence-mcp"
# Attributes every LogRecord has: everything else was passed with `extra=` and is logged.
_STANDARD_ATTRS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


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
        return json.dumps(entry, ensure_ascii=False)


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
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing.get_name() == _HANDLER_NAME:
            root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    # uvicorn's and FastMCP's loggers propagate to ours (one format on stderr, redacted);
    # uvicorn's access log stays off (query strings).
    for name in ("uvicorn", "uvicorn.error", "fastmcp"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True
    return handler
