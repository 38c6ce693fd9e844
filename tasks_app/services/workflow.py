"""The assignment workflow (督办, issue 13 part 2): 签收, 退回分工, 延期申请, 销号.

Unit staff act on their own units' reporting rows of an item (``access.item_or_404`` + the rows
``access.my_answering_assignments`` finds); the office decides on requests and closes items of its plans
(``access.workflow_request_or_404`` / ``console_item_or_404``). Anything outside the scope is a 404, like a
missing row. Every step writes an AuditEntry on the item (``object_type="item"``) in the same transaction: the
item page's history reads them (selectors.workflow.item_workflow_history). Notices to units go through
``services.notifications.unit_notify`` (the outbox).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from tasks_app import access
from tasks_app.capabilities import Capability
from tasks_app.models import Assignment, AuditEntry, ReminderMessage, ReportingCycle, Unit, WorkflowRequest, WorkItem
from tasks_app.rules import reporting
from tasks_app.selectors.workflow import not_acknowledged
from tasks_app.services.division import allowed_units, audit_record
from tasks_app.services.errors import InvalidTransition, NotAllowed, ServiceError
from tasks_app.services.notifications import unit_notify

REASON_MAX = 2000
CLOSED_MESSAGE = "该事项已销号,无需再办理"


class WorkflowError(ServiceError):
    """A refused workflow step (bad input)."""


# --- helpers -------------------------------------------------------------------------------------


def _staff_item(user: Any, item: WorkItem | int) -> WorkItem:
    return access.item_or_404(user, item if isinstance(item, int) else item.pk)


def _office_item(user: Any, item: WorkItem | int) -> WorkItem:
    pk = item if isinstance(item, int) else item.pk
    if user is None:
        return WorkItem.objects.select_related("plan__jurisdiction").get(pk=pk)
    return access.console_item_or_404(user, pk)


def _my_row(user: Any, item: WorkItem, unit: Unit | int | None) -> Assignment:
    """The user's unit's current reporting row on ``item`` (``unit`` picks one when the user has several)."""
    rows = access.my_answering_assignments(user, item)
    if unit is not None:
        wanted = unit if isinstance(unit, int) else unit.pk
        rows = [a for a in rows if a.unit_id == wanted]
    if not rows:
        raise NotAllowed("只有该事项的填报单位可以办理(签收、退回分工、延期申请)")
    if len(rows) > 1:
        raise WorkflowError("您属于该事项的多个填报单位,请选择以哪个单位办理")
    return rows[0]


def _reason(text: str, label: str = "理由") -> str:
    text = (text or "").strip()
    if not text:
        raise WorkflowError(f"请填写{label}")
    if len(text) > REASON_MAX:
        raise WorkflowError(f"{label}不能超过 {REASON_MAX} 字")
    return text


def _open(item: WorkItem) -> None:
    if not reporting.item_open(item):
        raise InvalidTransition(CLOSED_MESSAGE)


def _item_locked(item_id: int) -> WorkItem:
    # Every decision that changes an item (an accepted extension, 销号, reopening) locks its row first, with the
    # plan its audit row files under, so two decisions on one item run one after the other.
    return WorkItem.objects.select_for_update(of=("self",)).select_related("plan").get(pk=item_id)


CLOSE_NOTE_MAX = 500  # WorkItem.close_note's max_length


def _close_note(note: str) -> str:
    # The office's optional note on 销号 and on reopening: one rule for both, cut to what close_note holds.
    return (note or "").strip()[:CLOSE_NOTE_MAX]


def _noted(summary: str, note: str) -> str:
    # The audit summary of 销号 / reopening, with the office's note in brackets when there is one.
    return summary + (f"({note})" if note else "")


def _closed_set(item: WorkItem, *, at: datetime | None, by: Any, note: str) -> None:
    # The 销号 state is three fields that change together (rules.reporting.item_open reads closed_at): 销号
    # sets them, reopening clears them, both through here.
    item.closed_at = at
    item.closed_by = by
    item.close_note = note
    item.save(update_fields=["closed_at", "closed_by", "close_note", "updated_at"])


def _audit(
    *, user: Any, item: WorkItem, action: str, summary: str, before: dict | None = None, after: dict | None = None
) -> AuditEntry:
    return audit_record(
        actor=user,
        action=action,
        object_type="item",
        object_id=item.pk,
        summary=summary,
        plan=item.plan,
        before=before,
        after=after,
    )


def _notice_cycle(item: WorkItem) -> ReportingCycle | None:
    """The cycle a notice row files under (the outbox keys rows by cycle): the plan's open one, else its latest."""
    cycles = ReportingCycle.objects.filter(plan_id=item.plan_id)
    return (
        cycles.filter(status=ReportingCycle.Status.OPEN).order_by("-year").first() or cycles.order_by("-year").first()
    )


