"""Read queries of the planning-office console: cycles at a glance, the review queue, the dashboard.

Counting rules (one "slot" = one reporting unit × one active item of the cycle's plan; BRIEF §4: the
lead units report, where none the responsible units):
- on time / late: the slot's report is submitted or approved and was (last) submitted before / after
  the end of the due date (local time);
- missing: every other slot: no report, a draft, or a returned report not yet resubmitted;
- approved / returned / pending: the report's current review state.
Everything is read in a constant number of queries (slots, reports, sections, indicators) and folded in
Python: a cycle has at most a few thousand slots.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
)
from django.utils import timezone

from tasks_app import access
from tasks_app.models import (
    Assignment,
    Contribution,
    Report,
    ReportingCycle,
    ReportVersion,
    Section,
    WorkItem,
)
from tasks_app.rules.cycles import default_cycle
from tasks_app.rules.indicator_path import Pace
from tasks_app.rules.indicators import AHEAD, BEHIND, MET, MET_EARLY, NO_DATA, NOT_MET, ON_PATH, UNDECIDED
from tasks_app.selectors.indicators import (
    detail_facts,
    indicator_judge,
    indicator_track,
    official_actuals,
    plan_tolerance,
    with_reported_actual,
    yearly_targets,
)

NO_CHAPTER = 0


# --- tallies -------------------------------------------------------------------------------------


@dataclass
class Tally:
    expected: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    approved: int = 0
    returned: int = 0
    pending: int = 0  # submitted, awaiting review

    @property
    def done(self) -> int:
        return self.on_time + self.late

    @property
    def rate(self) -> float:
        """Share of slots submitted (on time or late), in percent."""
        return round(100 * self.done / self.expected, 1) if self.expected else 0.0

    @property
    def on_time_rate(self) -> float:
        return round(100 * self.on_time / self.expected, 1) if self.expected else 0.0

    def add(self, status: str | None, submitted_at: datetime | None, deadline: datetime) -> None:
        self.expected += 1
        if status in Report.DONE_STATUSES:
            if submitted_at is not None and submitted_at >= deadline:
                self.late += 1
            else:
                self.on_time += 1
        else:
            self.missing += 1
        if status == Report.Status.APPROVED:
            self.approved += 1
        elif status == Report.Status.RETURNED:
            self.returned += 1
        elif status == Report.Status.SUBMITTED:
            self.pending += 1


@dataclass
class UnitRow(Tally):
    unit_id: int = 0
    name: str = ""


@dataclass
class ChapterRow(Tally):
    section_id: int = NO_CHAPTER
    label: str = ""


@dataclass
class CycleSummary:
    cycle: ReportingCycle
    totals: Tally
    units: list[UnitRow]


def due_deadline(cycle: ReportingCycle) -> datetime:
    """The first instant after the due date (local time): submissions before it are on time."""
    return timezone.make_aware(datetime.combine(cycle.due_date + timedelta(days=1), time.min))


def _slots(plan_ids: set[int]) -> dict[int, list[tuple[int, int, str, int | None]]]:
    """plan id → [(item id, unit id, unit name, section id)], each (item, unit) once. One query."""
    rows = (
        Assignment.objects.reporting()
        .filter(item__is_active=True, item__plan_id__in=plan_ids)
        .order_by("item__plan_id", "item__order", "unit_id")
        .values_list("item__plan_id", "item_id", "unit_id", "unit__name", "item__section_id")
    )
    found: dict[int, list[tuple[int, int, str, int | None]]] = defaultdict(list)
    seen: set[tuple[int, int]] = set()
    for plan_id, item_id, unit_id, name, section_id in rows:
        if (item_id, unit_id) not in seen:
            seen.add((item_id, unit_id))
            found[plan_id].append((item_id, unit_id, name, section_id))
    return found


def _report_states(cycle_ids: list[int]) -> dict[tuple[int, int, int], tuple[str, datetime | None]]:
    """(cycle, item, unit) → (status, submitted_at). One query."""
    rows = Report.objects.filter(cycle_id__in=cycle_ids).values_list(
        "cycle_id", "item_id", "unit_id", "status", "submitted_at"
    )
    return {(c, i, u): (status, at) for c, i, u, status, at in rows}


def _fold_units(
    cycle: ReportingCycle, slots: list[tuple[int, int, str, int | None]], states: dict
) -> tuple[Tally, dict[int, UnitRow]]:
    deadline = due_deadline(cycle)
    totals = Tally()
    units: dict[int, UnitRow] = {}
    for item_id, unit_id, name, _section in slots:
        status, at = states.get((cycle.pk, item_id, unit_id), (None, None))
        units.setdefault(unit_id, UnitRow(unit_id=unit_id, name=name)).add(status, at, deadline)
        totals.add(status, at, deadline)
    return totals, units


# --- cycles page ---------------------------------------------------------------------------------


def console_cycle(user: access.AnyUser, cycle_id: int | None) -> ReportingCycle | None:
    """The visible cycle ``cycle_id`` (None when it is not one)."""
    if cycle_id is None:
        return None
    return access.visible_cycles(user).select_related("plan").filter(pk=cycle_id).first()


def dashboard_default_cycle(user: access.AnyUser) -> ReportingCycle | None:
    """The cycle the dashboard shows when none is asked for (rules.cycles.default_cycle)."""
    return default_cycle(access.visible_cycles(user).select_related("plan"))


def console_cycles(user: access.AnyUser) -> list[ReportingCycle]:
    return list(
        access.visible_cycles(user)
        .select_related("plan", "plan__jurisdiction", "opened_by")
        .defer("plan__reporting_text")
        .order_by("plan__jurisdiction__name", "plan__title", "-year")
    )


def open_cycle_summaries(cycles: list[ReportingCycle]) -> dict[int, CycleSummary]:
    """cycle id → totals and per-unit rows, for the open cycles among ``cycles``. Two queries."""
    open_cycles = [c for c in cycles if c.status == ReportingCycle.Status.OPEN]
    if not open_cycles:
        return {}
    slots = _slots({c.plan_id for c in open_cycles})
    states = _report_states([c.pk for c in open_cycles])
    found = {}
    for cycle in open_cycles:
        totals, units = _fold_units(cycle, slots.get(cycle.plan_id, []), states)
        ranked = sorted(units.values(), key=lambda row: (row.rate, -row.missing, row.name))
        found[cycle.pk] = CycleSummary(cycle=cycle, totals=totals, units=ranked)
    return found


# --- chapters ------------------------------------------------------------------------------------


@dataclass
class Chapters:
    """Which chapter each section belongs to. A plan whose top level splits into fewer than three parts
    (002: 二 指标 / 三 任务) is divided one level deeper (the eighteen (一)…(十八) headings)."""

    of_section: dict[int, int]
    labels: dict[int, str]
    order: list[int]

    def chapter(self, section_id: int | None) -> int:
        return self.of_section.get(section_id, NO_CHAPTER) if section_id else NO_CHAPTER

    def sections_in(self, chapter_id: int) -> list[int]:
        return [s for s, c in self.of_section.items() if c == chapter_id]

    def choices(self) -> list[tuple[int, str]]:
        return [(c, self.labels[c]) for c in self.order]


def plan_chapters(plan_id: int) -> Chapters:
    rows = list(
        Section.objects.filter(plan_id=plan_id).order_by("order").values_list("id", "parent_id", "number", "title")
    )
    parent = {sid: pid for sid, pid, _, _ in rows}
    info = {sid: (number, title) for sid, _, number, title in rows}

    def path(sid: int) -> list[int]:
        chain = [sid]
        while parent.get(chain[-1]) and len(chain) < 20:
            chain.append(parent[chain[-1]])
        return chain[::-1]

    paths = {sid: path(sid) for sid in parent}
    roots = {p[0] for p in paths.values()}
    depth = 2 if len(roots) < 3 and any(len(p) > 1 for p in paths.values()) else 1
    of_section = {sid: p[min(depth, len(p)) - 1] for sid, p in paths.items()}
    labels = {}
    for sid, p in paths.items():
        chapter = of_section[sid]
        if chapter in labels:
            continue
        number, title = info[chapter]
        prefix = info[p[0]][0] if depth == 2 and chapter != p[0] else ""
        labels[chapter] = f"{prefix}{number} {title}".strip()
    order = list(dict.fromkeys(of_section[sid] for sid, *_ in rows))
    labels[NO_CHAPTER] = "未分章节"
    return Chapters(of_section=of_section, labels=labels, order=order)


# --- indicators ----------------------------------------------------------------------------------

STATUS_KEYS = {MET: "met", NOT_MET: "missed", UNDECIDED: "pending", NO_DATA: "nodata"}
PATH_KEYS = {
    MET_EARLY: "early",
    AHEAD: "ahead",
    ON_PATH: "onpath",
    BEHIND: "behind",
    UNDECIDED: "pending",
    NO_DATA: "nodata",
}


@dataclass
class DashboardIndicator:
    item_id: int
    number: str
    title: str
    kind: str
    kind_label: str
    unit_of_measure: str
    target_text: str
    target_value: float | None
    actual_text: str
    actual_year: int | None
    actual_source: str
    judged: float | None  # the number compared with the target (the running sum when cumulative)
    path_target: float | None  # cumulative only: the share of the target the five-year path reaches by now
    status: str
    cumulative: bool = False
    path_status: str = NO_DATA  # against the five-year path (rules.indicators.indicator_progress)
    path_expected: float | None = None
    at_risk: bool = False  # binding, and 滞后 or unlikely to meet the target
    pace: Pace | None = None

    @property
    def binding(self) -> bool:
        return self.kind == WorkItem.Kind.BINDING

    @property
    def status_key(self) -> str:
        return STATUS_KEYS[self.status]

    @property
    def path_key(self) -> str:
        return PATH_KEYS[self.path_status]

    @property
    def off_track(self) -> bool:
        return self.binding and self.status == NOT_MET


def cycle_indicators(cycle: ReportingCycle) -> list[DashboardIndicator]:
    """The plan's indicators with their status for the cycle year. Three queries."""
    items = list(
        with_reported_actual(
            WorkItem.objects.filter(plan_id=cycle.plan_id, is_active=True, kind__in=WorkItem.INDICATOR_KINDS)
            .select_related("indicator", "plan", "plan__monitoring")
            .defer("text", "plan__reporting_text"),
            cycle,
        ).order_by("order", "id")
    )
    if not items:
        return []
    actuals = official_actuals(item.pk for item in items)
    targets = yearly_targets(item.pk for item in items)
    plan = items[0].plan  # joined: the cycle's plan (and its monitoring settings) without another query
    tolerance = plan_tolerance(plan)
    return [
        _indicator_row(item, actuals.get(item.pk, {}), targets.get(item.pk, {}), cycle.year, tolerance)
        for item in items
    ]


