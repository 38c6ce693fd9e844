"""Opening and closing reporting cycles."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from tasks_app.importing import cycle_due_date
from tasks_app.models import Plan, ReportingCycle


class CycleError(Exception):
    pass


def cycle_open(*, plan: Plan, year: int, user: Any = None) -> ReportingCycle:
    """Open the cycle that reports on ``year`` (creating it when the plan period does not cover it)."""
    if not plan.period_start - 1 <= year <= plan.period_end + 1:
        raise CycleError(f"{year} 年不在规划期 {plan.period_start}—{plan.period_end} 年内")
    with transaction.atomic():
        cycle, _ = ReportingCycle.objects.select_for_update().get_or_create(
            plan=plan, year=year, defaults={"due_date": cycle_due_date(plan, year)}
        )
        if cycle.status != ReportingCycle.Status.OPEN:
            cycle.status = ReportingCycle.Status.OPEN
            cycle.opened_at = timezone.now()
            cycle.opened_by = user if getattr(user, "is_authenticated", False) else None
            cycle.save()
    return cycle


def cycle_close(*, cycle: ReportingCycle) -> ReportingCycle:
    cycle.status = ReportingCycle.Status.CLOSED
    cycle.save(update_fields=["status"])
    return cycle
