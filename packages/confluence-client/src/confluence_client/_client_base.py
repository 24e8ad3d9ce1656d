"""Shared pieces of the client façade: the backend seam and argument helpers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from confluence_client._backend import Backend
from confluence_client._cql import Cql
from confluence_client._endpoint import Endpoint
from confluence_client._errors import ConflictError, InvalidInputError, MalformedResponseError
from confluence_client._models import BodyFormat, Page, PageVersion, ResultPage
from confluence_client._transport import Transport
from confluence_client._validation import check_body, check_limit, check_text

__all__ = [
    "ClientBase",
    "check_format",
    "check_cursor",
    "paging",
    "cql_text",
    "non_blank",
    "body_of",
    "require_version",
    "with_version",
    "iterate",
]

_BODY_FORMATS: frozenset[str] = frozenset({"storage", "view", "atlas_doc_format"})
T = TypeVar("T")


class ClientBase:
    """What the operation mixins share: the deployment's backend, addressing and transport."""

    _backend: Backend
    _endpoint: Endpoint
    _transport: Transport


def check_format(value: BodyFormat | None) -> BodyFormat | None:
    """A body format the API knows, or ``None`` for no body."""
    if value is None:
        return None
    if value not in _BODY_FORMATS:
        raise InvalidInputError(
            f"body_format must be one of {sorted(_BODY_FORMATS)}, got {value!r}",
            field="body_format",
        )
    return value


def check_cursor(value: str | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value or len(value) > 4000:
        raise InvalidInputError("cursor must be a value returned as next_cursor", field="cursor")
    return value


def paging(
    limit: int, cursor: str | None, body_format: BodyFormat | None
) -> tuple[int, str | None, BodyFormat | None]:
    """A listing's checked limit, cursor and body format, in the backends' argument order."""
    return check_limit(limit), check_cursor(cursor), check_format(body_format)


def cql_text(cql: Cql | str) -> str:
    if isinstance(cql, Cql):
        return str(cql)
    return check_text(cql, "cql", max_length=8000, controls="blank")


def non_blank(body: str) -> str:
    text = check_body(body)
    if not text.strip():
        raise InvalidInputError("body must not be empty", field="body")
    return text


def body_of(page: Page) -> str:
    return page.body.value if page.body is not None else ""


def require_version(current: Page, expected: int) -> None:
    actual = current.version_number
    if actual is not None and actual != expected:
        raise ConflictError(
            f"page {current.id} is at version {actual}, not the expected {expected}",
            current_version=actual,
            provided_version=expected,
        )


def with_version(page: Page, expected: int) -> Page:
    # The backend sends expected + 1; it needs the caller's base version, not a fresh read.
    if page.version is not None:
        version = page.version.model_copy(update={"number": expected})
    else:
        version = PageVersion(number=expected)
    return page.model_copy(update={"version": version})


async def iterate(
    fetch: Callable[[str | None], Awaitable[ResultPage[T]]],
) -> AsyncIterator[T]:
    cursor: str | None = None
    while True:
        batch = await fetch(cursor)
        for item in batch.items:
            yield item
        if batch.next_cursor is None:
            return
        if batch.next_cursor == cursor:
            # A server handing back the same cursor would loop forever.
            raise MalformedResponseError("pagination did not advance (same next link twice)")
        cursor = batch.next_cursor