def _reported(item: WorkItem) -> tuple[str, float | None] | None:
    """The annotation ``with_reported_actual`` put on the row."""
    text = getattr(item, "reported_text", None)
    return (text, getattr(item, "reported_value", None)) if text else None


def _indicator_row(item: WorkItem, actuals: dict, targets: dict, year: int, tolerance: float) -> DashboardIndicator:
    detail = getattr(item, "indicator", None)
    target_value = detail.target_value if detail else None
    cumulative = bool(detail and detail.cumulative)
    facts = detail_facts(item.title, item.kind, detail, actuals, targets)
    judged = indicator_judge(facts, reported=_reported(item), year=year)
    verdict = judged.verdict
    track = indicator_track(facts, reported=_reported(item), year=year, plan=item.plan, tolerance=tolerance)
    return DashboardIndicator(
        item_id=item.pk,
        number=item.number,
        title=item.title,
        kind=item.kind,
        kind_label=item.get_kind_display(),
        unit_of_measure=detail.unit_of_measure if detail else "",
        target_text=detail.target_text if detail else "",
        target_value=target_value,
        actual_text=verdict.actual_text,
        actual_year=verdict.actual_year,
        actual_source=judged.source,
        judged=verdict.judged,
        path_target=track.expected if cumulative else None,
        status=verdict.status,
        cumulative=cumulative,
        path_status=track.status,
        path_expected=track.expected,
        at_risk=track.at_risk,
        pace=track.pace,
    )


