"""A small quantile sketch: constant memory, quantiles within 1% of the true value.

Values go into logarithmic buckets (the DDSketch idea): bucket ``i`` holds values in
``(gamma**(i-1), gamma**i]`` with ``gamma = (1 + a) / (1 - a)``, so any quantile read back is
within relative accuracy ``a`` of a value that was added. Durations from a microsecond to
a year fit in about 2,000 buckets whatever the number of values; past ``max_buckets`` the
lowest buckets are merged (only the smallest quantiles lose accuracy then).
"""

from __future__ import annotations

import math

__all__ = ["QuantileSketch"]


class QuantileSketch:
    """Streaming quantiles of positive values (zero and negatives count as zero)."""

    def __init__(self, relative_accuracy: float = 0.01, *, max_buckets: int = 2048) -> None:
        if not 0 < relative_accuracy < 1:
            raise ValueError("relative_accuracy must be between 0 and 1")
        self.relative_accuracy = relative_accuracy
        self.max_buckets = max_buckets
        self._gamma = (1 + relative_accuracy) / (1 - relative_accuracy)
        self._log_gamma = math.log(self._gamma)
        self._buckets: dict[int, int] = {}
        self._zeros = 0
        self.count = 0
        self.min = math.inf
        self.max = -math.inf

    def add(self, value: float) -> None:
        """Add one value."""
        self.count += 1
        self.min = min(self.min, value)
        self.max = max(self.max, value)
        if value <= 0:
            self._zeros += 1
            return
        index = math.ceil(math.log(value) / self._log_gamma)
        self._buckets[index] = self._buckets.get(index, 0) + 1
        if len(self._buckets) > self.max_buckets:
            self._collapse_lowest()

    def quantile(self, q: float) -> float | None:
        """The ``q``-quantile (0 ≤ q ≤ 1), None when nothing was added."""
        if not 0 <= q <= 1:
            raise ValueError("q must be between 0 and 1")
        if self.count == 0:
            return None
        rank = q * (self.count - 1)
        seen = self._zeros
        if rank < seen:
            return 0.0
        for index in sorted(self._buckets):
            seen += self._buckets[index]
            if rank < seen:
                # The bucket's midpoint in relative terms: within a of every value in it.
                estimate = 2 * self._gamma**index / (self._gamma + 1)
                return min(max(estimate, self.min), self.max)
        return self.max

    def _collapse_lowest(self) -> None:
        lowest, second = sorted(self._buckets)[:2]
        self._buckets[second] += self._buckets.pop(lowest)
