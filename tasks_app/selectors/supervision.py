"""督办单: a unit's overdue items in a cycle, as the planning office prints or exports it, and the list of units
that have any. The rules are the ones reminders use: who reports (``Assignment.objects.reporting()``, the SQL form
of rules/reporting.py) and which report statuses count as done (``Report.DONE_STATUSES``).

The reminders' last overdue step mails the office each late unit's 督办单 (reminders/calendar.py, mail.py); these
pages are what its links open. Scoped by ``access``: another jurisdiction's cycle or unit is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils import timezone

from tasks_app import access
from tasks_app.models import Assignment, Report, ReportingCycle, Unit
from tasks_app.reminders.calendar import OFFICE, escalation_levels
from tasks_app.selectors.console import UnitRow, unit_tallies
from tasks_app.selectors.unit_heads import unit_heads


@dataclass
class SupervisedItem:
    item_id: int
    number: str
    title: str
    deadline: date | None
    report_state: str  # 未填报 / 草稿 / 已退回


@dataclass
class Supervision:
    cycle: ReportingCycle
    unit: Unit
    items: list[SupervisedItem]
    heads: list[str] = field(default_factory=list)  # names of the unit's heads (单位负责人)
    today: date = field(default_factory=timezone.localdate)

    @property
    def days_overdue(self) -> int:
        return max(0, (self.today - self.cycle.due_date).days)

    @property
    def overdue(self) -> bool:
        return self.today > self.cycle.due_date

    @property
    def office_step(self) -> int | None:
        """Days after the due date of the step that sends this 督办单 to the office (None: no escalation)."""
        levels = escalation_levels(self.cycle.plan.reminder_days_after)
        return next((days for days, level in levels.items() if level == OFFICE), None)


_STATE_LABELS: dict[str, str] = {Report.Status.DRAFT: "草稿未提交", Report.Status.RETURNED: "已退回待修改"}


def supervision_units(cycle: ReportingCycle) -> list[UnitRow]:
    """The cycle's reporting units with items not yet reported (missing > 0), the most missing first."""
    late = [row for row in unit_tallies(cycle).values() if row.missing > 0]
    return sorted(late, key=lambda row: (-row.missing, row.name))


def supervision_notice(user: access.AnyUser, *, cycle_id: int, unit_id: int) -> Supervision:
    """The 督办单 of ``unit_id`` in ``cycle_id`` as ``user`` may see it; 404 outside their scope or when the unit
    reports nothing in the cycle's plan."""
    cycle = access.cycle_or_404(user, cycle_id)
    unit = access.unit_or_404(user, unit_id)
    slots = Assignment.objects.reporting().filter(unit_id=unit.pk, item__plan_id=cycle.plan_id, item__is_active=True)
    if not slots.exists():
        raise Http404("该单位在本期没有报送事项")
    done = Report.objects.filter(
        cycle_id=cycle.pk, item_id=OuterRef("item_id"), unit_id=unit.pk, status__in=Report.DONE_STATUSES
    )
    rows = (
        slots.exclude(Exists(done))
        .select_related("item")
        .order_by("item__order", "item_id")
        .values_list("item_id", "item__number", "item__title", "item__deadline")
    )
    states = dict(Report.objects.filter(cycle_id=cycle.pk, unit_id=unit.pk).values_list("item_id", "status"))
    items = [
        SupervisedItem(pk, number or "", title, deadline, _STATE_LABELS.get(states.get(pk, ""), "未填报"))
        for pk, number, title, deadline in dict.fromkeys(rows)
    ]
    heads = [
        getattr(u, "get_full_name", str)() or u.get_username() for u in unit_heads(unit_ids=[unit.pk]).get(unit.pk, [])
    ]
    return Supervision(cycle=cycle, unit=unit, items=items, heads=heads)
