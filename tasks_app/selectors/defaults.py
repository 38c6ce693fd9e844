"""Defaults that follow the work: the plan and cycle every console chooser starts with.

One answer, used by the export form, the dashboard, the review queue's filter and the outbox: the cycle the
office works on now (rules.cycles.default_cycle: the open one, else the next one due) among the plans that
have a division (a plan nobody was assigned to has nothing to report, review or export by unit); the plan
is that cycle's plan. Reads start from ``access.visible_plans(user)``, so jurisdiction scoping applies.
A constant number of queries (at most four) whatever the number of plans and cycles; cached per request.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from tasks_app import access
from tasks_app.models import Assignment, Plan, ReportingCycle
from tasks_app.rules.cycles import default_cycle
from tasks_app.snapshots import plan_snapshot

_CACHE_KEY = "_work_defaults"


def divided_plans(user: access.AnyUser) -> QuerySet[Plan]:
    """The visible plans with at least one active item assigned to a unit. Which plans are divided is a snapshot
    of their data (tasks_app.snapshots): the semi-join over every assignment (13 ms at province scale) runs after
    an import or a division change, not on every console page."""
    plan_ids = access.visible_plan_ids(user)
    divided = plan_snapshot(
        "divided-plans",
        plan_ids=plan_ids,
        key=(plan_ids,),
        compute=lambda: sorted(
            Plan.objects.filter(pk__in=plan_ids)
            .filter(Exists(Assignment.objects.filter(item__plan=OuterRef("pk"), item__is_active=True)))
            .values_list("pk", flat=True)
        ),
    )
    return Plan.objects.filter(pk__in=divided)


def _defaults(user: access.AnyUser) -> tuple[Plan | None, ReportingCycle | None]:
    store = user.__dict__.setdefault(_CACHE_KEY, {})
    if "value" not in store:
        store["value"] = _compute(user)
    return store["value"]


def _compute(user: access.AnyUser) -> tuple[Plan | None, ReportingCycle | None]:
    if not access.sees_everything(user):  # console choosers only: unit staff have none
        return None, None
    cycles = access.visible_cycles(user).select_related("plan", "plan__jurisdiction")
    cycle = default_cycle(cycles.filter(plan__in=divided_plans(user))) or default_cycle(cycles)
    if cycle is not None:
        return cycle.plan, cycle
    plan = divided_plans(user).order_by("-pk").first() or access.visible_plans(user).order_by("-pk").first()
    return plan, None


def default_cycle_for(user: access.AnyUser) -> ReportingCycle | None:
    """The cycle a console page shows when the user names none (None: no visible cycle at all)."""
    return _defaults(user)[1]


def default_plan_for(user: access.AnyUser) -> Plan | None:
    """The plan a console form starts with: the default cycle's plan, else the newest divided plan."""
    return _defaults(user)[0]
