"""Opening and closing reporting cycles."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from tasks_app import access
from tasks_app.capabilities import Capability
from tasks_app.importing import periods_ensure
from tasks_app.models import AuditEntry, Plan, ReportingCycle
from tasks_app.models.plans import ReportingFrequency
from tasks_app.rules.cycles import period_due_for
from tasks_app.rules.periods import DAYS_BEFORE_BY_CADENCE, FREQUENCIES, PeriodError, period_of
from tasks_app.services.division import audit_record
from tasks_app.services.errors import ServiceError


class CycleError(ServiceError):
    pass


def cycle_open(
    *, plan: Plan, year: int | None = None, period: str = "", user: Any = None, due_date: date | None = None
) -> ReportingCycle:
    """Open the cycle of one period: ``period`` (a label of any cadence: 2022, 2022H1, 2022Q3, 2022-07) or
    ``year`` (that year's yearly period), creating it when it does not exist yet.

    ``due_date``: move the due date first, in the same transaction (the console offers it when the cycle
    being opened is already past its due date); both changes are audited."""
    access.require(user, Capability.MANAGE_CYCLES)
    if not period and year is None:
        raise CycleError("请指定报送年度或报送期")
    try:
        found = period_of(period or str(year))
    except PeriodError as error:
        raise CycleError(str(error)) from error
    if not plan.period_start - 1 <= found.year <= plan.period_end + 1:
        raise CycleError(f"{found.year} 年不在规划期 {plan.period_start}—{plan.period_end} 年内")
    with transaction.atomic():
        cycle, _ = ReportingCycle.objects.select_for_update().get_or_create(
            plan=plan,
            period=found.label,
            defaults={"year": found.year, "due_date": period_due_for(plan, found)},
        )
        if due_date is not None:
            cycle_set_due_date(cycle=cycle, due_date=due_date, user=user)
        if cycle.status != ReportingCycle.Status.OPEN:
            before = cycle.status
            cycle.status = ReportingCycle.Status.OPEN
            cycle.opened_at = timezone.now()
            cycle.opened_by = user if getattr(user, "is_authenticated", False) else None
            cycle.save()
            _audit(cycle, user, f"开启{cycle.label}报送周期", {"status": before}, {"status": cycle.status})
    return cycle


def plan_cadence_set(*, plan: Plan, frequency: str, user: Any = None) -> int:
    """Set how often the plan's units report (the office overrides the document) and create the periods
    of the new cadence (past ones closed, BRIEF §4); cycles that exist stay as they are (their reports are
    history). The reminder steps before the due date follow the cadence's defaults when they were the
    previous cadence's defaults. Returns how many cycles were created. Audited."""
    access.require(user, Capability.MANAGE_CYCLES)
    if frequency not in FREQUENCIES:
        raise CycleError(f"未知的报送频次:{frequency}")
    with transaction.atomic():
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        before = locked.reporting_frequency
        if before == frequency:
            return 0
        locked.reporting_frequency = frequency
        fields = ["reporting_frequency", "updated_at"]
        if list(locked.reminder_days_before) == DAYS_BEFORE_BY_CADENCE.get(before):
            locked.reminder_days_before = DAYS_BEFORE_BY_CADENCE[frequency]
            fields.append("reminder_days_before")
        locked.save(update_fields=fields)
        created = periods_ensure(locked, today=timezone.localdate())
        _audit(
            locked,
            user,
            f"报送频次改为{ReportingFrequency(frequency).label}(新建 {created} 个报送期)",
            {"reporting_frequency": before},
            {"reporting_frequency": frequency},
        )
    plan.reporting_frequency = frequency
    plan.reminder_days_before = locked.reminder_days_before
    return created


LIGHT_WINDOW_MAX = 60  # days: a yellow light earlier than two months before the due date tells nothing


def plan_light_window_set(*, plan: Plan, days: int | None, user: Any = None) -> Plan:
    """How many days before a cycle's due date an item without a done report turns yellow (rules.lights); None:
    the installation's TRAFFIC_LIGHT_WARNING_DAYS. Audited."""
    access.require(user, Capability.MANAGE_CYCLES)
    if days is not None and not 0 <= days <= LIGHT_WINDOW_MAX:
        raise CycleError(f"黄灯提前天数应在 0 到 {LIGHT_WINDOW_MAX} 天之间")
    with transaction.atomic():
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        before = locked.light_warning_days
        if before == days:
            return locked
        locked.light_warning_days = days
        locked.save(update_fields=["light_warning_days", "updated_at"])
        _audit(
            locked,
            user,
            f"黄灯提前天数:{'默认' if before is None else before} → {'默认' if days is None else days}",
            {"light_warning_days": before},
            {"light_warning_days": days},
        )
    plan.light_warning_days = days
    return locked


def cycle_close(*, cycle: ReportingCycle, user: Any = None) -> ReportingCycle:
    access.require(user, Capability.MANAGE_CYCLES)
    before = cycle.status
    cycle.status = ReportingCycle.Status.CLOSED
    cycle.save(update_fields=["status"])
    if before != cycle.status:
        _audit(cycle, user, f"关闭{cycle.label}报送周期", {"status": before}, {"status": cycle.status})
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
        f"{cycle.label}报送截止日期 {before:%Y-%m-%d} → {due_date:%Y-%m-%d}",
        {"due_date": before.isoformat()},
        {"due_date": due_date.isoformat()},
    )
    return cycle


def cycle_due_date_range(cycle: ReportingCycle) -> tuple[date, date]:
    """The due dates ``cycle_set_due_date`` accepts for ``cycle``: within its year or the next one."""
    return date(cycle.year, 1, 1), date(cycle.year + 1, 12, 31)


def _audit(target: ReportingCycle | Plan, user: Any, summary: str, before: dict, after: dict) -> None:
    # Every row this module writes is one kind, a CYCLE entry of the plan, through services.division.audit_record:
    # on a cycle (open, close, due date) or on the plan itself (its reporting settings: cadence, light window).
    # Written once so the plan-setting services and the cycle services cannot audit differently.
    plan, object_type = (target, "plan") if isinstance(target, Plan) else (target.plan, "cycle")
    audit_record(
        actor=user,
        action=AuditEntry.Action.CYCLE,
        plan=plan,
        object_type=object_type,
        object_id=target.pk,
        summary=summary,
        before=before,
        after=after,
    )
