"""The five-year path of an indicator: the value expected each year and the pace achieved. Pure numbers.

``rules.indicators.indicator_progress`` (the one judgement) calls these; nothing else should. Four shapes:

- ``linear``: a total or a share moving in equal steps from the baseline to the target;
- ``compound``: a level with a 年均增速 (growth rate) column: equal growth *rates*, b·(t/b)^(k/n);
- ``cumulative``: a ``[..]`` five-year total: the running sum of yearly actuals should reach t·k/n by year k;
- ``rate``: the indicator *is* a yearly rate (地区生产总值年均增速 ≥ 7): the path is flat at the target and the
  number judged is the average (geometric) of the yearly rates so far.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

LINEAR, COMPOUND, CUMULATIVE, RATE = "linear", "compound", "cumulative", "rate"
SHAPE_LABELS = {LINEAR: "线性", COMPOUND: "复合增长", CUMULATIVE: "五年累计", RATE: "年均增速"}
STEP, PERCENT = "step", "percent"  # the trend's measure: units per year, or percent per year

_RATE_WORDS = ("增速", "增长率", "年均增长")


def path_shape(*, title: str, cumulative: bool, growth_rate: float | None) -> str:
    if cumulative:
        return CUMULATIVE
    if any(word in title for word in _RATE_WORDS):
        return RATE
    return COMPOUND if growth_rate is not None else LINEAR


@dataclass(frozen=True)
class Path:
    """Where an indicator should be: baseline ``baseline`` in ``start`` (the baseline year) → ``target`` in
    ``end``; ``direction`` is +1 when higher is better, -1 when lower is better."""

    shape: str
    baseline: float | None
    target: float | None
    start: int
    end: int
    direction: int

    @property
    def years(self) -> int:
        return max(self.end - self.start, 1)

    def expected(self, year: int) -> float | None:
        """The value the path reaches in ``year`` (None without the numbers it needs)."""
        t, b = self.target, self.baseline
        if t is None:
            return None
        k = min(max(year - self.start, 0), self.years)
        if self.shape == CUMULATIVE:
            return t * k / self.years
        if self.shape == RATE:
            return t
        if b is None:
            return None
        if self.shape == COMPOUND and b > 0 and t > 0:
            return b * (t / b) ** (k / self.years)
        return b + (t - b) * k / self.years

    def band(self, tolerance: float) -> float:
        """Half-width of 基本符合预期: ``tolerance`` × the whole step baseline → target (BRIEF: ±5% by
        default); a flat path (rate, cumulative, or baseline = target) uses ``tolerance`` × the target."""
        t = self.target or 0.0
        if self.shape in (LINEAR, COMPOUND) and self.baseline is not None and self.baseline != t:
            return abs(tolerance * (t - self.baseline))
        return abs(tolerance * t)


def average_rate(rates: Sequence[float]) -> float | None:
    """年均增速 achieved: the geometric mean of yearly rates in percent (6, 8 → 6.995)."""
    if not rates:
        return None
    product = math.prod(1 + r / 100 for r in rates)
    return (product ** (1 / len(rates)) - 1) * 100 if product > 0 else None


def judged_value(shape: str, numbers: Sequence[float]) -> float | None:
    """The number the path compares in a year from the yearly numbers so far (oldest first): the running
    sum (cumulative), the average rate (rate) or the latest (a level)."""
    if not numbers:
        return None
    if shape == CUMULATIVE:
        return sum(numbers)
    if shape == RATE:
        return average_rate(numbers)
    return numbers[-1]


@dataclass(frozen=True)
class Pace:
    """The trend verdict: per year still needed to reach the target vs achieved so far, in ``measure``
    (STEP: units per year; PERCENT: growth rate per year); ``likely`` whether the target will be met."""

    needed: float | None
    achieved: float | None
    measure: str
    likely: bool | None


NO_PACE = Pace(None, None, STEP, None)


def pace(path: Path, *, year: int, value: float | None, numbers: Sequence[float]) -> Pace:
    """The pace at ``year`` where the judged ``value`` stands (``numbers``: the yearly numbers so far)."""
    t, b = path.target, path.baseline
    if t is None or value is None:
        return NO_PACE
    elapsed = max(year - path.start, 1)
    remaining = path.end - year
    met = path.direction * (value - t) >= 0
    needed: float | None = None
    achieved: float | None = None
    measure = STEP
    if path.shape == CUMULATIVE:
        achieved = value / elapsed
        needed = (t - value) / remaining if remaining > 0 else None
    elif path.shape == RATE:
        measure = PERCENT
        achieved = value
        if remaining > 0 and numbers:
            still = (1 + t / 100) ** (len(numbers) + remaining) / math.prod(1 + r / 100 for r in numbers)
            needed = (still ** (1 / remaining) - 1) * 100 if still > 0 else None
    elif path.shape == COMPOUND and b is not None and b > 0 and value > 0 and t > 0:
        measure = PERCENT
        achieved = ((value / b) ** (1 / elapsed) - 1) * 100
        needed = ((t / value) ** (1 / remaining) - 1) * 100 if remaining > 0 else None
    elif b is not None:
        achieved = (value - b) / elapsed
        needed = (t - value) / remaining if remaining > 0 else None
    if met:
        likely: bool | None = True
    elif remaining <= 0:
        likely = False
    elif needed is None or achieved is None:
        likely = None
    else:
        likely = path.direction * (achieved - needed) >= 0
    return Pace(needed=needed, achieved=achieved, measure=measure, likely=likely)
