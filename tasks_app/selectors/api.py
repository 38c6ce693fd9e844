"""Read queries behind the API lists. Scope always starts from tasks_app.access.

Every list here is built so that a page costs the same number of queries whatever its size: foreign keys
are joined, many-valued relations are prefetched once per page, and nothing is looked up per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from tasks_app import access
from tasks_app.models import (
    Assignment,
    Contribution,
    Evidence,
    Milestone,
    Plan,
    Report,
    ReportingCycle,
    Unit,
    WorkItem,
)
from tasks_app.rules.lights import light_in
from tasks_app.rules.units import units_named
from tasks_app.selectors import workspace
from tasks_app.selectors.lights import open_cycle_page_lights, with_open_cycle_lights

ASSIGNMENT_ROWS = "assignment_rows"  # api_items rows: the item's assignments (with their unit), a list
MILESTONE_ROWS = "milestone_rows"  # and its milestones by date
EVIDENCE_ROWS = "evidence_rows"  # api_reports rows: the report's evidence files, a list
# what no task row reads of its plan (the reporting and scoring rules, reminder days, the notice's text)
PLAN_FIELDS_NO_ROW_READS = (
    "reporting_text",
    "reporting_rule",
    "reminder_days_before",
    "reminder_days_after",
    "scoring_rule",
)


def api_items(user: access.AnyUser, *, today: date | None = None, lit: bool = False) -> QuerySet[WorkItem]:
    """Visible items with everything a task row shows, in a fixed number of queries per page. The rows carry
    their plan's open cycle (``open_cycle_*``); ``lit=True`` also annotates ``light_reason``, the item's traffic
    light in that cycle (rules.lights, in SQL: what a colour filter needs); otherwise ``items_lit`` lights the
    rows of one page."""
    joined = workspace.with_open_cycle(access.visible_items(user), workspace.open_cycle_ids(user))
    if lit:
        joined = with_open_cycle_lights(joined, today=today or timezone.localdate())
    # The plan, its source and the units are few and shared by many rows: prefetched, each is one instance
    # (joined, a 500-row page built 500 copies of the plan and its source and 1,500 units, and decoded the plan's
    # JSON rules 500 times: 96 -> 74 ms for 500 rows, 20 -> 17.5 ms for 50, the same JSON). A row reads its
    # plan's title and warning window and its source's file name; the rest stays in the database. Plain lists
    # (to_attr): a prefetch into the related manager clones a queryset per row and relation, ~50 µs each.
    # ``order_by()``: the models' default orderings join the plan's jurisdiction to sort rows nobody lists.
    plans = Plan.objects.select_related("source").defer("source__text", *PLAN_FIELDS_NO_ROW_READS).order_by()
    units = Prefetch("unit", queryset=Unit.objects.order_by().only("id", "name", "jurisdiction_id"))
    return (
        joined.select_related("section", "indicator")
        .prefetch_related(
            Prefetch("plan", queryset=plans),
            Prefetch(
                "assignments",
                queryset=Assignment.objects.order_by("role", "order").prefetch_related(units),
                to_attr=ASSIGNMENT_ROWS,
            ),
            Prefetch("milestones", queryset=Milestone.objects.order_by("date", "id"), to_attr=MILESTONE_ROWS),
        )
        .order_by("plan_id", "order", "id")
    )


def items_lit(items: Sequence[WorkItem], *, today: date | None = None) -> Sequence[WorkItem]:
    """The rows of one page of ``api_items`` with ``light_reason`` set (rows lit in SQL keep theirs)."""
    unlit = [item for item in items if not hasattr(item, "light_reason")]
    found = open_cycle_page_lights(
        unlit,
        assignments={item.pk: getattr(item, ASSIGNMENT_ROWS) for item in unlit},
        today=today or timezone.localdate(),
    )
    for item in unlit:
        light = found[item.pk]
        item.light_reason = light.reason if light else None  # type: ignore[attr-defined]
    return items


def overdue_filter(user: access.AnyUser, *, today: date | None = None) -> Q:
    """Items whose plan has an open cycle past its due date and a reporting unit (the user's own, for
    unit staff) that has not submitted for it."""
    today = today or timezone.localdate()
    late_cycles = ReportingCycle.objects.filter(
        plan=OuterRef("plan"), status=ReportingCycle.Status.OPEN, due_date__lt=today
    )
    done = Report.objects.filter(
        item=OuterRef("item"),
        unit=OuterRef("unit"),
        cycle__status=ReportingCycle.Status.OPEN,
        cycle__due_date__lt=today,
        status__in=Report.DONE_STATUSES,
    )
    pending = Assignment.objects.reporting(item=OuterRef("pk")).filter(~Exists(done))
    if not access.sees_everything(user):
        pending = pending.filter(unit_id__in=access.unit_ids(user))
    return Q(Exists(late_cycles)) & Q(Exists(pending))


def items_filtered(
    user: access.AnyUser,
    items: QuerySet[WorkItem],
    *,
    plan: int | None = None,
    kind: str | None = None,
    role: str | None = None,
    unit: str | None = None,
    q: str | None = None,
    overdue: bool | None = None,
    light: str | None = None,
) -> QuerySet[WorkItem]:
    if plan is not None:
        items = items.filter(plan_id=plan)
    if kind:
        items = items.filter(kind=kind)
    if unit or role:
        # "role" alone means the user's own role on the item; with "unit", that unit's role.
        units = units_named(unit).values("pk") if unit else list(access.unit_ids(user))
        assigned = Assignment.objects.filter(item=OuterRef("pk"), unit_id__in=units)
        if role:
            assigned = assigned.filter(role=role)
        items = items.filter(Exists(assigned))
    if q:
        items = items.filter(Q(title__icontains=q) | Q(text__icontains=q) | Q(number=q))
    if light:
        items = items.filter(light_in(light))  # api_items(lit=True) annotated the light
    if overdue is not None:
        condition = overdue_filter(user)
        items = items.filter(condition) if overdue else items.exclude(condition)
    return items


def api_reports(user: access.AnyUser) -> QuerySet[Report]:
    return (
        access.visible_reports(user)
        .select_related("item", "unit", "cycle", "updated_by")
        .defer("item__text")
        .prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "id"), to_attr=EVIDENCE_ROWS)
        )
        .order_by("cycle_id", "item__order", "unit_id", "id")
    )


def api_contributions(user: access.AnyUser) -> QuerySet[Contribution]:
    return (
        access.visible_contributions(user)
        .select_related("item", "unit", "cycle", "updated_by")
        .defer("item__text")
        .order_by("cycle_id", "item__order", "unit_id", "id")
    )


def api_cycles(user: access.AnyUser) -> QuerySet[ReportingCycle]:
    return (
        ReportingCycle.objects.filter(plan__in=access.visible_plans(user))
        .select_related("plan")
        .order_by("plan_id", "year")
    )


def report_of(*, item: WorkItem, unit_id: int, cycle: ReportingCycle) -> Report | None:
    return Report.objects.filter(item=item, unit_id=unit_id, cycle=cycle).first()


def plan_cycle(plan: Plan, cycle_id: int) -> ReportingCycle | None:
    """The plan's cycle ``cycle_id`` (None when the id names another plan's cycle or nothing)."""
    return plan.cycles.filter(pk=cycle_id).first()
