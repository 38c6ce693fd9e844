"""Unit scoring (考核) reads: a cycle's ranking of its reporting units under the plan's points rule.

The counts are the dashboard's (``console.unit_tallies``: one on-time rule), the points are
``rules.scoring``'s, the returns are the office's 退回 steps in the reports' history. Every face (the
console page, the dashboard's ranking, the API, the 通报 workbook) reads ``cycle_scores``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.db.models import Count

from tasks_app.models import ReportingCycle, ReportVersion
from tasks_app.rules.cycles import past_due
from tasks_app.rules.scoring import ScoringRule, UnitRecord, UnitScore, ranks, scoring_rule_from, unit_scores
from tasks_app.selectors.console import UnitRow, unit_tallies
from tasks_app.snapshots import plan_snapshot


@dataclass(frozen=True)
class ScoreRow:
    rank: int
    name: str
    score: UnitScore
    reasons: list[str]

    @property
    def unit_id(self) -> int:
        return self.score.unit_id

    @property
    def on_time_percent(self) -> float | None:
        rate = self.score.on_time_rate
        return round(100 * rate, 1) if rate is not None else None


@dataclass(frozen=True)
class ScoreBoard:
    cycle: ReportingCycle
    rule: ScoringRule
    rows: list[ScoreRow]
    due_passed: bool  # before the due date nothing counts as missing yet


def office_returns(cycle: ReportingCycle) -> dict[int, int]:
    """Per unit: how many times the office returned one of its reports in the cycle (退回修改). A return is a
    report's status change, which renews the plan's snapshots (tasks_app.snapshots): kept between changes."""
    return plan_snapshot("returns", plan_ids=[cycle.plan_id], key=(cycle.pk,), compute=lambda: _returns(cycle))


def _returns(cycle: ReportingCycle) -> dict[int, int]:
    rows = (
        ReportVersion.objects.filter(
            report__cycle=cycle, report__item__is_active=True, action=ReportVersion.Action.RETURN
        )
        .values_list("report__unit_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)


def cycle_scores(
    cycle: ReportingCycle, *, today: date | None = None, tallies: Mapping[int, UnitRow] | None = None
) -> ScoreBoard:
    """The cycle's reporting units ranked by score: two queries (the tallies, the returns); one when the
    caller already holds the dashboard's unit tallies (``tallies``)."""
    rule = scoring_rule_from(cycle.plan.scoring_rule)
    tallies = unit_tallies(cycle) if tallies is None else tallies
    returns = office_returns(cycle)
    due_passed = past_due(cycle.due_date, today)
    records = [
        UnitRecord(
            unit_id=unit_id,
            on_time=tally.on_time,
            late=tally.late,
            missing=tally.missing if due_passed else 0,
            pending=0 if due_passed else tally.missing,
            returns=returns.get(unit_id, 0),
        )
        for unit_id, tally in tallies.items()
    ]
    scores = unit_scores(records, rule=rule)
    rows = [
        ScoreRow(rank=rank, name=tallies[score.unit_id].name, score=score, reasons=score.reasons(rule))
        for rank, score in zip(ranks(scores), scores, strict=True)
    ]
    return ScoreBoard(cycle=cycle, rule=rule, rows=rows, due_passed=due_passed)
