"""The arithmetic behind every figure: rates, Wilson intervals, sample sizes.

A satisfaction rate is ``satisfied / answers`` where satisfied means 4 or 5 on the 1-5
scale. Next to it we show the Wilson score interval at 95%: unlike the textbook
``p ± 1.96·sqrt(p(1-p)/n)`` it stays inside [0, 1] and is honest for small samples and
rates near 100%, which is exactly where commune targets sit.

"Answers needed before the figure can be trusted": the smallest sample size ``n*`` for
which the Wilson interval's half-width at the observed rate ``p`` is at most the margin
``m`` (default 5 percentage points); the figure reports ``max(0, n* - n)``. Half-width:

    h(p, n) = z / (1 + z²/n) · sqrt(p(1-p)/n + z²/(4n²))

``h`` falls as ``n`` grows, so ``n*`` is found by bisection. At p = 100% it gives
``n* = ceil(z²/(2m) - z²)`` = 35 answers for m = 5 points; at p = 90%, 141; at 50%, 381.
With no answers yet, p = 50% is assumed (the worst case).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054
DEFAULT_MARGIN = 0.05
MIN_CELL = 5  # fewer answers than this: the figure is not shown for an officer


def wilson(satisfied: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval (low, high) for ``satisfied`` out of ``n``."""
    if n <= 0:
        return (0.0, 1.0)
    p = satisfied / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def half_width(p: float, n: int, z: float = Z95) -> float:
    if n <= 0:
        return 1.0
    return z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)


def sample_needed(p: float, margin: float = DEFAULT_MARGIN, z: float = Z95) -> int:
    """The smallest n whose Wilson half-width at rate ``p`` is at most ``margin``."""
    if margin <= 0:
        raise ValueError("margin must be positive")
    low, high = 1, 1
    while half_width(p, high, z) > margin:
        low, high = high, high * 2
    while low < high:
        middle = (low + high) // 2
        if half_width(p, middle, z) <= margin:
            high = middle
        else:
            low = middle + 1
    return high


@dataclass(frozen=True)
class Figure:
    """One satisfaction figure as reported: never a bare percentage."""

    answers: int
    satisfied: int
    target: float | None = None
    margin: float = DEFAULT_MARGIN
    suppressed: bool = False  # fewer than MIN_CELL answers in a cell shown to officers

    @property
    def rate(self) -> float | None:
        return self.satisfied / self.answers if self.answers and not self.suppressed else None

    @property
    def interval(self) -> tuple[float, float] | None:
        if not self.answers or self.suppressed:
            return None
        return wilson(self.satisfied, self.answers)

    @property
    def gap(self) -> float | None:
        """Rate minus target, in points of proportion (-0.03 = three points short)."""
        rate = self.rate
        return None if rate is None or self.target is None else rate - self.target

    @property
    def answers_needed(self) -> int | None:
        if self.suppressed:
            return None
        p = self.satisfied / self.answers if self.answers else 0.5
        return max(0, sample_needed(p, self.margin) - self.answers)

    @property
    def verdict(self) -> str:
        """met (whole interval at or above target), missed (whole interval below),
        uncertain (the interval straddles it), or none (no target or no answers)."""
        interval = self.interval
        if interval is None or self.target is None:
            return "none"
        if interval[0] >= self.target:
            return "met"
        if interval[1] < self.target:
            return "missed"
        return "uncertain"

    def to_json(self) -> dict[str, object]:
        interval = self.interval
        return {
            "answers": self.answers,
            "satisfied": None if self.suppressed else self.satisfied,
            "rate": _round(self.rate),
            "ci_low": _round(interval[0]) if interval else None,
            "ci_high": _round(interval[1]) if interval else None,
            "target": self.target,
            "gap": _round(self.gap),
            "answers_needed": self.answers_needed,
            "verdict": self.verdict,
            "suppressed": self.suppressed,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
