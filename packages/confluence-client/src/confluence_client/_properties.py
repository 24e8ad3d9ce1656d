"""Page content properties (v1 and v2 share one shape) and page analytics: client operations."""

from __future__ import annotations

import json
from typing import Any

from confluence_client._client_base import ClientBase, check_cursor
from confluence_client._errors import (
    ConflictError,
    ConfluenceTimeoutError,
    ConnectionFailedError,
    InvalidInputError,
    MalformedResponseError,
    NotFoundError,
    ServerError,
)
from confluence_client._models import ContentProperty, PageViews, ResultPage
from confluence_client._parse_common import obj, parsed, text
from confluence_client._validation import check_content_id, check_limit, check_text

__all__ = ["PropertyOperations", "parse_property", "MAX_PROPERTY_BYTES"]

# Confluence refuses property values above 32 KiB of JSON.
MAX_PROPERTY_BYTES = 32_768
# Failures after which a write may still have been stored: no answer, a garbled one, or a
# 5xx that Confluence may send after saving. Writes are never repeated after these (a repeat
# of a stored PUT reads as a version conflict, of a stored POST as "key exists").
_OUTCOME_UNKNOWN = (
    ConfluenceTimeoutError,
    ConnectionFailedError,
    MalformedResponseError,
    ServerError,
)


def parse_property(data: dict[str, Any]) -> ContentProperty:
    """A content property (v1 ``content/{id}/property`` or v2 ``pages/{id}/properties``)."""
    return parsed(
        lambda: ContentProperty(
            key=data["key"],
            value=data.get("value"),
            version=obj(data, "version")["number"],
            id=text(data, "id"),
        ),
        "content property",
    )


def _check_key(key: str) -> str:
    checked = check_text(key, "key", max_length=255)
    if checked != checked.strip():
        raise InvalidInputError("key must not start or end with spaces", field="key")
    return checked


def _check_value(value: Any) -> Any:
    try:
        encoded = json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError("value must be JSON", field="value") from exc
    if len(encoded.encode()) > MAX_PROPERTY_BYTES:
        raise InvalidInputError(f"value exceeds {MAX_PROPERTY_BYTES} bytes of JSON", field="value")
    return value


def _canonical(value: Any) -> str:
    # JSON equality, not Python's: 1 == 1.0 == True would call a different value ours.
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


class PropertyOperations(ClientBase):
    """Read, set and delete a page's content properties (page width, custom keys, ...)."""

    async def list_page_properties(
        self, page_id: str | int, *, limit: int = 25, cursor: str | None = None
    ) -> ResultPage[ContentProperty]:
        """One page of a page's content properties."""
        return await self._backend.list_properties(
            check_content_id(page_id), check_limit(limit), check_cursor(cursor)
        )

    async def get_page_property(self, page_id: str | int, key: str) -> ContentProperty:
        """One property by key. Raises :class:`NotFoundError` if the page has no such key."""
        return await self._backend.get_property(check_content_id(page_id), _check_key(key))

    async def set_page_property(
        self, page_id: str | int, key: str, value: Any, *, version: int | None = None
    ) -> ContentProperty:
        """Create a property (``version`` None) or replace the value of an existing one.

        ``version`` is the property's version the caller read; Confluence refuses a stale one
        with :class:`ConflictError`, and creating a key that exists with one too (its
        ``resource`` is ``"property"``, ``provided_version`` None). The write is sent once; if
        its answer is lost or garbled (or a 5xx), the property is read back, and when it holds
        this write (its version and value), that is returned, not an error.
        """
        checked_id, checked_key, checked_value = (
            check_content_id(page_id),
            _check_key(key),
            _check_value(value),
        )
        if version is None:
            try:
                return await self._backend.create_property(checked_id, checked_key, checked_value)
            except _OUTCOME_UNKNOWN:
                stored = await self._stored(checked_id, checked_key, checked_value, 1)
                if stored is None:
                    raise
                return stored
            except ConflictError as exc:
                # The key exists: the 409 is about this property, not about a page.
                raise ConflictError(
                    f"property {checked_key!r} of page {checked_id} already exists: give the "
                    "version read to change it",
                    status_code=exc.status_code,
                    method=exc.method,
                    path=exc.path,
                    detail=exc.detail,
                    resource="property",
                ) from exc
        current = await self._current(checked_id, checked_key, version)
        try:
            return await self._backend.update_property(checked_id, current, checked_value)
        except _OUTCOME_UNKNOWN:
            made = current.version + 1
            stored = await self._stored(checked_id, checked_key, checked_value, made)
            if stored is None:
                raise
            return stored

    async def _stored(
        self, page_id: str, key: str, value: Any, version: int
    ) -> ContentProperty | None:
        """After a write whose outcome is unknown, look: the property as this write left it
        (at the version it made, holding its value), or ``None`` if that is not what is
        stored (then the write's own failure is the answer)."""
        try:
            seen = await self._backend.get_property(page_id, key)
        except (NotFoundError, *_OUTCOME_UNKNOWN):
            return None
        if seen.version == version and _canonical(seen.value) == _canonical(value):
            return seen
        return None

    async def delete_page_property(self, page_id: str | int, key: str, *, version: int) -> None:
        """Delete a property, given the version the caller read.

        Confluence's DELETE takes no version, so the check happens just before it (a change
        in between is not detected: the window is one request). A stale ``version`` raises
        :class:`ConflictError`; a missing key :class:`NotFoundError`.
        """
        checked_id, checked_key = check_content_id(page_id), _check_key(key)
        current = await self._current(checked_id, checked_key, version)
        await self._backend.delete_property(checked_id, current)

    async def _current(self, page_id: str, key: str, version: int) -> ContentProperty:
        """The property, if it is still at ``version``; else :class:`ConflictError`."""
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise InvalidInputError("version must be a positive integer", field="version")
        current = await self._backend.get_property(page_id, key)
        if current.version != version:
            raise ConflictError(
                f"property {key!r} of page {page_id} changed since version {version}"
                f" (now at {current.version})",
                current_version=current.version,
                provided_version=version,
                resource="property",
            )
        return current

    async def get_page_views(self, page_id: str | int) -> PageViews:
        """A page's total views and distinct viewers (Cloud analytics; Data Center raises
        :class:`NotSupportedError`)."""
        return await self._backend.get_page_views(check_content_id(page_id))
