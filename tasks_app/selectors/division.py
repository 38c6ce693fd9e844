"""Reads of the console's division pages. Each is a constant number of queries whatever the page size:
rows come with their units, counts and users joined or prefetched."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Case, Count, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from tasks_app import access
from tasks_app.models import Assignment, AuditEntry, Jurisdiction, Membership, Plan, SuggestedAssignment, Unit, WorkItem
from tasks_app.rules import reporting
from tasks_app.rules.cycles import open_cycles
from tasks_app.selectors.lights import with_cycle_lights
from tasks_app.snapshots import plan_snapshot

ROLE_ORDER = (Assignment.Role.LEAD, Assignment.Role.RESPONSIBLE, Assignment.Role.COOPERATING)


def plans_for_console(user: access.AnyUser) -> list[Plan]:
    """The visible plans, each with ``item_count`` (its active items). The counts are a snapshot of the plans'
    data (tasks_app.snapshots): counted afresh only after an import or an item change, not on each page view
    (20 ms for a 50,000-item plan)."""
    plans = list(access.visible_plans(user).select_related("jurisdiction"))
    plan_ids = sorted(plan.pk for plan in plans)
    counts = plan_snapshot(
        "plan-item-counts",
        plan_ids=plan_ids,
        key=(plan_ids,),
        compute=lambda: dict(
            WorkItem.objects.filter(plan_id__in=plan_ids, is_active=True)
            .order_by()
            .values("plan_id")
            .annotate(n=Count("pk"))
            .values_list("plan_id", "n")
        ),
    )
    for plan in plans:
        plan.item_count = counts.get(plan.pk, 0)  # type: ignore[attr-defined]
    return plans


def division_items(
    *, plan: Plan, q: str = "", undivided: bool = False, today: date | None = None
) -> QuerySet[WorkItem]:
    """The plan's active items in document order, each with ``light_reason``: its traffic light in the plan's
    open cycle (rules.lights; the cycle looked up once, the light computed in the page's query)."""
    cycle = open_cycles(plan.cycles.all()).first()
    items = WorkItem.objects.filter(plan=plan, is_active=True)
    if cycle is not None:
        items = with_cycle_lights(items, cycle, today=today or timezone.localdate())
    items = (
        items.select_related("section")
        .prefetch_related(Prefetch("assignments", queryset=Assignment.objects.select_related("unit")))
        .order_by("order")
    )
    if q:
        items = items.filter(
            Q(title__icontains=q) | Q(text__icontains=q) | Q(number=q) | Q(assignments__unit__name__icontains=q)
        ).distinct()
    if undivided:
        items = items.filter(assignments__isnull=True)
    return items


def units_by_role(item: WorkItem) -> dict[str, list[Assignment]]:
    """From prefetched assignments: role → current rows in order (rows handed over to a successor are
    history, shown on the item page, not edited here)."""
    out: dict[str, list[Assignment]] = {role: [] for role in ROLE_ORDER}
    for assignment in sorted(item.assignments.all(), key=lambda a: (a.role, a.order, a.pk)):
        if assignment.handed_over_on is None:
            out[assignment.role].append(assignment)
    return out


def unacknowledged_rows(item: WorkItem) -> list[Assignment]:
    """From prefetched assignments: the reporting rows (rules.reporting) not acknowledged (签收) yet."""
    current = [a for a in item.assignments.all() if a.handed_over_on is None]
    reporting_ids = set(reporting.reporting_units(current))
    return [a for a in current if a.unit_id in reporting_ids and a.acknowledged_at is None]


def unit_directory(
    user: access.AnyUser, *, jurisdiction_id: int | None = None, needs_review: bool | None = None, q: str = ""
) -> QuerySet[Unit]:
    units = (
        access.visible_units(user)
        .select_related("jurisdiction")
        .annotate(
            lead_count=Count("assignments", filter=Q(assignments__role=Assignment.Role.LEAD)),
            cooperating_count=Count("assignments", filter=Q(assignments__role=Assignment.Role.COOPERATING)),
            responsible_count=Count("assignments", filter=Q(assignments__role=Assignment.Role.RESPONSIBLE)),
        )
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("user").order_by("user__username")),
            "aliases",
        )
        .order_by("jurisdiction__name", "name")
    )
    if jurisdiction_id:
        units = units.filter(jurisdiction_id=jurisdiction_id)
    if needs_review is not None:
        units = units.filter(needs_review=needs_review)
    if q:
        matching = access.visible_units(user).filter(Q(name__icontains=q) | Q(aliases__name__icontains=q)).values("pk")
        units = units.filter(pk__in=matching)  # a subquery: a join on aliases would inflate the counts
    return units


def unit_items(user: access.AnyUser, unit: Unit, limit: int = 50) -> list[Assignment]:
    """The unit's assignments on the items the user sees (a unit may be named in another jurisdiction's plan)."""
    return list(
        Assignment.objects.filter(unit=unit, item__in=access.visible_items(user))
        .select_related("item__plan")
        .order_by("item__plan_id", "item__order")[:limit]
    )


