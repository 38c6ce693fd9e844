"""Opening and closing reporting cycles."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from tasks_app import access
from tasks_app.capabilities import Capability
from tasks_app.importing import cycle_due_date
from tasks_app.models import AuditEntry, Plan, ReportingCycle
from tasks_app.services.errors import ServiceError


class CycleError(ServiceError):
    pass


def cycle_open(*, plan: Plan, year: int, user: Any = None, due_date: date | None = None) -> ReportingCycle:
    """Open the cycle that reports on ``year`` (creating it when the plan period does not cover it).

    ``due_date``: move the due date first, in the same transaction (the console offers it when the cycle
    being opened is already past its due date); both changes are audited."""
    access.require(user, Capability.MANAGE_CYCLES)
    if not plan.period_start - 1 <= year <= plan.period_end + 1:
        raise CycleError(f"{year} 年不在规划期 {plan.period_start}—{plan.period_end} 年内")
    with transaction.atomic():
        cycle, _ = ReportingCycle.objects.select_for_update().get_or_create(
            plan=plan, year=year, defaults={"due_date": cycle_due_date(plan, year)}
        )
        if due_date is not None:
            cycle_set_due_date(cycle=cycle, due_date=due_date, user=user)
        if cycle.status != ReportingCycle.Status.OPEN:
            before = cycle.status
            cycle.status = ReportingCycle.Status.OPEN
            cycle.opened_at = timezone.now()
            cycle.opened_by = user if getattr(user, "is_authenticated", False) else None
            cycle.save()
            _audit(cycle, user, f"开启{cycle.year}年度报送周期", {"status": before}, {"status": cycle.status})
    return cycle


def cycle_close(*, cycle: ReportingCycle, user: Any = None) -> ReportingCycle:
    access.require(user, Capability.MANAGE_CYCLES)
    before = cycle.status
    cycle.status = ReportingCycle.Status.CLOSED
    cycle.save(update_fields=["status"])
    if before != cycle.status:
        _audit(cycle, user, f"关闭{cycle.year}年度报送周期", {"status": before}, {"status": cycle.status})
    return cycle


def cycle_set_due_date(*, cycle: ReportingCycle, due_date: date, user: Any = None) -> ReportingCycle:
    """Move a cycle's due date (the reminder steps follow it); the change is audited."""
    access.require(user, Capability.MANAGE_CYCLES)
    first, last = cycle_due_date_range(cycle)
    if not first <= due_date <= last:
        raise CycleError(f"截止日期应在 {cycle.year} 年或 {cycle.year + 1} 年内")
    before = cycle.due_date
    if before == due_date:
        return cycle
    cycle.due_date = due_date
    cycle.save(update_fields=["due_date"])
    _audit(
        cycle,
        user,
        f"{cycle.year}年度报送截止日期 {before:%Y-%m-%d} → {due_date:%Y-%m-%d}",
        {"due_date": before.isoformat()},
        {"due_date": due_date.isoformat()},
    )
    return cycle


def cycle_due_date_range(cycle: ReportingCycle) -> tuple[date, date]:
    """The due dates ``cycle_set_due_date`` accepts for ``cycle``: within its year or the next one."""
    return date(cycle.year, 1, 1), date(cycle.year + 1, 12, 31)


def _audit(cycle: ReportingCycle, user: Any, summary: str, before: dict, after: dict) -> None:
    AuditEntry.objects.create(
        actor=user if getattr(user, "is_authenticated", False) else None,
        action=AuditEntry.Action.CYCLE,
        plan_id=cycle.plan_id,
        jurisdiction_id=cycle.plan.jurisdiction_id,
        object_type="cycle",
        object_id=cycle.pk,
        summary=summary[:500],
        before=before,
        after=after,
    )
