"""Retry decisions and wait times, kept pure so they are easy to test."""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from confluence_client._compat import parse_datetime
from confluence_client._config import RetryPolicy

__all__ = [
    "IDEMPOTENT_METHODS",
    "parse_retry_after",
    "parse_rate_limit_reset",
    "server_requested_wait",
    "backoff_delay",
    "is_retryable_status",
]

IDEMPOTENT_METHODS: frozenset[str] = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})
_rng = secrets.SystemRandom()


def _header(headers: Mapping[str, str], name: str) -> str | None:
    # requests' CaseInsensitiveDict handles case; plain dicts (tests) may not.
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value.strip() if isinstance(value, str) and value.strip() else None


def parse_retry_after(headers: Mapping[str, str], now: datetime) -> float | None:
    """Seconds from ``Retry-After`` (delta-seconds or HTTP-date), or ``None``."""
    value = _header(headers, "Retry-After")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - now).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def parse_rate_limit_reset(headers: Mapping[str, str], now: datetime) -> float | None:
    """Seconds until ``X-RateLimit-Reset`` (an ISO 8601 timestamp), or ``None``."""
    value = _header(headers, "X-RateLimit-Reset")
    if value is None:
        return None
    try:
        when = parse_datetime(value)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - now).total_seconds())


def server_requested_wait(headers: Mapping[str, str], now: datetime) -> float | None:
    """The wait the server asked for: ``Retry-After`` first, then ``X-RateLimit-Reset``."""
    wait = parse_retry_after(headers, now)
    return wait if wait is not None else parse_rate_limit_reset(headers, now)


def backoff_delay(
    policy: RetryPolicy, retry_index: int, uniform: Callable[[float, float], float] = _rng.uniform
) -> float:
    """Exponential backoff for the ``retry_index``-th retry (0-based), capped, jittered."""
    base = min(policy.max_backoff, policy.initial_backoff * (2**retry_index))
    low, high = policy.jitter
    return max(0.0, float(base * uniform(low, high)))


def is_retryable_status(
    policy: RetryPolicy, status: int, idempotent: bool, *, throttled: bool = False
) -> bool:
    """429 is always safe to repeat (not processed), and so is a throttling 503 (one that
    carries ``Retry-After``: Atlassian's resource-limit answer); other listed 5xx only if
    the request is idempotent."""
    if status == 429 or (status == 503 and throttled):
        return True
    return idempotent and status in policy.retry_statuses
