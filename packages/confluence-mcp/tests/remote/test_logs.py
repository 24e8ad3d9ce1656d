"""Logging: redaction, JSON lines, the access log."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import sys
import unicodedata
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from confluence_mcp.http.access_log import AccessLogMiddleware
from confluence_mcp.remote.logs import (
    JsonFormatter,
    RedactingFilter,
    TextFormatter,
    configure_logging,
    remove_logging,
)

SECRET = "super-secret-api-token-123"
JWT_LIKE = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXZhbHVl"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    fastmcp = logging.getLogger("fastmcp")
    fastmcp_saved = (list(fastmcp.handlers), fastmcp.propagate)
    stream = io.StringIO()
    yield stream
    fastmcp.handlers[:] = fastmcp_saved[0]
    fastmcp.propagate = fastmcp_saved[1]
    for handler in list(root.handlers):
        if handler not in saved[0]:
            root.removeHandler(handler)
    root.setLevel(saved[1])
    logging.getLogger("uvicorn.access").disabled = False


def test_filter_redacts_configured_secrets_and_credential_shapes() -> None:
    redactor = RedactingFilter([SECRET, "abc"])  # too short to redact safely: ignored
    text = redactor.redact(f"token={SECRET} auth=Bearer {JWT_LIKE} abc")
    assert SECRET not in text
    assert JWT_LIKE not in text
    assert "abc" in text


def test_json_lines_without_secrets(captured: io.StringIO) -> None:
    configure_logging(log_format="json", level="DEBUG", secrets=[SECRET], stream=captured)
    log = logging.getLogger("confluence_mcp.test")
    log.info("calling with %s", SECRET, extra={"note": f"x {SECRET}", "count": 3})
    try:
        raise ValueError(f"bad {SECRET}")
    except ValueError:
        log.exception("failed")
    lines = [json.loads(line) for line in captured.getvalue().splitlines()]
    assert lines[0]["level"] == "INFO"
    assert lines[0]["logger"] == "confluence_mcp.test"
    assert lines[0]["count"] == 3
    assert lines[0]["timestamp"].endswith("Z")
    assert "exception" in lines[1]
    assert "ValueError" in lines[1]["exception"]
    assert SECRET not in captured.getvalue()


def test_text_format_and_idempotence(captured: io.StringIO) -> None:
    configure_logging(log_format="text", level="INFO", stream=captured)
    configure_logging(log_format="text", level="INFO", stream=captured)
    logging.getLogger("confluence_mcp.test").info("hello")
    logging.getLogger("confluence_mcp.test").debug("hidden")
    assert captured.getvalue().count("hello") == 1
    assert "hidden" not in captured.getvalue()
    assert logging.getLogger("uvicorn.access").disabled
    assert logging.getLogger("fastmcp").propagate
    assert not logging.getLogger("fastmcp").handlers


def test_json_formatter_plain_record() -> None:
    record = logging.makeLogRecord({"msg": "m", "levelname": "INFO", "name": "x"})
    assert json.loads(JsonFormatter().format(record))["message"] == "m"


async def test_access_log_has_no_query_string(caplog: pytest.LogCaptureFixture) -> None:
    async def ok(_request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    app = Starlette(routes=[Route("/mcp", ok)], middleware=[Middleware(AccessLogMiddleware)])
    with caplog.at_level(logging.INFO, logger="confluence_mcp.access"):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t"
        ) as http:
            response = await http.get(
                "/mcp", params={"session": "q-secret"}, headers={"x-request-id": "req-1"}
            )
    assert response.headers["x-request-id"] == "req-1"
    [record] = [r for r in caplog.records if r.name == "confluence_mcp.access"]
    assert record.getMessage().startswith("GET /mcp 200")
    assert record.__dict__["request_id"] == "req-1"
    assert record.__dict__["http_status"] == 200
    assert "q-secret" not in str(vars(record))


# --- log forging (text format) ------------------------------------------------------------

FORGED = "\n2026-11-25 16:14:37,753 CRITICAL confluence_mcp.auth: admin login ok"


async def test_request_paths_cannot_forge_text_log_lines(
    remote_settings_for: Any, serve_remote: Any, captured: io.StringIO
) -> None:
    configure_logging(log_format="text", level="INFO", stream=captured)
    async with serve_remote(remote_settings_for()) as (base, _layer):
        # Sent over a real socket: %0a, %0d and %1b in the path reach the app decoded.
        reader, writer = await asyncio.open_connection(*base.removeprefix("http://").split(":"))
        path = "/healthz%0a2026-11-25%2016:14:37,753%20CRITICAL%20x:%20admin%20login%20ok%0d%1b[2J"
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
        )
        await writer.drain()
        await reader.read()
        writer.close()
    lines = captured.getvalue().splitlines()
    forged = [line for line in lines if "admin login ok" in line]
    assert len(forged) == 1
    assert " INFO confluence_mcp.access: GET /healthz\\x0a2026" in forged[0]
    assert "\\x0d\\x1b[2J" in forged[0]
    assert not any(line.startswith("2026-11-25 16:14:37,753 CRITICAL") for line in lines)
    assert "\x1b" not in captured.getvalue()


def test_tracebacks_stay_indented_and_escaped() -> None:
    try:
        raise ValueError("bad input" + FORGED + "\x1b[31m")
    except ValueError:
        record = logging.LogRecord("t", logging.ERROR, __file__, 1, "failed%s", (FORGED,), None)
        record.exc_info = sys.exc_info()
    text = TextFormatter().format(record)
    first, *rest = text.split("\n")
    assert "admin login ok" in first
    assert rest
    assert all(line.startswith("    ") for line in rest)
    assert "\x1b" not in text


@settings(max_examples=300, deadline=None)
@given(st.text(), st.text(max_size=30))
def test_any_message_is_one_line_without_controls(message: str, argument: str) -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%s %s", (message, argument), None)
    line = TextFormatter().format(record)
    assert line.splitlines() == [line]
    assert not any(
        unicodedata.category(char) == "Cc"
        or char in "\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
        for char in line
    )
    # Escaped, not dropped: printable text survives as is.
    assert all(char in line for char in message if char.isprintable() and char.isascii())


@pytest.mark.parametrize("formatter", [TextFormatter(), JsonFormatter()])
def test_lone_surrogates_are_written_not_lost(formatter: logging.Formatter) -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "title %s", ("a\ud800b",), None)
    line = formatter.format(record)
    line.encode("utf-8")  # writable to a UTF-8 stream
    assert "\\ud800" in line


def test_remove_logging_takes_away_only_its_own_handler() -> None:
    root = logging.getLogger()
    other = logging.NullHandler()
    root.addHandler(other)
    try:
        stream = io.StringIO()
        configure_logging(stream=stream)
        configure_logging(stream=stream)  # idempotent: still one handler of ours
        ours = [h for h in root.handlers if h.get_name() == "confluence-mcp"]
        assert len(ours) == 1
        remove_logging()
        assert not [h for h in root.handlers if h.get_name() == "confluence-mcp"]
        assert other in root.handlers
        stream.close()
        logging.getLogger("after").warning("nothing writes to the closed stream")
    finally:
        root.removeHandler(other)
