import logging
from typing import Any

import pytest
from fastmcp.exceptions import PromptError, ResourceError, ToolError

import confluence_client as sdk
from confluence_client import content
from confluence_client.testing import FakeConfluenceServer
from confluence_mcp.errors import (
    NOT_FOUND_MESSAGE,
    ConfigError,
    ConfluenceMCPError,
    confluence_errors,
    describe_error,
    is_confluence_error,
    map_confluence_errors,
    readiness_reason,
    to_tool_error,
)

SECRET_DETAIL = "upstream said: token=abc123 at line 7"


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (sdk.InvalidInputError("must be digits", field="page_id"), "Invalid argument 'page_id'"),
        (sdk.InvalidCqlError("bad", status_code=400, detail=SECRET_DETAIL), "Invalid CQL"),
        (sdk.PayloadTooLargeError("big", status_code=413), "size limit"),
        (sdk.NotFoundError("nope", status_code=404, detail=SECRET_DETAIL), "Not found"),
        (sdk.AuthenticationError("no", status_code=401), "credentials"),
        (sdk.PermissionDeniedError("no", status_code=403), "Permission denied"),
        (sdk.RateLimitedError("slow", retry_after=12.4), "retry after 12 s"),
        (sdk.RateLimitedError("slow"), "retry in about 30 s"),
        (sdk.BadRequestError("bad", status_code=400), "HTTP 400"),
        (sdk.ServerError("down", status_code=503), "HTTP 5xx"),
        (sdk.DownloadTooLargeError("big", max_bytes=10, size=20), "20 bytes exceeds"),
        (sdk.ConfluenceTimeoutError("slow"), "did not answer in time"),
        (sdk.ConnectionFailedError("refused"), "Could not reach"),
        (sdk.MalformedResponseError("junk"), "could not read"),
        (sdk.TransportError("gone"), "Could not reach"),
        (sdk.ConfigurationError("bad url"), "settings are invalid"),
        (sdk.ApiError("teapot", status_code=418), "request failed"),
        (sdk.ConfluenceError("other"), "request failed"),
        (
            content.AmbiguousSectionError("x", heading="Intro", available=["Intro"], matches=2),
            "2 headings match 'Intro': pass occurrence (1-2)",
        ),
        (
            content.SectionNotFoundError("x", heading="Nope", available=["A", "B"]),
            "No heading matches 'Nope'. Headings on the page: 'A', 'B'.",
        ),
        (content.StorageParseError("x", line=3), "not well-formed storage XHTML"),
        (content.ContentError("x"), "could not be converted"),
    ],
)
def test_every_sdk_error_has_a_safe_message(error: sdk.ConfluenceError, expected: str) -> None:
    message = describe_error(error)
    assert expected in message
    assert "abc123" not in message


@pytest.mark.parametrize(
    "error_type",
    [sdk.ConfluenceTimeoutError, sdk.ConnectionFailedError, sdk.MalformedResponseError],
)
@pytest.mark.parametrize("method", ["POST", "PUT", "GET", "DELETE"])
def test_a_write_whose_answer_was_lost_may_have_been_applied(
    error_type: type[sdk.ConfluenceError], method: str
) -> None:
    message = describe_error(error_type("lost", method=method, path="/wiki/api/v2/pages"))
    # Only a non-idempotent write is in doubt (reads and deletes are simply retried).
    assert ("may have been applied" in message) is (method in ("POST", "PUT"))
    if method in ("POST", "PUT"):
        assert "get_page" in message


def test_the_mapping_has_no_shadowed_row() -> None:
    """Most specific first: a row after one of its base classes could never be reached."""
    from confluence_mcp.errors import _rules

    types = [rule.error for rule in _rules()]
    for later, cls in enumerate(types):
        assert not any(issubclass(cls, earlier) for earlier in types[:later]), cls
    assert types[-1] is sdk.ConfluenceError


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (sdk.AuthenticationError("no", status_code=401), "refused the configured credentials"),
        (sdk.PermissionDeniedError("no", status_code=403), "refused the configured credentials"),
        (sdk.RateLimitedError("slow down", status_code=429), "rate limiting this server"),
        (sdk.ServerError("boom", status_code=500), "answered with a server error"),
        (sdk.ConfluenceTimeoutError("slow"), "did not answer in time"),
        (TimeoutError(), "did not answer in time"),
        (sdk.ConnectionFailedError("refused"), "unreachable"),
        (sdk.MalformedResponseError("junk"), "unreachable"),
        (sdk.NotFoundError("x", status_code=404, detail=SECRET_DETAIL), "refused the readiness"),
        (sdk.InvalidInputError("bad", field="x"), "refused the readiness"),
        (sdk.ConfluenceError("other"), "refused the readiness"),
        (RuntimeError("token=abc123"), "the readiness check failed"),
    ],
)
def test_readiness_reasons_come_from_the_same_mapping(error: Exception, reason: str) -> None:
    said = readiness_reason(error)
    assert reason in said
    assert "abc123" not in said


