"""The core of the fake's in-memory, thread-safe store: users, spaces and the page tree.

Every public method takes the store's lock, so tests may seed or inspect it from their own
thread while the server answers requests. Records returned are live objects: treat them as
read-only and change state through the methods, which enforce Confluence's rules (version
increments, unique titles per space, trash before purge).
"""

from __future__ import annotations

import hmac
import itertools
import threading
from collections.abc import Callable
from datetime import datetime, timezone

from ._errors import FakeBadRequestError, FakeNotFoundError, VersionConflictError
from ._records import (
    AttachmentRecord,
    CommentRecord,
    InlineCommentRecord,
    LabelRecord,
    LongTaskRecord,
    PageRecord,
    PropertyRecord,
    SpaceRecord,
    TaskRecord,
    TemplateRecord,
    UserRecord,
    VersionRecord,
)
from ._visibility import page_visible

__all__ = ["StoreCore"]

_UNSET: object = object()


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class StoreCore:
    """Users, spaces and pages; ids are numeric strings from one shared sequence."""

    def __init__(self, clock: Callable[[], datetime] = _utcnow) -> None:
        self._lock = threading.RLock()
        self._clock = clock
        self._ids = itertools.count(65537)
        self.users: dict[str, UserRecord] = {}
        self.spaces: dict[str, SpaceRecord] = {}
        self.pages: dict[str, PageRecord] = {}
        self.comments: dict[str, CommentRecord] = {}
        self.inline_comments: dict[str, InlineCommentRecord] = {}
        self.long_tasks: dict[str, LongTaskRecord] = {}
        self.templates: dict[str, TemplateRecord] = {}
        self.tasks: dict[str, TaskRecord] = {}
        self.properties: dict[str, PropertyRecord] = {}
        # page id -> the account id of each view, in order (Cloud analytics)
        self.page_views: dict[str, list[str]] = {}
        # page id -> operation ("read" | "update") -> account ids allowed (user restrictions)
        self.restrictions: dict[str, dict[str, set[str]]] = {}
        self.attachments: dict[str, AttachmentRecord] = {}
        # Per-user credentials (the server's own Credentials add the default user's):
        # account id -> API token (basic auth), and personal access token -> account id.
        self.api_tokens: dict[str, str] = {}
        self.personal_tokens: dict[str, str] = {}
        self._labels: dict[tuple[str, str], LabelRecord] = {}
        self.current_user_id: str | None = None

    def replace_contents(self, other: StoreCore) -> None:
        """Take over ``other``'s records (ids, users, content) in place, keeping this lock."""
        with self._lock:
            lock = self._lock
            self.__dict__.update(other.__dict__)
            self._lock = lock

    def use_real_clock(self) -> None:
        """Stamp later writes with the real time (seeds use a fixed clock)."""
        self._clock = _utcnow

    @property
    def lock(self) -> threading.RLock:
        """The re-entrant lock guarding every record (hold it to read several consistently)."""
        return self._lock

    def now(self) -> datetime:
        """The store's clock (UTC)."""
        return self._clock()

    def next_id(self) -> str:
        """A fresh numeric id."""
        with self._lock:
            return str(next(self._ids))

    # ---- users -------------------------------------------------------------------------
    def add_user(
        self,
        display_name: str,
        email: str,
        *,
        username: str | None = None,
        account_id: str | None = None,
    ) -> UserRecord:
        """Add a user; the first one added becomes the default current user."""
        with self._lock:
            uid = account_id or f"557058:{self.next_id()}-fake-{len(self.users):04d}"
            name = username or email.split("@", 1)[0]
            user = UserRecord(uid, display_name, email, name, f"key-{name}")
            self.users[uid] = user
            if self.current_user_id is None:
                self.current_user_id = uid
            return user

    def set_user_tokens(
        self,
        account_id: str,
        *,
        api_token: str | None = None,
        personal_token: str | None = None,
    ) -> None:
        """Let the user sign in with an API token (basic auth with their email or username)
        and/or a personal access token (bearer)."""
        with self._lock:
            self.get_user(account_id)
            if api_token:
                self.api_tokens[account_id] = api_token
            if personal_token:
                for token in [t for t, uid in self.personal_tokens.items() if uid == account_id]:
                    del self.personal_tokens[token]
                self.personal_tokens[personal_token] = account_id

    def authenticate(self, login: str | None, secret: str) -> UserRecord | None:
        """The user a basic (``login`` + API token) or bearer (``login`` None, a personal
        access token) credential belongs to, or None."""
        with self._lock:
            if login is None:
                found = [uid for t, uid in self.personal_tokens.items() if _same(t, secret)]
                return self.users.get(found[0]) if found else None
            user = self.find_user(login)
            token = self.api_tokens.get(user.account_id) if user is not None else None
            return user if token is not None and _same(token, secret) else None

    def visible(self, page_id: str) -> bool:
        """Whether the request's user may read the page (see ``_visibility``)."""
        with self._lock:
            return page_visible(self.pages, self.restrictions, page_id)

    def get_user(self, account_id: str) -> UserRecord:
        """A user by account id."""
        with self._lock:
            try:
                return self.users[account_id]
            except KeyError:
                raise FakeNotFoundError(f"No user with accountId {account_id}") from None

    def find_user(self, login: str) -> UserRecord | None:
        """A user by account id, email, username or user key, or None."""
        with self._lock:
            for user in self.users.values():
                if login in (user.account_id, user.email, user.username, user.user_key):
                    return user
            return None

    def current_user(self) -> UserRecord:
        """The user the fake treats as authenticated."""
        with self._lock:
            if self.current_user_id is None:
                raise FakeNotFoundError("The store has no users")
            return self.users[self.current_user_id]

    # ---- spaces ------------------------------------------------------------------------
    def add_space(
        self,
        key: str,
        name: str,
        *,
        description: str = "",
        homepage_body: str = "",
        author_id: str | None = None,
        created_at: datetime | None = None,
    ) -> SpaceRecord:
        """Add a space and its home page (titled after the space, like Confluence does)."""
        with self._lock:
            if self.find_space_by_key(key) is not None:
                raise FakeBadRequestError(f"A space with key {key} already exists")
            author = author_id or self.current_user().account_id
            when = created_at or self.now()
            space = SpaceRecord(self.next_id(), key, name, description, author, when)
            self.spaces[space.id] = space
            home = self.add_page(
                space.id, f"{name} Home", homepage_body, author_id=author, created_at=when
            )
            space.homepage_id = home.id
            return space

    def get_space(self, space_id: str) -> SpaceRecord:
        """A space by numeric id."""
        with self._lock:
            try:
                return self.spaces[space_id]
            except KeyError:
                raise FakeNotFoundError(f"No space with id {space_id}") from None

    def find_space_by_key(self, key: str) -> SpaceRecord | None:
        """A space by key, or None."""
        with self._lock:
            return next((s for s in self.spaces.values() if s.key == key), None)

    def get_space_by_key(self, key: str) -> SpaceRecord:
        """A space by key."""
        space = self.find_space_by_key(key)
        if space is None:
            raise FakeNotFoundError(f"No space with key : {key}")
        return space

    def list_spaces(self) -> list[SpaceRecord]:
        """All spaces in id order."""
        with self._lock:
            return sorted(self.spaces.values(), key=lambda s: int(s.id))

    # ---- pages -------------------------------------------------------------------------
    def add_page(
        self,
        space: str,
        title: str,
        body: str = "",
        *,
        parent_id: str | None = None,
        author_id: str | None = None,
        status: str = "current",
        created_at: datetime | None = None,
        kind: str = "page",
    ) -> PageRecord:
        """Create a page or blog post (version 1); ``space`` is a space id or key."""
        with self._lock:
            space_rec = self.find_space_by_key(space) or self.get_space(space)
            if not title.strip():
                raise FakeBadRequestError("A page title is required")
            self._check_title_free(space_rec.id, title, None, kind)
            if parent_id is not None and kind == "blogpost":
                raise FakeBadRequestError("A blog post has no parent")
            if parent_id is not None:
                parent = self._tree_parent(parent_id)
                if parent.space_id != space_rec.id:
                    raise FakeBadRequestError("The parent page is in another space")
            author = author_id or self.current_user().account_id
            when = created_at or self.now()
            siblings = self.children(parent_id, space_rec.id) if parent_id else []
            version = VersionRecord(1, title, body, parent_id, author, when)
            page = PageRecord(
                self.next_id(), space_rec.id, status, len(siblings), author, when, [version]
            )
            page.kind = kind
            self.pages[page.id] = page
            return page

    def get_page(self, page_id: str, *, allow_trashed: bool = False) -> PageRecord:
        """A page by id; trashed pages only when ``allow_trashed``."""
        with self._lock:
            page = self.pages.get(page_id)
            if page is None or (page.status == "trashed" and not allow_trashed):
                raise FakeNotFoundError(f"No content with id {page_id}")
            if not self.visible(page_id):  # as in Confluence: restricted reads as missing
                raise FakeNotFoundError(f"No content with id {page_id}")
            return page

    def update_page(
        self,
        page_id: str,
        *,
        version: int,
        title: str | None = None,
        body: str | None = None,
        parent_id: object = _UNSET,
        message: str = "",
        minor_edit: bool = False,
        status: str | None = None,
        author_id: str | None = None,
    ) -> PageRecord:
        """Save a new version; ``version`` must be exactly current + 1 (else 409)."""
        with self._lock:
            page = self.get_page(page_id, allow_trashed=status == "current")
            if version != page.version + 1:
                raise VersionConflictError(page.version, version)
            new_title = page.title if title is None else title
            if not new_title.strip():
                raise FakeBadRequestError("A page title is required")
            if new_title != page.title:
                self._check_title_free(page.space_id, new_title, page.id, page.kind)
            new_parent = page.parent_id
            if parent_id is not _UNSET and parent_id != page.parent_id and page.kind == "blogpost":
                raise FakeBadRequestError("A blog post has no parent")
            if parent_id is not _UNSET and parent_id != page.parent_id:
                new_parent = self._checked_new_parent(page, parent_id)
                page.position = len(self.children(new_parent, page.space_id)) if new_parent else 0
            page.versions.append(
                VersionRecord(
                    version,
                    new_title,
                    page.body if body is None else body,
                    new_parent,
                    author_id or self.current_user().account_id,
                    self.now(),
                    message,
                    minor_edit,
                )
            )
            if status is not None:
                page.status = status
            return page

    def _checked_new_parent(self, page: PageRecord, parent_id: object) -> str | None:
        if parent_id is None:
            return None
        if not isinstance(parent_id, str):
            raise FakeBadRequestError("parentId must be a string")
        parent = self._tree_parent(parent_id)
        if parent.space_id != page.space_id:
            raise FakeBadRequestError("Cannot move a page to a parent in another space")
        if parent.id == page.id or page.id in {a.id for a in self.ancestors(parent.id)}:
            raise FakeBadRequestError("Cannot move a page below itself")
        return parent.id

    def _tree_parent(self, parent_id: str) -> PageRecord:
        # Blog posts live beside the page tree, never in it: none can hold a page.
        parent = self.get_page(parent_id)
        if parent.kind == "blogpost":
            raise FakeBadRequestError("A blog post cannot be the parent of a page")
        return parent

    def move_page(self, page_id: str, position: str, target_id: str) -> PageRecord:
        """Move a page ``append`` (under), ``before`` or ``after`` a target; no new version."""
        with self._lock:
            page, target = self.get_page(page_id), self.get_page(target_id)
            if position not in ("append", "before", "after"):
                raise FakeBadRequestError("position must be append, before or after")
            if page.id == target.id:
                raise FakeBadRequestError("Cannot move a page relative to itself")
            new_parent = target.id if position == "append" else target.parent_id
            if new_parent is not None:
                new_parent = self._checked_new_parent(page, new_parent)
            elif target.space_id != page.space_id:
                raise FakeBadRequestError("Cannot move a page to another space")
            siblings = [s for s in self.children(new_parent, page.space_id) if s.id != page.id]
            if position == "append":
                siblings.append(page)
            else:
                index = siblings.index(target) + (1 if position == "after" else 0)
                siblings.insert(index, page)
            page.current.parent_id = new_parent
            for index, sibling in enumerate(siblings):
                sibling.position = index
            return page

    def _check_title_free(
        self, space_id: str, title: str, own_id: str | None, kind: str = "page"
    ) -> None:
        for other in self.pages.values():
            if (
                other.kind == kind
                and other.space_id == space_id
                and other.id != own_id
                and other.status == "current"
                and other.title == title
            ):
                raise FakeBadRequestError(
                    "A page with this title already exists: A page already exists with the "
                    "same TITLE in this space"
                )

    def trash_page(self, page_id: str) -> PageRecord:
        """Move a page to the trash; its children move up a level, as in Confluence."""
        with self._lock:
            page = self.get_page(page_id)
            kids = self.children(page.id, page.space_id)
            offset = len(self.children(page.parent_id, page.space_id))
            for n, child in enumerate(kids):
                child.current.parent_id = page.parent_id
                child.position = offset + n
            page.status = "trashed"
            return page

    def purge_page(self, page_id: str) -> None:
        """Delete a trashed page for good (a page must be trashed first, as in Confluence)."""
        with self._lock:
            page = self.get_page(page_id, allow_trashed=True)
            if page.status != "trashed":
                raise FakeBadRequestError("Only a trashed page can be purged; trash it first")
            for child in self.children(page.id, page.space_id, include_trashed=True):
                child.versions[-1].parent_id = page.parent_id
            del self.pages[page.id]
            for cid in [c.id for c in self.comments.values() if c.page_id == page.id]:
                del self.comments[cid]
            for cid in [c.id for c in self.inline_comments.values() if c.page_id == page.id]:
                del self.inline_comments[cid]
            for aid in [a.id for a in self.attachments.values() if a.page_id == page.id]:
                del self.attachments[aid]

    def list_pages(
        self,
        *,
        space_id: str | None = None,
        statuses: tuple[str, ...] = ("current",),
        title: str | None = None,
        kind: str = "page",
    ) -> list[PageRecord]:
        """Pages (or blog posts) filtered by space, status and exact title, in id order."""
        with self._lock:
            return sorted(
                (
                    p
                    for p in self.pages.values()
                    if p.kind == kind
                    and (space_id is None or p.space_id == space_id)
                    and p.status in statuses
                    and (title is None or p.title == title)
                    and self.visible(p.id)
                ),
                key=lambda p: int(p.id),
            )

    def children(
        self,
        page_id: str | None,
        space_id: str,
        *,
        include_trashed: bool = False,
        kinds: tuple[str, ...] = ("page",),
    ) -> list[PageRecord]:
        """Direct children of a page (or the space's root pages when None), by position."""
        with self._lock:
            kids = [
                p
                for p in self.pages.values()
                if p.kind in kinds
                and p.space_id == space_id
                and p.parent_id == page_id
                and (include_trashed or p.status != "trashed")
                and self.visible(p.id)
            ]
            return sorted(kids, key=lambda p: (p.position, int(p.id)))

    def ancestors(self, page_id: str) -> list[PageRecord]:
        """Ancestors of a page, root first."""
        with self._lock:
            chain: list[PageRecord] = []
            page = self.get_page(page_id, allow_trashed=True)
            while page.parent_id is not None and page.parent_id in self.pages:
                page = self.pages[page.parent_id]
                chain.append(page)
            return list(reversed(chain))

    def descendants(
        self, page_id: str, max_depth: int | None = None, kinds: tuple[str, ...] = ("page",)
    ) -> list[tuple[PageRecord, int]]:
        """All descendants depth-first with their depth below ``page_id`` (children are 1)."""
        with self._lock:
            root = self.get_page(page_id)
            out: list[tuple[PageRecord, int]] = []

            def walk(pid: str, depth: int) -> None:
                if max_depth is not None and depth > max_depth:
                    return
                for child in self.children(pid, root.space_id, kinds=kinds):
                    out.append((child, depth))
                    walk(child.id, depth + 1)

            walk(root.id, 1)
            return out
