"""Logging: redaction, JSON lines, the access log."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from confluence_mcp.http.access_log import AccessLogMiddleware
from confluence_mcp.remote.logs import JsonFormatter, RedactingFilter, configure_logging

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