def merge_targets(user: access.AnyUser, unit: Unit) -> QuerySet[Unit]:
    """Units the user may merge ``unit`` into: its own jurisdiction's first, then those of the jurisdictions
    just above and below it where the user's scope covers them (access.may_merge_units decides)."""
    near = Q(jurisdiction_id=unit.jurisdiction_id) | Q(jurisdiction__children=unit.jurisdiction_id)
    near |= Q(jurisdiction__parent_id=unit.jurisdiction_id)
    own_first = Case(When(jurisdiction_id=unit.jurisdiction_id, then=Value(0)), default=Value(1))
    return (
        access.visible_units(user)
        .filter(pk__in=Unit.objects.filter(near).values("pk"))
        .exclude(pk=unit.pk)
        .select_related("jurisdiction")
        .order_by(own_first, "jurisdiction__name", "name")
    )


def suggestion_items(*, plan: Plan, status: str = "proposed") -> QuerySet[WorkItem]:
    # "-role": lead before cooperating (the only two roles the assistant proposes)
    shown = SuggestedAssignment.objects.select_related("unit").order_by("-role", "rank")
    items = WorkItem.objects.filter(plan=plan, is_active=True)
    if status:
        shown = shown.filter(status=status)
        items = items.filter(suggestions__status=status)
    else:
        items = items.filter(suggestions__isnull=False)
    return (
        items.distinct()
        .select_related("section")
        .prefetch_related(
            Prefetch("suggestions", queryset=shown, to_attr="shown_suggestions"),
            Prefetch("assignments", queryset=Assignment.objects.select_related("unit")),
        )
        .order_by("order")
    )


def suggestion_counts(*, plan: Plan) -> dict[str, Any]:
    rows = SuggestedAssignment.objects.filter(item__plan=plan).values("status").annotate(n=Count("id"))
    counts = {row["status"]: row["n"] for row in rows}
    return {status: counts.get(status, 0) for status in SuggestedAssignment.Status.values}


def audit_entries(
    user: access.AnyUser,
    *,
    action: str = "",
    plan_id: int | None = None,
    object_type: str = "",
    object_id: int | None = None,
    actor: str = "",
) -> QuerySet[AuditEntry]:
    entries = access.visible_audit_entries(user).select_related("actor", "plan")
    if action:
        entries = entries.filter(action=action)
    if plan_id:
        entries = entries.filter(plan_id=plan_id)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if object_id:
        entries = entries.filter(object_id=object_id)
    if actor:
        entries = entries.filter(actor__username=actor)
    return entries


def object_history(user: access.AnyUser, object_type: str, object_id: int, limit: int = 50) -> list[AuditEntry]:
    return list(audit_entries(user, object_type=object_type, object_id=object_id)[:limit])


def item_assignments(item: WorkItem) -> QuerySet[Assignment]:
    return item.assignments.select_related("unit").order_by("role", "order")


def unit_by_id(user: access.AnyUser, unit_id: int) -> Unit | None:
    """A unit of the user's jurisdictions (merge targets, chosen units), or None."""
    return access.visible_units(user).select_related("jurisdiction").filter(pk=unit_id).first()


def plan_unit_by_id(plan: Plan, unit_id: int) -> Unit | None:
    """A unit an item of ``plan`` may name (its jurisdiction's or one above it), or None."""
    chain: list[int] = []
    place: Jurisdiction | None = plan.jurisdiction
    while place is not None and place.pk not in chain:
        chain.append(place.pk)
        place = place.parent
    return Unit.objects.filter(pk=unit_id, jurisdiction_id__in=chain).first()


def suggestion_rows(
    user: access.AnyUser, *, plan_id: int, status: str = "", item_id: int | None = None, min_score: float | None = None
) -> QuerySet[SuggestedAssignment]:
    """The assistant's proposals of a plan for the API list, in document order."""
    rows = access.visible_suggestions(user).filter(item__plan_id=plan_id).select_related("item", "unit", "decided_by")
    if status:
        rows = rows.filter(status=status)
    if item_id is not None:
        rows = rows.filter(item_id=item_id)
    if min_score is not None:
        rows = rows.filter(score__gte=min_score)
    return rows.order_by("item__order", "role", "rank", "pk")


def console_plan(user: access.AnyUser, plan_id: int) -> Plan | None:
    return access.visible_plans(user).select_related("jurisdiction").filter(pk=plan_id).first()


def item_with_units(item_id: int) -> WorkItem:
    return WorkItem.objects.prefetch_related("assignments__unit").get(pk=item_id)


def units_in(user: access.AnyUser, jurisdiction_ids: set[int]) -> QuerySet[Unit]:
    """Units of these jurisdictions (within the user's), confirmed ones first (merge targets, suggestion choices)."""
    return (
        access.visible_units(user)
        .filter(jurisdiction_id__in=jurisdiction_ids)
        .select_related("jurisdiction")
        .order_by("needs_review", "name")
    )


def jurisdictions(user: access.AnyUser) -> QuerySet[Jurisdiction]:
    return access.visible_jurisdictions(user)
