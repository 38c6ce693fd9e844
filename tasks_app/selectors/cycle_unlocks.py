"""Reads of cycle unlocks (services/cycle_unlocks.py): the units a cycle may be unlocked for, the unlocks in force."""

from __future__ import annotations

from datetime import date

from django.http import Http404

from tasks_app.models import Assignment, CycleUnlock, ReportingCycle, Unit
from tasks_app.rules.cycles import CycleState, active_unlock, state_of
from tasks_app.rules.reporting import CURRENT


def plan_unit_ids(plan_id: int) -> set[int]:
    """The units that report or contribute on the plan's active items: those a closed cycle may be unlocked for."""
    rows = Assignment.objects.filter(CURRENT, item__plan_id=plan_id, item__is_active=True)
    return set(rows.values_list("unit_id", flat=True))


def plan_units(plan_id: int) -> list[Unit]:
    return list(Unit.objects.filter(pk__in=plan_unit_ids(plan_id)).order_by("name", "pk"))


def active_unlocks(cycle_ids: list[int], today: date | None = None) -> dict[int, list[CycleUnlock]]:
    """The unlocks in force on each of ``cycle_ids``, soonest ending first."""
    rows = CycleUnlock.objects.filter(active_unlock(today), cycle_id__in=cycle_ids).select_related("unit")
    found: dict[int, list[CycleUnlock]] = {}
    for row in rows.order_by("until", "unit__name", "pk"):
        found.setdefault(row.cycle_id, []).append(row)
    return found


def unit_unlock(cycle: ReportingCycle | None, unit_id: int | None, today: date | None = None) -> CycleUnlock | None:
    """The unlock that lets ``unit_id`` write in a closed ``cycle`` (the banner on its report page), if any."""
    if cycle is None or unit_id is None or cycle.status == ReportingCycle.Status.OPEN:
        return None
    return cycle.unlocks.filter(active_unlock(today), unit_id=unit_id).order_by("-until").first()


def cycle_unlock_or_404(cycle: ReportingCycle, unlock_id: int) -> CycleUnlock:
    """One unlock of a cycle the user already reached through access (another jurisdiction's cycle is a 404)."""
    found = cycle.unlocks.select_related("cycle__plan", "unit").filter(pk=unlock_id).first()
    if found is None:
        raise Http404("解锁记录不存在")
    return found


def with_unlock_choices(cycles: list[ReportingCycle], today: date | None = None) -> None:
    """For the console cycles page: each closed cycle gets ``active_unlocks`` and ``unlock_units`` (the plan's
    units, to pick from). Two queries whatever the number of cycles."""
    closed = [c for c in cycles if state_of(c, today) == CycleState.CLOSED]
    if not closed:
        return
    active = active_unlocks([c.pk for c in closed], today)
    rows = Assignment.objects.filter(
        CURRENT, item__plan_id__in={c.plan_id for c in closed}, item__is_active=True
    ).values_list("item__plan_id", "unit_id", "unit__name")
    units: dict[int, dict[int, str]] = {}
    for plan_id, unit_id, name in rows.order_by("unit__name", "unit_id"):
        units.setdefault(plan_id, {})[unit_id] = name
    for cycle in closed:
        cycle.active_unlocks = active.get(cycle.pk, [])  # type: ignore[attr-defined]  # for the template only
        cycle.unlock_units = sorted(units.get(cycle.plan_id, {}).items(), key=lambda u: u[1])  # type: ignore[attr-defined]
