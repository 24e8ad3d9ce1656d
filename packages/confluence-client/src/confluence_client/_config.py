"""Client settings: deployment, credentials, timeouts, retry policy and the clock seam.

Credentials keep their secret out of ``repr`` and ``str`` so a logged client, config or
traceback never shows a token.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Protocol

from confluence_client._compat import StrEnum
from confluence_client._errors import ConfigurationError

__all__ = [
    "Deployment",
    "BasicAuth",
    "PersonalAccessToken",
    "OAuthToken",
    "Auth",
    "Timeouts",
    "RetryPolicy",
    "Clock",
    "SystemClock",
    "DEFAULT_API_GATEWAY_URL",
]

DEFAULT_API_GATEWAY_URL = "https://api.atlassian.com"
"""Where OAuth 2.0 (3LO) bearer tokens must be sent (``/ex/confluence/{cloudId}/wiki``)."""


class Deployment(StrEnum):
    """Which Confluence flavour the client talks to."""

    CLOUD = "cloud"
    DATA_CENTER = "datacenter"


def _require_text(value: str, name: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(f"{name} must be a non-empty string")


@dataclass(frozen=True, slots=True)
class BasicAuth:
    """Email (Cloud) or username (Data Center) plus API token or password."""

    username: str
    api_token: str = field(repr=False)

    def __post_init__(self) -> None:
        _require_text(self.username, "username")
        _require_text(self.api_token, "api_token")


@dataclass(frozen=True, slots=True)
class PersonalAccessToken:
    """A Data Center personal access token, sent as ``Authorization: Bearer``."""

    token: str = field(repr=False)

    def __post_init__(self) -> None:
        _require_text(self.token, "token")


@dataclass(frozen=True, slots=True)
class OAuthToken:
    """An OAuth 2.0 (3LO) access token for Confluence Cloud, with the site's cloud id.

    Requests go to ``{api_gateway_url}/ex/confluence/{cloud_id}/wiki``: the same token is
    refused on the site's own domain.
    """

    access_token: str = field(repr=False)
    cloud_id: str

    def __post_init__(self) -> None:
        _require_text(self.access_token, "access_token")
        _require_text(self.cloud_id, "cloud_id")
        if not all(ch.isalnum() or ch == "-" for ch in self.cloud_id):
            raise ConfigurationError("cloud_id may contain only letters, digits and '-'")


Auth = BasicAuth | PersonalAccessToken | OAuthToken
"""Any supported credential."""


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Per-request socket timeouts in seconds."""

    connect: float = 10.0
    read: float = 30.0

    def __post_init__(self) -> None:
        if not (self.connect > 0 and self.read > 0):
            raise ConfigurationError("timeouts must be positive numbers of seconds")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When and how long to retry.

    429 and throttling 503s (with ``Retry-After``) are always retried (Confluence did not
    process the request); other 5xx statuses and timeouts/connection failures only for
    idempotent requests (GET, HEAD, DELETE, label adds). The wait is ``Retry-After`` if
    sent, else ``X-RateLimit-Reset``, else ``initial_backoff * 2**retry`` capped at
    ``max_backoff`` and multiplied by a random factor in ``jitter``. A retry whose wait
    would push the call past ``max_total_wait`` is not attempted: the last error is raised.
    """

    max_retries: int = 4
    initial_backoff: float = 2.0
    max_backoff: float = 30.0
    jitter: tuple[float, float] = (0.7, 1.3)
    max_total_wait: float = 120.0
    retry_statuses: frozenset[int] = frozenset({500, 502, 503, 504})

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ConfigurationError("max_retries must be >= 0")
        if self.initial_backoff < 0 or self.max_backoff < 0 or self.max_total_wait < 0:
            raise ConfigurationError("backoff and wait limits must be >= 0")
        low, high = self.jitter
        if not 0 <= low <= high:
            raise ConfigurationError("jitter must be (low, high) with 0 <= low <= high")

    @classmethod
    def disabled(cls) -> RetryPolicy:
        """A policy that never retries."""
        return cls(max_retries=0)


class Clock(Protocol):
    """Time source and sleeper, injectable so tests never wait for real."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary fixed point; only differences matter."""
        ...

    def now(self) -> datetime:
        """Current wall-clock time, timezone-aware (to read ``X-RateLimit-Reset``)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` without blocking the event loop."""
        ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
