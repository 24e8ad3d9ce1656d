"""The SDK's single error hierarchy.

Every error the client raises derives from :class:`ConfluenceError`::

    ConfluenceError                      root; status_code, method, path on every instance
    ├── ConfigurationError (ValueError)  the client was built with unusable settings
    ├── InvalidInputError (ValueError)   an argument was rejected before any request was sent
    ├── ApiError                         Confluence answered with an error status
    │   ├── BadRequestError              400 and other 4xx without a more precise class
    │   │   ├── InvalidCqlError          400 on a CQL search (the query could not be parsed)
    │   │   ├── InvalidMoveError         a move refused: the new parent cannot hold the page
    │   │   └── PayloadTooLargeError     413 (create/update/upload bodies over the limit)
    │   ├── AuthenticationError          401 (missing, wrong or expired credentials)
    │   ├── PermissionDeniedError        403
    │   ├── NotFoundError                404 (also "no permission to see it") and 410 Gone
    │   │   └── ContentTypeMismatchError  the id names another type (a blog post, not a page)
    │   ├── ConflictError                409; version conflicts carry current/provided numbers
    │   ├── RateLimitedError             429 after retries ran out; carries retry_after
    │   └── ServerError                  5xx after retries ran out
    ├── DownloadTooLargeError            an attachment exceeds the caller's size cap
    ├── NotSupportedError                the deployment has no API for this operation
    └── TransportError                   no usable HTTP answer
        ├── ConfluenceTimeoutError (TimeoutError)  connect or read timeout
        ├── ConnectionFailedError (ConnectionError) refused, reset or dropped connection
        └── MalformedResponseError       the body is not the JSON Confluence documents

``method`` and ``path`` name the HTTP request (path without query string, so search text
never lands in logs through an error); both are ``None`` for errors raised before a request.
Messages never contain credentials or request bodies.
"""

from __future__ import annotations

__all__ = [
    "ConfluenceError",
    "ConfigurationError",
    "InvalidInputError",
    "ApiError",
    "BadRequestError",
    "InvalidCqlError",
    "InvalidMoveError",
    "PayloadTooLargeError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ContentTypeMismatchError",
    "ConflictError",
    "RateLimitedError",
    "ServerError",
    "DownloadTooLargeError",
    "NotSupportedError",
    "TransportError",
    "ConfluenceTimeoutError",
    "ConnectionFailedError",
    "MalformedResponseError",
]


class ConfluenceError(Exception):
    """Root of every error raised by :mod:`confluence_client`.

    Attributes:
        message: human-readable explanation (never contains credentials).
        status_code: HTTP status of the failing response, ``None`` if there was none.
        method: HTTP method of the failing request, ``None`` before any request.
        path: URL path of the failing request (no query string), ``None`` before any request.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.method = method
        self.path = path

    def __str__(self) -> str:
        if self.method is None:
            return self.message
        status = f" -> {self.status_code}" if self.status_code is not None else ""
        return f"{self.message} ({self.method} {self.path}{status})"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, status_code={self.status_code!r}, "
            f"method={self.method!r}, path={self.path!r})"
        )


class ConfigurationError(ConfluenceError, ValueError):
    """The client was constructed with settings it cannot work with."""


class InvalidInputError(ConfluenceError, ValueError):
    """An argument failed validation; nothing was sent to Confluence.

    Attributes:
        field: name of the offending argument.
    """

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


class ApiError(ConfluenceError):
    """Confluence answered with an error status.

    Attributes:
        detail: Confluence's own explanation from the error body, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        method: str | None = None,
        path: str | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code, method=method, path=path)
        self.detail = detail


class BadRequestError(ApiError):
    """Confluence rejected the request as malformed (400 and unmapped 4xx statuses)."""


class InvalidCqlError(BadRequestError):
    """Confluence could not parse or run the CQL query (400 on a search)."""


class InvalidMoveError(BadRequestError):
    """Confluence refused to move a page under a new parent (a 400, or a 404 for a parent
    that is no page), and a look at that parent found why.

    Attributes:
        reason: ``"other_space"`` (the parent is in another space), ``"not_a_page"`` (it is
            a blog post, which holds no pages) or ``"own_descendant"`` (it is below the page).
        page_id: the page that was to move.
        parent_id: the parent it was to move under.
    """

    def __init__(
        self,
        message: str,
        *,
        reason: str,
        page_id: str,
        parent_id: str,
        status_code: int | None = 400,
        method: str | None = None,
        path: str | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code, method=method, path=path, detail=detail)
        self.reason = reason
        self.page_id = page_id
        self.parent_id = parent_id


