"""Fault injection: latency, 5xx, 429 storms, malformed JSON, dropped connections, and
writes that are applied but whose answer is lost (dropped) or garbled (corrupted).

Rules are checked in the order they were added. Each may be limited to a path prefix, an
HTTP method and a number of hits, and fires with a probability drawn from a seeded RNG, so a
"30% of requests fail" run is the same run every time.
"""

from __future__ import annotations

import itertools
import random
import threading
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypedDict, get_args

from ._errors import FakeBadRequestError

if TYPE_CHECKING:
    from typing_extensions import Unpack  # annotations only: typing.Unpack is 3.11+

__all__ = ["FaultKind", "FaultRule", "FaultInjector", "FAULT_KINDS"]

FaultKind = Literal[
    "latency",
    "error",
    "rate_limit",
    "malformed_json",
    "drop_connection",
    "apply_then_drop",
    "apply_then_corrupt",
]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)


@dataclass(slots=True)
class FaultRule:
    """One fault; ``count`` is how many more requests it may hit (None: unlimited)."""

    kind: FaultKind
    path_prefix: str | None = None
    method: str | None = None
    count: int | None = None
    rate: float = 1.0
    status: int | None = None  # None: 500 for "error", 429 for "rate_limit"
    seconds: float = 0.0
    retry_after: int | None = 1
    reset_after: float = 1.0
    id: int = field(default=0)

    def matches(self, method: str, path: str) -> bool:
        """Whether this rule applies to a request (before the rate and count draw)."""
        return (
            (self.count is None or self.count > 0)
            and (self.method is None or self.method.upper() == method.upper())
            and (self.path_prefix is None or path.startswith(self.path_prefix))
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready description (for the control endpoint)."""
        return asdict(self)


class _Target(TypedDict, total=False):
    """Which requests a rule hits: a path prefix, a method, how many (default: all)."""

    path_prefix: str | None
    method: str | None
    count: int | None


class _Where(_Target, total=False):
    """``_Target`` and the probability of firing on each (default 1.0)."""

    rate: float


class FaultInjector:
    """The fault rules of one fake server; thread-safe, deterministic for a given seed."""

    def __init__(self, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._ids = itertools.count(1)
        self._rng = random.Random(seed)  # noqa: S311 - reproducible test faults, not security

    def reseed(self, seed: int) -> None:
        """Restart the RNG so the next draws repeat a known sequence."""
        with self._lock:
            self._rng = random.Random(seed)  # noqa: S311

    @property
    def rules(self) -> list[FaultRule]:
        """A snapshot of the active rules."""
        with self._lock:
            return list(self._rules)

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self._rules.clear()

    def add(self, rule: FaultRule) -> FaultRule:
        """Add a rule (validated) and return it with its id."""
        if rule.kind not in FAULT_KINDS:
            raise FakeBadRequestError(f"Unknown fault kind {rule.kind!r}; use one of {FAULT_KINDS}")
        if not 0.0 <= rule.rate <= 1.0:
            raise FakeBadRequestError("rate must be between 0 and 1")
        if rule.count is not None and rule.count < 1:
            raise FakeBadRequestError("count must be at least 1 (or omitted for unlimited)")
        if rule.status is None:
            rule.status = 429 if rule.kind == "rate_limit" else 500
        if rule.kind == "error" and not 500 <= rule.status <= 599:
            raise FakeBadRequestError("an error fault needs a 5xx status")
        if rule.kind == "rate_limit" and rule.status not in (429, 503):
            raise FakeBadRequestError("a rate_limit fault answers 429 or 503")
        if rule.seconds < 0 or rule.reset_after < 0 or (rule.retry_after or 0) < 0:
            raise FakeBadRequestError("times must not be negative")
        with self._lock:
            rule.id = next(self._ids)
            self._rules.append(rule)
        return rule

    def _kind(self, kind: FaultKind, where: _Where, **settings: Any) -> FaultRule:
        # Every helper takes the same request filter; a key outside it is a caller's typo.
        unknown = where.keys() - _Where.__optional_keys__
        if unknown:
            raise TypeError(f"unexpected keyword argument(s): {', '.join(sorted(unknown))}")
        return self.add(FaultRule(kind, **where, **settings))

    def latency(self, seconds: float, **where: Unpack[_Where]) -> FaultRule:
        """Delay matching requests by ``seconds``."""
        return self._kind("latency", where, seconds=seconds)

    def server_errors(
        self, rate: float = 1.0, *, status: int | None = None, **where: Unpack[_Target]
    ) -> FaultRule:
        """Answer matching requests with ``status`` (5xx) without serving them."""
        return self._kind("error", {**where, "rate": rate}, status=status)

    def rate_limit(
        self,
        *,
        retry_after: int | None = 1,
        reset_after: float = 1.0,
        status: int = 429,
        **where: Unpack[_Where],
    ) -> FaultRule:
        """Answer 429 (or a throttling 503); with ``retry_after=None`` only
        ``X-RateLimit-Reset`` tells when to retry."""
        return self._kind(
            "rate_limit", where, status=status, retry_after=retry_after, reset_after=reset_after
        )

    def malformed_json(self, **where: Unpack[_Where]) -> FaultRule:
        """Serve matching requests but cut their JSON body short."""
        return self._kind("malformed_json", where)

    def drop_connections(self, **where: Unpack[_Where]) -> FaultRule:
        """Close the connection mid-response, without serving the request."""
        return self._kind("drop_connection", where)

    def apply_then_drop(self, **where: Unpack[_Where]) -> FaultRule:
        """Serve matching requests (a write is stored), then close the connection mid-response:
        the client cannot tell whether its write happened."""
        return self._kind("apply_then_drop", where)

    def apply_then_corrupt(self, **where: Unpack[_Where]) -> FaultRule:
        """Serve matching requests (a write is stored), then answer 200 with a body that is
        not JSON in place of the real answer."""
        return self._kind("apply_then_corrupt", where)

    def draw(self, method: str, path: str) -> tuple[float, FaultRule | None]:
        """The latency to add and the (first) terminal fault for one request."""
        delay = 0.0
        terminal: FaultRule | None = None
        with self._lock:
            for rule in self._rules:
                if not rule.matches(method, path):
                    continue
                if rule.kind != "latency" and terminal is not None:
                    continue
                if rule.rate < 1.0 and self._rng.random() >= rule.rate:
                    continue
                if rule.count is not None:
                    rule.count -= 1
                if rule.kind == "latency":
                    delay += rule.seconds
                else:
                    terminal = rule
        return delay, terminal
