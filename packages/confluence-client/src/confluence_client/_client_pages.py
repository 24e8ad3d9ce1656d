"""Page operations of :class:`ConfluenceClient`."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from functools import partial
from urllib.parse import urlsplit

from confluence_client._client_base import (
    ClientBase,
    body_of,
    check_cursor,
    check_format,
    iterate,
    paging,
    require_version,
    with_version,
)
from confluence_client._encoding import check_encodable
from confluence_client._errors import BadRequestError, InvalidInputError, NotFoundError
from confluence_client._models import (
    BodyFormat,
    ContentType,
    Page,
    PageTreeNode,
    PageVersion,
    ResultPage,
    Template,
)
from confluence_client._move_checks import explain_refused_move
from confluence_client._page_urls import parse_page_url
from confluence_client._templates import fill_template
from confluence_client._validation import (
    check_body,
    check_content_id,
    check_depth,
    check_limit,
    check_space_key,
    check_title,
    check_version_number,
)

__all__ = ["PageOperations"]

_MAX_TREE_PAGES = 5000  # a tree walk stops with an error rather than pulling a whole wiki
_CONTENT_TYPES = ("page", "blogpost")


def check_content_type(value: object) -> ContentType:
    if value == "page":
        return "page"
    if value == "blogpost":
        return "blogpost"
    raise InvalidInputError(
        f"content_type must be one of {list(_CONTENT_TYPES)}, got {value!r}", field="content_type"
    )


class PageOperations(ClientBase):
    """Read, list, walk, write, move and delete pages."""

    # --- pages -------------------------------------------------------------------------
    async def get_page(
        self,
        page_id: str | int,
        *,
        body_format: BodyFormat | None = "storage",
        version: int | None = None,
        content_type: ContentType = "page",
    ) -> Page:
        """Fetch a page (or, with ``content_type="blogpost"``, a blog post) by id, with its
        body in ``body_format`` (``None``: no body).

        ``version`` fetches an older version. Raises :class:`NotFoundError` if absent or of
        the other type.
        """
        pid = check_content_id(page_id)
        fmt = check_format(body_format)
        number = None if version is None else check_version_number(version)
        return await self._backend.get_page(pid, fmt, number, check_content_type(content_type))

    async def get_page_by_title(
        self, space_key: str, title: str, *, body_format: BodyFormat | None = "storage"
    ) -> Page:
        """Fetch the current page titled exactly ``title`` in a space.

        Raises :class:`NotFoundError` if the space has no such page.
        """
        key = check_space_key(space_key)
        name = check_title(title)
        page = await self._backend.find_page_by_title(key, name, check_format(body_format))
        if page is None:
            raise NotFoundError(f"no page titled {name!r} in space {key!r}", status_code=404)
        return page

    async def get_page_by_url(
        self, url: str, *, body_format: BodyFormat | None = "storage"
    ) -> Page:
        """Fetch the page a Confluence page URL points to (Cloud, Data Center, display and
        tiny-link shapes). Raises :class:`InvalidInputError` for other URLs, including
        URLs of another site (an id from there would name a different page here)."""
        ref = parse_page_url(url)
        site = self._endpoint.site_url
        if urlsplit(url.strip()).hostname != urlsplit(site).hostname:
            # The site is not named: the message may reach callers who need not learn it.
            raise InvalidInputError(
                "url is not a page of the Confluence site this client uses", field="url"
            )
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
            check_space_key(space_key), *paging(limit, cursor, body_format)
        )

    def iter_pages(
        self, space_key: str, *, limit: int = 100, body_format: BodyFormat | None = None
    ) -> AsyncIterator[Page]:
        """Every current page of a space, following ``_links.next`` to the end."""
        key, size, fmt = check_space_key(space_key), check_limit(limit), check_format(body_format)
        return iterate(lambda c: self._backend.list_pages(key, size, c, fmt))

    async def list_blogposts(
        self,
        space_key: str,
        *,
        limit: int = 25,
        cursor: str | None = None,
        body_format: BodyFormat | None = None,
    ) -> ResultPage[Page]:
        """One page of the current blog posts of a space (``content_type="blogpost"``)."""
        return await self._backend.list_blogposts(
            check_space_key(space_key), *paging(limit, cursor, body_format)
        )

    def iter_blogposts(
        self, space_key: str, *, limit: int = 100, body_format: BodyFormat | None = None
    ) -> AsyncIterator[Page]:
        """Every current blog post of a space."""
        key, size, fmt = check_space_key(space_key), check_limit(limit), check_format(body_format)
        return iterate(lambda c: self._backend.list_blogposts(key, size, c, fmt))

    async def list_children(
        self, page_id: str | int, *, limit: int = 25, cursor: str | None = None
    ) -> ResultPage[Page]:
        """One page of a page's direct child pages (no bodies)."""
        return await self._backend.list_children(
            check_content_id(page_id), check_limit(limit), check_cursor(cursor)
        )

    def iter_children(self, page_id: str | int, *, limit: int = 100) -> AsyncIterator[Page]:
        """Every direct child page of a page."""
        pid, size = check_content_id(page_id), check_limit(limit)
        return iterate(lambda c: self._backend.list_children(pid, size, c))

    async def create_folder(
        self, space_key: str, title: str, *, parent_id: str | int | None = None
    ) -> Page:
        """Create a folder (Cloud), optionally under a page or folder; ``content_type`` is
        ``"folder"``. Move pages into it with :meth:`move_page`."""
        key, name = check_space_key(space_key), check_title(title)
        parent = None if parent_id is None else check_content_id(parent_id, "parent_id")
        return await self._backend.create_folder(key, name, parent)

    async def get_folder(self, folder_id: str | int) -> Page:
        """A folder by id (Cloud): title, parent and space, no body."""
        return await self._backend.get_folder(check_content_id(folder_id, "folder_id"))

    async def get_whiteboard(self, whiteboard_id: str | int) -> Page:
        """A whiteboard's metadata (Cloud): title, parent, space, version and web link;
        ``content_type`` is ``"whiteboard"``. The canvas itself has no REST representation."""
        return await self._backend.get_node(
            "whiteboard", check_content_id(whiteboard_id, "whiteboard_id")
        )

    async def get_database(self, database_id: str | int) -> Page:
        """A database's metadata (Cloud), like :meth:`get_whiteboard`; its rows have no REST
        API."""
        return await self._backend.get_node(
            "database", check_content_id(database_id, "database_id")
        )

    async def list_folder_children(
        self, folder_id: str | int, *, limit: int = 25, cursor: str | None = None
    ) -> ResultPage[Page]:
        """One page of a folder's direct children: pages, folders, whiteboards and databases
        (``content_type``)."""
        return await self._backend.list_folder_children(
            check_content_id(folder_id, "folder_id"), check_limit(limit), check_cursor(cursor)
        )

    async def get_ancestors(self, page_id: str | int) -> list[Page]:
        """The page's ancestors, root first, parent last (no bodies)."""
        return await self._backend.get_ancestors(check_content_id(page_id))

    def iter_descendants(self, page_id: str | int, *, limit: int = 100) -> AsyncIterator[Page]:
        """Every descendant page, at any depth (no bodies; ``parent_id`` is set). On Cloud,
        folders in between come too (``content_type="folder"``)."""
        return self._backend.iter_descendants(check_content_id(page_id), check_limit(limit))

    async def walk_page_tree(
        self,
        page_id: str | int | None = None,
        *,
        space_key: str | None = None,
        max_depth: int,
        limit: int = 100,
    ) -> AsyncGenerator[tuple[int, Page], None]:
        """``(depth, page)`` breadth-first, never reading a page deeper than ``max_depth``.

        Depth 0 is the page ``page_id``, or the root pages of ``space_key`` (give exactly
        one). Each level is read with one children listing per parent (no bodies;
        ``parent_id`` is set below depth 0), so stopping early costs no further requests.
        """
        if (page_id is None) == (space_key is None):
            raise InvalidInputError("give exactly one of page_id or space_key", field="page_id")
        depth_cap = check_depth(max_depth)
        size = check_limit(limit)
        level: list[Page] = []
        if page_id is not None:
            level.append(await self._tree_root(check_content_id(page_id)))
            yield 0, level[0]
        else:
            key = check_space_key(space_key or "")
            async for root in iterate(lambda c: self._backend.list_root_pages(key, size, c)):
                level.append(root)
                yield 0, root
        for depth in range(1, depth_cap + 1):
            below: list[Page] = []
            for parent in level:
                # Pages and (Cloud) folders: a folder is a node whose pages sit below it.
                kids = iterate(partial(self._backend.list_tree_children, parent, size))
                async for child in kids:
                    if child.parent_id != parent.id:
                        child = child.model_copy(update={"parent_id": parent.id})
                    below.append(child)
                    yield depth, child
            if not below:
                return
            level = below

    async def _tree_root(self, node_id: str) -> Page:
        """A page, or (Cloud) a folder: both can root a tree walk."""
        try:
            return await self._backend.get_page(node_id, None, None)
        except NotFoundError:
            if self._endpoint.deployment.value != "cloud":
                raise
            try:
                return await self._backend.get_folder(node_id)
            except NotFoundError:
                raise NotFoundError(f"no page or folder {node_id}", status_code=404) from None

    async def get_page_tree(
        self, page_id: str | int, *, max_depth: int | None = None
    ) -> PageTreeNode:
        """The page and its descendants as a tree (children in Confluence's order).

        ``max_depth`` (>= 1) cuts the tree that many levels below the root; nothing deeper
        is read (see :meth:`walk_page_tree`).
        """
        pid = check_content_id(page_id)
        depth_cap = None if max_depth is None else check_version_number(max_depth, "max_depth")
        root = await self._backend.get_page(pid, None, None)
        children: dict[str, list[Page]] = {}
        count = 0
        pages: AsyncIterator[Page] = (
            self.iter_descendants(pid, limit=250)
            if depth_cap is None
            else _below_root(self.walk_page_tree(pid, max_depth=depth_cap, limit=250))
        )
        async for page in pages:
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
        self,
        space_key: str,
        title: str,
        body: str,
        *,
        parent_id: str | int | None = None,
        content_type: ContentType = "page",
    ) -> Page:
        """Create a current page (or blog post: no ``parent_id``) from a storage-format body;
        returns it at version 1."""
        key, name, content = check_space_key(space_key), check_title(title), check_body(body)
        kind = check_content_type(content_type)
        parent = None if parent_id is None else check_content_id(parent_id, "parent_id")
        if parent is not None and kind != "page":
            raise InvalidInputError("a blog post has no parent page", field="parent_id")
        return await self._backend.create_page(key, name, content, parent, kind)

    async def list_templates(
        self, space_key: str | None = None, *, limit: int = 25, cursor: str | None = None
    ) -> ResultPage[Template]:
        """One page of a space's page templates, or of the global ones."""
        key = None if space_key is None else check_space_key(space_key)
        return await self._backend.list_templates(key, check_limit(limit), check_cursor(cursor))

    async def get_template(self, template_id: str | int) -> Template:
        """A template with its storage body and the names of its variables."""
        return await self._backend.get_template(check_content_id(template_id, "template_id"))

    async def create_page_from_template(
        self,
        template_id: str | int,
        space_key: str,
        title: str,
        *,
        variables: Mapping[str, str] | None = None,
        parent_id: str | int | None = None,
    ) -> Page:
        """Create a page from a template, every variable filled from ``variables`` (each
        one the template uses must be given; values are text, escaped)."""
        template = await self.get_template(template_id)
        body = fill_template(template.body or "", dict(variables or {}))
        return await self.create_page(space_key, title, body, parent_id=parent_id)

    async def update_page(
        self,
        page_id: str | int,
        *,
        expected_version: int,
        title: str | None = None,
        body: str | None = None,
        message: str | None = None,
        minor_edit: bool = False,
        content_type: ContentType = "page",
    ) -> Page:
        """Write a new version of a page (or blog post) the caller read at ``expected_version``.

        Omitted ``title``/``body`` keep the current ones (one extra read); with both given
        the write is a single request. If the page moved on since
        ``expected_version``, raises :class:`ConflictError` carrying ``current_version`` and
        ``provided_version`` and writes nothing: never a silent overwrite.
        """
        pid = check_content_id(page_id)
        kind = check_content_type(content_type)
        expected = check_version_number(expected_version, "expected_version")
        new_title = None if title is None else check_title(title)
        new_body = None if body is None else check_body(body)
        if message is not None and not isinstance(message, str):
            raise InvalidInputError("message must be a string", field="message")
        check_encodable(message, "message")
        if new_title is not None and new_body is not None:
            # Nothing to keep from the current page: write directly; Confluence's own version
            # check (409) still refuses a stale expected_version, and the backend reports it.
            base = Page(
                id=pid, title=new_title, version=PageVersion(number=expected), content_type=kind
            )
            return await self._backend.update_page(
                base, new_title, new_body, message, bool(minor_edit), None
            )
        current = await self._backend.get_page(pid, "storage", None, kind)
        require_version(current, expected)
        return await self._backend.update_page(
            with_version(current, expected),
            new_title if new_title is not None else current.title,
            new_body if new_body is not None else body_of(current),
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
        current: Page | None = None,
    ) -> Page:
        """Move a page under a new parent (same space); a new version is written, unless the
        page read here is already under that parent (then it is returned, nothing written).

        With ``expected_version``, a page that changed since then raises :class:`ConflictError`.
        A parent that cannot hold the page (another space, a blog post, the page's own
        descendant) raises :class:`InvalidMoveError` saying which.
        The write carries the page's title and body, so the page is read first, unless
        ``current`` is that page as the caller just read it with its storage body (one
        request fewer; Confluence's version check on the write refuses a page changed since).
        """
        pid = check_content_id(page_id)
        parent = check_content_id(new_parent_id, "new_parent_id")
        if parent == pid:
            raise InvalidInputError("a page cannot be its own parent", field="new_parent_id")
        if current is not None and current.id != pid:
            raise InvalidInputError(
                f"current is page {current.id}, not page {pid}", field="current"
            )
        if current is not None and _rewritable(current):
            page, read_here = current, False
        else:
            page, read_here = await self._backend.get_page(pid, "storage", None), True
        if expected_version is not None:
            require_version(page, check_version_number(expected_version, "expected_version"))
        if read_here and page.parent_id == parent:
            # Already there (as just read): the write would only add a version that changes
            # nothing. A caller's read may be older, so then the write goes ahead.
            return page
        base = page.version_number or 1
        try:
            return await self._backend.update_page(
                with_version(page, base), page.title, body_of(page), None, True, parent
            )
        except (BadRequestError, NotFoundError) as refusal:
            raise await explain_refused_move(self._backend, page, parent, refusal) from None

    async def delete_page(
        self, page_id: str | int, *, purge: bool = False, content_type: ContentType = "page"
    ) -> None:
        """Move a page (or blog post) to the trash; with ``purge=True`` delete it for good."""
        await self._backend.delete_page(
            check_content_id(page_id), bool(purge), check_content_type(content_type)
        )


def _rewritable(page: Page) -> bool:
    """Whether ``page`` holds what rewriting it unchanged needs: a version and the storage
    body (without it the write would blank the page)."""
    body = page.body
    return (
        page.content_type == "page"
        and page.version_number is not None
        and body is not None
        and body.representation == "storage"
    )


async def _below_root(walk: AsyncIterator[tuple[int, Page]]) -> AsyncIterator[Page]:
    """The pages of a walk without its depth-0 root."""
    async for depth, page in walk:
        if depth > 0:
            yield page
