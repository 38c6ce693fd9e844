"""Read queries of the planning-office console: cycles at a glance, the review queue, the dashboard.

Counting rules (one "slot" = one reporting unit × one active item of the cycle's plan; BRIEF §4: the
lead units report, where none the responsible units):
- on time / late: the slot's report is submitted or approved and was (last) submitted before / after
  the end of the due date (local time);
- missing: every other slot: no report, a draft, or a returned report not yet resubmitted;
- approved / returned / pending: the report's current review state.
Everything is counted in SQL, grouped by unit (and by section for the chapters): a province's cycle has
50,000 slots and hundreds of thousands of past reports, so nothing per slot comes back to Python. The queries
stay constant whatever the plan's size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
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
    Unit,
    WorkItem,
)
from tasks_app.rules.indicator_path import Pace
from tasks_app.rules.indicators import (
    AHEAD,
    BEHIND,
    MET,
    MET_EARLY,
    NO_DATA,
    NOT_MET,
    ON_PATH,
    UNDECIDED,
)
from tasks_app.selectors.indicators import IndicatorFactsRow, indicator_facts
from tasks_app.snapshots import plan_snapshot

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


# One condition per tally column; the report columns name the slot's report ("rep__", see _slot_tallies) or the
# report row itself (""), so the same rule serves both the slot side and the report side.
def _report_flags(prefix: str, *, late: Q) -> dict[str, Q]:
    def where(**lookups: object) -> Q:
        return Q(**{f"{prefix}{key}": value for key, value in lookups.items()})

    done = where(status__in=Report.DONE_STATUSES)
    return {
        "done": done,
        "late": done & late,
        "approved": where(status=Report.Status.APPROVED),
        "returned": where(status=Report.Status.RETURNED),
        "pending": where(status=Report.Status.SUBMITTED),
    }


def _report_counts(prefix: str, *, late: Q) -> dict[str, Count]:
    return {name: Count("pk", filter=flag) for name, flag in _report_flags(prefix, late=late).items()}


def _tally(row: dict) -> dict[str, int]:
    """Tally fields from one aggregate row (``expected``, and the report counts where the row has them)."""
    expected, done, late = row["expected"], row.get("done", 0), row.get("late", 0)
    return {
        "expected": expected,
        "on_time": done - late,
        "late": late,
        "missing": expected - done,
        "approved": row.get("approved", 0),
        "returned": row.get("returned", 0),
        "pending": row.get("pending", 0),
    }


BY_UNIT, BY_SECTION = 0, 1


def _slot_tallies(cycle: ReportingCycle) -> tuple[list[dict], list[dict]]:
    """The cycle's slots (reporting unit × active item) joined to their report, counted per unit and per section
    in one query: the slots are read once (a CTE) and grouped twice, instead of two joins of 50,000 rows.

    A slot has at most one report in a cycle (report_unique), so the LEFT JOIN keeps one row per slot. Each slot
    row carries 0/1 flags (``_report_flags``); the outer query only sums them."""
    report = FilteredRelation(
        "item__reports", condition=Q(item__reports__cycle_id=cycle.pk, item__reports__unit_id=F("unit_id"))
    )
    flags = _report_flags("rep__", late=Q(rep__submitted_at__gte=due_deadline(cycle)))
    slots = (
        Assignment.objects.reporting()
        .filter(item__is_active=True, item__plan_id=cycle.plan_id)
        .annotate(rep=report)
        .annotate(
            **{
                f"f_{name}": Case(When(flag, then=Value(1)), default=Value(0), output_field=IntegerField())
                for name, flag in flags.items()
            }
        )
        .values(
            *(f"f_{name}" for name in flags),
            g_unit=F("unit_id"),
            g_section=F("item__section_id"),
        )
        .order_by()
    )
    sql, params = slots.query.sql_with_params()
    sums = ", ".join(f'SUM("f_{name}") AS "{name}"' for name in flags)
    columns = ", ".join(f'g."{name}"' for name in flags)
    unit = connection.ops.quote_name(Unit._meta.db_table)
    # the slot rows stay narrow (integers only): the unit names join the 300 grouped rows, not the 50,000 slots
    query = (
        f"WITH slots AS ({sql}) "  # noqa: S608  (the ORM's own SQL, a model's table and fixed column names)
        f'SELECT {BY_UNIT}, g."g_unit", u."name", g."expected", {columns} '
        f'FROM (SELECT "g_unit", COUNT(*) AS "expected", {sums} FROM slots GROUP BY "g_unit") g '
        f'INNER JOIN {unit} u ON u."id" = g."g_unit" '
        f'UNION ALL SELECT {BY_SECTION}, "g_section", NULL, COUNT(*), {sums} FROM slots GROUP BY "g_section"'
    )
    units: list[dict] = []
    sections: list[dict] = []
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        for kind, key, name, expected, *counts in cursor.fetchall():
            row = {"key": key, "name": name, "expected": expected, **dict(zip(flags, counts, strict=True))}
            (units if kind == BY_UNIT else sections).append(row)
    return units, sections


def unit_tallies(cycle: ReportingCycle) -> dict[int, UnitRow]:
    """Each reporting unit's tally in the cycle (expected, on time, late, missing …): the dashboard's own
    counts, which the unit scoring (selectors.scoring) and the 督办单 read too, so all judge "on time" alike."""
    return {row.unit_id: row for row in _unit_rows(_slot_tallies(cycle)[BY_UNIT])}


def _unit_rows(rows: list[dict]) -> list[UnitRow]:
    return [UnitRow(**_tally(row), unit_id=row["key"], name=row["name"]) for row in rows]


TALLY_FIELDS = ("expected", "on_time", "late", "missing", "approved", "returned", "pending")


def _add(into: Tally, row: Tally) -> None:
    for name in TALLY_FIELDS:
        setattr(into, name, getattr(into, name) + getattr(row, name))


def _sum(rows: Iterable[Tally]) -> Tally:
    total = Tally()
    for row in rows:
        _add(total, row)
    return total


# --- cycles page ---------------------------------------------------------------------------------


def console_cycle(user: access.AnyUser, cycle_id: int | None) -> ReportingCycle | None:
    """The visible cycle ``cycle_id`` (None when it is not one)."""
    if cycle_id is None:
        return None
    return access.visible_cycles(user).select_related("plan").filter(pk=cycle_id).first()


def console_cycles(user: access.AnyUser) -> list[ReportingCycle]:
    return list(
        access.visible_cycles(user)
        .select_related("plan", "plan__jurisdiction", "opened_by")
        .defer("plan__reporting_text")
        .order_by("plan__jurisdiction__name", "plan__title", "-year")
    )


def open_cycle_summaries(cycles: list[ReportingCycle]) -> dict[int, CycleSummary]:
    """cycle id → totals and per-unit rows, for the open cycles among ``cycles``. Two queries: the slots per
    plan and unit, and the reports per cycle and unit (reports of units that do not report there left out)."""
    open_cycles = [c for c in cycles if c.status == ReportingCycle.Status.OPEN]
    if not open_cycles:
        return {}
    kept = plan_snapshot(
        "cycle-summaries",
        plan_ids={c.plan_id for c in open_cycles},
        key=[(c.pk, c.plan_id, c.due_date) for c in open_cycles],
        compute=lambda: _summaries(open_cycles),
    )
    by_pk = {c.pk: c for c in open_cycles}
    return {pk: replace(summary, cycle=by_pk[pk]) for pk, summary in kept.items()}


def _summaries(open_cycles: list[ReportingCycle]) -> dict[int, CycleSummary]:
    expected = (
        Assignment.objects.reporting()
        .filter(item__is_active=True, item__plan_id__in={c.plan_id for c in open_cycles})
        .values("item__plan_id", "unit_id", "unit__name")
        .annotate(expected=Count("pk"))
        .order_by()
    )
    slots: dict[int, list[dict]] = defaultdict(list)
    for row in expected:
        slots[row["item__plan_id"]].append(row)
    is_slot = Assignment.objects.reporting(item=OuterRef("item_id")).filter(unit_id=OuterRef("unit_id"))
    late = Q(submitted_at__date__gt=F("cycle__due_date"))  # after the due date's end, local time (due_deadline)
    reported = (
        Report.objects.filter(cycle_id__in=[c.pk for c in open_cycles], item__is_active=True)
        .filter(Exists(is_slot))
        .values("cycle_id", "unit_id")
        .annotate(**_report_counts("", late=late))
        .order_by()
    )
    counts = {(row["cycle_id"], row["unit_id"]): row for row in reported}
    found = {}
    for cycle in open_cycles:
        units = [
            UnitRow(
                **_tally({**counts.get((cycle.pk, row["unit_id"]), {}), "expected": row["expected"]}),
                unit_id=row["unit_id"],
                name=row["unit__name"],
            )
            for row in slots.get(cycle.plan_id, [])
        ]
        ranked = sorted(units, key=lambda row: (row.rate, -row.missing, row.name))
        found[cycle.pk] = CycleSummary(cycle=cycle, totals=_sum(units), units=ranked)
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
    """The plan's indicators with their status for the cycle year. Three queries (selectors.indicators)."""
    return [_indicator_row(row, cycle.year) for row in indicator_facts(cycle.plan_id, cycle)]