# --- dashboard -----------------------------------------------------------------------------------

UNIT_SORTS = {
    "rate": lambda r: (r.rate, r.name),
    "on_time": lambda r: (r.on_time_rate, r.name),
    "missing": lambda r: (r.missing, r.name),
    "late": lambda r: (r.late, r.name),
    "approved": lambda r: (r.approved, r.name),
    "returned": lambda r: (r.returned, r.name),
    "expected": lambda r: (r.expected, r.name),
    "name": lambda r: r.name,
}
DEFAULT_SORT = "-rate"


@dataclass
class Dashboard:
    cycle: ReportingCycle
    totals: Tally
    units: list[UnitRow]
    chapters: list[ChapterRow]
    indicators: list[DashboardIndicator]
    sort: str
    status_counts: dict[str, int] = field(default_factory=dict)


def normalize_sort(sort: str | None) -> str:
    key = (sort or "").lstrip("-")
    return sort if key in UNIT_SORTS and sort else DEFAULT_SORT


def sort_units(rows: list[UnitRow], sort: str) -> list[UnitRow]:
    key = sort.lstrip("-")
    ordered = sorted(rows, key=lambda r: r.name)
    return sorted(ordered, key=UNIT_SORTS[key], reverse=sort.startswith("-"))


def cycle_dashboard(cycle: ReportingCycle, *, sort: str | None = None) -> Dashboard:
    """By unit, by chapter and indicators for one cycle: four queries whatever the plan's size."""
    slots = _slots({cycle.plan_id}).get(cycle.plan_id, [])
    states = _report_states([cycle.pk])
    totals, units = _fold_units(cycle, slots, states)
    chapters = plan_chapters(cycle.plan_id)
    deadline = due_deadline(cycle)
    by_chapter: dict[int, ChapterRow] = {}
    for item_id, unit_id, _name, section_id in slots:
        chapter = chapters.chapter(section_id)
        row = by_chapter.setdefault(chapter, ChapterRow(section_id=chapter, label=chapters.labels.get(chapter, "")))
        status, at = states.get((cycle.pk, item_id, unit_id), (None, None))
        row.add(status, at, deadline)
    position = {c: n for n, c in enumerate(chapters.order)}
    chapter_rows = sorted(by_chapter.values(), key=lambda r: position.get(r.section_id, len(position)))
    indicators = cycle_indicators(cycle)
    status_counts = dict.fromkeys(STATUS_KEYS.values(), 0)  # met / missed / pending / nodata
    for indicator in indicators:
        status_counts[indicator.status_key] += 1
    sort = normalize_sort(sort)
    return Dashboard(
        cycle=cycle,
        totals=totals,
        units=sort_units(list(units.values()), sort),
        chapters=chapter_rows,
        indicators=indicators,
        sort=sort,
        status_counts=status_counts,
    )


