"""The one place that decides what a user may see and do. Every view, endpoint and service calls it.

Do: a user's capabilities (tasks_app.capabilities names them and holds the role table) come from
``capabilities(user)``; faces gate requests with ``request_refusal`` (through tasks_app.permissions),
services call ``require``.

See: planning-office users see every plan of their jurisdictions (``visible_jurisdictions``: today the
whole install); every console read starts from ``visible_plans(user)`` or one of the roots below it.
Unit staff see the items where one of their units is lead, responsible or cooperating. Objects outside
a user's scope are reported as missing (404), never as forbidden.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from tasks_app import capabilities as caps
from tasks_app.capabilities import Capability, Refusal
from tasks_app.models import (
    Assignment,
    AuditEntry,
    Contribution,
    Evidence,
    ExportJob,
    ImportJob,
    Jurisdiction,
    Membership,
    OfficeRole,
    Plan,
    ReminderMessage,
    Report,
    ReportingCycle,
    SuggestedAssignment,
    Unit,
    WorkItem,
)
from tasks_app.rules import reporting

AnyUser = AbstractBaseUser | AnonymousUser
T = TypeVar("T")


def _per_user(user: AnyUser, key: str, compute: Callable[[], T]) -> T:
    """Computed once per user object, i.e. once per request (a request builds its own user)."""
    store: dict[str, Any] = user.__dict__.setdefault("_access_cache", {})
    if key not in store:
        store[key] = compute()
    return store[key]


def office_role(user: AnyUser) -> str | None:
    if not user.is_authenticated:
        return None
    if getattr(user, "is_superuser", False):
        return OfficeRole.Role.ADMIN
    return _per_user(
        user, "office_role", lambda: OfficeRole.objects.filter(user_id=user.pk).values_list("role", flat=True).first()
    )


def sees_everything(user: AnyUser) -> bool:
    """An office user: their scope is plans and units by jurisdiction, not by membership."""
    return office_role(user) is not None


def unit_ids(user: AnyUser) -> frozenset[int]:
    if not user.is_authenticated:
        return frozenset()
    return _per_user(
        user,
        "unit_ids",
        lambda: frozenset(Membership.objects.filter(user_id=user.pk).values_list("unit_id", flat=True)),
    )


# --- capabilities: what a user may do --------------------------------------------------------------


class CapabilityDenied(PermissionDenied):
    """A service was asked to do something its user may not (403 in every face)."""


def capabilities(user: AnyUser) -> frozenset[Capability]:
    if not user.is_authenticated:
        return frozenset()
    return _per_user(
        user, "capabilities", lambda: caps.capabilities_for(office_role(user), has_units=bool(unit_ids(user)))
    )


def has(user: AnyUser, capability: Capability) -> bool:
    return capability in capabilities(user)


def require(user: AnyUser | None, capability: Capability) -> None:
    """Services call this first. ``user=None`` is the system itself (commands, the scheduler), which may."""
    if user is None:
        return
    held = capabilities(user)
    if capability not in held:
        raise CapabilityDenied(caps.refusal_message(held, capability))


def request_refusal(user: AnyUser, *, method: str, read: Capability | None, write: Capability | None) -> Refusal | None:
    """How to refuse a signed-in user's request to a view that declares ``read`` and ``write`` (None: allow)."""
    return caps.gate(capabilities(user), method=method, read=read, write=write)


def is_read_only(user: AnyUser) -> bool:
    """Leadership reads everything and changes nothing (every write is 403)."""
    return caps.is_read_only(capabilities(user))


# --- scope: what a user may see ------------------------------------------------------------------


def visible_jurisdictions(user: AnyUser) -> QuerySet[Jurisdiction]:
    """The jurisdictions an office user works for: today every office role covers the whole install.

    Scoping office users to their jurisdiction (and a city's districts) is a change here and only here:
    every plan, unit and console row below is derived from it.
    """
    if not sees_everything(user):
        return Jurisdiction.objects.none()
    return Jurisdiction.objects.all()


def visible_plans(user: AnyUser) -> QuerySet[Plan]:
    """Every console read starts here (or from a root below that derives from it).

    Office users see the plans of their jurisdictions; unit staff see the plans that hold an item of
    one of their units.
    """
    plans = Plan.objects.all()
    if sees_everything(user):
        return plans.filter(jurisdiction__in=visible_jurisdictions(user))
    if not user.is_authenticated:
        return plans.none()
    mine = Assignment.objects.filter(item__plan=OuterRef("pk"), item__is_active=True, unit_id__in=unit_ids(user))
    return plans.filter(Exists(mine))


def visible_items(user: AnyUser) -> QuerySet[WorkItem]:
    items = WorkItem.objects.filter(is_active=True)
    if sees_everything(user):
        return items.filter(plan__in=visible_plans(user))
    mine = Assignment.objects.filter(item=OuterRef("pk"), unit_id__in=unit_ids(user))
    return items.filter(Exists(mine))


def _one_or_404(rows: QuerySet, pk: int, message: str) -> Any:
    """The row ``pk`` of a scoped queryset, or a 404: outside the scope and missing look the same."""
    found = rows.filter(pk=pk).first()
    if found is None:
        raise Http404(message)
    return found


def item_or_404(user: AnyUser, item_id: int) -> WorkItem:
    return _one_or_404(visible_items(user).select_related("plan", "section"), item_id, "事项不存在或不在您的权限范围内")


def reporting_unit_ids(item: WorkItem) -> list[int]:
    """The units that report on the item (rules.reporting: the leads, else the responsible units)."""
    return reporting.reporting_units(item.assignments.values_list("unit_id", "role", "handed_over_on"))


