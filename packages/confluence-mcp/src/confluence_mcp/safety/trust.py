"""Trust labels: is a piece of user-written content by someone we trust?

An author is trusted when listed in ``TRUSTED_AUTHORS`` (account ids on Cloud, user keys on
Data Center), a member of a ``TRUSTED_GROUPS`` group, or allowed by Confluence to edit the
content (space editors). Anything else, including a failed lookup, is untrusted: lockdown
fails closed. Answers are cached for a few minutes per (author, content).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from confluence_client import ConfluenceClient

__all__ = ["TrustPolicy"]

_TTL = 300.0
_MAX_ENTRIES = 4096


class TrustPolicy:
    """Decides and caches whether authors are trusted."""

    def __init__(
        self,
        client: Callable[[], Awaitable[ConfluenceClient]],
        *,
        authors: frozenset[str] = frozenset(),
        groups: frozenset[str] = frozenset(),
    ) -> None:
        self._client = client
        self._authors = authors
        self._groups = frozenset(group.lower() for group in groups)
        self._cache: dict[tuple[str, str], tuple[float, bool]] = {}

    async def is_trusted(self, content_id: str, author_id: str | None) -> bool:
        """Whether ``author_id``'s content ``content_id`` is trusted (False when unknown)."""
        if not author_id:
            return False
        if author_id in self._authors:
            return True
        key = (author_id, content_id)
        cached = self._cache.get(key)
        now = time.monotonic()
        if cached is not None and now - cached[0] < _TTL:
            return cached[1]
        try:
            verdict = await self._lookup(content_id, author_id)
        except Exception:  # any failure means "not trusted": lockdown fails closed
            return False
        if len(self._cache) >= _MAX_ENTRIES:
            self._cache.clear()
        self._cache[key] = (now, verdict)
        return verdict

    async def _lookup(self, content_id: str, author_id: str) -> bool:
        client = await self._client()
        if self._groups:
            groups = await client.list_user_groups(author_id)
            if self._groups & {group.lower() for group in groups}:
                return True
        return await client.can_user_edit(content_id, author_id)
