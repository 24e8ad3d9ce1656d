"""CQL search over the store: facts per record, filtering, ordering, excerpts."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from ._cql import EvalContext, Facts, matches, order, parse_cql
from ._cql_parser import And, Clause, CQLQuery, Node, Not, Or
from ._records import AttachmentRecord, CommentRecord, PageRecord, UserRecord
from ._render import storage_to_text
from ._store import FakeStore

__all__ = ["search_content", "search_users", "excerpt", "asks_for_users", "text_terms"]

Content = PageRecord | CommentRecord | AttachmentRecord


def _user_names(store: FakeStore) -> Callable[[str], str]:
    """Mentions read as display names in search text and excerpts, as Confluence shows them."""

    def name(account_id: str) -> str:
        user = store.users.get(account_id)
        return user.display_name if user else account_id

    return name


def _facts(store: FakeStore, item: Content) -> Facts:
    if isinstance(item, PageRecord):
        return Facts(
            kind=item.kind,
            id=item.id,
            title=item.title,
            text=storage_to_text(item.body, _user_names(store)),
            space_key=store.spaces[item.space_id].key,
            labels=tuple(lb.name for lb in item.labels),
            ancestors=tuple(a.id for a in store.ancestors(item.id)),
            parent=item.parent_id,
            creator=item.author_id,
            contributors=tuple({v.author_id for v in item.versions}),
            created=item.created_at,
            modified=item.modified_at,
        )
    page = store.pages[item.page_id]
    if isinstance(item, CommentRecord):
        kind, fid, title, text = (
            "comment",
            item.id,
            f"Re: {page.title}",
            storage_to_text(item.body, _user_names(store)),
        )
    else:
        kind, fid, title, text = "attachment", "att" + item.id, item.title, item.comment
    return Facts(
        kind=kind,
        id=fid,
        title=title,
        text=text,
        space_key=store.spaces[page.space_id].key,
        ancestors=(*(a.id for a in store.ancestors(page.id)), page.id),
        parent=page.id,
        creator=item.author_id,
        created=item.created_at,
        modified=item.created_at,
    )


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Not):
        return (node.part,)
    if isinstance(node, And | Or):
        return node.parts
    return ()


def _mentions_type(node: Node | None, kind: str) -> bool:
    if node is None:
        return False
    if isinstance(node, Clause):
        return node.field == "type" and kind in (str(v).lower() for v in node.values)
    return any(_mentions_type(p, kind) for p in _children(node))


def asks_for_users(query: CQLQuery) -> bool:
    """Whether a query is a user search (``type = user`` or ``user.*`` fields)."""
    return _mentions_type(query.where, "user")


_CLOUD_ONLY_KINDS = frozenset({"folder", "whiteboard", "database"})


def search_content(
    store: FakeStore,
    query: CQLQuery,
    current_user: str,
    now: datetime,
    *,
    data_center: bool = False,
) -> list[tuple[Content, Facts]]:
    """Current content matching the query (trashed pages and their comments excluded). A Data
    Center site of the fake shares the store with Cloud but finds no Cloud-only node types."""
    ctx = EvalContext(current_user, now)
    found: dict[str, tuple[Content, Facts]] = {}
    with store.lock:
        for item in store.iter_content():
            if data_center and isinstance(item, PageRecord) and item.kind in _CLOUD_ONLY_KINDS:
                continue
            page_id = item.id if isinstance(item, PageRecord) else item.page_id
            page = store.pages.get(page_id)
            if page is None or page.status != "current":
                continue
            facts = _facts(store, item)
            if matches(query.where, facts, ctx):
                found[facts.id] = (item, facts)
    ordered = order([f for _, f in found.values()], query)
    return [found[f.id] for f in ordered]


def search_users(
    store: FakeStore, raw_cql: str, current_user: str, now: datetime
) -> list[UserRecord]:
    """Users matching a user CQL (``user.fullname ~ "x"``, ``user = <id>``, ``type = user``)."""
    query = parse_cql(raw_cql)
    ctx = EvalContext(current_user, now)
    with store.lock:
        users = list(store.users.values())
    return [
        u
        for u in users
        if matches(
            query.where,
            Facts(
                kind="user",
                id=u.account_id,
                title=u.display_name,
                account_id=u.account_id,
                created=now,
                modified=now,
            ),
            ctx,
        )
    ]


def excerpt(text: str, terms: list[str], highlight: bool, width: int = 200) -> str:
    """A snippet around the first hit; hits wrapped in Confluence's ``@@@hl@@@`` markers."""
    lower = text.lower()
    hits = [lower.find(t.lower()) for t in terms if t and lower.find(t.lower()) >= 0]
    start = max(0, min(hits) - 40) if hits else 0
    snippet = text[start : start + width]
    if highlight:
        for term in sorted({t for t in terms if t}, key=len, reverse=True):
            snippet = re.sub(
                re.escape(term),
                lambda m: f"@@@hl@@@{m.group(0)}@@@endhl@@@",
                snippet,
                flags=re.IGNORECASE,
            )
    return snippet


def text_terms(query: CQLQuery) -> list[str]:
    """The words of every ``text ~`` / ``title ~`` clause (for highlighting)."""
    out: list[str] = []

    def walk(node: Node | None) -> None:
        if node is None:
            return
        if isinstance(node, Clause):
            if node.op == "~":
                for v in node.values:
                    out.extend(w.strip('*?"') for w in str(v).split())
            return
        for part in _children(node):
            walk(part)

    walk(query.where)
    return out
