"""The client's one memory of space key <-> id pairs.

Cloud's v2 API addresses spaces by id while people (and CQL) use keys, so the same pair is
needed again and again: by the backend before page calls, and by callers that show a
page's space. One bounded cache per client answers all of them; a pair learnt from any
space the client has read (by key, by id or in a listing) is reused.

A key and its id never change for the life of a space, so entries need no expiry; the bound
only caps memory on sites with many spaces (least recently used pairs go first). The lock
makes it safe to share between threads; the awaits happen outside it (two first lookups of
the same key at the same moment may both ask Confluence, both get the same answer).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from confluence_client._models import Space

__all__ = ["DEFAULT_SPACE_CACHE_SIZE", "SpaceCache"]

DEFAULT_SPACE_CACHE_SIZE = 1024


class SpaceCache:
    """Bounded, thread-safe space key <-> id pairs (least recently used dropped first)."""

    def __init__(self, max_entries: int = DEFAULT_SPACE_CACHE_SIZE) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self._max = max_entries
        self._lock = threading.Lock()
        self._ids: OrderedDict[str, str] = OrderedDict()  # key -> id
        self._keys: dict[str, str] = {}  # id -> key

    def remember(self, space: Space) -> Space:
        """Learn the pair of ``space``; returns it unchanged (handy in parsers' lambdas)."""
        with self._lock:
            old_id = self._ids.pop(space.key, None)
            if old_id is not None:
                self._keys.pop(old_id, None)
            old_key = self._keys.pop(space.id, None)
            if old_key is not None:
                self._ids.pop(old_key, None)
            self._ids[space.key] = space.id
            self._keys[space.id] = space.key
            while len(self._ids) > self._max:
                _key, dropped = self._ids.popitem(last=False)
                self._keys.pop(dropped, None)
        return space

    def id_for(self, space_key: str) -> str | None:
        """The id of the space with this key, if known."""
        with self._lock:
            space_id = self._ids.get(space_key)
            if space_id is not None:
                self._ids.move_to_end(space_key)
            return space_id

    def key_for(self, space_id: str) -> str | None:
        """The key of the space with this id, if known."""
        with self._lock:
            space_key = self._keys.get(space_id)
            if space_key is not None:
                self._ids.move_to_end(space_key)
            return space_key

    def clear(self) -> None:
        """Forget every pair."""
        with self._lock:
            self._ids.clear()
            self._keys.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._ids)