# --- review queue and review page ----------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    cycle: int | None = None
    unit: int | None = None
    section: int | None = None
    status: str = Report.Status.SUBMITTED


def review_queue(user: access.AnyUser, filters: QueueFilters, *, chapters: Chapters | None = None) -> QuerySet[Report]:
    reports = access.visible_console_reports(user)
    if filters.status:
        reports = reports.filter(status=filters.status)
    if filters.cycle:
        reports = reports.filter(cycle_id=filters.cycle)
    if filters.unit:
        reports = reports.filter(unit_id=filters.unit)
    if filters.section is not None and chapters is not None:
        if filters.section == NO_CHAPTER:
            reports = reports.filter(item__section__isnull=True)
        else:
            reports = reports.filter(item__section_id__in=chapters.sections_in(filters.section))
    late = ExpressionWrapper(Q(submitted_at__date__gt=F("cycle__due_date")), output_field=BooleanField())
    return (
        reports.annotate(is_late=late)
        .select_related("item", "item__section", "unit", "cycle", "cycle__plan", "updated_by")
        .defer("item__text", "cycle__plan__reporting_text")
        .order_by("submitted_at", "pk")
    )


def queue_units(user: access.AnyUser, cycle_id: int | None) -> list[tuple[int, str]]:
    reports = access.visible_console_reports(user)
    if cycle_id:
        reports = reports.filter(cycle_id=cycle_id)
    return list(reports.order_by("unit__name").values_list("unit_id", "unit__name").distinct())


def review_report(user: access.AnyUser, report_id: int) -> Report | None:
    return (
        access.visible_console_reports(user)
        .filter(pk=report_id)
        .select_related("item", "item__plan", "item__plan__source", "item__section", "unit", "cycle", "updated_by")
        .prefetch_related("evidence")
        .first()
    )


def report_contributions(report: Report) -> list[Contribution]:
    return list(
        Contribution.objects.filter(item_id=report.item_id, cycle_id=report.cycle_id)
        .select_related("unit")
        .order_by("unit__name")
    )


def item_history(item: WorkItem | int, *, report: Report | None = None) -> list[ReportVersion]:
    """Every report version of an item (all units, all cycles), newest first: the item's audit trail."""
    versions = ReportVersion.objects.filter(report__item=item)
    if report is not None:
        versions = versions.filter(report=report)
    return list(
        versions.select_related("actor", "report__unit", "report__cycle").order_by("-created_at", "-number", "-id")
    )
