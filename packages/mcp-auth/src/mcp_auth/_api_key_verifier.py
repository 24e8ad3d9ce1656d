"""Verifying API keys against a key file that is re-read when it changes."""

from __future__ import annotations

import asyncio
import hmac
import os
import stat
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from types import MappingProxyType

from mcp_auth._api_keys import APIKeyRecord, hash_api_key, load_key_file
from mcp_auth._audit import AuditLogger
from mcp_auth._errors import AuthConfigurationError, AuthenticationError, RefusalReason
from mcp_auth._key_format import parse_api_key
from mcp_auth._principal import AuthMethod, Principal

__all__ = ["APIKeyStore", "APIKeyVerifier"]

# Compared against when the id is unknown, so both paths do the same constant-time work.
_DUMMY_HASH = hash_api_key("mcpk_0000000000000000_" + "0" * 43)


class APIKeyStore:
    """The keys of one key file, indexed by id, re-read when the file changes.

    The file's identity (inode, size, mtime) is checked at most every `reload_interval`
    seconds, so `mcp-auth keys revoke` takes effect on a running server without a restart.
    A file that becomes invalid keeps the last good keys in force and is reported as a
    `config.warning`; it never crashes the server.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        reload_interval: float = 1.0,
        audit: AuditLogger | None = None,
    ) -> None:
        self.path = Path(path)
        self.reload_interval = reload_interval
        self._audit = audit
        self._lock = threading.Lock()
        self._signature: tuple[int, int, int] | None = None
        self._checked_at = 0.0
        self._keys: dict[str, APIKeyRecord] = {}
        self._load(initial=True)
        self._checked_at = time.monotonic()

    def _stat_signature(self) -> tuple[int, int, int] | None:
        try:
            info = self.path.stat()
        except OSError:
            return None
        return info.st_ino, info.st_size, info.st_mtime_ns

    def _load(self, *, initial: bool) -> None:
        signature = self._stat_signature()
        try:
            records = load_key_file(self.path)
        except AuthConfigurationError as error:
            if initial:
                raise
            if self._audit is not None:
                self._audit.config_warning(
                    f"key file reload failed, keeping the previous keys: {error.message}",
                    setting="api_keys.file",
                )
            self._signature = signature
            return
        self._keys = {record.id: record for record in records}
        self._signature = signature
        self._warn_if_writable()

    def _warn_if_writable(self) -> None:
        try:
            mode = self.path.stat().st_mode
        except OSError:
            return
        if mode & (stat.S_IWGRP | stat.S_IWOTH) and self._audit is not None:
            self._audit.config_warning(
                f"key file {self.path} is writable by other users: anyone able to write it "
                "can add keys",
                setting="api_keys.file",
            )

    def check_due(self) -> bool:
        """True when `reload_interval` has passed since the file was last checked."""
        return time.monotonic() - self._checked_at >= self.reload_interval

    def refresh(self, *, force: bool = False) -> None:
        """Re-read the file if it changed (checked at most every `reload_interval` s).
        Blocking file I/O: async callers use `arefresh`."""
        if not force and not self.check_due():
            return
        with self._lock:
            self._checked_at = time.monotonic()
            if force or self._stat_signature() != self._signature:
                self._load(initial=False)

    async def arefresh(self) -> None:
        """`refresh` in a worker thread, so the event loop never waits on the disk; costs
        nothing between checks."""
        if self.check_due():
            await asyncio.to_thread(self.refresh)

    def get(self, key_id: str) -> APIKeyRecord | None:
        """The record with this id as of the last reload check, or None."""
        return self._keys.get(key_id)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"APIKeyStore({str(self.path)!r}, keys={len(self._keys)})"


class APIKeyVerifier:
    """Accepts `<prefix>_<id>_<secret>` keys found in an `APIKeyStore`.

    Any prefix the key file issued is accepted (`create_api_key(..., prefix=...)`); `prefix`
    narrows that to one. The record's own prefix must match: the stored digest covers it.

    Refusals: `missing` (empty), `malformed` (not shaped like a key, or not of `prefix`),
    `unknown_key` (no such id), `bad_signature` (right id, wrong secret), then — only once the
    secret is proven, so that a guesser learns nothing about a key's state — `revoked`
    (disabled) and `expired`. Each message says what is wrong and is safe to show the client.
    """

    def __init__(
        self,
        store: APIKeyStore | str | os.PathLike[str],
        *,
        prefix: str | None = None,
        audit: AuditLogger | None = None,
    ) -> None:
        self.store = store if isinstance(store, APIKeyStore) else APIKeyStore(store, audit=audit)
        self.prefix = prefix

    @property
    def method(self) -> AuthMethod:
        """Always `AuthMethod.API_KEY`."""
        return AuthMethod.API_KEY

    def recognizes(self, token: str) -> bool:
        """True for tokens with the API key shape (and this verifier's prefix, if set)."""
        parsed = parse_api_key(token)
        return parsed is not None and self.prefix in (None, parsed.prefix)

    def _refuse(
        self, reason: RefusalReason, message: str, key_id: str | None = None
    ) -> AuthenticationError:
        return AuthenticationError(reason, message, method=AuthMethod.API_KEY, credential_id=key_id)

    async def verify(self, token: str) -> Principal:
        """The key's principal (subject = key name, client id = key id) or a refusal."""
        if not token:
            raise self._refuse(RefusalReason.MISSING, "no API key given")
        parsed = parse_api_key(token)
        if parsed is None:
            raise self._refuse(
                RefusalReason.MALFORMED,
                "malformed API key: expected <prefix>_<16 hex digits>_<43 letters or digits>",
            )
        if self.prefix not in (None, parsed.prefix):
            raise self._refuse(
                RefusalReason.MALFORMED,
                f"malformed API key: this server issues {self.prefix}_ keys",
            )
        await self.store.arefresh()
        record = self.store.get(parsed.key_id)
        presented = hash_api_key(token)
        if record is None:
            hmac.compare_digest(presented, _DUMMY_HASH)
            raise self._refuse(
                RefusalReason.UNKNOWN_KEY,
                "unknown API key: its id is not in this server's key file",
                parsed.key_id,
            )
        if not hmac.compare_digest(presented, record.hash):
            raise self._refuse(
                RefusalReason.BAD_SIGNATURE,
                "invalid API key: the secret part does not match the key with this id",
                parsed.key_id,
            )
        if record.disabled:
            raise self._refuse(
                RefusalReason.REVOKED,
                "API key revoked: ask the server's operator for a new key",
                parsed.key_id,
            )
        if record.is_expired(datetime.now(timezone.utc)):
            raise self._refuse(
                RefusalReason.EXPIRED,
                "API key expired: ask the server's operator for a new key",
                parsed.key_id,
            )
        return Principal(
            subject=record.name,
            auth_method=AuthMethod.API_KEY,
            scopes=frozenset(record.scopes),
            client_id=record.id,
            expires_at=record.expires,
            claims=MappingProxyType(
                {
                    **{k: v if isinstance(v, str) else list(v) for k, v in record.claims.items()},
                    "key_id": record.id,
                    "key_name": record.name,
                }
            ),
        )

    def __repr__(self) -> str:
        return f"APIKeyVerifier({self.store!r}, prefix={self.prefix!r})"
