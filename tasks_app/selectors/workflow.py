"""Reads of the assignment workflow (督办): an item's workflow state and history, the office's workflow page."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from tasks_app import access
from tasks_app.models import Assignment, AuditEntry, Plan, WorkflowRequest, WorkItem
from tasks_app.snapshots import plan_snapshot

WORKFLOW_ACTIONS = (
    AuditEntry.Action.ACKNOWLEDGE,
    AuditEntry.Action.BOUNCE,
    AuditEntry.Action.EXTENSION,
    AuditEntry.Action.ITEM_CLOSE,
    AuditEntry.Action.ITEM_REOPEN,
)


def item_workflow_history(item: WorkItem) -> list[AuditEntry]:
    """Every workflow step on the item (签收, 退回分工, 延期申请 and their decisions, 销号, 重新打开), newest first."""
    return list(
        AuditEntry.objects.filter(object_type="item", object_id=item.pk, action__in=WORKFLOW_ACTIONS)
        .select_related("actor")
        .order_by("-at", "-id")
    )


def item_requests(item: WorkItem) -> list[WorkflowRequest]:
    """The item's bounce and extension requests, newest first (pending ones are the state the page shows)."""
    return list(
        WorkflowRequest.objects.filter(item=item)
        .select_related("unit", "reassigned_to", "decided_by")
        .order_by("-created_at", "-id")
    )


@dataclass
class StaffWorkflow:
    """What the item page offers the user's unit: its reporting rows and whether each is acknowledged."""

    rows: list[Assignment] = field(default_factory=list)
    pending: list[WorkflowRequest] = field(default_factory=list)

    @property
    def unacknowledged(self) -> list[Assignment]:
        return [a for a in self.rows if a.acknowledged_at is None]

    def has_pending(self, kind: str) -> bool:
        return any(r.kind == kind for r in self.pending)

    @property
    def bounce_pending(self) -> bool:
        return self.has_pending(WorkflowRequest.Kind.BOUNCE)

    @property
    def extension_pending(self) -> bool:
        return self.has_pending(WorkflowRequest.Kind.EXTENSION)


def staff_workflow(user: access.AnyUser, item: WorkItem, requests: list[WorkflowRequest]) -> StaffWorkflow:
    rows = access.my_answering_assignments(user, item)
    units = {a.unit_id for a in rows}
    return StaffWorkflow(rows=rows, pending=[r for r in requests if r.is_pending and r.unit_id in units])


def pending_requests(user: access.AnyUser, *, plan: Plan | None = None) -> QuerySet[WorkflowRequest]:
    rows = access.visible_workflow_requests(user).filter(status=WorkflowRequest.Status.PENDING)
    if plan is not None:
        rows = rows.filter(item__plan=plan)
    return rows.select_related("item", "item__plan", "unit", "created_by").order_by("created_at", "pk")


def not_acknowledged() -> QuerySet[Assignment]:
    """The rows waiting for their unit's 签收: the unit reports on the item and is asked to (an active item, not
    closed), and nobody of the unit acknowledged it. The one definition the office's page and 待办 count."""
    return Assignment.objects.reporting().filter(item__is_active=True, acknowledged_at__isnull=True)


def unacknowledged(user: access.AnyUser, *, plan: Plan | None = None) -> list[dict]:
    """Per plan and unit: how many items the unit reports on (and is asked to: open items) it has not acknowledged."""
    rows = not_acknowledged().filter(item__plan__in=access.visible_plans(user))
    if plan is not None:
        rows = rows.filter(item__plan=plan)
    return list(
        rows.values("item__plan_id", "item__plan__title", "unit_id", "unit__name")
        .annotate(n=Count("pk"))
        .order_by("item__plan__title", "item__plan_id", "-n", "unit__name")
    )


def plan_unacknowledged_count(plan: Plan) -> int:
    """How many of the plan's rows wait for 签收; a snapshot of the plan's data (tasks_app.snapshots: an
    acknowledgement saves its assignment, which replaces the plan's token), not a count over its 150,000
    assignments on each view of the division page."""
    return plan_snapshot(
        "unacknowledged-count",
        plan_ids=[plan.pk],
        key=(plan.pk,),
        compute=lambda: not_acknowledged().filter(item__plan=plan).count(),
    )


def reassign_choices(user: access.AnyUser, request: WorkflowRequest, allowed: set[int]) -> list[tuple[int, str]]:
    """Units the office may reassign a bounced item to: of its scope, among ``allowed`` (the plan's units,
    services.division.allowed_units), not on the item now."""
    on_item = set(request.item.assignments.filter(handed_over_on__isnull=True).values_list("unit_id", flat=True))
    return list(access.visible_units(user).filter(pk__in=allowed - on_item).order_by("name").values_list("pk", "name"))
