"""Reads of the reminder outbox page: the rows, counts by status, the open cycles to preview."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from tasks_app import access
from tasks_app.models import ReminderMessage, ReportingCycle


def _visible_messages(user: access.AnyUser) -> QuerySet[ReminderMessage]:
    # A message belongs to a cycle of a plan: it is visible with its plan (access.visible_plans).
    return ReminderMessage.objects.filter(cycle__plan__in=access.visible_plans(user))


def outbox_rows(
    user: access.AnyUser, *, status: str = "", kind: str = "", unit_name: str = ""
) -> QuerySet[ReminderMessage]:
    """Newest first; unknown ``status`` / ``kind`` values filter nothing."""
    rows = _visible_messages(user).select_related("unit", "cycle", "cycle__plan").order_by("-created_at", "-id")
    if status in ReminderMessage.Status.values:
        rows = rows.filter(status=status)
    if kind in ReminderMessage.Kind.values:
        rows = rows.filter(kind=kind)
    if unit_name:
        rows = rows.filter(unit__name__contains=unit_name)
    return rows


def outbox_counts(user: access.AnyUser) -> dict[str, int]:
    return dict(_visible_messages(user).values_list("status").annotate(n=Count("id")).order_by())


def open_cycles(user: access.AnyUser) -> QuerySet[ReportingCycle]:
    return ReportingCycle.objects.filter(
        status=ReportingCycle.Status.OPEN, plan__in=access.visible_plans(user)
    ).select_related("plan")
