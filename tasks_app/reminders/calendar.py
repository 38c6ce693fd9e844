"""The reminder step calendar (BRIEF §4). Pure: no Django.

Steps are days before the due date (30, 14, 7, 3, 1 by default) and days after it (1, 7). On a given day the
step to send is the latest step whose date has come; a run that missed step days therefore sends only that
latest step, and the outbox's unique key makes sure it is sent once.

Escalation (issue 13): each overdue step has a level. The first overdue step goes to the unit (UNIT); a step
between the first and the last also to the unit's head (HEAD); the last also to the planning office as the
督办单 of every late unit (OFFICE, which includes the head). With the default overdue steps (1 and 7 days) the
second step is the last: the head and the office are reached together 7 days after the due date; a plan with
three overdue steps (e.g. 1, 3 and 7) reaches the head at 3 and the office at 7. A single overdue step does not
escalate. Steps before the due date are level NONE.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

BEFORE = "before"
OVERDUE = "overdue"


NONE, UNIT, HEAD, OFFICE = 0, 1, 2, 3  # escalation levels
LEVEL_LABELS = {NONE: "到期前", UNIT: "单位", HEAD: "单位+负责人", OFFICE: "单位+负责人+规划办督办单"}


@dataclass(frozen=True)
class Step:
    kind: str  # BEFORE or OVERDUE
    days: int
    date: date
    level: int = NONE  # escalation level (UNIT, HEAD, OFFICE) of an overdue step

    @property
    def reaches_head(self) -> bool:
        return self.level >= HEAD

    @property
    def reaches_office(self) -> bool:
        return self.level >= OFFICE


def escalation_levels(days_after: list[int]) -> dict[int, int]:
    """Overdue step (days after the due date) → its level: first UNIT, last OFFICE, those between HEAD."""
    overdue = sorted({d for d in days_after if d > 0})
    if len(overdue) < 2:
        return {d: UNIT for d in overdue}
    return {d: UNIT if i == 0 else OFFICE if i == len(overdue) - 1 else HEAD for i, d in enumerate(overdue)}


def steps_for(*, due_date: date, days_before: list[int], days_after: list[int]) -> list[Step]:
    levels = escalation_levels(days_after)
    steps = [Step(BEFORE, d, due_date - timedelta(days=d)) for d in sorted(set(days_before)) if d > 0]
    steps += [Step(OVERDUE, d, due_date + timedelta(days=d), levels[d]) for d in sorted(levels)]
    return sorted(steps, key=lambda s: s.date)


def step_due(*, due_date: date, as_of: date, days_before: list[int], days_after: list[int]) -> Step | None:
    """The latest step whose day has come on ``as_of``, or None before the first step."""
    latest = None
    for step in steps_for(due_date=due_date, days_before=days_before, days_after=days_after):
        if step.date <= as_of:
            latest = step
    return latest


def validate_days(values: list[int]) -> list[int]:
    """Per-plan step settings: positive whole days, at most a year, no duplicates."""
    cleaned = sorted({int(v) for v in values}, reverse=True)
    if any(v <= 0 or v > 366 for v in cleaned):
        raise ValueError("提醒天数必须是 1 到 366 之间的整数")
    return cleaned
