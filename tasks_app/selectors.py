"""Read queries. Views, the API and commands call these instead of building querysets themselves."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from tasks_app.models import Plan, WorkItem

INDICATOR_KINDS = (WorkItem.Kind.BINDING, WorkItem.Kind.EXPECTED, WorkItem.Kind.INDICATOR)


def plan_overview() -> QuerySet[Plan]:
    active = Q(items__is_active=True)
    return (
        Plan.objects.select_related("jurisdiction", "source", "reporting_recipient")
        .annotate(
            indicator_count=Count("items", filter=active & Q(items__kind__in=INDICATOR_KINDS)),
            task_count=Count("items", filter=active & ~Q(items__kind__in=INDICATOR_KINDS)),
        )
        .order_by("jurisdiction__name", "title")
    )
