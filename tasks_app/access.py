"""The one place that decides what a user may see and do. Every view, endpoint and service calls it.

Do: a user's capabilities (tasks_app.capabilities names them and holds the role table) come from
``capabilities(user)``; faces gate requests with ``request_refusal`` (through tasks_app.permissions),
services call ``require``.

See: planning-office users see every plan of their jurisdictions (``visible_jurisdictions``: the office
role's jurisdiction and those below it, or the whole install when it names none); every console read
starts from ``visible_plans(user)`` or one of the roots below it.
Unit staff see the items where one of their units is lead, responsible or cooperating. Objects outside
a user's scope are reported as missing (404), never as forbidden.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

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
    WorkflowRequest,
    WorkItem,
)
from tasks_app.rules import cycles, reporting

AnyUser = AbstractBaseUser | AnonymousUser
T = TypeVar("T")


def _per_user(user: AnyUser, key: str, compute: Callable[[], T]) -> T:
    """Computed once per user object, i.e. once per request (a request builds its own user)."""
    store: dict[str, Any] = user.__dict__.setdefault("_access_cache", {})
    if key not in store:
        store[key] = compute()
    return store[key]


def _office_row(user: AnyUser) -> tuple[str, int | None] | None:
    """(role, jurisdiction id) of the user's office role, read once per request."""
    return _per_user(
        user,
        "office_row",
        lambda: OfficeRole.objects.filter(user_id=cast(int, user.pk)).values_list("role", "jurisdiction_id").first(),
    )


def office_role(user: AnyUser) -> str | None:
    if not user.is_authenticated:
        return None
    if getattr(user, "is_superuser", False):
        return OfficeRole.Role.ADMIN
    row = _office_row(user)
    return row[0] if row else None


def sees_everything(user: AnyUser) -> bool:
    """An office user: their scope is plans and units by jurisdiction, not by membership."""
    return office_role(user) is not None


def _memberships(user: AnyUser) -> list[tuple[int, bool]]:
    """(unit id, heads it) of each of the user's memberships: one query per request for both reads below."""
    heads = Membership.objects.heads().filter(pk=OuterRef("pk"))
    return _per_user(
        user,
        "memberships",
        lambda: list(
            Membership.objects.filter(user_id=cast(int, user.pk))
            .annotate(head=Exists(heads))
            .values_list("unit_id", "head")
        ),
    )


def unit_ids(user: AnyUser) -> frozenset[int]:
    if not user.is_authenticated:
        return frozenset()
    return frozenset(unit for unit, _head in _memberships(user))


def head_unit_ids(user: AnyUser) -> frozenset[int]:
    """The units the user heads (``Membership.objects.heads``): the reports they sign off."""
    if not user.is_authenticated:
        return frozenset()
    return frozenset(unit for unit, head in _memberships(user) if head)


# --- capabilities: what a user may do --------------------------------------------------------------


class CapabilityDenied(PermissionDenied):
    """A service was asked to do something its user may not (403 in every face)."""