def cooperating_unit_ids(item: WorkItem) -> list[int]:
    """The units named on the item that contribute rather than report (rules.reporting)."""
    return reporting.contributing_units(item.assignments.values_list("unit_id", "role", "handed_over_on"))


def my_reporting_units(user: AnyUser, item: WorkItem) -> list[int]:
    return [unit for unit in reporting_unit_ids(item) if unit in unit_ids(user)]


def my_cooperating_units(user: AnyUser, item: WorkItem) -> list[int]:
    return [unit for unit in cooperating_unit_ids(item) if unit in unit_ids(user)]


def _on_visible_items(rows: QuerySet, user: AnyUser) -> QuerySet:
    """Rows hanging on an item (reports, contributions) are in scope exactly when their item is."""
    rows = rows.filter(item__is_active=True)
    if sees_everything(user):
        return rows.filter(item__plan__in=visible_plans(user))
    return rows.filter(item__in=visible_items(user))


def visible_reports(user: AnyUser) -> QuerySet[Report]:
    return _on_visible_items(Report.objects.all(), user)


def report_or_404(user: AnyUser, report_id: int) -> Report:
    return _one_or_404(
        visible_reports(user).select_related("item", "unit", "cycle"), report_id, "报告不存在或不在您的权限范围内"
    )


def can_edit_report(user: AnyUser, report: Report) -> bool:
    return (
        report.unit_id in unit_ids(user)
        and report.is_editable_status
        and report.cycle.status == ReportingCycle.Status.OPEN
    )


def visible_contributions(user: AnyUser) -> QuerySet[Contribution]:
    return _on_visible_items(Contribution.objects.all(), user)


def contribution_or_404(user: AnyUser, contribution_id: int) -> Contribution:
    return _one_or_404(
        visible_contributions(user).select_related("item", "unit", "cycle"),
        contribution_id,
        "配合情况不存在或不在您的权限范围内",
    )


def evidence_or_404(user: AnyUser, evidence_id: int) -> Evidence:
    return _one_or_404(
        Evidence.objects.filter(report__in=visible_reports(user)), evidence_id, "文件不存在或不在您的权限范围内"
    )


# --- console roots: every console read starts from one of these (all derive from visible_plans) ------


def _console_rows(rows: QuerySet, user: AnyUser, plan_path: str) -> QuerySet:
    """Console rows hang on a plan; unit staff have none (the console does not exist for them)."""
    if not sees_everything(user):
        return rows.none()
    return rows.filter(**{f"{plan_path}__in": visible_plans(user)})


def visible_cycles(user: AnyUser) -> QuerySet[ReportingCycle]:
    return _console_rows(ReportingCycle.objects.all(), user, "plan")


def cycle_or_404(user: AnyUser, cycle_id: int) -> ReportingCycle:
    return _one_or_404(visible_cycles(user).select_related("plan"), cycle_id, "报送周期不存在")


def visible_console_reports(user: AnyUser) -> QuerySet[Report]:
    """Reports as the office sees them (any unit's, in the office's plans); unit staff have none here."""
    return visible_reports(user) if sees_everything(user) else Report.objects.none()


def console_report_or_404(user: AnyUser, report_id: int) -> Report:
    rows = visible_console_reports(user).select_related("item__plan", "unit", "cycle")
    return _one_or_404(rows, report_id, "报告不存在")


def console_item_or_404(user: AnyUser, item_id: int) -> WorkItem:
    rows = visible_items(user) if sees_everything(user) else WorkItem.objects.none()
    rows = rows.select_related("plan__jurisdiction", "section")
    return _one_or_404(rows, item_id, "事项不存在")


def visible_units(user: AnyUser) -> QuerySet[Unit]:
    """The unit directory: the units of the office's jurisdictions (with or without a plan)."""
    if not sees_everything(user):
        return Unit.objects.none()
    return Unit.objects.filter(jurisdiction__in=visible_jurisdictions(user))


def unit_or_404(user: AnyUser, unit_id: int) -> Unit:
    return _one_or_404(visible_units(user).select_related("jurisdiction"), unit_id, "单位不存在")


def visible_suggestions(user: AnyUser) -> QuerySet[SuggestedAssignment]:
    return _console_rows(SuggestedAssignment.objects.all(), user, "item__plan")


def visible_export_jobs(user: AnyUser) -> QuerySet[ExportJob]:
    return _console_rows(ExportJob.objects.all(), user, "plan")


def export_job_or_404(user: AnyUser, job_id: int) -> ExportJob:
    return _one_or_404(visible_export_jobs(user).select_related("plan", "created_by"), job_id, "导出任务不存在")


def visible_import_jobs(user: AnyUser) -> QuerySet[ImportJob]:
    """Uploaded documents: office work. A job names its plan only once confirmed, so until offices are scoped
    to a jurisdiction (issue 12: filter on the uploader's jurisdiction here) every office user sees them."""
    return ImportJob.objects.all() if sees_everything(user) else ImportJob.objects.none()


def import_job_or_404(user: AnyUser, job_id: int) -> ImportJob:
    rows = visible_import_jobs(user).select_related("uploaded_by", "decided_by", "plan")
    return _one_or_404(rows, job_id, "导入任务不存在")


def visible_reminders(user: AnyUser) -> QuerySet[ReminderMessage]:
    return _console_rows(ReminderMessage.objects.all(), user, "cycle__plan")


def visible_audit_entries(user: AnyUser) -> QuerySet[AuditEntry]:
    """Audit rows of the office's plans, plus the rows that name no plan (unit edits, merges, contacts).

    Those plan-less rows carry no jurisdiction yet: scoping offices (issue 12) must record one on them.
    """
    if not sees_everything(user):
        return AuditEntry.objects.none()
    return AuditEntry.objects.filter(Q(plan__in=visible_plans(user)) | Q(plan__isnull=True))
