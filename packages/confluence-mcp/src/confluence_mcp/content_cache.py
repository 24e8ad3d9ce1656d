"""Recent storage → markdown conversions, so re-reading an unchanged page costs no conversion.

Reading a long page in windows (``offset``/``cursor``, ``max_chars``) or reading it again
after a write converts the same storage again; the result depends only on the storage, so it
is kept here, keyed by the storage itself (an edited page has other storage: never stale).
Bounded by the characters held, so it cannot grow with the pages read; bodies too large to
be worth keeping are never held.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

__all__ = ["MarkdownCache"]

DEFAULT_MAX_CHARS = 2_000_000
DEFAULT_MAX_ENTRY_CHARS = 250_000


class MarkdownCache:
    """Least-recently-used ``storage → (markdown, hidden parts removed)``; thread-safe."""

    def __init__(
        self,
        max_chars: int = DEFAULT_MAX_CHARS,
        max_entry_chars: int = DEFAULT_MAX_ENTRY_CHARS,
    ) -> None:
        self._max_chars = max_chars
        self._max_entry = max_entry_chars
        self._entries: OrderedDict[str, tuple[str, int]] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()

    def get(self, storage: str) -> tuple[str, int] | None:
        """The cached conversion of ``storage``, if any (and mark it recently used)."""
        with self._lock:
            found = self._entries.get(storage)
            if found is not None:
                self._entries.move_to_end(storage)
            return found

    def put(self, storage: str, markdown: str, removed: int) -> None:
        """Keep a conversion unless it is too large; evict the oldest to stay in bounds."""
        size = len(storage) + len(markdown)
        if size > self._max_entry or self._max_chars <= 0:
            return
        with self._lock:
            if storage in self._entries:
                return
            self._entries[storage] = (markdown, removed)
            self._held += size
            while self._held > self._max_chars:
                old, (old_markdown, _) = self._entries.popitem(last=False)
                self._held -= len(old) + len(old_markdown)

    def __len__(self) -> int:
        return len(self._entries)
