"""Small statistics: nearest-rank percentiles, and the ratio estimator that scales a token sample."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def nearest_rank(ordered: Sequence[int], percent: float) -> int:
    """The nearest-rank percentile of ascending values: the smallest value with at least
    ``percent`` % of the values at or below it (0 for no values)."""
    if not ordered:
        return 0
    rank = math.ceil(percent / 100 * len(ordered))
    return ordered[min(max(rank, 1), len(ordered)) - 1]


@dataclass(slots=True)
class RatioSample:
    """Running sums over sampled records of x (characters) and y (tokens), for a ratio estimate."""

    n: int = 0
    sx: int = 0
    sy: int = 0
    sxx: int = 0
    syy: int = 0
    sxy: int = 0

    def add(self, x: int, y: int) -> None:
        self.n += 1
        self.sx += x
        self.sy += y
        self.sxx += x * x
        self.syy += y * y
        self.sxy += x * y

    def estimate(self, records: int, total_x: int) -> tuple[float, float]:
        """Estimated population total of y, and its variance, for ``records`` records whose x sums
        to ``total_x``: ``sy / sx * total_x``, with the usual ratio-estimator variance and the
        finite-population correction (exact, variance 0, when every record was sampled)."""
        if records == 0 or self.n == 0:
            return 0.0, 0.0
        if self.n >= records:
            return float(self.sy), 0.0
        ratio = self.sy / self.sx if self.sx else 0.0
        total = ratio * total_x
        if self.n < 2:
            return total, total * total
        residual = (self.syy - 2 * ratio * self.sxy + ratio * ratio * self.sxx) / (self.n - 1)
        variance = records * records * (1 - self.n / records) * max(residual, 0.0) / self.n
        return total, variance


def weighted_rank(values: Sequence[tuple[int, int]], percent: float) -> int:
    """The nearest-rank percentile of (value, weight) pairs, each value standing for ``weight`` records:
    the smallest value with at least ``percent`` % of the weight at or below it (0 for no values)."""
    if not values:
        return 0
    ordered = sorted(values)
    needed = percent / 100 * sum(weight for _, weight in ordered)
    running = 0
    for value, weight in ordered:
        running += weight
        if running >= needed:
            return value
    return ordered[-1][0]
