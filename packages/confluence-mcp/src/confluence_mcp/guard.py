"""The space allow-list (``CONFLUENCE_SPACES_FILTER``), enforced by every tool.

Anything in a space outside the list behaves exactly like something that does not exist: the
guard raises the SDK's ``NotFoundError``, which every handler maps to the same "not found"
message, so the filter does not even reveal which ids exist elsewhere. Search results are
scoped in the query and filtered again afterwards. A request to a space-scoped endpoint
(:mod:`confluence_mcp.scoping`) narrows the list to that one space for its duration, and so
does the caller's own allow-list (:func:`principal_spaces_bound`, set per request by the
remote service from the authenticated principal): the global filter is always the ceiling.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Literal, TypeVar

if TYPE_CHECKING:
    from confluence_client import ConfluenceClient, Cql, NotFoundError, Page, SearchResult

__all__ = ["SpaceGuard", "principal_spaces_bound"]

T = TypeVar("T")

_PRINCIPAL_SPACES: ContextVar[frozenset[str] | None] = ContextVar(
    "confluence_mcp_principal_spaces", default=None
)


@contextmanager
def principal_spaces_bound(spaces: frozenset[str] | None) -> Iterator[None]:
    """Narrow every guard to ``spaces`` (upper-cased keys; ``None``: no narrowing) while the
    block runs: the current caller's own allow-list."""
    token = _PRINCIPAL_SPACES.set(spaces)
    try:
        yield
    finally:
        _PRINCIPAL_SPACES.reset(token)


def _not_found() -> NotFoundError:
    from confluence_client import NotFoundError

    return NotFoundError("outside the allowed spaces", status_code=404)


class SpaceGuard:
    """Decides whether a space, page or search hit may be shown.

    ``allowed`` holds upper-cased space keys; ``None`` allows every space (then each check is
    free: no lookups).
    """

    def __init__(
        self,
        allowed: frozenset[str] | None,
        client: Callable[[], Awaitable[ConfluenceClient]],
    ) -> None:
        self._configured = allowed
        self._client = client

    @property
    def _allowed(self) -> frozenset[str] | None:
        from confluence_mcp.scoping import scoped_space

        allowed = self._configured
        own = _PRINCIPAL_SPACES.get()
        if own is not None:
            allowed = own if allowed is None else allowed & own
        space = scoped_space()
        if space is None:
            return allowed
        if allowed is not None and space not in allowed:
            return frozenset()
        return frozenset({space})

    @property
    def allowed_spaces(self) -> frozenset[str] | None:
        """The allowed space keys (upper-cased), or ``None`` for all spaces."""
        return self._allowed

    def allows_key(self, space_key: str | None) -> bool:
        """Whether a space key is allowed (an unknown key is not, when a filter is set)."""
        allowed = self._allowed
        if allowed is None:
            return True
        return space_key is not None and space_key.upper() in allowed

    def check_space_key(self, space_key: str) -> str:
        """Return ``space_key`` if allowed; else raise the SDK's ``NotFoundError``."""
        if not self.allows_key(space_key):
            raise _not_found()
        return space_key

    async def check_space_id(self, space_id: str | None) -> None:
        """Raise ``NotFoundError`` unless the space with this id is allowed.

        The id's key comes from the SDK client's space cache: one lookup per space id.
        """
        if self._allowed is None:
            return
        if space_id is None:
            raise _not_found()
        client = await self._client()
        # A space that does not exist raises NotFoundError here too: the same answer.
        self.check_space_key(await client.space_key_for_id(space_id))

    async def check_page(self, page: Page) -> Page:
        """Return ``page`` if it lives in an allowed space; else raise ``NotFoundError``."""
        if self._allowed is None:
            return page
        if page.space_key is not None:
            self.check_space_key(page.space_key)
        else:
            await self.check_space_id(page.space_id)
        return page

    async def check_page_id(
        self, page_id: str, content_type: Literal["page", "blogpost", "folder"] = "page"
    ) -> Page | None:
        """Check the space of the page with this id.

        Without a filter this is free and returns ``None``; with one, it fetches the page's
        metadata (no body) and returns the page once it passed. An id of another type (a blog
        post, says Data Center) in an allowed space passes too and returns ``None``, as without
        a filter: the space is what is checked here, and the tool's own call decides whether
        that type will do (labels, comments and attachments work on any).
        """
        if self._allowed is None:
            return None
        from confluence_client import ContentTypeMismatchError

        client = await self._client()
        try:
            if content_type == "folder":
                page = await client.get_folder(page_id)
            else:
                page = await client.get_page(page_id, body_format=None, content_type=content_type)
        except ContentTypeMismatchError as exc:
            if exc.content_id != page_id or not self.allows_key(exc.space_key):
                raise _not_found() from None  # its type is not told outside the filter
            return None
        return await self.check_page(page)

    async def check_parent_id(self, parent_id: str) -> None:
        """Check a parent that may be a page or (Cloud) a folder."""
        if self._allowed is None:
            return
        from confluence_client import NotFoundError, NotSupportedError

        try:
            await self.check_page_id(parent_id)
        except NotFoundError:
            try:
                await self.check_page_id(parent_id, "folder")
            except NotSupportedError:
                raise _not_found() from None

    def cql_scope(self) -> Cql | None:
        """A ``space in (...)`` clause to AND into searches, or ``None`` without a filter."""
        allowed = self._allowed
        if allowed is None:
            return None
        from confluence_client import Cql

        # An empty scope (a scoped space outside the filter) matches no real space key.
        return Cql.in_("space", sorted(allowed) or ["~none~"])

    def filter_results(self, results: Iterable[SearchResult]) -> list[SearchResult]:
        """Drop search hits from other spaces (a second line of defence after the query)."""
        return [hit for hit in results if self.allows_key(hit.space_key)]

    def filter_keys(self, items: Iterable[T], key: Callable[[T], str | None]) -> list[T]:
        """Keep the items whose space key is allowed (spaces listings, completions)."""
        return [item for item in items if self.allows_key(key(item))]
