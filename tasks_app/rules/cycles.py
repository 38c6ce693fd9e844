"""Which reporting cycle a read or a report is about when the user names none."""

from __future__ import annotations

from django.db.models import QuerySet

from tasks_app.models import ReportingCycle


def open_cycles(cycles: QuerySet[ReportingCycle]) -> QuerySet[ReportingCycle]:
    """The open ones among ``cycles``, latest first: units report into the first one of their item's plan."""
    return cycles.filter(status=ReportingCycle.Status.OPEN).order_by("-year", "-pk")


def default_cycle(cycles: QuerySet[ReportingCycle]) -> ReportingCycle | None:
    """Among ``cycles`` (one plan's, or every visible plan's): the latest open one; else the latest one that
    holds reports; else the latest one. Latest = highest year, then the newest row."""
    newest = cycles.order_by("-year", "-pk")
    return open_cycles(cycles).first() or newest.exclude(reports=None).first() or newest.first()
