"""Reads of the reminder outbox page: the rows, counts by status, the open cycles to preview."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from tasks_app import access
from tasks_app.models import Channel, ReminderMessage, ReportingCycle


def outbox_rows(
    user: access.AnyUser,
    *,
    status: str = "",
    kind: str = "",
    channel: str = "",
    unit_name: str = "",
    cycle: int | None = None,
) -> QuerySet[ReminderMessage]:
    """Newest first; unknown ``status`` / ``kind`` / ``channel`` values filter nothing; ``cycle`` None: every cycle."""
    rows = access.visible_reminders(user).select_related("unit", "cycle", "cycle__plan").order_by("-created_at", "-id")
    if cycle:
        rows = rows.filter(cycle_id=cycle)
    if status in ReminderMessage.Status.values:
        rows = rows.filter(status=status)
    if kind in ReminderMessage.Kind.values:
        rows = rows.filter(kind=kind)
    if channel in Channel.values:
        rows = rows.filter(channel=channel)
    if unit_name:
        rows = rows.filter(unit__name__contains=unit_name)
    return rows


def outbox_counts(user: access.AnyUser, *, cycle: int | None = None) -> dict[str, int]:
    rows = access.visible_reminders(user)
    if cycle:
        rows = rows.filter(cycle_id=cycle)
    return dict(rows.values_list("status").annotate(n=Count("id")).order_by())


def open_cycles(user: access.AnyUser) -> QuerySet[ReportingCycle]:
    return ReportingCycle.objects.filter(
        status=ReportingCycle.Status.OPEN, plan__in=access.visible_plans(user)
    ).select_related("plan")
