"""Unit scoring (考核): the one rule that turns a unit's reporting record in a period into points.

Pure Python (no ORM). A plan stores its rule as JSON (``Plan.scoring_rule``; empty = the default); the
selector (``selectors.scoring``) counts every unit's reporting slots (a reporting unit's item in the cycle)
with the dashboard's own tally and this module adds the points up, so the console ranking, the dashboard and the 通报
workbook give one unit one score.

Two shapes offices use:
- points (计分制): start at 0, e.g. on time +1, late −1, each return for substance −2, missing −5;
- deduction (百分制扣分): start at 100 and only deduct (the same keys, on-time worth 0), floored at ``floor``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    """How one reporting slot went in a period."""

    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"
    PENDING = "pending"


OUTCOME_LABELS: dict[Outcome, str] = {
    Outcome.ON_TIME: "按时报送",
    Outcome.LATE: "逾期报送",
    Outcome.MISSING: "未报送",
    Outcome.PENDING: "未到期",
}


class ScoringRuleError(ValueError):
    """A stored or submitted scoring rule that cannot be used (the message is shown to the office)."""


@dataclass(frozen=True)
class ScoringRule:
    base: float = 0.0
    on_time: float = 1.0
    late: float = -1.0
    returned: float = -2.0  # per return by the office (退回修改: the substance was not acceptable)
    missing: float = -5.0
    floor: float | None = None  # the lowest score (a 100-point scale is usually floored at 0)

    def as_json(self) -> dict[str, float | None]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


PRESETS: dict[str, ScoringRule] = {
    "points": ScoringRule(),
    "deduction": ScoringRule(base=100.0, on_time=0.0, late=-2.0, returned=-3.0, missing=-10.0, floor=0.0),
}
PRESET_LABELS = {"points": "计分制(按时+1,逾期−1,退回−2,未报−5)", "deduction": "百分制扣分(100分起扣)"}
DEFAULT_RULE = PRESETS["points"]
LIMIT = 1000.0  # a point value beyond this is a typing mistake, not a rule


def scoring_rule_from(stored: Mapping[str, Any] | None) -> ScoringRule:
    """The rule a plan stores (``{}``/None: the default). Raises ScoringRuleError on a value that is no number."""
    if not stored:
        return DEFAULT_RULE
    values: dict[str, float | None] = {}
    for f in fields(ScoringRule):
        if f.name not in stored:
            continue
        raw = stored[f.name]
        if raw is None or raw == "":
            if f.name != "floor":
                raise ScoringRuleError(f"计分规则缺少“{f.name}”的分值")
            values[f.name] = None
            continue
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            raise ScoringRuleError(f"计分规则“{f.name}”的分值不是数字")
        try:
            number = float(raw)
        except ValueError as error:
            raise ScoringRuleError(f"计分规则“{f.name}”的分值不是数字:{raw}") from error
        if number != number or abs(number) > LIMIT:  # NaN or absurd
            raise ScoringRuleError(f"计分规则“{f.name}”的分值应在 −{LIMIT:g} 到 {LIMIT:g} 之间")
        values[f.name] = number
    unknown = set(stored) - {f.name for f in fields(ScoringRule)}
    if unknown:
        raise ScoringRuleError(f"计分规则含有未知项:{'、'.join(sorted(unknown))}")
    return ScoringRule(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class UnitRecord:
    """A unit's reporting record in one period, counted by the one on-time rule of the dashboard
    (selectors.console: a report submitted before the end of the due date is on time)."""

    unit_id: int
    on_time: int = 0
    late: int = 0
    missing: int = 0  # due date passed, nothing submitted
    pending: int = 0  # not submitted, not due yet: no points either way
    returns: int = 0  # times the office returned a report for its substance


@dataclass
class UnitScore:
    unit_id: int
    outcomes: dict[Outcome, int] = field(default_factory=lambda: {outcome: 0 for outcome in Outcome})
    returns: int = 0
    score: float = 0.0

    @property
    def due(self) -> int:
        """Slots that were due (pending ones are not counted yet)."""
        return self.outcomes[Outcome.ON_TIME] + self.outcomes[Outcome.LATE] + self.outcomes[Outcome.MISSING]

    @property
    def on_time_rate(self) -> float | None:
        """Share of due slots first submitted on time (None when nothing was due yet)."""
        return self.outcomes[Outcome.ON_TIME] / self.due if self.due else None

    def reasons(self, rule: ScoringRule) -> list[str]:
        """The points line by line, as the 通报 prints them: "按时报送 3 项 +3", "退回修改 1 次 −2"."""
        lines = []
        for outcome, points in (
            (Outcome.ON_TIME, rule.on_time),
            (Outcome.LATE, rule.late),
            (Outcome.MISSING, rule.missing),
        ):
            count = self.outcomes[outcome]
            if count:
                lines.append(f"{OUTCOME_LABELS[outcome]} {count} 项 {_signed(count * points)}")
        if self.returns:
            lines.append(f"退回修改 {self.returns} 次 {_signed(self.returns * rule.returned)}")
        return lines


def _signed(points: float) -> str:
    text = f"{points:+g}"
    return text.replace("-", "−")


def unit_scores(records: Iterable[UnitRecord], *, rule: ScoringRule) -> list[UnitScore]:
    """Scores from each unit's counts, ranked best first (ties: better on-time rate, then fewer missing,
    then unit id so the order is stable)."""
    scores = []
    for record in records:
        score = UnitScore(
            unit_id=record.unit_id,
            outcomes={
                Outcome.ON_TIME: record.on_time,
                Outcome.LATE: record.late,
                Outcome.MISSING: record.missing,
                Outcome.PENDING: record.pending,
            },
            returns=record.returns,
        )
        total = (
            rule.base
            + rule.on_time * record.on_time
            + rule.late * record.late
            + rule.missing * record.missing
            + rule.returned * record.returns
        )
        score.score = max(total, rule.floor) if rule.floor is not None else total
        scores.append(score)
    return sorted(scores, key=lambda s: (-s.score, -(s.on_time_rate or 0.0), s.outcomes[Outcome.MISSING], s.unit_id))


def ranks(scores: list[UnitScore]) -> list[int]:
    """Competition ranks (1, 2, 2, 4) for scores already sorted by ``unit_scores``."""
    result: list[int] = []
    for position, score in enumerate(scores, start=1):
        if result and score.score == scores[position - 2].score:
            result.append(result[-1])
        else:
            result.append(position)
    return result
