"""What the monitoring page and the Word evaluation reports read: indicators against the five-year path, tasks
on schedule by chapter and by unit, units late or returned, problems and next steps. One computation feeds
the console page, the report's text and its annex tables, so their figures cannot disagree."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from tasks_app.models import Assignment, Evaluation, Plan, Report, ReportingCycle, WorkItem
from tasks_app.rules import schedule
from tasks_app.rules.indicators import PATH_STATUSES, IndicatorProgress, IndicatorVerdict
from tasks_app.selectors.console import NO_CHAPTER, Chapters, UnitRow, cycle_dashboard, plan_chapters
from tasks_app.selectors.exports import IndicatorRow, ItemRow, indicator_rows, iter_items, plan_evaluations

TASK_KINDS = [kind for kind, _ in WorkItem.Kind.choices if kind not in WorkItem.INDICATOR_KINDS]
PROBLEMS_PER_UNIT = 3  # the report quotes at most this many problems / next steps of one unit


@dataclass
class MonitoredIndicator:
    row: IndicatorRow
    track: IndicatorProgress
    verdict: IndicatorVerdict
    chapter: str
    baseline: Evaluation | None = None  # the previous plan's row for the same indicator (000 表1-1, 004 表1)

    @property
    def binding(self) -> bool:
        return self.row.item.kind == WorkItem.Kind.BINDING

    def actual_text(self, year: int) -> str:
        return self.row.actuals.get(year, ("", None))[0] or (
            self.row.reported[0] if self.row.reported and self.row.year == year else ""
        )


def _normalized(name: str) -> str:
    for word in ("地区", "年均", "增速", "(", ")", "(", ")", " "):
        name = name.replace(word, "")
    return name


def baseline_rows(indicators: list[IndicatorRow], evaluations: list[Evaluation]) -> dict[int, Evaluation]:
    """item id → the previous plan's evaluation row naming the same indicator (exact, else after dropping
    地区/年均/增速 and brackets); rows that match nothing stay in the annex only."""
    by_name = {_normalized(e.name): e for e in evaluations}
    found = {}
    for row in indicators:
        match = by_name.get(_normalized(row.item.title))
        if match is not None:
            found[row.item.id] = match
    return found


def plan_indicators(
    plan: Plan, year: int, *, chapters: Chapters | None = None, item: int | None = None
) -> list[MonitoredIndicator]:
    """The plan's indicators with their verdict and path status in ``year`` (actuals: the official ones and
    the report of the year's cycle, as on the dashboard). ``item``: that indicator only (a page about one)."""
    cycle = ReportingCycle.objects.filter(plan=plan, year=year).first()
    chapters = chapters or plan_chapters(plan.pk)
    rows = indicator_rows(plan, cycle, item_ids=None if item is None else [item])
    baselines = baseline_rows(rows, plan_evaluations(plan))
    found = []
    for row in rows:
        track = row.track(year)
        assert track is not None  # indicator_rows always fills the facts
        row.year = year
        found.append(
            MonitoredIndicator(
                row=row,
                track=track,
                verdict=row.judged().verdict,
                chapter=chapters.labels.get(chapters.chapter(row.item.section_id), ""),
                baseline=baselines.get(row.item.id),
            )
        )
    return found


def at_risk_first(indicators: list[MonitoredIndicator]) -> list[MonitoredIndicator]:
    """By status (提前实现 … 无统计), the binding indicators at risk first."""
    order = {status: n for n, status in enumerate(PATH_STATUSES)}
    return sorted(indicators, key=lambda m: (not m.track.at_risk, order[m.track.status], m.row.item.id))


def status_counts(indicators: list[MonitoredIndicator]) -> dict[str, int]:
    counts = Counter(m.track.status for m in indicators)
    return {status: counts.get(status, 0) for status in PATH_STATUSES}


@dataclass
class ChapterStatus:
    label: str
    counts: dict[str, int]


def chapter_statuses(indicators: list[MonitoredIndicator]) -> list[ChapterStatus]:
    """Per chapter (document order), how many indicators have each path status: the status bars."""
    grouped: dict[str, list[MonitoredIndicator]] = defaultdict(list)
    for m in indicators:
        grouped[m.chapter or "未分章节"].append(m)
    return [ChapterStatus(label, status_counts(group)) for label, group in grouped.items()]


# --- tasks on schedule -----------------------------------------------------------------------------


@dataclass
class NamedTally(schedule.ScheduleTally):
    label: str = ""


@dataclass
class TaskSchedule:
    year: int
    elapsed: float  # share of the plan period elapsed, percent
    totals: schedule.ScheduleTally
    chapters: list[NamedTally]
    units: list[NamedTally]
    task_class: dict[int, str] = field(default_factory=dict)  # task id → its class

    @property
    def keeps_pace(self) -> bool:
        return schedule.tasks_keep_pace(self.totals, elapsed=self.elapsed)


