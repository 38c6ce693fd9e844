"""Periods lock (issue 13): the office unlocks a closed cycle for one unit until a date, and may revoke it.
While the unlock is in force that unit (only that unit) may edit and submit its reports and contributions in the
cycle (rules.cycles.accepts_reports); reminders stay off (they follow open cycles only)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from tasks_app import access
from tasks_app.capabilities import Capability
from tasks_app.models import AuditEntry, CycleUnlock, ReportingCycle, Unit
from tasks_app.rules.cycles import UNLOCK_MAX_DAYS, CycleState, state_of
from tasks_app.selectors.cycle_unlocks import plan_unit_ids
from tasks_app.services.errors import ServiceError


class UnlockError(ServiceError):
    """A refused unlock or revocation."""


def cycle_unlock_for_unit(
    *, user: Any, cycle: ReportingCycle, unit_id: int, until: date, reason: str, today: date | None = None
) -> CycleUnlock:
    """Unlock a closed cycle for one of its plan's units until ``until`` (today … today + UNLOCK_MAX_DAYS).
    An unlock already in force for that unit is replaced (revoked) by the new one. Audited."""
    access.require(user, Capability.MANAGE_CYCLES)
    today = today or timezone.localdate()
    reason = (reason or "").strip()
    if state_of(cycle, today) != CycleState.CLOSED:
        raise UnlockError("只有已关闭的报送周期可以为单位解锁;开启中的周期各单位本就可以填报")
    if unit_id not in plan_unit_ids(cycle.plan_id):
        raise UnlockError("该单位不是本规划的填报或配合单位")
    if until < today:
        raise UnlockError("解锁截止日期不能早于今天")
    if until > today + timedelta(days=UNLOCK_MAX_DAYS):
        raise UnlockError(f"解锁截止日期最多为 {UNLOCK_MAX_DAYS} 天之后")
    if not reason:
        raise UnlockError("请填写解锁理由")
    unit = Unit.objects.get(pk=unit_id)
    with transaction.atomic():
        ReportingCycle.objects.select_for_update().filter(pk=cycle.pk).first()  # one unlock per unit at a time
        replaced = list(cycle.unlocks.filter(unit_id=unit_id, revoked_at__isnull=True, until__gte=today))
        cycle.unlocks.filter(pk__in=[u.pk for u in replaced]).update(revoked_at=timezone.now(), revoked_by=user)
        unlock = CycleUnlock.objects.create(
            cycle=cycle, unit=unit, until=until, reason=reason[:2000], created_by=_actor(user)
        )
        _audit(
            unlock,
            user,
            f"为{unit.name}解锁{cycle.label}报送周期,可修改至 {until:%Y-%m-%d}:{reason}",
            {"unlocks": [{"id": u.pk, "until": u.until.isoformat()} for u in replaced]},
            {"unit": unit_id, "until": until.isoformat(), "reason": reason},
        )
    return unlock


def cycle_unlock_revoke(*, user: Any, unlock: CycleUnlock) -> CycleUnlock:
    """End an unlock now: the unit's reports in the closed cycle are locked again. Audited; revoking twice is
    refused."""
    access.require(user, Capability.MANAGE_CYCLES)
    with transaction.atomic():
        locked = (
            CycleUnlock.objects.select_for_update(of=("self",)).select_related("cycle__plan", "unit").get(pk=unlock.pk)
        )
        if locked.revoked_at is not None:
            raise UnlockError("该解锁已撤销")
        locked.revoked_at = timezone.now()
        locked.revoked_by = _actor(user)
        locked.save(update_fields=["revoked_at", "revoked_by"])
        _audit(
            locked,
            user,
            f"撤销{locked.unit.name}的{locked.cycle.label}报送周期解锁",
            {"until": locked.until.isoformat(), "revoked": False},
            {"revoked": True},
        )
    return locked


def _actor(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _audit(unlock: CycleUnlock, user: Any, summary: str, before: dict, after: dict) -> None:
    AuditEntry.objects.create(
        actor=_actor(user),
        action=AuditEntry.Action.CYCLE,
        plan_id=unlock.cycle.plan_id,
        jurisdiction_id=unlock.cycle.plan.jurisdiction_id,
        object_type="cycle_unlock",
        object_id=unlock.pk,
        summary=summary[:500],
        before=before,
        after=after,
    )