class PayloadTooLargeError(BadRequestError):
    """The request body was over Confluence's size limit (413)."""


class AuthenticationError(ApiError):
    """The credentials were missing, wrong or expired (401)."""


class PermissionDeniedError(ApiError):
    """The credentials are valid but not allowed to do this (403)."""


class NotFoundError(ApiError):
    """The resource does not exist or is not visible to these credentials (404, 410)."""


class ContentTypeMismatchError(NotFoundError):
    """The id exists, but names another type of content than the one asked for (a blog post
    read as a page, say). Only raised where Confluence's answer shows the type (Data Center
    serves every type at one path; Cloud's typed paths answer a plain 404).

    Attributes:
        content_id: the id asked for.
        expected: the type asked for (``"page"``, ``"blogpost"``).
        actual: the type the id has.
        space_key: the space the content is in, if the answer said.
    """

    def __init__(
        self,
        message: str,
        *,
        content_id: str,
        expected: str,
        actual: str,
        space_key: str | None = None,
        status_code: int | None = 404,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code, method=method, path=path)
        self.content_id = content_id
        self.expected = expected
        self.actual = actual
        self.space_key = space_key


class ConflictError(ApiError):
    """The request conflicts with the resource's current state (409).

    For page updates this is the stale-version case: nothing was written.

    Attributes:
        current_version: the current version number on the server, if known.
        provided_version: the version the caller based its edit on (``expected_version``).
        resource: what the versions are of: ``"page"`` (pages and blog posts), ``"comment"``
            or ``"property"`` (a content property).
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = 409,
        method: str | None = None,
        path: str | None = None,
        detail: str | None = None,
        current_version: int | None = None,
        provided_version: int | None = None,
        resource: str = "page",
    ) -> None:
        super().__init__(message, status_code=status_code, method=method, path=path, detail=detail)
        self.current_version = current_version
        self.provided_version = provided_version
        self.resource = resource

    def restated(self, message: str, *, resource: str, based_on: int) -> ConflictError:
        """This 409 told about ``resource``, whose write was based on version ``based_on``.

        Confluence's 409 names the number the write sent (``based_on + 1``) as provided;
        the caller's question is which version its change was based on.
        """
        return ConflictError(
            message,
            status_code=self.status_code,
            method=self.method,
            path=self.path,
            detail=self.detail,
            current_version=self.current_version,
            provided_version=based_on,
            resource=resource,
        )


class RateLimitedError(ApiError):
    """Confluence kept answering 429 and the retry budget ran out.

    Attributes:
        retry_after: seconds Confluence asked the client to wait, if it said.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = 429,
        method: str | None = None,
        path: str | None = None,
        detail: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code, method=method, path=path, detail=detail)
        self.retry_after = retry_after


class ServerError(ApiError):
    """Confluence failed with a 5xx status (after any allowed retries)."""


class DownloadTooLargeError(ConfluenceError):
    """An attachment is larger than the size cap the caller set.

    Attributes:
        max_bytes: the cap.
        size: the size reported or observed when the cap was hit (a lower bound if streamed).
    """

    def __init__(
        self,
        message: str,
        *,
        max_bytes: int,
        size: int,
        status_code: int | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code, method=method, path=path)
        self.max_bytes = max_bytes
        self.size = size


class NotSupportedError(ConfluenceError):
    """The deployment (e.g. Data Center) has no REST API for this operation; nothing was sent.

    Attributes:
        deployment: ``"cloud"`` or ``"datacenter"``.
    """

    def __init__(self, message: str, *, deployment: str) -> None:
        super().__init__(message)
        self.deployment = deployment


class TransportError(ConfluenceError):
    """No usable HTTP answer was received (after any allowed retries)."""


class ConfluenceTimeoutError(TransportError, TimeoutError):
    """Connecting to or reading from Confluence took longer than the configured timeout."""


class ConnectionFailedError(TransportError, ConnectionError):
    """The connection was refused, reset or dropped."""


class MalformedResponseError(TransportError):
    """Confluence answered, but the body is not the JSON shape it documents."""
