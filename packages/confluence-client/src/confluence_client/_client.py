"""The public async façade: validate arguments, then hand off to the deployment's backend."""

from __future__ import annotations

import mimetypes
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from types import TracebackType
from typing import Self, TypeVar

from confluence_client._backend import Backend
from confluence_client._cloud import CloudBackend
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
from confluence_client._errors import (
    ConfigurationError,
    ConflictError,
    InvalidInputError,
    MalformedResponseError,
    NotFoundError,
)
from confluence_client._events import RequestObserver
from confluence_client._models import (
    Attachment,
    BodyFormat,
    Comment,
    Label,
    Page,
    PageTreeNode,
    PageVersion,
    ResultPage,
    SearchResult,
    Space,
    User,
)
from confluence_client._page_urls import parse_page_url
from confluence_client._transport import Transport
from confluence_client._validation import (
    check_attachment_id,
    check_body,
    check_content_id,
    check_label_name,
    check_limit,
    check_space_key,
    check_text,
    check_title,
    check_version_number,
)

__all__ = ["ConfluenceClient", "DEFAULT_MAX_DOWNLOAD_BYTES"]

DEFAULT_MAX_DOWNLOAD_BYTES = 25 * 1024 * 1024
_BODY_FORMATS: frozenset[str] = frozenset({"storage", "view", "atlas_doc_format"})
_MAX_TREE_PAGES = 5000  # a tree walk stops with an error rather than pulling a whole wiki
T = TypeVar("T")


def _check_format(value: BodyFormat | None, *, optional: bool = True) -> BodyFormat | None:
    if value is None and optional:
        return None
    if value not in _BODY_FORMATS:
        raise InvalidInputError(
            f"body_format must be one of {sorted(_BODY_FORMATS)}, got {value!r}",
            field="body_format",
        )
    return value


