from datetime import datetime, timedelta, timezone

from confluence_client import RetryPolicy
from confluence_client._retry import (
    backoff_delay,
    is_retryable_status,
    parse_rate_limit_reset,
    parse_retry_after,
    server_requested_wait,
)

NOW = datetime(2026, 11, 25, 12, 0, 0, tzinfo=timezone.utc)


def test_retry_after_seconds_and_dates() -> None:
    assert parse_retry_after({"Retry-After": "7"}, NOW) == 7.0
    assert parse_retry_after({"retry-after": " 2.5 "}, NOW) == 2.5
    assert parse_retry_after({"Retry-After": "Wed, 25 Nov 2026 12:00:30 GMT"}, NOW) == 30.0
    assert parse_retry_after({"Retry-After": "-3"}, NOW) == 0.0
    assert parse_retry_after({"Retry-After": "soon"}, NOW) is None
    assert parse_retry_after({"Retry-After": "inf"}, NOW) is None
    assert parse_retry_after({}, NOW) is None


def test_rate_limit_reset() -> None:
    later = (NOW + timedelta(seconds=12)).isoformat().replace("+00:00", "Z")
    assert parse_rate_limit_reset({"X-RateLimit-Reset": later}, NOW) == 12.0
    assert parse_rate_limit_reset({"X-RateLimit-Reset": "2026-11-25T12:00:05"}, NOW) == 5.0
    assert parse_rate_limit_reset({"X-RateLimit-Reset": "2026-11-25T11:00:00Z"}, NOW) == 0.0
    # "+HHMM" and a 1-digit fraction: 3.11's fromisoformat, backported on 3.10
    assert parse_rate_limit_reset({"X-RateLimit-Reset": "2026-11-25T13:00:07.5+0100"}, NOW) == 7.5
    assert parse_rate_limit_reset({"X-RateLimit-Reset": "tomorrow"}, NOW) is None
    assert parse_rate_limit_reset({}, NOW) is None


def test_retry_after_wins_over_reset() -> None:
    headers = {"Retry-After": "3", "X-RateLimit-Reset": "2026-11-25T12:00:20Z"}
    assert server_requested_wait(headers, NOW) == 3.0
    assert server_requested_wait({"X-RateLimit-Reset": "2026-11-25T12:00:20Z"}, NOW) == 20.0
    assert server_requested_wait({}, NOW) is None


def test_backoff_doubles_caps_and_jitters() -> None:
    policy = RetryPolicy(initial_backoff=2.0, max_backoff=10.0, jitter=(0.7, 1.3))
    exact = [backoff_delay(policy, i, lambda lo, hi: 1.0) for i in range(5)]
    assert exact == [2.0, 4.0, 8.0, 10.0, 10.0]
    assert backoff_delay(policy, 0, lambda lo, hi: lo) == 1.4
    for i in range(20):
        assert 1.4 <= backoff_delay(policy, 0) <= 2.6, i


def test_which_statuses_retry() -> None:
    policy = RetryPolicy()
    assert is_retryable_status(policy, 429, idempotent=False)
    assert is_retryable_status(policy, 503, idempotent=True)
    assert not is_retryable_status(policy, 503, idempotent=False)
    assert not is_retryable_status(policy, 501, idempotent=True)
    assert not is_retryable_status(policy, 404, idempotent=True)


def test_throttling_503_is_retryable_for_any_method() -> None:
    policy = RetryPolicy()
    assert is_retryable_status(policy, 503, idempotent=False, throttled=True)
    assert not is_retryable_status(policy, 500, idempotent=False, throttled=True)
