"""Turn an error response into the matching :class:`ApiError` subclass.

Reads both error body shapes: v2 ``{"errors": [{"status", "code", "title", "detail"}]}``
and v1/Data Center ``{"statusCode", "message", "reason"}``. Confluence's text is kept as
``detail`` (bounded), never the request or its headers.
"""

from __future__ import annotations

import json
import re
from typing import Any

from confluence_client._errors import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
)

__all__ = ["error_detail", "error_for_status", "parse_conflict_versions"]

_MAX_DETAIL = 500
_CURRENT = re.compile(r"current\s+version\s*(?:is)?\s*:?\s*\[?\s*(\d+)", re.IGNORECASE)
_PROVIDED = re.compile(r"provided\s+version\s*:?\s*\[?\s*(\d+)", re.IGNORECASE)
_SUMMARY = {
    400: "bad request",
    401: "authentication failed",
    403: "permission denied",
    404: "not found",
    409: "conflict",
    410: "gone",
    413: "payload too large",
    429: "rate limited",
}


def error_detail(content: bytes) -> str | None:
    """Confluence's explanation from an error body, if it has a recognisable one."""
    try:
        body: Any = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    text: str | None = None
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            first = errors[0]
            parts = [str(first[k]) for k in ("title", "detail") if first.get(k)]
            text = ": ".join(parts) or None
        elif isinstance(body.get("message"), str):
            text = body["message"]
    if text is None:
        return None
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 3] + "..."


def parse_conflict_versions(detail: str | None) -> tuple[int | None, int | None]:
    """``(current, provided)`` from a 409 message such as
    ``... Current Version: [6]. Provided version: [5]``."""
    if not detail:
        return None, None
    current = _CURRENT.search(detail)
    provided = _PROVIDED.search(detail)
    return (
        int(current.group(1)) if current else None,
        int(provided.group(1)) if provided else None,
    )


def error_for_status(
    status: int,
    content: bytes,
    *,
    method: str,
    path: str,
    retry_after: float | None = None,
    bad_request: type[BadRequestError] = BadRequestError,
) -> ApiError:
    """The error to raise for an HTTP error status."""
    detail = error_detail(content)
    summary = _SUMMARY.get(status, "server error" if status >= 500 else f"HTTP {status}")
    message = f"Confluence: {summary}" + (f": {detail}" if detail else "")
    common: dict[str, Any] = {
        "status_code": status,
        "method": method,
        "path": path,
        "detail": detail,
    }
    if status == 401:
        return AuthenticationError(message, **common)
    if status == 403:
        return PermissionDeniedError(message, **common)
    if status in (404, 410):
        return NotFoundError(message, **common)
    if status == 409:
        current, provided = parse_conflict_versions(detail)
        return ConflictError(message, current_version=current, provided_version=provided, **common)
    if status == 413:
        return PayloadTooLargeError(message, **common)
    if status == 429:
        return RateLimitedError(message, retry_after=retry_after, **common)
    if status >= 500:
        return ServerError(message, **common)
    if 400 <= status < 500:
        return bad_request(message, **common)
    return ApiError(message, **common)