class ConfluenceClient:
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
        self._backend: Backend
        if endpoint.deployment is Deployment.CLOUD:
            self._backend = CloudBackend(self._transport, endpoint.site_url)
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

    # --- pages -------------------------------------------------------------------------
    async def get_page(
        self,
        page_id: str | int,
        *,
        body_format: BodyFormat | None = "storage",
        version: int | None = None,
    ) -> Page:
        """Fetch a page by id, with its body in ``body_format`` (``None``: no body).

        ``version`` fetches an older version. Raises :class:`NotFoundError` if absent.
        """
        pid = check_content_id(page_id)
        fmt = _check_format(body_format)
        number = None if version is None else check_version_number(version)
        return await self._backend.get_page(pid, fmt, number)

    async def get_page_by_title(
        self, space_key: str, title: str, *, body_format: BodyFormat | None = "storage"
    ) -> Page:
        """Fetch the current page titled exactly ``title`` in a space.

        Raises :class:`NotFoundError` if the space has no such page.
        """
        key = check_space_key(space_key)
        name = check_title(title)
        page = await self._backend.find_page_by_title(key, name, _check_format(body_format))
        if page is None:
            raise NotFoundError(f"no page titled {name!r} in space {key!r}", status_code=404)
        return page

    async def get_page_by_url(
        self, url: str, *, body_format: BodyFormat | None = "storage"
    ) -> Page:
        """Fetch the page a Confluence page URL points to (Cloud, Data Center, display and
        tiny-link shapes). Raises :class:`InvalidInputError` for other URLs."""
        ref = parse_page_url(url)
        if ref.page_id is not None:
            return await self.get_page(ref.page_id, body_format=body_format)
        # Without an id, parse_page_url always returns a space key and a title.
        return await self.get_page_by_title(
            ref.space_key or "", ref.title or "", body_format=body_format
        )

    async def list_pages(
        self,
        space_key: str,
        *,
        limit: int = 25,
        cursor: str | None = None,
        body_format: BodyFormat | None = None,
    ) -> ResultPage[Page]:
        """One page of the current pages in a space; pass ``next_cursor`` back for more."""
        return await self._backend.list_pages(
            check_space_key(space_key),
            check_limit(limit),
            _cursor(cursor),
            _check_format(body_format),
        )

    def iter_pages(
        self, space_key: str, *, limit: int = 100, body_format: BodyFormat | None = None
    ) -> AsyncIterator[Page]:
        """Every current page of a space, following ``_links.next`` to the end."""
        key, size, fmt = check_space_key(space_key), check_limit(limit), _check_format(body_format)
        return _iterate(lambda c: self._backend.list_pages(key, size, c, fmt))

    async def list_children(
        self, page_id: str | int, *, limit: int = 25, cursor: str | None = None
    ) -> ResultPage[Page]:
        """One page of a page's direct child pages (no bodies)."""
        return await self._backend.list_children(
            check_content_id(page_id), check_limit(limit), _cursor(cursor)
        )

    def iter_children(self, page_id: str | int, *, limit: int = 100) -> AsyncIterator[Page]:
        """Every direct child page of a page."""
        pid, size = check_content_id(page_id), check_limit(limit)
        return _iterate(lambda c: self._backend.list_children(pid, size, c))

    async def get_ancestors(self, page_id: str | int) -> list[Page]:
        """The page's ancestors, root first, parent last (no bodies)."""
        return await self._backend.get_ancestors(check_content_id(page_id))

    def iter_descendants(self, page_id: str | int, *, limit: int = 100) -> AsyncIterator[Page]:
        """Every descendant page, at any depth (no bodies; ``parent_id`` is set)."""
        return self._backend.iter_descendants(check_content_id(page_id), check_limit(limit))

    async def get_page_tree(
        self, page_id: str | int, *, max_depth: int | None = None
    ) -> PageTreeNode:
        """The page and its descendants as a tree (children in Confluence's order).

        ``max_depth`` (>= 1) cuts the tree that many levels below the root.
        """
        pid = check_content_id(page_id)
        depth_cap = None if max_depth is None else check_version_number(max_depth, "max_depth")
        root = await self._backend.get_page(pid, None, None)
        children: dict[str, list[Page]] = {}
        count = 0
        async for page in self.iter_descendants(pid, limit=250):
            count += 1
            if count > _MAX_TREE_PAGES:
                raise InvalidInputError(
                    f"tree under {pid} has more than {_MAX_TREE_PAGES} pages", field="page_id"
                )
            children.setdefault(page.parent_id or pid, []).append(page)

        def build(page: Page, depth: int) -> PageTreeNode:
            if depth_cap is not None and depth >= depth_cap:
                return PageTreeNode(page=page)
            kids = tuple(build(child, depth + 1) for child in children.get(page.id, []))
            return PageTreeNode(page=page, children=kids)

        return build(root, 0)

    async def create_page(
        self, space_key: str, title: str, body: str, *, parent_id: str | int | None = None
    ) -> Page:
        """Create a current page from a storage-format body; returns it at version 1."""
        key, name, content = check_space_key(space_key), check_title(title), check_body(body)
        parent = None if parent_id is None else check_content_id(parent_id, "parent_id")
        return await self._backend.create_page(key, name, content, parent)

    async def update_page(
        self,
        page_id: str | int,
        *,
        expected_version: int,
        title: str | None = None,
        body: str | None = None,
        message: str | None = None,
        minor_edit: bool = False,
    ) -> Page:
        """Write a new version of a page that the caller read at ``expected_version``.

        Omitted ``title``/``body`` keep the current ones (one extra read); with both given
        the write is a single request. If the page moved on since
        ``expected_version``, raises :class:`ConflictError` carrying ``current_version`` and
        ``provided_version`` and writes nothing: never a silent overwrite.
        """
        pid = check_content_id(page_id)
        expected = check_version_number(expected_version, "expected_version")
        new_title = None if title is None else check_title(title)
        new_body = None if body is None else check_body(body)
        if message is not None and not isinstance(message, str):
            raise InvalidInputError("message must be a string", field="message")
        if new_title is not None and new_body is not None:
            # Nothing to keep from the current page: write directly; Confluence's own version
            # check (409) still refuses a stale expected_version, and the backend reports it.
            base = Page(id=pid, title=new_title, version=PageVersion(number=expected))
            return await self._backend.update_page(
                base, new_title, new_body, message, bool(minor_edit), None
            )
        current = await self._backend.get_page(pid, "storage", None)
        _require_version(current, expected)
        return await self._backend.update_page(
            _with_version(current, expected),
            new_title if new_title is not None else current.title,
            new_body if new_body is not None else _body_of(current),
            message,
            bool(minor_edit),
            None,
        )

    async def move_page(
        self,
        page_id: str | int,
        new_parent_id: str | int,
        *,
        expected_version: int | None = None,
    ) -> Page:
        """Move a page under a new parent (same space); a new version is written.

        With ``expected_version``, a page that changed since then raises :class:`ConflictError`.
        """
        pid = check_content_id(page_id)
        parent = check_content_id(new_parent_id, "new_parent_id")
        if parent == pid:
            raise InvalidInputError("a page cannot be its own parent", field="new_parent_id")
        current = await self._backend.get_page(pid, "storage", None)
        if expected_version is not None:
            _require_version(current, check_version_number(expected_version, "expected_version"))
        base = current.version_number or 1
        return await self._backend.update_page(
            _with_version(current, base), current.title, _body_of(current), None, True, parent
        )

    async def delete_page(self, page_id: str | int, *, purge: bool = False) -> None:
        """Move a page to the trash; with ``purge=True`` delete it for good."""
        await self._backend.delete_page(check_content_id(page_id), bool(purge))

    # --- search ------------------------------------------------------------------------
    async def search(
        self, cql: Cql | str, *, limit: int = 25, cursor: str | None = None
    ) -> ResultPage[SearchResult]:
        """One page of CQL search results. Build queries from user text with :class:`Cql`;
        a plain ``str`` is sent as written (trusted CQL only)."""
        return await self._backend.search(_cql_text(cql), check_limit(limit), _cursor(cursor))

    def iter_search(self, cql: Cql | str, *, limit: int = 100) -> AsyncIterator[SearchResult]:
        """Every result of a CQL search, following ``_links.next`` to the end."""
        text, size = _cql_text(cql), check_limit(limit)
        return _iterate(lambda c: self._backend.search(text, size, c))

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
            check_text(text, "text"),
            space_key=None if space_key is None else check_space_key(space_key),
            content_type=content_type,
        )
        return await self.search(query, limit=limit, cursor=cursor)

    # --- spaces ------------------------------------------------------------------------
    async def list_spaces(self, *, limit: int = 25, cursor: str | None = None) -> ResultPage[Space]:
        """One page of the spaces visible to the credentials."""
        return await self._backend.list_spaces(check_limit(limit), _cursor(cursor))

    def iter_spaces(self, *, limit: int = 100) -> AsyncIterator[Space]:
        """Every visible space."""
        size = check_limit(limit)
        return _iterate(lambda c: self._backend.list_spaces(size, c))

    async def get_space(self, space_key: str) -> Space:
        """A space by key. Raises :class:`NotFoundError` if absent."""
        return await self._backend.get_space(check_space_key(space_key))

    async def get_space_by_id(self, space_id: str | int) -> Space:
        """A space by numeric id. Raises :class:`NotFoundError` if absent."""
        return await self._backend.get_space_by_id(check_content_id(space_id, "space_id"))

    # --- comments ----------------------------------------------------------------------
    async def list_comments(
        self,
        page_id: str | int,
        *,
        limit: int = 25,
        cursor: str | None = None,
        body_format: BodyFormat | None = "storage",
    ) -> ResultPage[Comment]:
        """One page of a page's top-level footer comments (see ``list_comment_replies``)."""
        return await self._backend.list_comments(
            check_content_id(page_id),
            check_limit(limit),
            _cursor(cursor),
            _check_format(body_format),
        )

    def iter_comments(
        self, page_id: str | int, *, limit: int = 100, body_format: BodyFormat | None = "storage"
    ) -> AsyncIterator[Comment]:
        """Every top-level footer comment of a page."""
        pid, size, fmt = check_content_id(page_id), check_limit(limit), _check_format(body_format)
        return _iterate(lambda c: self._backend.list_comments(pid, size, c, fmt))

    async def list_comment_replies(
        self,
        comment_id: str | int,
        *,
        limit: int = 25,
        cursor: str | None = None,
        body_format: BodyFormat | None = "storage",
    ) -> ResultPage[Comment]:
        """One page of the direct replies to a footer comment."""
        return await self._backend.list_comment_replies(
            check_content_id(comment_id, "comment_id"),
            check_limit(limit),
            _cursor(cursor),
            _check_format(body_format),
        )

    def iter_comment_replies(
        self,
        comment_id: str | int,
        *,
        limit: int = 100,
        body_format: BodyFormat | None = "storage",
    ) -> AsyncIterator[Comment]:
        """Every direct reply to a footer comment."""
        cid = check_content_id(comment_id, "comment_id")
        size, fmt = check_limit(limit), _check_format(body_format)
        return _iterate(lambda c: self._backend.list_comment_replies(cid, size, c, fmt))

    async def get_comment(
        self, comment_id: str | int, *, body_format: BodyFormat | None = "storage"
    ) -> Comment:
        """One footer comment (or reply) by id, with its ``page_id``."""
        return await self._backend.get_comment(
            check_content_id(comment_id, "comment_id"), _check_format(body_format)
        )

    async def add_comment(self, page_id: str | int, body: str) -> Comment:
        """Add a footer comment (storage format) to a page."""
        return await self._backend.add_comment(check_content_id(page_id), _non_blank(body))

    async def reply_to_comment(self, comment_id: str | int, body: str) -> Comment:
        """Reply to a footer comment."""
        return await self._backend.reply_to_comment(
            check_content_id(comment_id, "comment_id"), _non_blank(body)
        )

    # --- labels ------------------------------------------------------------------------
    async def list_labels(
        self, page_id: str | int, *, limit: int = 25, cursor: str | None = None
    ) -> ResultPage[Label]:
        """One page of a page's labels."""
        return await self._backend.list_labels(
            check_content_id(page_id), check_limit(limit), _cursor(cursor)
        )

    def iter_labels(self, page_id: str | int, *, limit: int = 100) -> AsyncIterator[Label]:
        """Every label of a page."""
        pid, size = check_content_id(page_id), check_limit(limit)
        return _iterate(lambda c: self._backend.list_labels(pid, size, c))

    async def add_labels(self, page_id: str | int, names: Iterable[str]) -> list[Label]:
        """Add labels (lower-cased; duplicates ignored); returns the page's labels after."""
        if isinstance(names, str):
            raise InvalidInputError(
                "names must be a list of label names, not a string", field="names"
            )
        cleaned = list(dict.fromkeys(check_label_name(n, "names") for n in names))
        if not cleaned or len(cleaned) > 50:
            raise InvalidInputError("names must hold 1 to 50 labels", field="names")
        return await self._backend.add_labels(check_content_id(page_id), cleaned)

    async def remove_label(self, page_id: str | int, name: str) -> None:
        """Remove one label from a page (:class:`NotFoundError` if it is not there)."""
        await self._backend.remove_label(check_content_id(page_id), check_label_name(name, "name"))

    # --- attachments -------------------------------------------------------------------
    async def list_attachments(
        self, page_id: str | int, *, limit: int = 25, cursor: str | None = None
    ) -> ResultPage[Attachment]:
        """One page of a page's attachments (metadata only)."""
        return await self._backend.list_attachments(
            check_content_id(page_id), check_limit(limit), _cursor(cursor)
        )

    def iter_attachments(
        self, page_id: str | int, *, limit: int = 100
    ) -> AsyncIterator[Attachment]:
        """Every attachment of a page."""
        pid, size = check_content_id(page_id), check_limit(limit)
        return _iterate(lambda c: self._backend.list_attachments(pid, size, c))

    async def get_attachment(self, attachment_id: str | int) -> Attachment:
        """Attachment metadata by id (``att123`` or ``123``)."""
        return await self._backend.get_attachment(check_attachment_id(attachment_id))

    async def download_attachment(
        self, attachment: Attachment | str | int, *, max_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES
    ) -> bytes:
        """The attachment's bytes; over ``max_bytes`` raises :class:`DownloadTooLargeError`
        without reading the rest."""
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
            raise InvalidInputError("max_bytes must be a positive integer", field="max_bytes")
        meta = (
            attachment
            if isinstance(attachment, Attachment)
            else await self.get_attachment(attachment)
        )
        return await self._backend.download_attachment(meta, max_bytes)

    async def upload_attachment(
        self,
        page_id: str | int,
        filename: str,
        content: bytes,
        *,
        media_type: str | None = None,
        comment: str | None = None,
    ) -> Attachment:
        """Attach a file to a page (a new version if the name exists)."""
        name = check_title(filename, "filename")
        if "/" in name or "\\" in name:
            raise InvalidInputError("filename must not contain path separators", field="filename")
        if not isinstance(content, bytes | bytearray):
            raise InvalidInputError("content must be bytes", field="content")
        kind = media_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        if comment is not None and not isinstance(comment, str):
            raise InvalidInputError("comment must be a string", field="comment")
        return await self._backend.upload_attachment(
            check_content_id(page_id), name, bytes(content), kind, comment
        )

    # --- versions ----------------------------------------------------------------------
    async def list_versions(
        self, page_id: str | int, *, limit: int = 25, cursor: str | None = None
    ) -> ResultPage[PageVersion]:
        """One page of a page's versions, newest first."""
        return await self._backend.list_versions(
            check_content_id(page_id), check_limit(limit), _cursor(cursor)
        )

    def iter_versions(self, page_id: str | int, *, limit: int = 100) -> AsyncIterator[PageVersion]:
        """Every version of a page, newest first."""
        pid, size = check_content_id(page_id), check_limit(limit)
        return _iterate(lambda c: self._backend.list_versions(pid, size, c))

    async def get_version(self, page_id: str | int, number: int) -> PageVersion:
        """One version's metadata; fetch its content with ``get_page(id, version=n)``."""
        return await self._backend.get_version(
            check_content_id(page_id), check_version_number(number, "number")
        )

    # --- users -------------------------------------------------------------------------
    async def get_current_user(self) -> User:
        """The user the credentials belong to."""
        return await self._backend.get_current_user()

    async def search_users(
        self, query: str, *, limit: int = 25, cursor: str | None = None
    ) -> ResultPage[User]:
        """Users whose name matches ``query`` (escaped into CQL)."""
        return await self._backend.search_users(
            check_text(query, "query", max_length=200), check_limit(limit), _cursor(cursor)
        )


# --- helpers ---------------------------------------------------------------------------
def _cursor(value: str | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value or len(value) > 4000:
        raise InvalidInputError("cursor must be a value returned as next_cursor", field="cursor")
    return value


def _cql_text(cql: Cql | str) -> str:
    if isinstance(cql, Cql):
        return str(cql)
    return check_text(cql, "cql", max_length=8000)


def _non_blank(body: str) -> str:
    text = check_body(body)
    if not text.strip():
        raise InvalidInputError("body must not be empty", field="body")
    return text


def _body_of(page: Page) -> str:
    return page.body.value if page.body is not None else ""


def _require_version(current: Page, expected: int) -> None:
    actual = current.version_number
    if actual is not None and actual != expected:
        raise ConflictError(
            f"page {current.id} is at version {actual}, not the expected {expected}",
            current_version=actual,
            provided_version=expected,
        )


def _with_version(page: Page, expected: int) -> Page:
    # The backend sends expected + 1; it needs the caller's base version, not a fresh read.
    if page.version is not None:
        version = page.version.model_copy(update={"number": expected})
    else:
        version = PageVersion(number=expected)
    return page.model_copy(update={"version": version})


async def _iterate(
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
