"""Where rate-limit counters live: ``MCP_RATE_LIMIT_STORAGE``, a ``limits`` storage URI.

``memory://`` (the default) keeps them in the process: each replica then enforces its own
share. ``redis://host:6379/0`` (also ``rediss://`` and ``redis+unix://``) shares them, so a
limit holds across every replica (extra ``confluence-mcp[redis]``). The asynchronous storage
is used, with the ``redis`` client's asyncio implementation: a counter never blocks the
event loop. Other ``limits`` back-ends are refused: the moving window needs memory or Redis.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from confluence_mcp.errors import ConfigError

if TYPE_CHECKING:
    from limits.aio.storage import Storage

__all__ = [
    "REDIS_SCHEMES",
    "STORAGE_SCHEMES",
    "build_storage",
    "check_storage_uri",
    "redact_storage_uri",
    "storage_errors",
]

REDIS_SCHEMES = frozenset({"redis", "rediss", "redis+unix"})
STORAGE_SCHEMES = frozenset({"memory", *REDIS_SCHEMES})
# A Redis that stops answering must not hold requests for long: the limiter then lets them
# through (see RateLimiter.hit), so a short timeout bounds what an outage adds to a call.
_REDIS_TIMEOUTS: dict[str, Any] = {"socket_timeout": 2.0, "socket_connect_timeout": 2.0}


def check_storage_uri(uri: str) -> str:
    """The URI, validated: a supported scheme (``memory://``, ``redis://...``); else
    ``ValueError`` with the reason (the settings turn it into a configuration error)."""
    text = uri.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        raise ValueError("not a URI; use memory:// or redis://host:6379/0") from None
    scheme = parts.scheme.lower()
    if "://" not in text or scheme not in STORAGE_SCHEMES:
        raise ValueError(
            f"unsupported storage {scheme!r}: use memory:// (one process) or "
            "redis://host:6379/0, rediss://... or redis+unix:///path/redis.sock (shared by "
            "every replica)"
        )
    if scheme in ("redis", "rediss") and not parts.hostname:
        raise ValueError("a Redis URI needs a host, e.g. redis://127.0.0.1:6379/0")
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise ValueError("the port is not a number, e.g. redis://127.0.0.1:6379/0") from None
    return text


def redact_storage_uri(uri: str) -> str:
    """The URI without its password, for logs and ``check`` output."""
    parts = urlsplit(uri)
    if parts.password is None:
        return uri
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def build_storage(uri: str) -> tuple[Storage, Callable[[], Awaitable[None]] | None]:
    """The asynchronous ``limits`` storage for a validated URI, and what closes it (None
    for memory).

    Raises :class:`ConfigError` when the storage cannot be made (e.g. the ``redis`` package
    is missing: install ``confluence-mcp[redis]``).
    """
    from limits.errors import ConfigurationError
    from limits.storage import storage_from_string

    scheme = urlsplit(uri).scheme.lower()
    options: dict[str, Any] = {}
    closer = None
    try:
        if scheme in REDIS_SCHEMES:
            # Our own pool: the layer closes its connections when the server stops.
            from redis.asyncio import ConnectionPool

            pool = ConnectionPool.from_url(
                uri.replace("redis+unix://", "unix://", 1), **_REDIS_TIMEOUTS
            )
            options = {"implementation": "redispy", "connection_pool": pool}
            closer = pool.disconnect
        storage = storage_from_string(f"async+{uri}", **options)
    except ImportError:
        raise ConfigError(
            f"MCP_RATE_LIMIT_STORAGE={redact_storage_uri(uri)} needs the redis package: "
            "install confluence-mcp[redis]"
        ) from None
    except (ConfigurationError, ValueError) as exc:  # ValueError: the client refused the URI
        raise ConfigError(f"MCP_RATE_LIMIT_STORAGE={redact_storage_uri(uri)}: {exc}") from None
    return storage, closer  # type: ignore[return-value]  # an async+ URI gives an aio storage


def storage_errors(storage: Storage) -> tuple[type[BaseException], ...]:
    """The exceptions that mean "the storage is unavailable" (not a bug in the caller)."""
    from limits.errors import StorageError

    base = storage.base_exceptions
    own = base if isinstance(base, tuple) else (base,)
    return (StorageError, OSError, TimeoutError, *own)