def _notify(*, unit: Unit, kind: str, item: WorkItem, reason: str, event: str, keeps_item: bool) -> None:
    """A notice to ``unit``; one that lost the item is sent to 我的任务, never to a page it can no longer open."""
    cycle = _notice_cycle(item)
    if cycle is None:
        return
    link = reverse("item", args=[item.pk]) if keeps_item else reverse("home")
    unit_notify(unit=unit, kind=kind, item=item, reason=reason, cycle=cycle, event=event, link=link)


def _deadline(value: date | None) -> str | None:
    return value.isoformat() if value else None


# --- 签收 -----------------------------------------------------------------------------------------


def assignment_acknowledge(*, user: Any, item: WorkItem | int, unit: Unit | int | None = None) -> Assignment:
    """The user's unit acknowledges (签收) its reporting row on the item; a second call changes nothing."""
    access.require(user, Capability.FILE_REPORTS)
    item = _staff_item(user, item)
    _open(item)
    row = _my_row(user, item, unit)
    with transaction.atomic():
        row = Assignment.objects.select_for_update(of=("self",)).select_related("unit").get(pk=row.pk)
        if row.acknowledged_at is not None:
            return row
        row.acknowledged_at = timezone.now()
        row.acknowledged_by = user
        row.save(update_fields=["acknowledged_at", "acknowledged_by"])
        _audit(
            user=user,
            item=item,
            action=AuditEntry.Action.ACKNOWLEDGE,
            summary=f"{row.unit.name} 签收事项 {item}",
            after={"unit": row.unit.name, "role": row.role},
        )
    return row


def assignments_acknowledge_all(*, user: Any, unit: Unit | int | None = None) -> int:
    """Acknowledge (签收) at once every item the user's units (or ``unit``, one of them) were assigned and have not
    acknowledged (selectors.workflow.not_acknowledged): the 待办's 全部签收 after a new division. One audit entry per
    item, as one by one. Returns how many rows were acknowledged."""
    access.require(user, Capability.FILE_REPORTS)
    mine = access.unit_ids(user)
    unit_id = unit.pk if isinstance(unit, Unit) else unit
    if unit_id is not None and unit_id not in mine:
        raise NotAllowed("只能签收本单位的分工")
    units = {unit_id} if unit_id is not None else mine
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            not_acknowledged()
            .filter(unit_id__in=units)
            .select_for_update(of=("self",))
            .select_related("unit", "item", "item__plan")
            .order_by("pk")
        )
        for row in rows:
            row.acknowledged_at, row.acknowledged_by = now, user
            row.save(update_fields=["acknowledged_at", "acknowledged_by"])
            _audit(
                user=user,
                item=row.item,
                action=AuditEntry.Action.ACKNOWLEDGE,
                summary=f"{row.unit.name} 签收事项 {row.item}",
                after={"unit": row.unit.name, "role": row.role},
            )
    return len(rows)


# --- 退回分工 ---------------------------------------------------------------------------------------


