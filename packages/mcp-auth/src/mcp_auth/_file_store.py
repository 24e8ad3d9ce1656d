"""A py-key-value store kept in one JSON file: for a single replica without Redis.

py-key-value's own file stores write one file per key (``FileTreeStore``) or a SQLite cache
(``DiskStore``); a token store wants one small file that an admin command and the server can
both update: every write rewrites the whole file under an advisory lock, through a 0600 temp
file renamed over the old one (readers see the old or the new document, never half of one).
Every read re-reads the file, so bindings another process wrote are seen at once.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

from key_value.aio._utils.managed_entry import ManagedEntry
from key_value.aio.stores.base import BaseStore

from mcp_auth._atomic_file import locked, write_json_atomically
from mcp_auth._errors import AuthConfigurationError

__all__ = ["SingleFileStore"]

_FORMAT = "mcp-auth-token-store"
_VERSION = 1


class SingleFileStore(BaseStore):
    """Entries of every collection in one JSON file (created 0600 on first write)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = asyncio.Lock()
        super().__init__(stable_api=True)

    async def _get_managed_entry(self, *, key: str, collection: str) -> ManagedEntry | None:
        async with self._lock:
            document = await asyncio.to_thread(self._read)
        raw = document.get(collection, {}).get(key)
        if raw is None:
            return None
        return self._serialization_adapter.load_json(json_str=raw)

    async def _put_managed_entry(
        self, *, key: str, collection: str, managed_entry: ManagedEntry
    ) -> None:
        raw = self._serialization_adapter.dump_json(
            entry=managed_entry, key=key, collection=collection
        )

        def update(document: dict[str, dict[str, str]]) -> bool:
            document.setdefault(collection, {})[key] = raw
            return True

        async with self._lock:
            await asyncio.to_thread(self._update, update)

    async def _delete_managed_entry(self, *, key: str, collection: str) -> bool:
        def update(document: dict[str, dict[str, str]]) -> bool:
            entries = document.get(collection, {})
            if key not in entries:
                return False
            del entries[key]
            return True

        async with self._lock:
            return await asyncio.to_thread(self._update, update)

    # -- the file ---------------------------------------------------------------------------

    def _read(self) -> dict[str, dict[str, str]]:
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        try:
            document = json.loads(raw)
        except json.JSONDecodeError:
            raise AuthConfigurationError(f"token store {self.path} is not valid JSON") from None
        if (
            not isinstance(document, dict)
            or document.get("format") != _FORMAT
            or not isinstance(document.get("collections"), dict)
        ):
            raise AuthConfigurationError(f"token store {self.path} is not an mcp-auth token store")
        collections: dict[str, dict[str, str]] = document["collections"]
        return collections

    def _update(self, change: Any) -> bool:
        with locked(self.path):
            document = self._read()
            changed: bool = change(document)
            if changed:
                self._write({name: entries for name, entries in document.items() if entries})
            return changed

    def _write(self, collections: dict[str, dict[str, str]]) -> None:
        document = {"format": _FORMAT, "version": _VERSION, "collections": collections}
        # The temp file is created 0600 and stays so; the rename makes it appear at once.
        write_json_atomically(
            self.path, document, indent=1, prepare=lambda name: os.chmod(name, 0o600)
        )
