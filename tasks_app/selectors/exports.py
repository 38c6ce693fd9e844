"""Read queries of the exports: plain tuples in chunks, a constant number of queries per chunk.

50,000 items never sit in memory at once: items are read with ``iterator(chunk_size=…)`` and each
chunk fetches its assignments (and reports) in one query keyed by the chunk's item ids.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice

from django.db.models import CharField, Count, QuerySet
from django.db.models.functions import Cast

from tasks_app import access
from tasks_app.models import (
    Assignment,
    Evaluation,
    ExportJob,
    Plan,
    Report,
    ReportingCycle,
    Section,
    Unit,
    WorkItem,
)
from tasks_app.rules.indicators import IndicatorFacts, IndicatorProgress
from tasks_app.rules.periods import period_of
from tasks_app.rules.reporting import reporting_role
from tasks_app.rules.units import unit_display
from tasks_app.selectors.indicators import Judged, indicator_facts, indicator_judge, indicator_track

CHUNK_SIZE = 2000
ROLES = (Assignment.Role.LEAD, Assignment.Role.COOPERATING, Assignment.Role.RESPONSIBLE)


@dataclass(slots=True)
class SectionRow:
    id: int
    parent_id: int | None
    number: str
    title: str


@dataclass(slots=True)
class ItemRow:
    id: int
    kind: str
    number: str
    title: str
    text: str
    section_id: int | None
    deadline: date | None
    deadline_text: str
    deadline_defaulted: bool
    and_others: bool
    # role → [(unit name, "等" after it)] in document order
    units: dict[str, list[tuple[str, bool]]] = field(default_factory=dict)

    def names(self, role: str) -> list[str]:
        return [name for name, _ in self.units.get(role, [])]

    @property
    def reporting_units(self) -> list[str]:
        """Names of the units that report (rules.reporting: the leads, else the responsible units)."""
        return self.names(self.reporting_role)

    @property
    def reporting_role(self) -> str:
        return reporting_role((0, role) for role in self.units)


def _chunks(iterable: Iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def plan_sections(plan: Plan) -> dict[int, SectionRow]:
    rows = Section.objects.filter(plan=plan).order_by("order").values_list("id", "parent_id", "number", "title")
    return {row[0]: SectionRow(*row) for row in rows}


_ITEM_FIELDS = (
    "id",
    "kind",
    "number",
    "title",
    "text",
    "section_id",
    "deadline",
    "deadline_text",
    "deadline_defaulted",
    "and_others",
)


def _assignments(item_ids: list[int]) -> dict[int, dict[str, list[tuple[str, bool]]]]:
    found: dict[int, dict[str, list[tuple[str, bool]]]] = defaultdict(dict)
    rows = (
        Assignment.objects.current()
        .filter(item_id__in=item_ids)
        .order_by("item_id", "role", "order", "id")
        .values_list("item_id", "role", "unit__name", "and_others", "raw_name", "succeeds_id")
    )
    for item_id, role, name, others, written, succeeds in rows:
        label = unit_display(name, written=written, succeeded=succeeds is not None)
        found[item_id].setdefault(role, []).append((label, others))
    return found


def iter_item_chunks(
    plan: Plan, *, kinds: Iterable[str] | None = None, ids: list[int] | None = None, chunk_size: int = CHUNK_SIZE
) -> Iterator[list[ItemRow]]:
    """The plan's active items (only ``ids`` when given) in document order, with their units, ``chunk_size`` at
    a time."""
    items = WorkItem.objects.filter(plan=plan, is_active=True)
    if kinds is not None:
        items = items.filter(kind__in=list(kinds))
    if ids is not None:
        items = items.filter(pk__in=ids)
    rows = items.order_by("order", "id").values_list(*_ITEM_FIELDS).iterator(chunk_size=chunk_size)
    for chunk in _chunks(rows, chunk_size):
        units = _assignments([row[0] for row in chunk])
        yield [ItemRow(*row, units=units.get(row[0], {})) for row in chunk]  # type: ignore[misc]  # values_list rows fill the fields before units


def iter_items(
    plan: Plan, *, kinds: Iterable[str] | None = None, ids: list[int] | None = None, chunk_size: int = CHUNK_SIZE
) -> Iterator[ItemRow]:
    for chunk in iter_item_chunks(plan, kinds=kinds, ids=ids, chunk_size=chunk_size):
        yield from chunk


@dataclass(slots=True)
class ReportRow:
    unit: str
    status: str
    progress_status: str
    progress: str
    problems: str
    next_steps: str
    actual_value_text: str
    review_reason: str


def reports_for(cycle: ReportingCycle, item_ids: list[int]) -> dict[int, list[ReportRow]]:
    found: dict[int, list[ReportRow]] = defaultdict(list)
    rows = (
        Report.objects.filter(cycle=cycle, item_id__in=item_ids)
        .exclude(status__in=Report.UNIT_ONLY_STATUSES)  # not yet signed off by the unit head: not the office's
        .order_by("item_id", "unit__name")
        .values_list(
            "item_id",
            "unit__name",
            "status",
            "progress_status",
            "progress",
            "problems",
            "next_steps",
            "actual_value_text",
            "review_reason",
        )
    )
    for item_id, *values in rows:
        found[item_id].append(ReportRow(*values))
    return found


@dataclass(slots=True)
class IndicatorRow:
    item: ItemRow
    domain: str
    unit_of_measure: str
    baseline_text: str
    baseline_year: int | None
    target_text: str
    target_value: float | None
    target_year: int | None
    cumulative: bool
    pending: bool
    actuals: dict[int, tuple[str, float | None]]  # year → (text, number)
    reported: tuple[str, float | None] | None = None  # the cycle's submitted report (selectors.indicators)
    year: int | None = None  # the cycle's year: the status is judged through it
    facts: IndicatorFacts | None = None  # everything the path reads too (selectors.indicators.detail_facts)
    plan: Plan | None = None
    tolerance: float = 0.05

    def judged(self) -> Judged:
        """The indicator judgement every face shows (selectors.indicators.indicator_judge)."""
        facts = IndicatorFacts(
            self.item.title, self.target_text, self.target_value, self.cumulative, self.pending, self.actuals
        )
        return indicator_judge(self.facts or facts, reported=self.reported, year=self.year)

    def track(self, year: int | None = None) -> IndicatorProgress | None:
        """The status against the five-year path in ``year``, else the cycle's year, else the latest year
        with an actual, else the plan's first year."""
        if self.facts is None or self.plan is None:
            return None
        year = year or self.year or max(self.actuals, default=self.plan.period_start)
        return indicator_track(self.facts, reported=self.reported, year=year, plan=self.plan, tolerance=self.tolerance)


