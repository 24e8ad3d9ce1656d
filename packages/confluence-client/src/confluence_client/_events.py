"""A per-attempt observer hook, so callers can trace or count upstream HTTP requests.

The SDK knows nothing of any telemetry library: it calls ``on_request(event)`` once per HTTP
attempt (retries included), on the event loop, so the caller's context variables (an active
span, a request id) apply. A hook that raises is logged and ignored: observing a request
never changes its outcome.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["RequestEvent", "RequestObserver", "notify"]

_log = logging.getLogger("confluence_client")


@dataclass(frozen=True, slots=True)
class RequestEvent:
    """One HTTP attempt to Confluence.

    Attributes:
        method: HTTP method.
        path: URL path without query string (no search text, no secrets).
        status: HTTP status, ``None`` when the attempt got no response.
        error: the SDK error class name (e.g. ``ConnectionFailedError``) when the attempt got
            no usable response.
        start_time_ns: ``time.time_ns()`` when the attempt started.
        duration_s: wall time of the attempt in seconds.
        attempt: 1 for the first try, 2 and up for retries.
    """

    method: str
    path: str
    status: int | None
    error: str | None
    start_time_ns: int
    duration_s: float
    attempt: int


RequestObserver = Callable[[RequestEvent], None]
"""Signature of the ``on_request`` hook."""


def notify(observer: RequestObserver | None, event: RequestEvent) -> None:
    """Call the observer, logging (never raising) whatever it raises."""
    if observer is None:
        return
    try:
        observer(event)
    except Exception:  # a broken hook must not break the request it observes
        _log.exception("on_request hook failed for %s %s", event.method, event.path)
