"""The facts the indicator judgement needs, read the same way for every face (dashboard, its API, the workbook).

An indicator is judged (``rules.indicators.indicator_verdict``) on its official yearly actuals up to the
cycle's year plus, for the cycle's own year when no official actual exists yet, the actual of the cycle's
submitted or approved report (an approved one first, then the latest submitted). Without a cycle (a workbook
exported for no year) only the official actuals count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from django.db.models import Case, CharField, FloatField, IntegerField, OuterRef, QuerySet, Subquery, Value, When

from tasks_app.models import (
    IndicatorActual,
    IndicatorDetail,
    IndicatorTarget,
    MonitoringSettings,
    Plan,
    Report,
    ReportingCycle,
    WorkItem,
)
from tasks_app.rules.indicators import (
    DEFAULT_TOLERANCE,
    Actuals,
    IndicatorFacts,
    IndicatorProgress,
    IndicatorVerdict,
    indicator_progress,
    indicator_verdict,
)

OFFICIAL, REPORTED = "年度实际值", "本年度报告"


def with_reported_actual(items: QuerySet[WorkItem], cycle: ReportingCycle | None) -> QuerySet[WorkItem]:
    """Annotate ``reported_text`` / ``reported_value``: the cycle's done report's actual (None without one)."""
    if cycle is None:
        return items.annotate(
            reported_text=Value(None, output_field=CharField()), reported_value=Value(None, output_field=FloatField())
        )
    approved_first = Case(
        When(status=Report.Status.APPROVED, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    reports = (
        Report.objects.filter(item=OuterRef("pk"), cycle=cycle, status__in=Report.DONE_STATUSES)
        .exclude(actual_value_text="")
        .order_by(approved_first, "-submitted_at")
    )
    return items.annotate(
        reported_text=Subquery(reports.values("actual_value_text")[:1]),
        reported_value=Subquery(reports.values("actual_value")[:1]),
    )


def official_actuals(item_ids: Iterable[int]) -> dict[int, dict[int, tuple[str, float | None]]]:
    """item id → {year: (text, number)} of the recorded yearly actuals. One query."""
    found: dict[int, dict[int, tuple[str, float | None]]] = defaultdict(dict)
    rows = IndicatorActual.objects.filter(item_id__in=list(item_ids)).values_list(
        "item_id", "year", "value_text", "value"
    )
    for item_id, year, text, value in rows:
        found[item_id][year] = (text, value)
    return found


@dataclass(frozen=True)
class Judged:
    verdict: IndicatorVerdict
    source: str  # OFFICIAL or REPORTED: where the latest actual came from ("" without one)


def indicator_judge(facts: IndicatorFacts, *, reported: tuple[str, float | None] | None, year: int | None) -> Judged:
    """The verdict every face shows: ``facts.actuals`` are the official yearly actuals, ``reported`` the
    cycle's report (see the module docstring), ``year`` the cycle's year (None: every year, no report)."""
    merged = dict(facts.actuals)
    if year is not None and reported is not None and reported[0] and year not in merged:
        merged[year] = reported
    verdict = indicator_verdict(replace(facts, actuals=merged), through_year=year)
    if verdict.actual_year is None:
        source = ""
    else:
        source = OFFICIAL if verdict.actual_year in facts.actuals else REPORTED
    return Judged(verdict=verdict, source=source)


def yearly_targets(item_ids: Iterable[int]) -> dict[int, dict[int, float]]:
    """item id → {year: 年度目标} the office set. One query."""
    found: dict[int, dict[int, float]] = defaultdict(dict)
    for item_id, year, value in IndicatorTarget.objects.filter(item_id__in=list(item_ids)).values_list(
        "item_id", "year", "value"
    ):
        found[item_id][year] = value
    return found


def plan_tolerance(plan: Plan) -> float:
    """The plan's 基本符合预期 band as a fraction (MonitoringSettings, else rules.indicators' default);
    no query when ``plan__monitoring`` was joined."""
    try:
        percent = plan.monitoring.tolerance_percent
    except MonitoringSettings.DoesNotExist:
        return DEFAULT_TOLERANCE
    return percent / 100


def detail_facts(
    title: str, kind: str, detail: IndicatorDetail | None, actuals: Actuals, targets: Mapping[int, float]
) -> IndicatorFacts:
    """Every fact the judgement and the path read of one indicator (its detail may be missing)."""
    if detail is None:
        return IndicatorFacts(title, "", None, False, False, actuals, binding=kind == WorkItem.Kind.BINDING)
    return IndicatorFacts(
        title,
        detail.target_text,
        detail.target_value,
        detail.cumulative,
        detail.pending,
        actuals,
        binding=kind == WorkItem.Kind.BINDING,
        baseline_value=detail.baseline_value,
        baseline_year=detail.baseline_year,
        target_year=detail.target_year,
        growth_text=detail.growth_text,
        province_target=detail.province_target_value,
        yearly_targets=targets,
    )


def indicator_track(
    facts: IndicatorFacts, *, reported: tuple[str, float | None] | None, year: int, plan: Plan, tolerance: float
) -> IndicatorProgress:
    """The path status every face shows, on the same actuals as ``indicator_judge`` (official + the cycle's
    report for its own year)."""
    merged = dict(facts.actuals)
    if reported is not None and reported[0] and year not in merged:
        merged[year] = reported
    return indicator_progress(
        replace(facts, actuals=merged),
        year=year,
        period_start=plan.period_start,
        period_end=plan.period_end,
        tolerance=tolerance,
    )


@dataclass(frozen=True)
class IndicatorFactsRow:
    """One indicator with every fact its verdict and its path read, for one cycle (or none): the row every face
    (dashboard, its API, the workbooks, the monitoring pages, the item page) builds its own row from."""

    item: WorkItem  # its indicator detail, plan and the plan's monitoring settings joined; text deferred
    facts: IndicatorFacts
    reported: tuple[str, float | None] | None  # the cycle's done report's actual (with_reported_actual)
    year: int | None  # the cycle's year: the verdict is judged through it (None: every year, no report)
    tolerance: float

    @property
    def detail(self) -> IndicatorDetail | None:
        return getattr(self.item, "indicator", None)  # a missing reverse one-to-one raises an AttributeError

    def judged(self, year: int | None = None) -> Judged:
        return indicator_judge(self.facts, reported=self.reported, year=year or self.year)

    def track(self, year: int) -> IndicatorProgress:
        return indicator_track(
            self.facts, reported=self.reported, year=year, plan=self.item.plan, tolerance=self.tolerance
        )


# Plan fields no judgement reads, left out of the 500 joined plan rows of a province (JSON decoding them cost more
# than the verdicts).
_PLAN_UNREAD = (
    "plan__reporting_text",
    "plan__reporting_rule",
    "plan__reminder_days_before",
    "plan__reminder_days_after",
)


def indicator_facts(
    plan_id: int, cycle: ReportingCycle | None, *, item_ids: Iterable[int] | None = None
) -> list[IndicatorFactsRow]:
    """The plan's active indicators (only ``item_ids`` when given: one row for a page about one indicator) in
    document order, with the facts of their judgement for ``cycle``. Three queries whatever their number."""
    items = WorkItem.objects.filter(plan_id=plan_id, is_active=True, kind__in=WorkItem.INDICATOR_KINDS)
    if item_ids is not None:
        items = items.filter(pk__in=list(item_ids))
    rows = list(
        with_reported_actual(
            items.select_related("indicator", "plan", "plan__monitoring").defer("text", *_PLAN_UNREAD), cycle
        ).order_by("order", "id")
    )
    if not rows:
        return []
    ids = [item.pk for item in rows]
    actuals, targets = official_actuals(ids), yearly_targets(ids)
    tolerance = plan_tolerance(rows[0].plan)  # joined: no query
    year = cycle.year if cycle is not None else None
    found = []
    for item in rows:
        text = getattr(item, "reported_text", None)
        found.append(
            IndicatorFactsRow(
                item=item,
                facts=detail_facts(
                    item.title,
                    item.kind,
                    getattr(item, "indicator", None),
                    actuals.get(item.pk, {}),
                    targets.get(item.pk, {}),
                ),
                reported=(text, getattr(item, "reported_value", None)) if text else None,
                year=year,
                tolerance=tolerance,
            )
        )
    return found
