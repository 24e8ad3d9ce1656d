"""HTTP helpers shared by every route: which base a request came through, error bodies,
JSON bodies with the 5 MB limit, timestamps."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ._errors import FakeBadRequestError, FakeConfluenceError, FakePayloadTooLargeError
from ._store import FakeStore

__all__ = [
    "MAX_BODY_BYTES",
    "Site",
    "site_of",
    "store_of",
    "is_v2_path",
    "v2_error_body",
    "v1_error_body",
    "error_body",
    "error_response",
    "read_json",
    "iso",
    "no_content",
]

MAX_BODY_BYTES = 5 * 1024 * 1024
_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    410: "Gone",
    413: "Request Entity Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
# Confluence v1 prefixes messages with the server-side exception class; clients match on it.
_V1_EXCEPTIONS = {
    400: "com.atlassian.confluence.api.service.exceptions.BadRequestException",
    404: "com.atlassian.confluence.api.service.exceptions.NotFoundException",
    409: "com.atlassian.confluence.api.service.exceptions.api.ConflictException",
    413: "com.atlassian.confluence.api.service.exceptions.RequestEntityTooLargeException",
}


@dataclass(frozen=True, slots=True)
class Site:
    """The deployment a request addressed: Cloud site, Data Center, or the OAuth gateway."""

    kind: Literal["cloud", "dc", "gateway"]
    prefix: str
    origin: str

    @property
    def base(self) -> str:
        """Absolute base URL (``_links.base``)."""
        return self.origin + self.prefix


def site_of(request: Request) -> Site:
    """Work out the base from the path, so one set of routes serves all three deployments."""
    path = request.url.path
    origin = f"{request.url.scheme}://{request.url.netloc}"
    if path.startswith("/ex/confluence/"):
        cloud_id = path.split("/")[3]
        return Site("gateway", f"/ex/confluence/{cloud_id}/wiki", origin)
    if path == "/wiki" or path.startswith("/wiki/"):
        return Site("cloud", "/wiki", origin)
    return Site("dc", "", origin)


def store_of(request: Request) -> FakeStore:
    """The store the app serves."""
    store: FakeStore = request.app.state.store
    return store


def is_v2_path(path: str) -> bool:
    """True for v2 API paths (they answer with the v2 error shape)."""
    return "/api/v2/" in path or path.endswith("/api/v2")


def v2_error_body(status: int, code: str, title: str, detail: str | None = None) -> dict[str, Any]:
    """The v2 error shape."""
    return {"errors": [{"status": status, "code": code, "title": title, "detail": detail}]}


def v1_error_body(status: int, message: str) -> dict[str, Any]:
    """The v1 / Data Center error shape."""
    prefix = _V1_EXCEPTIONS.get(status)
    return {
        "statusCode": status,
        "data": {
            "authorized": status != 403,
            "valid": status < 500,
            "errors": [],
            "successful": False,
        },
        "message": f"{prefix}: {message}" if prefix else message,
        "reason": _REASONS.get(status, "Error"),
    }


def error_body(path: str, status: int, message: str, code: str | None = None) -> dict[str, Any]:
    """The error body for ``path``'s API family."""
    if is_v2_path(path):
        return v2_error_body(
            status, code or _REASONS.get(status, "ERROR").upper().replace(" ", "_"), message
        )
    return v1_error_body(status, message)


def error_response(
    path: str, exc: FakeConfluenceError, headers: dict[str, str] | None = None
) -> JSONResponse:
    """A Confluence-shaped error response for a fake error raised while serving ``path``."""
    return JSONResponse(error_body(path, exc.status, exc.message, exc.code), exc.status, headers)


async def read_json(request: Request) -> Any:
    """The parsed JSON body; 413 over 5 MB, 400 when it is not JSON."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise FakePayloadTooLargeError("Request body exceeds the 5 MB limit")
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise FakePayloadTooLargeError("Request body exceeds the 5 MB limit")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise FakeBadRequestError("The request body is not valid JSON") from None


def no_content() -> Response:
    """204."""
    return Response(status_code=204)


def iso(when: datetime) -> str:
    """Confluence's timestamp format: UTC with milliseconds and ``Z``."""
    return (
        when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{when.microsecond // 1000:03d}Z"
    )