def capabilities(user: AnyUser) -> frozenset[Capability]:
    if not user.is_authenticated:
        return frozenset()
    return _per_user(
        user,
        "capabilities",
        lambda: caps.capabilities_for(
            office_role(user), has_units=bool(unit_ids(user)), heads_units=bool(head_unit_ids(user))
        ),
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


def _jurisdiction_parents() -> dict[int, int | None]:
    """Every jurisdiction's parent (one small query: a province holds a few hundred jurisdictions)."""
    return dict(Jurisdiction.objects.values_list("pk", "parent_id"))


def jurisdiction_subtree(root_id: int, parents: dict[int, int | None] | None = None) -> frozenset[int]:
    """The jurisdiction and every one below it (a city and its districts; a province and everything in it)."""
    parents = _jurisdiction_parents() if parents is None else parents
    children: dict[int | None, list[int]] = {}
    for pk, parent in parents.items():
        children.setdefault(parent, []).append(pk)
    found: set[int] = set()
    todo = [root_id]
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.add(pk)
            todo.extend(children.get(pk, []))
    return frozenset(found)


def visible_jurisdiction_ids(user: AnyUser) -> frozenset[int] | None:
    """The ids of the jurisdictions an office user works for; None: the whole install (and no office: empty).

    An office role names its jurisdiction (null: the whole install, like a superuser); its scope is that
    jurisdiction and every one below it, so a city office also sees its districts' plans.
    """
    if not sees_everything(user):
        return frozenset()
    if getattr(user, "is_superuser", False):
        return None
    row = _office_row(user)
    root = row[1] if row else None
    if root is None:
        return None
    return _per_user(user, "jurisdiction_ids", lambda: jurisdiction_subtree(root))


def covers(user: AnyUser | None, jurisdiction_id: int | None) -> bool:
    """Whether this jurisdiction is in the user's scope (``user=None``: the system, which covers all)."""
    if user is None:
        return True
    if not sees_everything(user):
        return False
    ids = visible_jurisdiction_ids(user)
    return ids is None or jurisdiction_id in ids


def _in_scope(rows: QuerySet, user: AnyUser, path: str) -> QuerySet:
    """Rows whose ``path`` jurisdiction is in an office user's scope (all of them for the whole install)."""
    if not sees_everything(user):
        return rows.none()
    ids = visible_jurisdiction_ids(user)
    return rows if ids is None else rows.filter(**{f"{path}__in": sorted(ids)})


def visible_jurisdictions(user: AnyUser) -> QuerySet[Jurisdiction]:
    """The jurisdictions an office user works for: with ``visible_jurisdiction_ids`` (its id form, which the
    roots filter on) the one place every office read is scoped from.

    Every plan, unit, job, reminder and audit row an office sees is derived from it (through
    ``visible_plans``, ``visible_units`` and the roots below them); unit staff and other users have none.
    """
    return _in_scope(Jurisdiction.objects.all(), user, "pk")


def office_emails_covering(jurisdiction_ids_wanted: Iterable[int]) -> dict[int, list[str]]:
    """For each jurisdiction, the emails of the active office admins and reviewers whose scope covers it
    (the overdue summary of a plan goes to its offices only). Two queries whatever the number asked."""
    wanted = set(jurisdiction_ids_wanted)
    roles = OfficeRole.objects.filter(
        role__in=(OfficeRole.Role.ADMIN, OfficeRole.Role.REVIEWER), user__is_active=True
    ).values_list("jurisdiction_id", "user__email", "user__is_superuser")
    parents = _jurisdiction_parents() if wanted else {}
    subtrees: dict[int, frozenset[int]] = {}
    found: dict[int, set[str]] = {pk: set() for pk in wanted}
    for root, email, superuser in roles:
        if not email:
            continue
        if root is not None and not superuser and root not in subtrees:
            subtrees[root] = jurisdiction_subtree(root, parents)
        for pk in wanted:
            if root is None or superuser or pk in subtrees[root]:
                found[pk].add(email)
    return {pk: sorted(emails) for pk, emails in found.items()}


def visible_plans(user: AnyUser) -> QuerySet[Plan]:
    """Every console read starts here (or from a root below that derives from it).

    Office users see the plans of their jurisdictions; unit staff see the plans that hold an item of
    one of their units.
    """
    plans = Plan.objects.all()
    if sees_everything(user):
        return _in_scope(plans, user, "jurisdiction_id")
    if not user.is_authenticated:
        return plans.none()
    mine = Assignment.objects.filter(item__plan=OuterRef("pk"), item__is_active=True, unit_id__in=unit_ids(user))
    return plans.filter(Exists(mine))


def visible_plan_ids(user: AnyUser) -> list[int]:
    """The ids of ``visible_plans(user)``, sorted; read once per request (the snapshots' keys and tokens)."""
    return _per_user(user, "plan_ids", lambda: sorted(visible_plans(user).values_list("pk", flat=True)))


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
    """The user's units that are asked to report on the item: none once it is closed (rules.reporting)."""
    if not reporting.item_open(item):
        return []
    return [unit for unit in reporting_unit_ids(item) if unit in unit_ids(user)]


def my_cooperating_units(user: AnyUser, item: WorkItem) -> list[int]:
    """The user's units that are asked to contribute: none once the item is closed (rules.reporting)."""
    if not reporting.item_open(item):
        return []
    return [unit for unit in cooperating_unit_ids(item) if unit in unit_ids(user)]


def my_answering_assignments(user: AnyUser, item: WorkItem) -> list[Assignment]:
    """The user's units' current rows that report on the item (closed or not): whose 签收, 退回分工 and
    延期申请 these are (services.workflow)."""
    reporting_ids = set(reporting_unit_ids(item))
    mine = unit_ids(user)
    rows = item.assignments.filter(reporting.CURRENT).select_related("unit").order_by("order", "pk")
    return [a for a in rows if a.unit_id in reporting_ids and a.unit_id in mine]


def _on_visible_items(rows: QuerySet, user: AnyUser) -> QuerySet:
    """Rows hanging on an item (reports, contributions) are in scope exactly when their item is."""
    rows = rows.filter(item__is_active=True)
    if sees_everything(user):
        return rows.filter(item__plan__in=visible_plans(user))
    return rows.filter(item__in=visible_items(user))


def visible_reports(user: AnyUser) -> QuerySet[Report]:
    """Reports on visible items; one waiting for its unit head's sign-off (``Report.UNIT_ONLY_STATUSES``) is the
    unit's own: the office (queue, counts, API) and other units never read it until the head approves it."""
    own = Q(unit_id__in=sorted(unit_ids(user))) if not sees_everything(user) else Q(pk__in=[])
    reports = Report.objects.filter(~Q(status__in=Report.UNIT_ONLY_STATUSES) | own)
    return _on_visible_items(reports, user)


def report_or_404(user: AnyUser, report_id: int) -> Report:
    return _one_or_404(
        visible_reports(user).select_related("item", "unit", "cycle"), report_id, "报告不存在或不在您的权限范围内"
    )


def can_edit_report(user: AnyUser, report: Report) -> bool:
    return (
        report.unit_id in unit_ids(user)
        and report.is_editable_status
        and cycles.accepts_reports(report.cycle, report.unit_id)
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
    return _in_scope(Unit.objects.all(), user, "jurisdiction_id")


def unit_or_404(user: AnyUser, unit_id: int) -> Unit:
    return _one_or_404(visible_units(user).select_related("jurisdiction"), unit_id, "单位不存在")


def visible_suggestions(user: AnyUser) -> QuerySet[SuggestedAssignment]:
    return _console_rows(SuggestedAssignment.objects.all(), user, "item__plan")


def visible_export_jobs(user: AnyUser) -> QuerySet[ExportJob]:
    return _console_rows(ExportJob.objects.all(), user, "plan")


def export_job_or_404(user: AnyUser, job_id: int) -> ExportJob:
    return _one_or_404(visible_export_jobs(user).select_related("plan", "created_by"), job_id, "导出任务不存在")


def visible_import_jobs(user: AnyUser) -> QuerySet[ImportJob]:
    """Uploaded documents: office work. A confirmed job belongs to its plan's jurisdiction; before that, to
    the uploader's office (an upload by a whole-install office is seen by whole-install offices only)."""
    jobs = ImportJob.objects.all()
    if not sees_everything(user):
        return jobs.none()
    ids = visible_jurisdiction_ids(user)
    if ids is None:
        return jobs
    scope = sorted(ids)
    return jobs.filter(
        Q(plan__jurisdiction_id__in=scope) | Q(plan__isnull=True, uploaded_by__office_role__jurisdiction_id__in=scope)
    )


def import_job_or_404(user: AnyUser, job_id: int) -> ImportJob:
    rows = visible_import_jobs(user).select_related("uploaded_by", "decided_by", "plan")
    return _one_or_404(rows, job_id, "导入任务不存在")


def visible_reminders(user: AnyUser) -> QuerySet[ReminderMessage]:
    return _console_rows(ReminderMessage.objects.all(), user, "cycle__plan")


def visible_workflow_requests(user: AnyUser) -> QuerySet[WorkflowRequest]:
    """Bounce and extension requests as the office sees them (its plans'); unit staff have none here."""
    return _console_rows(WorkflowRequest.objects.filter(item__is_active=True), user, "item__plan")


def workflow_request_or_404(user: AnyUser, request_id: int) -> WorkflowRequest:
    rows = visible_workflow_requests(user).select_related("item__plan", "unit", "assignment")
    return _one_or_404(rows, request_id, "申请不存在")


def visible_audit_entries(user: AnyUser) -> QuerySet[AuditEntry]:
    """Audit rows of the office's jurisdictions (each row records the jurisdiction it concerns: the unit's or
    the plan's); rows naming none are read by whole-install offices only."""
    return _in_scope(AuditEntry.objects.all(), user, "jurisdiction_id")


def may_merge_units(user: AnyUser | None, source: Unit, target: Unit) -> bool:
    """Units merge within one jurisdiction, or across two when the user's scope covers both (a city office
    folding a district's copy of a city unit into it); the system itself merges within one only."""
    if source.jurisdiction_id == target.jurisdiction_id:
        return covers(user, source.jurisdiction_id)
    return user is not None and covers(user, source.jurisdiction_id) and covers(user, target.jurisdiction_id)