def _pending(item: WorkItem, unit_id: int, kind: str) -> WorkflowRequest | None:
    return WorkflowRequest.objects.filter(
        item=item, unit_id=unit_id, kind=kind, status=WorkflowRequest.Status.PENDING
    ).first()


def _request_create(*, user: Any, item: WorkItem, row: Assignment, kind: str, **fields: Any) -> WorkflowRequest:
    label = WorkflowRequest.Kind(kind).label
    if _pending(item, row.unit_id, kind) is not None:
        raise InvalidTransition(f"贵单位对该事项已有待处理的{label},请等待规划办处理")
    try:
        with transaction.atomic():
            request = WorkflowRequest.objects.create(
                kind=kind, item=item, assignment=row, unit=row.unit, created_by=user, **fields
            )
    except IntegrityError as exc:  # a second submission racing the first
        raise InvalidTransition(f"贵单位对该事项已有待处理的{label},请等待规划办处理") from exc
    return request


def assignment_bounce(
    *, user: Any, item: WorkItem | int, reason: str, unit: Unit | int | None = None
) -> WorkflowRequest:
    """The user's unit sends the item back (退回分工): it believes the item is not its own. ``reason`` required."""
    access.require(user, Capability.FILE_REPORTS)
    item = _staff_item(user, item)
    _open(item)
    row = _my_row(user, item, unit)
    reason = _reason(reason, "退回理由")
    with transaction.atomic():
        request = _request_create(user=user, item=item, row=row, kind=WorkflowRequest.Kind.BOUNCE, reason=reason)
        _audit(
            user=user,
            item=item,
            action=AuditEntry.Action.BOUNCE,
            summary=f"{row.unit.name} 申请退回分工:{reason}",
            after={"request": request.pk, "unit": row.unit.name, "reason": reason},
        )
    return request


def _decidable(user: Any, request: WorkflowRequest | int, kind: str) -> WorkflowRequest:
    pk = request if isinstance(request, int) else request.pk
    if user is None:
        found = WorkflowRequest.objects.select_related("item__plan", "unit").get(pk=pk)
    else:
        found = access.workflow_request_or_404(user, pk)
    if found.kind != kind:
        raise WorkflowError("申请类型不符")
    return found


def _lock(request: WorkflowRequest) -> WorkflowRequest:
    current = (
        # lock the request row only (PostgreSQL refuses FOR UPDATE on the nullable side of the assignment join)
        WorkflowRequest.objects.select_for_update(of=("self",))
        .select_related("item__plan", "unit", "assignment")
        .get(pk=request.pk)
    )
    if not current.is_pending:
        raise InvalidTransition(f"该申请已处理({current.get_status_display()}),不能再次处理")
    _open(current.item)
    return current


