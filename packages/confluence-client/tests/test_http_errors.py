import json

import pytest

from confluence_client import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InvalidCqlError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
)
from confluence_client._http_errors import error_detail, error_for_status, parse_conflict_versions

V2_409 = json.dumps(
    {
        "errors": [
            {
                "status": 409,
                "code": "CONFLICT",
                "title": "Version must be incremented on update. "
                "Current Version: [6]. Provided version: [5]",
                "detail": None,
            }
        ]
    }
).encode()
V1_404 = json.dumps(
    {"statusCode": 404, "message": "No content found with id 7", "reason": "Not Found"}
).encode()


def test_detail_from_both_body_shapes() -> None:
    assert error_detail(V1_404) == "No content found with id 7"
    assert (error_detail(V2_409) or "").startswith("Version must be incremented")
    two = json.dumps({"errors": [{"title": "Bad", "detail": "worse"}]}).encode()
    assert error_detail(two) == "Bad: worse"
    assert error_detail(b"<html>oops</html>") is None
    assert error_detail(b"\xff\xfe") is None
    assert error_detail(b"[1, 2]") is None
    assert (error_detail(json.dumps({"message": "m" * 900}).encode()) or "").endswith("...")


def test_conflict_versions() -> None:
    assert parse_conflict_versions("Current Version: [6]. Provided version: [5]") == (6, 5)
    assert parse_conflict_versions("current version is 3") == (3, None)
    assert parse_conflict_versions(None) == (None, None)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (410, NotFoundError),
        (405, BadRequestError),
        (409, ConflictError),
        (413, PayloadTooLargeError),
        (429, RateLimitedError),
        (500, ServerError),
        (503, ServerError),
        (302, ApiError),
    ],
)
def test_status_mapping(status: int, cls: type) -> None:
    err = error_for_status(status, V1_404, method="GET", path="/rest/api/content/7")
    assert type(err) is cls
    assert (err.status_code, err.method, err.path) == (status, "GET", "/rest/api/content/7")
    assert err.detail == "No content found with id 7"


def test_conflict_and_rate_limit_fields() -> None:
    conflict = error_for_status(409, V2_409, method="PUT", path="/p")
    assert isinstance(conflict, ConflictError)
    assert (conflict.current_version, conflict.provided_version) == (6, 5)
    limited = error_for_status(429, b"", method="GET", path="/p", retry_after=4.0)
    assert isinstance(limited, RateLimitedError)
    assert limited.retry_after == 4.0
    assert limited.detail is None


def test_bad_request_class_is_selectable() -> None:
    err = error_for_status(400, b"{}", method="GET", path="/s", bad_request=InvalidCqlError)
    assert isinstance(err, InvalidCqlError)
