"""The public async façade: validate arguments, then hand off to the deployment's backend.

Operations are grouped in mixins (``_client_pages``, ``_client_collab``); construction,
lifecycle, search and spaces live here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import TracebackType
from typing import TYPE_CHECKING

from confluence_client._backend import Backend
from confluence_client._client_base import check_cursor, cql_text, iterate
from confluence_client._client_collab import DEFAULT_MAX_DOWNLOAD_BYTES, CollaborationOperations
from confluence_client._client_copy import CopyOperations
from confluence_client._client_inline import InlineCommentOperations
from confluence_client._client_pages import PageOperations
from confluence_client._client_permissions import PermissionOperations
from confluence_client._cloud import CloudBackend
from confluence_client._comment_threads import CommentThreadOperations
from confluence_client._config import (
    DEFAULT_API_GATEWAY_URL,
    Auth,
    Clock,
    Deployment,
    RetryPolicy,
    SystemClock,
    Timeouts,
)
from confluence_client._cql import Cql
from confluence_client._datacenter import DataCenterBackend
from confluence_client._endpoint import resolve_endpoint
from confluence_client._errors import ConfigurationError
from confluence_client._events import RequestObserver
from confluence_client._models import ResultPage, SearchResult, Space
from confluence_client._properties import PropertyOperations
from confluence_client._spaces import SpaceCache
from confluence_client._transport import Transport
from confluence_client._validation import (
    check_content_id,
    check_limit,
    check_space_key,
    check_text,
)

if TYPE_CHECKING:
    from typing_extensions import Self  # annotations only: typing.Self is 3.11+

__all__ = ["ConfluenceClient", "DEFAULT_MAX_DOWNLOAD_BYTES"]


class ConfluenceClient(
    PageOperations,
    CollaborationOperations,
    InlineCommentOperations,
    CommentThreadOperations,
    CopyOperations,
    PermissionOperations,
    PropertyOperations,
):
    """Async client for Confluence Cloud (v2 + v1) and Data Center (v1).

    Use it as ``async with ConfluenceClient(url, auth) as client:``. Construction never does
    network I/O. Blocking HTTP calls (atlassian-python-api on requests) run in worker threads;
    at most ``max_concurrency`` run at once per client. Page bodies go in and come out in
    Confluence storage format.

    Args:
        base_url: the site, e.g. ``https://acme.atlassian.net/wiki`` or a Data Center base URL.
        auth: :class:`BasicAuth`, :class:`PersonalAccessToken` (Data Center) or
            :class:`OAuthToken` (Cloud, sent through ``api_gateway_url``).
        deployment: ``"cloud"`` or ``"datacenter"``; inferred from the host and auth if omitted.
        api_gateway_url: base of the OAuth gateway (tests point it at the fake).
        timeouts: per-request timeouts, or one number for both connect and read.
        retry: retry policy (default :class:`RetryPolicy`); ``RetryPolicy.disabled()`` for none.
        max_concurrency: cap on simultaneous requests from this client.
        verify_ssl: verify TLS certificates.
        clock: time source and sleeper (tests inject a fake one).
        on_request: called with a :class:`RequestEvent` after every HTTP attempt (retries
            included), on the event loop; for tracing and metrics. Exceptions it raises are
            logged and ignored.
    """

    def __init__(
        self,
        base_url: str,
        auth: Auth,
        *,
        deployment: Deployment | str | None = None,
        api_gateway_url: str = DEFAULT_API_GATEWAY_URL,
        timeouts: Timeouts | float = 30.0,
        retry: RetryPolicy | None = None,
        max_concurrency: int = 8,
        verify_ssl: bool = True,
        clock: Clock | None = None,
        on_request: RequestObserver | None = None,
    ) -> None:
        endpoint = resolve_endpoint(base_url, auth, deployment, api_gateway_url)
        if isinstance(timeouts, bool) or not isinstance(timeouts, Timeouts | int | float):
            raise ConfigurationError("timeouts must be a Timeouts or a number of seconds")
        if not isinstance(timeouts, Timeouts):
            timeouts = Timeouts(connect=float(timeouts), read=float(timeouts))
        if (
            isinstance(max_concurrency, bool)
            or not isinstance(max_concurrency, int)
            or not (1 <= max_concurrency <= 64)
        ):
            raise ConfigurationError("max_concurrency must be an integer from 1 to 64")
        if on_request is not None and not callable(on_request):
            raise ConfigurationError("on_request must be callable")
        self._endpoint = endpoint
        self._transport = Transport(
            api_base_url=endpoint.api_base_url,
            auth=auth,
            timeouts=timeouts,
            retry=retry if retry is not None else RetryPolicy(),
            max_concurrency=max_concurrency,
            verify_ssl=verify_ssl,
            clock=clock if clock is not None else SystemClock(),
            on_request=on_request,
        )
        self._spaces = SpaceCache()
        self._backend: Backend
        if endpoint.deployment is Deployment.CLOUD:
            self._backend = CloudBackend(self._transport, endpoint.site_url, self._spaces)
        else:
            self._backend = DataCenterBackend(self._transport, endpoint.site_url)

    # --- lifecycle ---------------------------------------------------------------------
    @property
    def deployment(self) -> Deployment:
        """The deployment this client talks to."""
        return self._endpoint.deployment

    @property
    def site_url(self) -> str:
        """The site's base URL (where people open pages)."""
        return self._endpoint.site_url

    @property
    def api_base_url(self) -> str:
        """Where REST paths are sent (the OAuth gateway URL for OAuth clients)."""
        return self._endpoint.api_base_url

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Release pooled connections. The client must not be used afterwards."""
        await self._transport.aclose()

    def __repr__(self) -> str:
        return f"ConfluenceClient({self.site_url!r}, deployment={self.deployment.value!r})"

    # --- search ------------------------------------------------------------------------
    async def search(
        self, cql: Cql | str, *, limit: int = 25, cursor: str | None = None
    ) -> ResultPage[SearchResult]:
        """One page of CQL search results. Build queries from user text with :class:`Cql`;
        a plain ``str`` is sent as written (trusted CQL only)."""
        return await self._backend.search(cql_text(cql), check_limit(limit), check_cursor(cursor))

    def iter_search(self, cql: Cql | str, *, limit: int = 100) -> AsyncIterator[SearchResult]:
        """Every result of a CQL search, following ``_links.next`` to the end."""
        text, size = cql_text(cql), check_limit(limit)
        return iterate(lambda c: self._backend.search(text, size, c))

    async def search_text(
        self,
        text: str,
        *,
        space_key: str | None = None,
        content_type: str | None = "page",
        limit: int = 25,
        cursor: str | None = None,
    ) -> ResultPage[SearchResult]:
        """Plain-text search (``text ~ "..."``, escaped), optionally within one space."""
        query = Cql.text_search(
            check_text(text, "text", controls="blank"),
            space_key=None if space_key is None else check_space_key(space_key),
            content_type=content_type,
        )
        return await self.search(query, limit=limit, cursor=cursor)

    # --- spaces ------------------------------------------------------------------------
    async def list_spaces(self, *, limit: int = 25, cursor: str | None = None) -> ResultPage[Space]:
        """One page of the spaces visible to the credentials."""
        return await self._backend.list_spaces(check_limit(limit), check_cursor(cursor))

    def iter_spaces(self, *, limit: int = 100) -> AsyncIterator[Space]:
        """Every visible space."""
        size = check_limit(limit)
        return iterate(lambda c: self._backend.list_spaces(size, c))

    async def get_space(self, space_key: str) -> Space:
        """A space by key. Raises :class:`NotFoundError` if absent."""
        space = await self._backend.get_space(check_space_key(space_key))
        return self._spaces.remember(space)

    async def get_space_by_id(self, space_id: str | int) -> Space:
        """A space by numeric id. Raises :class:`NotFoundError` if absent."""
        space = await self._backend.get_space_by_id(check_content_id(space_id, "space_id"))
        return self._spaces.remember(space)

    async def space_id_for_key(self, space_key: str) -> str:
        """The id of the space with this key; asks Confluence once per key and client.

        Raises :class:`NotFoundError` if absent (not remembered: it may be created later).
        """
        key = check_space_key(space_key)
        known = self._spaces.id_for(key)
        return known if known is not None else (await self.get_space(key)).id

    async def space_key_for_id(self, space_id: str | int) -> str:
        """The key of the space with this id; asks Confluence once per id and client."""
        checked = check_content_id(space_id, "space_id")
        known = self._spaces.key_for(checked)
        return known if known is not None else (await self.get_space_by_id(checked)).key
