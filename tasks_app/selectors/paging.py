"""Pages of office lists whose count is kept as a snapshot of the plans' data (tasks_app.snapshots).

An office list spans whole plans: a closed cycle's 46,000 reports, a plan's 50,000 items. Django's paginator
counts them on every page (57 ms for the reports at province scale), though the rows change far less often than
they are paged. ``office_paginator`` reads the count from a snapshot of the visible plans' data instead, keyed by
the page query's own SQL (scope, filters and today's date are in it), so a change to any of those plans counts
afresh on the next page and another scope never shares an entry.

Only for rows whose filters read plan data the snapshots watch (items, their assignments, sections and units;
reports by status, cycle, unit and item): callers choose it where that holds. Unit staff lists are small and
counted every time.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

from tasks_app import access
from tasks_app.models import Report, WorkItem
from tasks_app.snapshots import plan_snapshot, snapshots_enabled

KEPT_COUNT_MODELS = (WorkItem, Report)


class KeptCountPaginator(Paginator):
    """``count`` from a snapshot of ``plan_ids``' data; ``plan_ids=None`` counts every time."""

    def __init__(self, object_list: Any, per_page: int, *, plan_ids: list[int] | None) -> None:
        super().__init__(object_list, per_page)
        self.kept: tuple[QuerySet, list[int]] | None = (
            (object_list, plan_ids) if plan_ids is not None and isinstance(object_list, QuerySet) else None
        )

    @cached_property
    def count(self) -> int:
        if self.kept is None:
            return super().count
        rows, plan_ids = self.kept
        sql, params = rows.query.sql_with_params()
        return plan_snapshot("list-count", plan_ids=plan_ids, key=(sql, params), compute=rows.count)


def office_paginator(user: access.AnyUser, rows: Any, per_page: int) -> Paginator:
    """A paginator of ``rows`` (items or reports) whose count is kept for office users."""
    kept = isinstance(rows, QuerySet) and issubclass(rows.model, KEPT_COUNT_MODELS)
    plan_ids = access.visible_plan_ids(user) if kept and snapshots_enabled() and access.sees_everything(user) else None
    return KeptCountPaginator(rows, per_page, plan_ids=plan_ids)