def indicator_rows(
    plan: Plan, cycle: ReportingCycle | None = None, *, item_ids: Iterable[int] | None = None
) -> list[IndicatorRow]:
    """The plan's indicators (a few dozen per plan; only ``item_ids`` when given) with the facts of their
    judgement for ``cycle``, from the one builder every face uses (selectors.indicators.indicator_facts)."""
    ids = None if item_ids is None else list(item_ids)
    built = {row.item.pk: row for row in indicator_facts(plan.pk, cycle, item_ids=ids)}
    result = []
    for item in iter_items(plan, kinds=WorkItem.INDICATOR_KINDS, ids=ids):
        row = built[item.id]
        detail = row.detail
        result.append(
            IndicatorRow(
                item=item,
                domain=detail.domain if detail else "",
                unit_of_measure=detail.unit_of_measure if detail else "",
                baseline_text=detail.baseline_text if detail else "",
                baseline_year=detail.baseline_year if detail else None,
                target_text=detail.target_text if detail else "",
                target_value=detail.target_value if detail else None,
                target_year=detail.target_year if detail else None,
                cumulative=bool(detail and detail.cumulative),
                pending=bool(detail and detail.pending),
                actuals=dict(row.facts.actuals),
                reported=row.reported,
                year=row.year,
                facts=row.facts,
                plan=plan,
                tolerance=row.tolerance,
            )
        )
    return result


def plan_evaluations(plan: Plan) -> list[Evaluation]:
    return list(Evaluation.objects.filter(plan=plan).order_by("order"))


@dataclass(slots=True)
class UnitLoad:
    name: str
    kind: str
    roles: dict[str, int] = field(default_factory=dict)
    items: int = 0
    reporting: int = 0
    reports: dict[str, int] = field(default_factory=dict)


def unit_workload(plan: Plan, cycle: ReportingCycle | None) -> list[UnitLoad]:
    """Per unit: assignments by role, items, items it reports on, and the cycle's reports by status."""
    active = Assignment.objects.filter(item__plan=plan, item__is_active=True)
    loads: dict[int, UnitLoad] = {}
    kinds = dict(Unit.Kind.choices)
    units = Unit.objects.filter(assignments__item__plan=plan, assignments__item__is_active=True).distinct()
    for unit_id, name, kind in units.values_list("id", "name", "kind"):
        loads[unit_id] = UnitLoad(name=name, kind=kinds.get(kind, kind))
    for unit_id, role, count in active.values_list("unit_id", "role").annotate(n=Count("id")).order_by():
        loads[unit_id].roles[role] = count
    for unit_id, count in active.values_list("unit_id").annotate(n=Count("item_id", distinct=True)).order_by():
        loads[unit_id].items = count
    reporting = active.reporting(closed=True)  # who reports there, closed (销号) items included
    for unit_id, count in reporting.values_list("unit_id").annotate(n=Count("item_id", distinct=True)).order_by():
        loads[unit_id].reporting = count
    if cycle is not None:
        reports = Report.objects.filter(cycle=cycle, item__is_active=True, unit_id__in=list(loads))
        for unit_id, status, count in reports.values_list("unit_id", "status").annotate(n=Count("id")).order_by():
            loads[unit_id].reports[status] = count
    return sorted(loads.values(), key=lambda load: (-load.items, load.name))


# --- the console's export pages -------------------------------------------------------------------


def export_plans(user: access.AnyUser) -> QuerySet[Plan]:
    return access.visible_plans(user).select_related("jurisdiction").order_by("-pk")


def export_years(user: access.AnyUser) -> list[int]:
    years = ReportingCycle.objects.filter(plan__in=access.visible_plans(user)).values_list("year", flat=True)
    return sorted(set(years), reverse=True)


def export_periods(user: access.AnyUser, *, limit: int = 48) -> list[tuple[str, str]]:
    """(label, name) of the periods finer than a year that the user's plans report in (2022Q3 → 2022年第三季度),
    latest first: the suggestions of the export form's 报送期 field."""
    cycles = ReportingCycle.objects.filter(plan__in=access.visible_plans(user)).exclude(
        period=Cast("year", CharField())
    )
    labels = set(cycles.values_list("period", flat=True))
    named = sorted((period_of(label) for label in labels), key=lambda p: (p.start, p.label), reverse=True)
    return [(p.label, p.display) for p in named[:limit]]


def export_job(job_id: int) -> ExportJob | None:
    return ExportJob.objects.select_related("plan", "created_by").filter(pk=job_id).first()
