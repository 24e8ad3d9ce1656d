"""Errors raised inside the fake Confluence; routes turn them into Confluence-shaped bodies.

Tree::

    FakeConfluenceError            root; carries the HTTP status the fake answers with
    ├── FakeBadRequestError        400: malformed input (bad JSON, missing field, bad cursor)
    │   └── CQLSyntaxError         400: a CQL query the parser cannot read
    ├── ForbiddenError             403: refused (e.g. attachment upload without the XSRF header)
    ├── FakeNotFoundError          404: unknown id / key (also "no permission", as in Confluence)
    ├── VersionConflictError       409: stale version number on update (carries both numbers)
    ├── GoneError                  410: endpoint removed on this base (OAuth gateway v1 content)
    └── FakePayloadTooLargeError   413: request body over the 5 MB limit

The ``Fake`` prefix keeps them apart from the SDK's own `confluence_client.FakeNotFoundError`
and friends, which a test using both would otherwise import under the same names.
"""

from __future__ import annotations

__all__ = [
    "FakeConfluenceError",
    "FakeBadRequestError",
    "CQLSyntaxError",
    "ForbiddenError",
    "FakeNotFoundError",
    "VersionConflictError",
    "GoneError",
    "FakePayloadTooLargeError",
]


class FakeConfluenceError(Exception):
    """Root of the fake's errors; ``status`` is the HTTP status it maps to."""

    status: int = 500
    code: str = "INTERNAL_SERVER_ERROR"
    title: str = "Internal Server Error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FakeBadRequestError(FakeConfluenceError, ValueError):
    """The request is malformed (400)."""

    status = 400
    code = "INVALID_REQUEST_PARAMETER"
    title = "Bad Request"


class CQLSyntaxError(FakeBadRequestError):
    """The CQL query cannot be parsed (400); ``position`` is the offending offset."""

    def __init__(self, message: str, query: str, position: int) -> None:
        super().__init__(f"Could not parse cql : {query} ({message} at position {position})")
        self.query = query
        self.position = position


class ForbiddenError(FakeConfluenceError, PermissionError):
    """The request is refused (403)."""

    status = 403
    code = "FORBIDDEN"
    title = "Forbidden"


class FakeNotFoundError(FakeConfluenceError, LookupError):
    """Unknown id or key (404)."""

    status = 404
    code = "NOT_FOUND"
    title = "Not Found"


class VersionConflictError(FakeConfluenceError):
    """An update sent a version number other than current + 1 (409)."""

    status = 409
    code = "CONFLICT"
    title = "Conflict"

    def __init__(self, current: int, provided: int) -> None:
        super().__init__(
            "Version must be incremented when updating a page. "
            f"Current Version: [{current}]. Provided version: [{provided}]"
        )
        self.current = current
        self.provided = provided


class GoneError(FakeConfluenceError):
    """The endpoint no longer exists on this base path (410)."""

    status = 410
    code = "GONE"
    title = "Gone"


class FakePayloadTooLargeError(FakeConfluenceError):
    """The request body exceeds the limit (413)."""

    status = 413
    code = "REQUEST_ENTITY_TOO_LARGE"
    title = "Payload Too Large"