def task_schedule(plan: Plan, year: int, *, chapters: Chapters | None = None) -> TaskSchedule:
    """Tasks done / on schedule / behind / not reported in ``year``, overall, by chapter and by unit (slots).
    Three queries: reporting slots, the cycle's done reports, sections."""
    chapters = chapters or plan_chapters(plan.pk)
    cycle = ReportingCycle.objects.filter(plan=plan, year=year).first()
    reported: dict[tuple[int, int], str] = {}
    if cycle is not None:
        rows = Report.objects.filter(cycle=cycle, status__in=Report.DONE_STATUSES, item__is_active=True)
        for item_id, unit_id, progress in rows.values_list("item_id", "unit_id", "progress_status").iterator():
            reported[(item_id, unit_id)] = progress
    slots = (
        Assignment.objects.reporting(closed=True)  # a closed (销号) task is judged on its reports like any other
        .filter(item__plan=plan, item__is_active=True, item__kind__in=TASK_KINDS)
        .order_by("item__order", "item_id", "unit_id")
        .values_list("item_id", "unit_id", "unit__name", "item__section_id", "item__deadline")
        .distinct()
    )
    per_task: dict[int, list[str]] = defaultdict(list)
    section_of: dict[int, int | None] = {}
    units: dict[int, NamedTally] = {}
    for item_id, unit_id, name, section_id, deadline in slots.iterator():
        klass = _slot(reported, item_id, unit_id, deadline, year)
        per_task[item_id].append(klass)
        section_of[item_id] = section_id
        units.setdefault(unit_id, NamedTally(label=name)).add(klass)
    totals = schedule.ScheduleTally()
    by_chapter: dict[int, NamedTally] = {}
    task_class = {}
    for item_id, classes in per_task.items():
        klass = schedule.task_class(classes)
        task_class[item_id] = klass
        totals.add(klass)
        chapter = chapters.chapter(section_of[item_id])
        by_chapter.setdefault(chapter, NamedTally(label=chapters.labels.get(chapter, ""))).add(klass)
    position = {c: n for n, c in enumerate(chapters.order)}
    chapter_rows = [by_chapter[c] for c in sorted(by_chapter, key=lambda c: position.get(c, len(position)))]
    unit_rows = sorted(units.values(), key=lambda t: (-t.behind, -t.unreported, t.label))
    elapsed = schedule.time_share(year=year, start=plan.period_start, end=plan.period_end)
    return TaskSchedule(year, elapsed, totals, chapter_rows, unit_rows, task_class)


def _slot(reported: dict[tuple[int, int], str], item_id: int, unit_id: int, deadline: date | None, year: int) -> str:
    key = (item_id, unit_id)
    return schedule.slot_class(reported.get(key), reported=key in reported, deadline=deadline, year=year)


def task_rows(plan: Plan, schedule_: TaskSchedule, chapters: Chapters) -> Iterator[tuple[ItemRow, str, str]]:
    """(task, chapter label, class) in document order, streamed in chunks: the annex 任务进展表."""
    for item in iter_items(plan, kinds=TASK_KINDS):
        label = chapters.labels.get(chapters.chapter(item.section_id) if item.section_id else NO_CHAPTER, "")
        yield item, label, schedule_.task_class.get(item.id, schedule.UNREPORTED)


# --- units and their words -------------------------------------------------------------------------


def units_late_or_returned(plan: Plan, year: int) -> list[UnitRow]:
    """The year's units with late, missing or returned reports (the dashboard's counting), worst first."""
    cycle = ReportingCycle.objects.filter(plan=plan, year=year).first()
    if cycle is None:
        return []
    rows = [u for u in cycle_dashboard(cycle).units if u.late or u.returned or u.missing]
    return sorted(rows, key=lambda u: (-(u.missing + u.returned + u.late), u.name))


@dataclass
class UnitWords:
    unit: str
    problems: list[tuple[str, str]] = field(default_factory=list)  # (item title, text)
    next_steps: list[tuple[str, str]] = field(default_factory=list)


def problems_and_next_steps(plan: Plan, year: int) -> list[UnitWords]:
    """存在问题 / 下一步打算 of the year's done reports, attributed to their units (at most
    PROBLEMS_PER_UNIT of each per unit), units by name."""
    cycle = ReportingCycle.objects.filter(plan=plan, year=year).first()
    if cycle is None:
        return []
    rows = (
        Report.objects.filter(cycle=cycle, status__in=Report.DONE_STATUSES, item__is_active=True)
        .exclude(problems="", next_steps="")
        .order_by("unit__name", "item__order")
        .values_list("unit__name", "item__title", "problems", "next_steps")
    )
    found: dict[str, UnitWords] = {}
    for unit, title, problems, next_steps in rows.iterator():
        words = found.setdefault(unit, UnitWords(unit))
        if problems.strip() and len(words.problems) < PROBLEMS_PER_UNIT:
            words.problems.append((title, problems.strip()))
        if next_steps.strip() and len(words.next_steps) < PROBLEMS_PER_UNIT:
            words.next_steps.append((title, next_steps.strip()))
    return list(found.values())