def _indicator_row(row: IndicatorFactsRow, year: int) -> DashboardIndicator:
    item, detail = row.item, row.detail
    cumulative = bool(detail and detail.cumulative)
    judged = row.judged()
    verdict = judged.verdict
    track = row.track(year)
    return DashboardIndicator(
        item_id=item.pk,
        number=item.number,
        title=item.title,
        kind=item.kind,
        kind_label=item.get_kind_display(),
        unit_of_measure=detail.unit_of_measure if detail else "",
        target_text=detail.target_text if detail else "",
        target_value=detail.target_value if detail else None,
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
    """By unit, by chapter and indicators for one cycle: a constant number of queries whatever the plan's size
    (units and sections counted in one SQL aggregate, sections, indicators and their actuals), and none but the
    snapshot's key while nothing it counts changed (tasks_app.snapshots)."""
    board = plan_snapshot(
        "dashboard",
        plan_ids=[cycle.plan_id],
        key=(cycle.pk, cycle.status, cycle.due_date, cycle.year),
        compute=lambda: _dashboard_compute(cycle),
    )
    sort = normalize_sort(sort)
    return replace(board, cycle=cycle, units=sort_units(board.units, sort), sort=sort)


def _dashboard_compute(cycle: ReportingCycle) -> Dashboard:
    by_unit, section_tallies = _slot_tallies(cycle)
    units = _unit_rows(by_unit)
    totals = _sum(units)
    chapters = plan_chapters(cycle.plan_id)
    by_chapter: dict[int, ChapterRow] = {}
    for row in section_tallies:  # one row per section (a few hundred), folded into the chapters
        chapter = chapters.chapter(row["key"])
        tally = Tally(**_tally(row))
        into = by_chapter.setdefault(chapter, ChapterRow(section_id=chapter, label=chapters.labels.get(chapter, "")))
        _add(into, tally)
    position = {c: n for n, c in enumerate(chapters.order)}
    chapter_rows = sorted(by_chapter.values(), key=lambda r: position.get(r.section_id, len(position)))
    indicators = cycle_indicators(cycle)
    status_counts = dict.fromkeys(STATUS_KEYS.values(), 0)  # met / missed / pending / nodata
    for indicator in indicators:
        status_counts[indicator.status_key] += 1
    return Dashboard(
        cycle=cycle,
        totals=totals,
        units=units,
        chapters=chapter_rows,
        indicators=indicators,
        sort=DEFAULT_SORT,
        status_counts=status_counts,
    )


# --- review queue and review page ----------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    cycle: int | None = None
    unit: int | None = None
    section: int | None = None
    status: str = Report.Status.SUBMITTED


def queue_filter(reports: QuerySet[Report], filters: QueueFilters, *, chapters: Chapters | None) -> QuerySet[Report]:
    """The queue's filters applied to ``reports`` directly (never through a ``pk__in`` subquery: PostgreSQL then
    sorts every report of every cycle to return one page)."""
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
    return reports.order_by("submitted_at", "pk")


def review_queue(user: access.AnyUser, filters: QueueFilters, *, chapters: Chapters | None = None) -> QuerySet[Report]:
    reports = queue_filter(access.visible_console_reports(user), filters, chapters=chapters)
    late = ExpressionWrapper(Q(submitted_at__date__gt=F("cycle__due_date")), output_field=BooleanField())
    return (
        reports.annotate(is_late=late)
        .select_related("item", "item__section", "unit", "cycle", "cycle__plan", "updated_by")
        .defer("item__text", "cycle__plan__reporting_text")
    )


def queue_units(user: access.AnyUser, cycle_id: int | None) -> list[tuple[int, str]]:
    """The units with a report in the queue's scope (the cycle's, else any): one probe per unit on the
    (unit, cycle) index instead of a DISTINCT over every report."""
    reports = access.visible_console_reports(user).filter(unit_id=OuterRef("pk"))
    if cycle_id:
        reports = reports.filter(cycle_id=cycle_id)
    return list(Unit.objects.filter(Exists(reports)).order_by("name", "pk").values_list("pk", "name"))


def review_report(user: access.AnyUser, report_id: int) -> Report | None:
    return (
        access.visible_console_reports(user)
        .filter(pk=report_id)
        .select_related("item", "item__plan", "item__plan__source", "item__section", "unit", "cycle", "updated_by")
        .defer("item__plan__source__text")  # the page shows a few lines (selectors.sources), not the document
        .prefetch_related("evidence")
        .first()
    )


def report_contributions(report: Report) -> list[Contribution]:
    return list(
        Contribution.objects.filter(item_id=report.item_id, cycle_id=report.cycle_id)
        .select_related("unit")
        .order_by("unit__name")
    )


HISTORY_PAGE_SIZE = 50


def _item_versions(item: WorkItem | int, report: Report | None) -> QuerySet[ReportVersion]:
    versions = ReportVersion.objects.filter(report__item=item)
    if report is not None:
        versions = versions.filter(report=report)
    return versions.select_related("actor", "report__unit", "report__cycle").order_by("-created_at", "-number", "-id")


def item_history(item: WorkItem | int, *, report: Report | None = None) -> list[ReportVersion]:
    """Every report version of an item (all units, all cycles), newest first: the item's audit trail."""
    return list(_item_versions(item, report))


def item_history_page(item: WorkItem | int, page: str | int | None, *, user: access.AnyUser) -> Page:
    """One page of ``item_history`` (years of cycles make it long): pages show the newest 50 first. Only the
    versions of reports ``user`` may read: a report still waiting for its unit head is its unit's alone."""
    versions = _item_versions(item, None).filter(report__in=access.visible_reports(user))
    return Paginator(versions, HISTORY_PAGE_SIZE).get_page(page)
