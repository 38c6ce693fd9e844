"""The reminder step calendar (BRIEF §4). Pure: no Django.

Steps are days before the due date (30, 14, 7, 3, 1 by default) and days after it (1, 7). On a given day the
step to send is the latest step whose date has come; a run that missed step days therefore sends only that
latest step, and the outbox's unique key makes sure it is sent once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

BEFORE = "before"
OVERDUE = "overdue"


@dataclass(frozen=True)
class Step:
    kind: str  # BEFORE or OVERDUE
    days: int
    date: date


def steps_for(*, due_date: date, days_before: list[int], days_after: list[int]) -> list[Step]:
    steps = [Step(BEFORE, d, due_date - timedelta(days=d)) for d in sorted(set(days_before)) if d > 0]
    steps += [Step(OVERDUE, d, due_date + timedelta(days=d)) for d in sorted(set(days_after)) if d > 0]
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
