"""What the Cloud and Data Center backends do the same way, whatever the API version.

Listing (cursor or ``_links.next``), reading one JSON object, deleting with an optional
purge, writing a page's next version (a conflict names the version the page is at now),
reading page versions, and content properties. Each deployment supplies only its paths and
parsers (the ``_..._path`` and ``_version`` hooks).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, ClassVar, TypeVar

from confluence_client._errors import ConflictError, MalformedResponseError, NotFoundError
from confluence_client._models import ContentProperty, Page, PageVersion, ResultPage
from confluence_client._pagination import decode_cursor, result_page
from confluence_client._properties import parse_property
from confluence_client._transport import Transport

__all__ = ["BackendBase"]

T = TypeVar("T")


class BackendBase(ABC):
    """HTTP helpers and the operations both deployments share but for their paths.

    A deployment's backend implements the abstract hooks; a missing one fails at
    construction (and in mypy), not on the first call.
    """

    # Query that deletes a trashed item for good: Cloud ``purge=true``, Data Center
    # ``status=trashed``.
    _PURGE: ClassVar[Mapping[str, str]] = {"purge": "true"}

    def __init__(self, transport: Transport, site_url: str) -> None:
        self._http = transport
        self._site = site_url

    # --- reading --------------------------------------------------------------------------
    async def _list(
        self,
        endpoint: str,
        params: dict[str, Any],
        cursor: str | None,
        parse: Callable[[dict[str, Any]], T],
        **request: Any,
    ) -> ResultPage[T]:
        """GET a listing, or the page a cursor points to (the next link, exactly)."""
        if cursor is not None:
            target = decode_cursor(self._http.api_base_url, cursor, endpoint)
            response = await self._http.request("GET", target, **request)
        else:
            response = await self._http.request("GET", endpoint, params=params, **request)
        return result_page(self._http.api_base_url, response.json(), parse, path=response.path)

    async def _get_json(
        self, endpoint: str, params: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        response = await self._http.request("GET", endpoint, params=params)
        body = response.json()
        if not isinstance(body, dict):
            raise MalformedResponseError("expected a JSON object", path=response.path)
        return body

    # --- writing --------------------------------------------------------------------------
    async def _delete(self, endpoint: str, purge: bool) -> None:
        """Trash an item; with ``purge``, then delete it from the trash too."""
        try:
            await self._http.request("DELETE", endpoint)
        except NotFoundError:
            if not purge:
                raise  # an item already in the trash is 404 here; purge it below
        if purge:
            await self._http.request("DELETE", endpoint, params=self._PURGE)

    async def _put_version(
        self,
        endpoint: str,
        payload: dict[str, Any],
        page: Page,
        reread: Callable[[], Awaitable[Page]],
        **request: Any,
    ) -> Any:
        """PUT a page's next version; the JSON answer, or a :class:`ConflictError` that
        names the version the page is at now (``reread`` asks when Confluence did not say)."""
        try:
            # Not retried on 5xx/timeouts: a repeat of a PUT that did land would read as a conflict.
            response = await self._http.request(
                "PUT", endpoint, json_body=payload, idempotent=False, **request
            )
        except ConflictError as exc:
            provided = page.version_number or 1
            current = exc.current_version
            if current is None:
                try:
                    current = (await reread()).version_number
                except NotFoundError:
                    current = None
            raise ConflictError(
                f"page {page.id} changed since version {provided}"
                + (f" (now at {current})" if current is not None else ""),
                status_code=exc.status_code,
                method=exc.method,
                path=exc.path,
                detail=exc.detail,
                current_version=current,
                provided_version=provided,
            ) from None
        return response.json()

    # --- page versions (routes alike in v1 and v2; paths and shapes differ) ---------------
    @abstractmethod
    def _versions_path(self, page_id: str) -> str:
        raise NotImplementedError

    @abstractmethod
    def _version(self, raw: dict[str, Any], page_id: str) -> PageVersion:
        raise NotImplementedError

    async def list_versions(
        self, page_id: str, limit: int, cursor: str | None
    ) -> ResultPage[PageVersion]:
        return await self._list(
            self._versions_path(page_id),
            {"limit": limit},
            cursor,
            lambda raw: self._version(raw, page_id),
        )

    async def get_version(self, page_id: str, number: int) -> PageVersion:
        raw = await self._get_json(f"{self._versions_path(page_id)}/{number}")
        return self._version(raw, page_id)

    # --- content properties (one shape in v1 and v2; paths differ) ------------------------
    @abstractmethod
    def _properties_path(self, page_id: str) -> str:
        raise NotImplementedError

    @abstractmethod
    def _property_path(self, page_id: str, current: ContentProperty) -> str:
        raise NotImplementedError

    async def list_properties(
        self, page_id: str, limit: int, cursor: str | None
    ) -> ResultPage[ContentProperty]:
        endpoint = self._properties_path(page_id)
        return await self._list(endpoint, {"limit": limit}, cursor, parse_property)

    async def create_property(self, page_id: str, key: str, value: Any) -> ContentProperty:
        response = await self._http.request(
            "POST", self._properties_path(page_id), json_body={"key": key, "value": value}
        )
        return parse_property(response.json())

    async def update_property(
        self, page_id: str, current: ContentProperty, value: Any
    ) -> ContentProperty:
        payload = {"key": current.key, "value": value, "version": {"number": current.version + 1}}
        try:
            # Never repeated: a PUT that did land would come back as a version conflict
            # (the client reads the property back instead when the outcome is unknown).
            response = await self._http.request(
                "PUT", self._property_path(page_id, current), json_body=payload, idempotent=False
            )
        except ConflictError as exc:
            raise exc.restated(
                f"property {current.key!r} of page {page_id} changed since version "
                f"{current.version}",
                resource="property",
                based_on=current.version,
            ) from None
        return parse_property(response.json())

    async def delete_property(self, page_id: str, current: ContentProperty) -> None:
        await self._http.request("DELETE", self._property_path(page_id, current))