def bounce_decide(
    *,
    user: Any,
    request: WorkflowRequest | int,
    accept: bool,
    reply: str = "",
    reassign_to: Unit | int | None = None,
) -> WorkflowRequest:
    """The office accepts a bounce (the item is reassigned to ``reassign_to``, a unit of its scope allowed for the
    plan; the old row stays as history, handed over today) or refuses it (the unit keeps it; ``reply`` required)."""
    access.require(user, Capability.DECIDE_WORKFLOW)
    request = _decidable(user, request, WorkflowRequest.Kind.BOUNCE)
    reply = (reply or "").strip()
    target: Unit | None = None
    if accept:
        if reassign_to is None:
            raise WorkflowError("同意退回时请选择改派的单位")
        target_id = reassign_to if isinstance(reassign_to, int) else reassign_to.pk
        units = access.visible_units(user) if user is not None else Unit.objects.all()
        allowed = {unit.pk for unit in allowed_units(request.item.plan)}
        target = units.filter(pk=target_id, pk__in=allowed).first()
        if target is None:
            raise WorkflowError("改派单位不存在或不属于该规划的行政区划")
        if target.pk == request.unit_id:
            raise WorkflowError("改派单位不能是申请退回的单位")
    else:
        reply = _reason(reply, "不同意的答复")
    with transaction.atomic():
        request = _lock(request)
        item = request.item
        old = request.assignment
        if accept:
            assert target is not None
            if old is None or old.handed_over_on is not None:
                raise InvalidTransition("该单位的分工已变动,请刷新后再处理")
            if item.assignments.filter(reporting.CURRENT, unit=target).exists():
                raise WorkflowError(f"{target.name} 已在该事项的分工中")
            if item.assignments.filter(unit=target, role=old.role).exists():
                raise WorkflowError(f"{target.name} 曾以同一角色承担该事项,请在分工调整中处理")
            old.handed_over_on = timezone.localdate()
            old.save(update_fields=["handed_over_on"])
            Assignment.objects.create(
                item=item,
                unit=target,
                role=old.role,
                order=old.order,
                origin=Assignment.Origin.REASSIGNED,
                accepted_by=user if getattr(user, "is_authenticated", False) else None,
                accepted_at=timezone.now(),
            )
            request.reassigned_to = target
        request.status = WorkflowRequest.Status.ACCEPTED if accept else WorkflowRequest.Status.REFUSED
        request.reply = reply
        request.decided_by = user if getattr(user, "is_authenticated", False) else None
        request.decided_at = timezone.now()
        request.save(update_fields=["status", "reply", "reassigned_to", "decided_by", "decided_at"])
        unit_name = request.unit.name
        if accept:
            assert target is not None
            summary = f"同意 {unit_name} 退回分工,改派给 {target.name}" + (f":{reply}" if reply else "")
        else:
            summary = f"不同意 {unit_name} 退回分工:{reply}"
        _audit(
            user=user,
            item=item,
            action=AuditEntry.Action.BOUNCE,
            summary=summary,
            before={"request": request.pk, "unit": unit_name},
            after={"status": request.status, "reply": reply, "reassigned_to": target.name if target else None},
        )
        event = f"{request.pk}"
        _notify(
            unit=request.unit,
            kind=ReminderMessage.Kind.BOUNCE_DECIDED,
            item=item,
            reason=summary,
            event=event,
            keeps_item=not accept,
        )
        if target is not None:
            _notify(
                unit=target,
                kind=ReminderMessage.Kind.REASSIGNED,
                item=item,
                reason=f"原由 {unit_name} 承担,经规划办同意退回后改派给贵单位",
                event=event,
                keeps_item=True,
            )
    return request


# --- 延期申请 ---------------------------------------------------------------------------------------


def extension_request(
    *, user: Any, item: WorkItem | int, reason: str, proposed_deadline: date | None, unit: Unit | int | None = None
) -> WorkflowRequest:
    """The user's unit asks for a later deadline (延期申请): a reason and a date after the current deadline."""
    access.require(user, Capability.FILE_REPORTS)
    item = _staff_item(user, item)
    _open(item)
    row = _my_row(user, item, unit)
    reason = _reason(reason, "延期理由")
    if proposed_deadline is None:
        raise WorkflowError("请填写申请延期到的日期")
    floor = item.deadline or timezone.localdate()
    if proposed_deadline <= floor:
        raise WorkflowError(f"申请延期到的日期须晚于{'当前完成时限' if item.deadline else '今天'}({floor.isoformat()})")
    with transaction.atomic():
        request = _request_create(
            user=user,
            item=item,
            row=row,
            kind=WorkflowRequest.Kind.EXTENSION,
            reason=reason,
            proposed_deadline=proposed_deadline,
            previous_deadline=item.deadline,
        )
        _audit(
            user=user,
            item=item,
            action=AuditEntry.Action.EXTENSION,
            summary=f"{row.unit.name} 申请延期至 {proposed_deadline.isoformat()}:{reason}",
            before={"deadline": _deadline(item.deadline)},
            after={"request": request.pk, "proposed_deadline": proposed_deadline.isoformat(), "reason": reason},
        )
    return request