def test_conflict_names_both_versions() -> None:
    error = sdk.ConflictError("stale", current_version=7, provided_version=5)
    message = describe_error(error)
    assert "version 7" in message
    assert "version 5" in message
    assert "Nothing was written" in message
    assert "title" in describe_error(sdk.ConflictError("dup title"))


def test_not_found_message_is_shared() -> None:
    assert describe_error(sdk.NotFoundError("x", status_code=404)) == NOT_FOUND_MESSAGE


def test_tool_error_log_levels() -> None:
    assert to_tool_error(sdk.NotFoundError("x", status_code=404)).log_level == logging.INFO
    assert to_tool_error(sdk.ServerError("x", status_code=500)).log_level == logging.WARNING
    assert to_tool_error(sdk.ConnectionFailedError("x")).log_level == logging.WARNING


@pytest.mark.parametrize("error_cls", [ToolError, ResourceError, PromptError])
def test_confluence_errors_context_manager(error_cls: type[Exception]) -> None:
    with pytest.raises(error_cls, match="Not found") as info, confluence_errors(error_cls):  # type: ignore[arg-type]
        raise sdk.NotFoundError("x", status_code=404)
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__


def test_other_exceptions_pass_through() -> None:
    with pytest.raises(KeyError), confluence_errors():
        raise KeyError("x")


async def test_map_confluence_errors_keeps_signature() -> None:
    async def tool(page_id: str, limit: int = 3) -> str:
        """Doc."""
        raise sdk.PermissionDeniedError("no", status_code=403)

    wrapped = map_confluence_errors(tool)
    assert wrapped.__name__ == "tool"
    assert wrapped.__doc__ == "Doc."
    with pytest.raises(ToolError, match="Permission denied"):
        await wrapped("1")


def test_is_confluence_error_and_hierarchy() -> None:
    assert is_confluence_error(sdk.NotFoundError("x"))
    assert not is_confluence_error(ValueError("x"))
    assert issubclass(ConfigError, ConfluenceMCPError)
    assert issubclass(ConfigError, ValueError)


async def test_argument_errors_are_one_line_per_field(make_settings: object) -> None:
    from fastmcp import Client

    from confluence_mcp.app import create_server

    async with Client(create_server(make_settings())) as client:  # type: ignore[operator]
        with pytest.raises(ToolError) as info:
            await client.call_tool("get_page", {"page_id": "1", "format": "pdf", "bogus": 1})
    message = str(info.value)
    assert "Invalid argument 'format': Input should be 'markdown', 'storage' or 'view'" in message
    assert "Invalid argument 'bogus': unexpected" in message
    assert "pydantic" not in message
    assert "[type=" not in message
    assert "pdf" not in message.replace("'markdown', 'storage' or 'view'", "")


def test_tool_errors_raised_on_purpose_are_not_server_faults() -> None:
    with pytest.raises(ToolError) as info, confluence_errors():
        raise ToolError("Confirmation required, nothing was changed.")
    assert info.value.log_level == logging.INFO
    with pytest.raises(ToolError) as kept, confluence_errors():
        raise ToolError("Rate limited", log_level=logging.WARNING)
    assert kept.value.log_level == logging.WARNING


async def test_refusals_and_confirmation_steps_are_not_logged_as_errors(
    connect: Any, fake_confluence: FakeConfluenceServer
) -> None:
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger("fastmcp.server.server")
    handler = Keep(level=logging.DEBUG)
    logger.addHandler(handler)
    try:
        client = await connect()
        faq = next(p.id for p in fake_confluence.store.pages.values() if p.title == "FAQ")
        for arguments in ({"page_id": faq}, {"page_id": faq, "confirm_token": "forged"}):
            with pytest.raises(ToolError):
                await client.call_tool("delete_page", arguments)
    finally:
        logger.removeHandler(handler)
    calls = [r for r in records if "Error calling tool 'delete_page'" in r.getMessage()]
    assert len(calls) == 2
    assert {r.levelno for r in calls} == {logging.INFO}
