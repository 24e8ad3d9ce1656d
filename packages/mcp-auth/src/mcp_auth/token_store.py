"""Upstream credentials per principal, encrypted at rest (extra ``mcp-auth[store]``).

An MCP server must not pass its clients' tokens on to an upstream API; it holds a separate
credential per person instead. :class:`TokenStore` keeps one JSON object per principal id,
encrypted with Fernet (``cryptography``) before it reaches the backend:

- ``memory`` (one process; a random key per process unless keys are given),
- ``file:/path/store.json`` (one replica; 0600, atomic rewrites, see ``SingleFileStore``),
- ``redis://[user:password@]host:port/db`` or ``rediss://`` (several replicas).

Several keys are accepted (comma-separated): the first encrypts, every one decrypts, and a
value read under an older key is re-encrypted under the first. The backends are
py-key-value's (``AsyncKeyValue``), so :meth:`TokenStore.key_value` can also hold other
shared state (e.g. FastMCP's OAuth proxy storage), encrypted with the same keys.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from mcp_auth._errors import AuthConfigurationError, MCPAuthError

if TYPE_CHECKING:
    from key_value.aio.protocols import AsyncKeyValue

__all__ = [
    "ENCRYPTION_KEY_COMMAND",
    "StoreKind",
    "TokenStore",
    "TokenStoreError",
    "generate_encryption_key",
    "open_token_store",
    "parse_encryption_keys",
    "store_kind",
]

StoreKind = Literal["memory", "file", "redis"]

#: A shell command printing a fresh key: the standard library only, so it works in any shell
#: with Python 3, wherever (and however) the server itself was installed.
ENCRYPTION_KEY_COMMAND = (
    'python3 -c "import base64,os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())"'
)

_COLLECTION = "mcp-auth-tokens"
_ENVELOPE = "fernet"
# Seconds a Redis connect or reply may take: an unreachable store fails a call, never hangs it.
_REDIS_TIMEOUT = 5.0


class TokenStoreError(MCPAuthError):
    """A stored credential cannot be read (not encrypted, or under none of the keys), or the
    backend failed. The message never contains the credential."""


def generate_encryption_key() -> str:
    """A fresh Fernet key (URL-safe base64 of 32 random bytes)."""
    return Fernet.generate_key().decode("ascii")


def parse_encryption_keys(value: str | Sequence[str]) -> list[Fernet]:
    """Comma-separated (or listed) Fernet keys, in order (the first encrypts). Raises
    :class:`AuthConfigurationError` (without echoing the keys) when one is malformed."""
    texts = value.split(",") if isinstance(value, str) else list(value)
    keys = [text.strip() for text in texts if text.strip()]
    if not keys:
        raise AuthConfigurationError("no token encryption key given")
    fernets: list[Fernet] = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key.encode("ascii")))
        except (ValueError, UnicodeEncodeError):
            raise AuthConfigurationError(
                f"token encryption key #{position} is not a Fernet key (32 bytes, URL-safe "
                f"base64); make one with: {ENCRYPTION_KEY_COMMAND}"
            ) from None
    return fernets


class TokenStore:
    """Encrypted JSON objects keyed by principal id, on a py-key-value backend."""

    def __init__(
        self,
        backend: AsyncKeyValue,
        keys: Sequence[Fernet],
        *,
        kind: StoreKind,
        on_close: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        if not keys:
            raise AuthConfigurationError("no token encryption key given")
        self._backend = backend
        self._on_close = on_close
        self._first = keys[0]
        self._fernet = MultiFernet(list(keys))
        self.kind: StoreKind = kind

    async def get(self, principal_id: str) -> dict[str, Any] | None:
        """The principal's stored object, or ``None``. Raises :class:`TokenStoreError` when
        the stored value is not one of ours (plaintext, or under no configured key)."""
        stored = await self._call("read", self._backend.get(principal_id, collection=_COLLECTION))
        if stored is None:
            return None
        token = stored.get(_ENVELOPE)
        if not isinstance(token, str) or len(stored) != 1:
            # A value written around this class (e.g. planted in Redis) is never trusted.
            raise TokenStoreError("a stored credential is not encrypted; it was ignored")
        plain, rotated = self._decrypt(token)
        value: dict[str, Any] = json.loads(plain)
        if rotated:
            await self.put(principal_id, value)  # rotation: re-encrypt under the first key
        return value

    async def put(
        self, principal_id: str, value: Mapping[str, Any], *, ttl: float | None = None
    ) -> None:
        """Store ``value`` (JSON-serialisable) for the principal, replacing what was there;
        ``ttl`` seconds makes the backend forget it."""
        token = self._fernet.encrypt(json.dumps(dict(value), separators=(",", ":")).encode())
        envelope = {_ENVELOPE: token.decode("ascii")}
        write = self._backend.put(principal_id, envelope, collection=_COLLECTION, ttl=ttl)
        await self._call("write", write)

    async def delete(self, principal_id: str) -> bool:
        """Forget the principal's credential; True when there was one."""
        return bool(
            await self._call("delete", self._backend.delete(principal_id, collection=_COLLECTION))
        )

    def key_value(self) -> AsyncKeyValue:
        """The backend behind py-key-value's Fernet wrapper, under the same keys: a place for
        other shared state that must be encrypted too (that wrapper, unlike :meth:`get`,
        passes unencrypted values through)."""
        from key_value.aio.wrappers.encryption import FernetEncryptionWrapper

        return FernetEncryptionWrapper(self._backend, fernet=self._fernet)

    async def aclose(self) -> None:
        """Release the backend's connections (Redis); the store is unusable afterwards."""
        close = getattr(self._backend, "close", None)
        if close is not None:
            await close()
        if self._on_close is not None:
            await self._on_close()

    def _decrypt(self, token: str) -> tuple[bytes, bool]:
        """The plaintext, and whether it was under an older key than the first."""
        try:
            raw = token.encode("ascii")
            try:
                return self._first.decrypt(raw), False
            except InvalidToken:
                return self._fernet.decrypt(raw), True
        except (InvalidToken, UnicodeEncodeError):
            raise TokenStoreError(
                "a stored credential cannot be decrypted with the configured keys (was the "
                "encryption key replaced instead of rotated?)"
            ) from None

    async def _call(self, action: str, operation: Any) -> Any:
        try:
            return await operation
        except TokenStoreError:
            raise
        except MCPAuthError as exc:  # the file backend's own refusals (a broken file)
            raise TokenStoreError(exc.message) from None
        except Exception as exc:
            # Backend errors (Redis down, a broken file) name the backend, never the value.
            raise TokenStoreError(
                f"token store ({self.kind}) {action} failed: {type(exc).__name__}"
            ) from None


