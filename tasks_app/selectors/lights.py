"""Reads of the traffic lights (tasks_app.rules.lights, the one rule): which cycle an item's light is about
(its plan's open cycle, the one units report into), the light on a loaded item page, and counts by colour.

Lists that filter or count by colour compute the light in SQL (``rules.lights.light_annotations``) on the rows
they already read; the API's task pages light the rows of the page they show in Python
(``open_cycle_page_lights``). Either way a page costs the same number of queries whatever its size.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import F, Q, QuerySet

from tasks_app.models import Assignment, Report, ReportingCycle, WorkItem
from tasks_app.rules import lights
from tasks_app.rules.cycles import OPEN
from tasks_app.rules.lights import COLOURS, CycleRef, Light, light_annotations, light_of
from tasks_app.rules.reporting import item_open, reporting_units
from tasks_app.snapshots import plan_snapshot

# The open cycle as selectors.workspace joins it on item rows (open_cycle_id / _due / _year).
OPEN_CYCLE = CycleRef(pk="open_cycle_id", due_date="open_cycle_due", year="open_cycle_year", is_open=True)


def with_open_cycle_lights(items: QuerySet[Any], *, today: date) -> QuerySet[Any]:
    """``light_reason`` on items that carry the open-cycle join (selectors.workspace.with_open_cycle)."""
    return items.annotate(**light_annotations(cycle=OPEN_CYCLE, today=today))


def with_cycle_lights(items: QuerySet[WorkItem], cycle: ReportingCycle, *, today: date) -> QuerySet[Any]:
    """``light_reason`` of each item in one given cycle (no light unless it is open)."""
    return items.annotate(**light_annotations(cycle=CycleRef.of(cycle), today=today))


def row_light(row: Any) -> Light | None:
    """The Light of an annotated row."""
    return light_of(getattr(row, "light_reason", None))


def item_page_light(
    item: WorkItem, *, cycle: ReportingCycle | None, reports: list[Report], reporting: set[int], today: date
) -> Light | None:
    """The item page's light, from the cycle's reports it already loaded (Python form); one query more only
    when this cycle's reports do not say 已完成 and the deadline matters (an earlier cycle may have)."""
    if cycle is None:
        return None
    completed = any(lights.says_completed(r) for r in reports)
    if not completed and item.deadline is not None and item.deadline < today:
        completed = Report.objects.filter(
            lights.COMPLETED_REPORTS,
            item=item,
            cycle__plan_id=cycle.plan_id,
            cycle__year__lte=cycle.year,
        ).exists()
    return _loaded_light(
        item,
        cycle_open=cycle.status == OPEN,
        due_date=cycle.due_date,
        reports=reports,
        reporting=sorted(reporting),
        completed=completed,
        today=today,
    )


def _loaded_light(
    item: WorkItem,
    *,
    cycle_open: bool,
    due_date: date | None,
    reports: list[Report],
    reporting: list[int],
    completed: bool,
    today: date,
) -> Light | None:
    by_unit = {r.unit_id: r.status for r in reports}
    return lights.item_light(
        today=today,
        cycle_open=cycle_open,
        due_date=due_date,
        deadline=item.deadline,
        statuses=[by_unit.get(unit) for unit in reporting],
        progress=lights.latest_progress(reports),
        completed=completed,
        closed=not item_open(item),
        window=lights.warning_days(item.plan.light_warning_days),
    )


def open_cycle_page_lights(
    items: Sequence[WorkItem], *, assignments: dict[int, list[Assignment]], today: date
) -> dict[int, Light | None]:
    """item id → its light in its plan's open cycle, for a page of loaded items that carry the open-cycle join
    (selectors.workspace.with_open_cycle: ``open_cycle_id`` / ``_due`` / ``_year``) and their plan;
    ``assignments``: item id → its loaded assignment rows. The Python form (``rules.lights.item_light``) in one
    small query whatever the page size: the SQL form's CASE over five correlated subqueries had PostgreSQL plan
    and run it on every page (4.4 ms planning on a 50-row staff page at province scale), besides building and
    compiling it. Lists that filter on a colour still light in SQL."""
    found: dict[int, Light | None] = {item.pk: None for item in items}
    lit = {item.pk: item for item in items if item.open_cycle_id is not None}  # type: ignore[attr-defined]
    if not lit:
        return found
    in_cycle: dict[int, list[Report]] = defaultdict(list)  # the open cycle's reports
    # "completed": the years of the done reports saying 已完成 (this cycle's year or earlier counts)
    done_years: dict[int, list[int]] = defaultdict(list)
    # One query for both; .order_by(): the default ordering joins the plan and its jurisdiction to sort
    open_ids = {item.open_cycle_id for item in lit.values()}  # type: ignore[attr-defined]
    reports = (
        Report.objects.filter(Q(cycle_id__in=open_ids) | lights.COMPLETED_REPORTS)
        .filter(item_id__in=list(lit))
        .only("item_id", "unit_id", "cycle_id", "status", "progress_status", "submitted_at", "cycle__year")
        .select_related("cycle")
        .order_by()
    )
    for report in reports:
        if report.cycle_id == lit[report.item_id].open_cycle_id:  # type: ignore[attr-defined]
            in_cycle[report.item_id].append(report)
        if lights.says_completed(report):
            done_years[report.item_id].append(report.cycle.year)
    for pk, item in lit.items():
        year = item.open_cycle_year  # type: ignore[attr-defined]
        found[pk] = _loaded_light(
            item,
            cycle_open=True,  # the open cycle, or a closed one unlocked for the user's unit (SQL form: OPEN_CYCLE)
            due_date=item.open_cycle_due,  # type: ignore[attr-defined]
            reports=in_cycle[pk],
            reporting=reporting_units(assignments[pk]),
            completed=any(done <= year for done in done_years[pk]),
            today=today,
        )
    return found


