"""Which reporting cycle a read is about when the user names none (dashboard, exports, their forms)."""

from __future__ import annotations

from django.db.models import QuerySet

from tasks_app.models import ReportingCycle


def default_cycle(cycles: QuerySet[ReportingCycle]) -> ReportingCycle | None:
    """Among ``cycles`` (one plan's, or every visible plan's): the latest open one; else the latest one that
    holds reports; else the latest one. Latest = highest year, then the newest row."""
    newest = cycles.order_by("-year", "-pk")
    return (
        newest.filter(status=ReportingCycle.Status.OPEN).first()
        or newest.exclude(reports=None).first()
        or newest.first()
    )
