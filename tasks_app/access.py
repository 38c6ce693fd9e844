"""The one place that decides what a user may see and do. Every view and endpoint calls it.

Scope: planning-office admins and reviewers see everything and review; leadership sees everything and
changes nothing; unit staff see the items where one of their units is lead, responsible or cooperating.
Objects outside a user's scope are reported as missing (404), never as forbidden.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from tasks_app.models import (
    Assignment,
    Contribution,
    Evidence,
    OfficeRole,
    Plan,
    Report,
    ReportingCycle,
    WorkItem,
)
from tasks_app.rules import reporting

AnyUser = AbstractBaseUser | AnonymousUser


def office_role(user: AnyUser) -> str | None:
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return OfficeRole.Role.ADMIN
    cached = getattr(user, "_office_role_cache", "unset")
    if cached == "unset":
        cached = OfficeRole.objects.filter(user=user).values_list("role", flat=True).first()
        user._office_role_cache = cached
    return cached


def sees_everything(user: AnyUser) -> bool:
    return office_role(user) is not None


def can_review(user: AnyUser) -> bool:
    return office_role(user) in (OfficeRole.Role.ADMIN, OfficeRole.Role.REVIEWER)


def can_administer(user: AnyUser) -> bool:
    return office_role(user) == OfficeRole.Role.ADMIN


def unit_ids(user: AnyUser) -> frozenset[int]:
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_unit_ids_cache", None)
    if cached is None:
        cached = frozenset(user.memberships.values_list("unit_id", flat=True))
        user._unit_ids_cache = cached
    return cached


def visible_plans(user: AnyUser) -> QuerySet[Plan]:
    """Every console read starts here, so scoping office users to a jurisdiction is a change in this one place.

    Office users see every plan; unit staff see the plans that hold an item of one of their units.
    """
    plans = Plan.objects.all()
    if sees_everything(user):
        return plans
    if not user.is_authenticated:
        return plans.none()
    mine = Assignment.objects.filter(item__plan=OuterRef("pk"), item__is_active=True, unit_id__in=unit_ids(user))
    return plans.filter(Exists(mine))


def visible_items(user: AnyUser) -> QuerySet[WorkItem]:
    items = WorkItem.objects.filter(is_active=True)
    if sees_everything(user):
        return items
    mine = Assignment.objects.filter(item=OuterRef("pk"), unit_id__in=unit_ids(user))
    return items.filter(Exists(mine))


def item_or_404(user: AnyUser, item_id: int) -> WorkItem:
    item = visible_items(user).select_related("plan", "section").filter(pk=item_id).first()
    if item is None:
        raise Http404("事项不存在或不在您的权限范围内")
    return item


def reporting_unit_ids(item: WorkItem) -> list[int]:
    """The units that report on the item (rules.reporting: the leads, else the responsible units)."""
    return reporting.reporting_units(item.assignments.values_list("unit_id", "role"))


def cooperating_unit_ids(item: WorkItem) -> list[int]:
    """The units named on the item that contribute rather than report (rules.reporting)."""
    return reporting.contributing_units(item.assignments.values_list("unit_id", "role"))


def my_reporting_units(user: AnyUser, item: WorkItem) -> list[int]:
    return [unit for unit in reporting_unit_ids(item) if unit in unit_ids(user)]


def my_cooperating_units(user: AnyUser, item: WorkItem) -> list[int]:
    return [unit for unit in cooperating_unit_ids(item) if unit in unit_ids(user)]


def _on_visible_items(rows: QuerySet, user: AnyUser) -> QuerySet:
    """Rows hanging on an item (reports, contributions) are in scope exactly when their item is."""
    rows = rows.filter(item__is_active=True)
    return rows if sees_everything(user) else rows.filter(item__in=visible_items(user))


def visible_reports(user: AnyUser) -> QuerySet[Report]:
    return _on_visible_items(Report.objects.all(), user)


def report_or_404(user: AnyUser, report_id: int) -> Report:
    report = visible_reports(user).select_related("item", "unit", "cycle").filter(pk=report_id).first()
    if report is None:
        raise Http404("报告不存在或不在您的权限范围内")
    return report


def can_edit_report(user: AnyUser, report: Report) -> bool:
    return (
        report.unit_id in unit_ids(user)
        and report.is_editable_status
        and report.cycle.status == ReportingCycle.Status.OPEN
    )


def visible_contributions(user: AnyUser) -> QuerySet[Contribution]:
    return _on_visible_items(Contribution.objects.all(), user)


def contribution_or_404(user: AnyUser, contribution_id: int) -> Contribution:
    row = visible_contributions(user).select_related("item", "unit", "cycle").filter(pk=contribution_id).first()
    if row is None:
        raise Http404("配合情况不存在或不在您的权限范围内")
    return row


def evidence_or_404(user: AnyUser, evidence_id: int) -> Evidence:
    evidence = Evidence.objects.filter(pk=evidence_id, report__in=visible_reports(user)).first()
    if evidence is None:
        raise Http404("文件不存在或不在您的权限范围内")
    return evidence


def is_read_only(user: AnyUser) -> bool:
    """Leadership reads everything and changes nothing (the API answers its writes with 403)."""
    return office_role(user) == OfficeRole.Role.LEADERSHIP