def cycle_item_lights(cycle: ReportingCycle, item_ids: list[int], *, today: date) -> dict[int, Light | None]:
    """item id → its light in ``cycle``, for a chunk of items (the progress workbook). One query."""
    rows = with_cycle_lights(WorkItem.objects.filter(pk__in=item_ids), cycle, today=today).values_list(
        "pk", "light_reason"
    )
    return {pk: light_of(reason) for pk, reason in rows}


def _fold(rows: Any) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for reason, n in rows:
        light = light_of(reason)
        if light:
            counts[light.colour] += n
    return {colour: counts.get(colour, 0) for colour in COLOURS}


def light_counts(cycle: ReportingCycle, *, today: date) -> tuple[dict[str, int], dict[int, dict[str, int]]]:
    """The plan's active items by colour in ``cycle`` (red / yellow / green → count), and per unit the items it is
    named on by colour (in any role: the items 我的任务 lists under ``?unit=``, which the dashboard links to).

    One query: each item's light is computed once (a CTE over the plan's items), then counted as a whole and
    grouped against the assignments. Lighting each assignment row instead evaluated the light 150,000 times for
    a 50,000-item plan (2.0–2.9 s on PostgreSQL); a separate query for the totals lit every item a second time."""
    items = WorkItem.objects.filter(plan_id=cycle.plan_id, is_active=True)
    lit = with_cycle_lights(items, cycle, today=today).order_by().values("light_reason", lit_item=F("pk"))
    sql, params = lit.query.sql_with_params()
    assignments = connection.ops.quote_name(Assignment._meta.db_table)
    query = (
        f"WITH lit AS ({sql}) "  # noqa: S608  (the ORM's own SQL, a model's table and fixed column names)
        f'SELECT a."unit_id", lit."light_reason", COUNT(DISTINCT a."item_id") FROM {assignments} a '
        'INNER JOIN lit ON lit."lit_item" = a."item_id" GROUP BY a."unit_id", lit."light_reason" '
        'UNION ALL SELECT NULL, "light_reason", COUNT(*) FROM lit GROUP BY "light_reason"'
    )
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()
    per_unit: dict[int, list[tuple[str, int]]] = {}
    plan: list[tuple[str, int]] = []
    for unit_id, reason, n in rows:
        (plan if unit_id is None else per_unit.setdefault(unit_id, [])).append((reason, n))
    return _fold(plan), {unit_id: _fold(found) for unit_id, found in per_unit.items()}


@dataclass
class LightBoard:
    """The dashboard's lights for one cycle: the plan's counts and each unit's."""

    totals: dict[str, int]
    units: dict[int, dict[str, int]]
    window: int  # the plan's warning window in days (rules.lights.warning_days)

    def unit(self, unit_id: int) -> dict[str, int]:
        return self.units.get(unit_id, dict.fromkeys(COLOURS, 0))


def dashboard_lights(cycle: ReportingCycle, *, today: date) -> LightBoard | None:
    """None when the cycle is not open (no item has a light); else one query (``light_counts``), none while the
    plan's data is unchanged since the last read of the same day (tasks_app.snapshots)."""
    if cycle.status != OPEN:
        return None
    totals, units = plan_snapshot(
        "lights",
        plan_ids=[cycle.plan_id],
        key=(cycle.pk, cycle.due_date, cycle.year, today),
        compute=lambda: light_counts(cycle, today=today),
    )
    return LightBoard(
        totals=totals,
        units=units,
        window=lights.warning_days(cycle.plan.light_warning_days),
    )
