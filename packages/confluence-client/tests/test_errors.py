import pytest

from confluence_client import (
    ApiError,
    ConfigurationError,
    ConflictError,
    ConfluenceError,
    ConfluenceTimeoutError,
    ConnectionFailedError,
    DownloadTooLargeError,
    InvalidInputError,
    RateLimitedError,
)


def test_str_includes_request_and_status() -> None:
    err = ApiError(
        "Confluence: not found", status_code=404, method="GET", path="/wiki/api/v2/pages/1"
    )
    assert str(err) == "Confluence: not found (GET /wiki/api/v2/pages/1 -> 404)"
    assert "status_code=404" in repr(err)


def test_str_without_request_is_the_message() -> None:
    err = InvalidInputError("page_id must be numeric", field="page_id")
    assert str(err) == "page_id must be numeric"
    assert err.field == "page_id"
    assert err.method is None
    assert err.path is None
    assert err.status_code is None


def test_str_of_transport_error_without_status() -> None:
    err = ConfluenceTimeoutError("slow", method="GET", path="/x")
    assert str(err) == "slow (GET /x)"


@pytest.mark.parametrize(
    ("cls", "stdlib"),
    [
        (ConfigurationError, ValueError),
        (InvalidInputError, ValueError),
        (ConfluenceTimeoutError, TimeoutError),
        (ConnectionFailedError, ConnectionError),
    ],
)
def test_errors_subclass_the_matching_stdlib_error(cls: type[Exception], stdlib: type) -> None:
    assert issubclass(cls, stdlib)
    assert issubclass(cls, ConfluenceError)


def test_typed_attributes() -> None:
    conflict = ConflictError("c", current_version=6, provided_version=5)
    assert (conflict.status_code, conflict.current_version, conflict.provided_version) == (
        409,
        6,
        5,
    )
    limited = RateLimitedError("r", retry_after=3.0)
    assert (limited.status_code, limited.retry_after) == (429, 3.0)
    big = DownloadTooLargeError("d", max_bytes=10, size=11)
    assert (big.max_bytes, big.size) == (10, 11)