def extension_decide(*, user: Any, request: WorkflowRequest | int, accept: bool, reply: str = "") -> WorkflowRequest:
    """The office approves (the item's deadline becomes the proposed date; the old one stays on the request and in
    the audit) or refuses (``reply`` required) an extension request."""
    access.require(user, Capability.DECIDE_WORKFLOW)
    request = _decidable(user, request, WorkflowRequest.Kind.EXTENSION)
    reply = (reply or "").strip()
    if not accept:
        reply = _reason(reply, "不同意的答复")
    with transaction.atomic():
        request = _lock(request)
        item = _item_locked(request.item_id)
        old = item.deadline
        if accept:
            assert request.proposed_deadline is not None
            item.deadline = request.proposed_deadline
            item.deadline_defaulted = False
            item.save(update_fields=["deadline", "deadline_defaulted", "updated_at"])
        request.previous_deadline = old
        request.status = WorkflowRequest.Status.ACCEPTED if accept else WorkflowRequest.Status.REFUSED
        request.reply = reply
        request.decided_by = user if getattr(user, "is_authenticated", False) else None
        request.decided_at = timezone.now()
        request.save(update_fields=["status", "reply", "previous_deadline", "decided_by", "decided_at"])
        proposed = request.proposed_deadline.isoformat() if request.proposed_deadline else ""
        if accept:
            summary = f"同意 {request.unit.name} 延期:完成时限 {_deadline(old) or '—'} → {proposed}"
        else:
            summary = f"不同意 {request.unit.name} 延期至 {proposed}:{reply}"
        if accept and reply:
            summary += f"({reply})"
        _audit(
            user=user,
            item=item,
            action=AuditEntry.Action.EXTENSION,
            summary=summary,
            before={"request": request.pk, "deadline": _deadline(old)},
            after={"status": request.status, "deadline": _deadline(item.deadline), "reply": reply},
        )
        _notify(
            unit=request.unit,
            kind=ReminderMessage.Kind.EXTENSION_DECIDED,
            item=item,
            reason=summary,
            event=f"{request.pk}",
            keeps_item=True,
        )
    return request


# --- 销号 -----------------------------------------------------------------------------------------


def item_close(*, user: Any, item: WorkItem | int, note: str = "") -> WorkItem:
    """The office closes a finished item (销号): it asks for no further reports and gets no reminders."""
    access.require(user, Capability.DECIDE_WORKFLOW)
    item = _office_item(user, item)
    note = _close_note(note)
    with transaction.atomic():
        item = _item_locked(item.pk)
        _open(item)
        if WorkflowRequest.objects.filter(item=item, status=WorkflowRequest.Status.PENDING).exists():
            raise InvalidTransition("该事项还有待处理的退回分工或延期申请,请先处理")
        closed_at = timezone.now()
        _closed_set(item, at=closed_at, by=user if getattr(user, "is_authenticated", False) else None, note=note)
        _audit(
            user=user,
            item=item,
            action=AuditEntry.Action.ITEM_CLOSE,
            summary=_noted(f"销号:{item}", note),
            after={"closed_at": closed_at.isoformat(), "note": note},
        )
    return item


def item_reopen(*, user: Any, item: WorkItem | int, note: str = "") -> WorkItem:
    """The office reopens a closed item: it asks for reports again."""
    access.require(user, Capability.DECIDE_WORKFLOW)
    item = _office_item(user, item)
    note = _close_note(note)
    with transaction.atomic():
        item = _item_locked(item.pk)
        if reporting.item_open(item):
            raise InvalidTransition("该事项未销号")
        before = {"closed_at": item.closed_at.isoformat() if item.closed_at else None, "note": item.close_note}
        _closed_set(item, at=None, by=None, note="")
        _audit(
            user=user,
            item=item,
            action=AuditEntry.Action.ITEM_REOPEN,
            summary=_noted(f"重新打开:{item}", note),
            before=before,
            after={"note": note},
        )
    return item
