"""A thread-safe log of the requests the fake answered, for asserting upstream call counts."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["RequestRecord", "RequestLog"]


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One answered request; ``fault`` names the injected fault, if any."""

    method: str
    path: str
    query: str
    status: int
    fault: str | None = None

    @property
    def target(self) -> str:
        """``path?query`` as requested."""
        return f"{self.path}?{self.query}" if self.query else self.path


class RequestLog:
    """Every request the fake answered (the ``/__fake__`` control paths excepted)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []

    def record(self, entry: RequestRecord) -> None:
        """Append one entry."""
        with self._lock:
            self._records.append(entry)

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._records.clear()

    @property
    def entries(self) -> list[RequestRecord]:
        """A snapshot of the entries, oldest first."""
        with self._lock:
            return list(self._records)

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)

    def __iter__(self) -> Iterator[RequestRecord]:
        return iter(self.entries)

    @property
    def last(self) -> RequestRecord | None:
        """The newest entry, or None."""
        with self._lock:
            return self._records[-1] if self._records else None

    def matching(
        self,
        method: str | None = None,
        *,
        path: str | None = None,
        path_prefix: str | None = None,
        path_contains: str | None = None,
        status: int | None = None,
    ) -> list[RequestRecord]:
        """Entries matching every given filter (method is case-insensitive)."""
        return [
            r
            for r in self.entries
            if (method is None or r.method == method.upper())
            and (path is None or r.path == path)
            and (path_prefix is None or r.path.startswith(path_prefix))
            and (path_contains is None or path_contains in r.path)
            and (status is None or r.status == status)
        ]

    def count(
        self,
        method: str | None = None,
        *,
        path: str | None = None,
        path_prefix: str | None = None,
        path_contains: str | None = None,
        status: int | None = None,
    ) -> int:
        """How many entries match every given filter."""
        return len(
            self.matching(
                method,
                path=path,
                path_prefix=path_prefix,
                path_contains=path_contains,
                status=status,
            )
        )