def open_token_store(uri: str = "memory", encryption_keys: str | Sequence[str] = "") -> TokenStore:
    """The store ``uri`` names (``memory``, ``file:/path``, ``redis://...``).

    ``encryption_keys`` are required for the file and Redis backends (their values outlive
    the process); ``memory`` generates a key when none is given. No I/O happens here: a
    Redis server is first contacted on the first read or write. Raises
    :class:`AuthConfigurationError` for an unknown scheme or missing/malformed keys.
    """
    text = uri.strip()
    kind = store_kind(text)
    texts = encryption_keys.split(",") if isinstance(encryption_keys, str) else encryption_keys
    keys = [key.strip() for key in texts if key.strip()]
    if not keys and kind != "memory":
        raise AuthConfigurationError(
            f"a {kind} token store needs an encryption key: its credentials outlive the process"
        )
    fernets = parse_encryption_keys(keys or [generate_encryption_key()])
    backend: AsyncKeyValue
    on_close = None
    if kind == "memory":
        from key_value.aio.stores.memory import MemoryStore

        backend = MemoryStore()
    elif kind == "file":
        from mcp_auth._file_store import SingleFileStore

        path = text.removeprefix("file:")
        if path.startswith("//"):
            path = path[2:]
        if not path:
            raise AuthConfigurationError("a file token store needs a path: file:/path/store.json")
        backend = SingleFileStore(path)
    else:
        from key_value.aio.stores.redis import RedisStore
        from redis.asyncio import Redis

        client = Redis.from_url(
            text,
            decode_responses=True,  # what RedisStore expects of a client it is given
            socket_timeout=_REDIS_TIMEOUT,
            socket_connect_timeout=_REDIS_TIMEOUT,
        )
        backend = RedisStore(client=client)
        on_close = client.aclose
    return TokenStore(backend, fernets, kind=kind, on_close=on_close)


def store_kind(uri: str) -> StoreKind:
    """Which backend ``uri`` names; :class:`AuthConfigurationError` for an unknown one."""
    lowered = uri.strip().lower()
    if lowered in ("", "memory", "memory://"):
        return "memory"
    if lowered.startswith("file:"):
        return "file"
    if lowered.startswith(("redis://", "rediss://")):
        return "redis"
    raise AuthConfigurationError(
        "unknown token store: use memory, file:/path/tokens.json or redis://host:6379/0"
    )
