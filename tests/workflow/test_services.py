"""services/workflow.py: 签收, 退回分工, 延期申请, 销号 — happy paths, bad input, scope, and closed items asking
for no reports (reminders, to-do, review and dashboard counts) through the one rule in rules/reporting.py."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.http import Http404

from tasks_app import access
from tasks_app.models import Assignment, AuditEntry, ReminderMessage, Unit, WorkflowRequest, WorkItem
from tasks_app.reminders.planner import reminders_plan
from tasks_app.selectors import console as console_reads
from tasks_app.selectors import workflow as workflow_reads
from tasks_app.selectors.workspace_todo import workspace_todo
from tasks_app.services.errors import InvalidTransition, NotAllowed
from tasks_app.services.workflow import (
    WorkflowError,
    assignment_acknowledge,
    assignment_bounce,
    bounce_decide,
    extension_decide,
    extension_request,
    item_close,
    item_reopen,
)
from tests.personas import Personas, make_user


def led_items(p: Personas) -> list[WorkItem]:
    """Items 市教育局 reports on (as lead), in document order."""
    rows = Assignment.objects.reporting().filter(unit=p.education, item__plan=p.plan, role=Assignment.Role.LEAD)
    return [a.item for a in rows.select_related("item").order_by("item__order")]


@pytest.fixture
def item(personas: Personas) -> WorkItem:
    return led_items(personas)[0]


def other_unit(p: Personas, item: WorkItem) -> Unit:
    on_item = item.assignments.values_list("unit_id", flat=True)
    return Unit.objects.filter(jurisdiction=p.plan.jurisdiction).exclude(pk__in=on_item).order_by("name").first()


def test_it_acknowledges_once_and_audits(personas, item):
    row = assignment_acknowledge(user=personas.owner, item=item)
    assert row.acknowledged_at is not None and row.acknowledged_by == personas.owner
    again = assignment_acknowledge(user=personas.colleague, item=item)
    assert again.acknowledged_by == personas.owner  # a second call changes nothing
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.ACKNOWLEDGE, object_id=item.pk)
    assert entries.count() == 1
    assert [e.action for e in workflow_reads.item_workflow_history(item)] == [AuditEntry.Action.ACKNOWLEDGE]


def test_it_lists_who_has_not_acknowledged(personas, item):
    before = {r["unit_id"]: r["n"] for r in workflow_reads.unacknowledged(personas.admin, plan=personas.plan)}
    assignment_acknowledge(user=personas.owner, item=item)
    after = {r["unit_id"]: r["n"] for r in workflow_reads.unacknowledged(personas.admin, plan=personas.plan)}
    assert after.get(personas.education.pk, 0) == before[personas.education.pk] - 1


def test_it_refuses_workflow_steps_to_other_units_and_offices(personas, item):
    with pytest.raises(Http404):
        assignment_acknowledge(user=personas.outsider, item=item)  # not its item: does not exist for it
    with pytest.raises(access.CapabilityDenied):
        assignment_bounce(user=personas.admin, item=item, reason="x")
    with pytest.raises(access.CapabilityDenied):
        item_close(user=personas.owner, item=item)
    with pytest.raises(access.CapabilityDenied):
        item_close(user=personas.leader, item=item)


def test_it_refuses_a_cooperating_unit(personas):
    cooperating = (
        Assignment.objects.filter(item__plan=personas.plan, role=Assignment.Role.COOPERATING)
        .select_related("item", "unit")
        .first()
    )
    staff = make_user("co-staff", unit=cooperating.unit)
    if cooperating.unit_id in access.reporting_unit_ids(cooperating.item):
        pytest.skip("the unit also reports on the item")
    with pytest.raises(NotAllowed):
        assignment_bounce(user=staff, item=cooperating.item, reason="不是我们的")


def test_it_requires_a_bounce_reason(personas, item):
    with pytest.raises(WorkflowError, match="退回理由"):
        assignment_bounce(user=personas.owner, item=item, reason="   ")
    assert not WorkflowRequest.objects.exists()


def test_it_reassigns_an_accepted_bounce_and_keeps_the_old_row(personas, item):
    personas.education.contact_emails = ["edu@example.org"]
    personas.education.save()
    target = other_unit(personas, item)
    request = assignment_bounce(user=personas.owner, item=item, reason="属于其他单位职责")
    with pytest.raises(InvalidTransition):
        assignment_bounce(user=personas.colleague, item=item, reason="again")  # one pending bounce per unit
    decided = bounce_decide(user=personas.admin, request=request, accept=True, reassign_to=target, reply="同意")
    assert decided.status == WorkflowRequest.Status.ACCEPTED and decided.reassigned_to == target
    old = Assignment.objects.get(item=item, unit=personas.education, role=Assignment.Role.LEAD)
    assert old.handed_over_on is not None  # history, not deleted
    new = Assignment.objects.get(item=item, unit=target, role=Assignment.Role.LEAD)
    assert new.origin == Assignment.Origin.REASSIGNED and new.handed_over_on is None
    assert access.reporting_unit_ids(item) == [target.pk]
    assert access.my_answering_assignments(personas.owner, item) == []
    notice = ReminderMessage.objects.get(kind=ReminderMessage.Kind.BOUNCE_DECIDED, unit=personas.education)
    assert f"/items/{item.pk}/" not in notice.body_text  # the unit lost the item: the notice points at 我的任务
    with pytest.raises(InvalidTransition, match="已处理"):
        bounce_decide(user=personas.admin, request=request, accept=False, reply="改主意")
    summaries = [e.summary for e in workflow_reads.item_workflow_history(item)]
    assert any("改派给" in s for s in summaries) and any("申请退回分工" in s for s in summaries)


def test_it_keeps_a_refused_bounce_with_the_reply(personas, item):
    request = assignment_bounce(user=personas.owner, item=item, reason="不是我们的")
    with pytest.raises(WorkflowError, match="答复"):
        bounce_decide(user=personas.admin, request=request, accept=False, reply="")
    bounce_decide(user=personas.admin, request=request, accept=False, reply="属于贵单位职责,请按时报送")
    request.refresh_from_db()
    assert request.status == WorkflowRequest.Status.REFUSED and request.reply.startswith("属于")
    assert access.reporting_unit_ids(item) == [personas.education.pk]


def test_it_refuses_a_reassignment_outside_the_scope(personas, item, district):
    request = assignment_bounce(user=personas.owner, item=item, reason="不是我们的")
    with pytest.raises(WorkflowError, match="同意退回时"):
        bounce_decide(user=personas.admin, request=request, accept=True)
    with pytest.raises(Http404):  # another jurisdiction's office does not see the request
        bounce_decide(user=district.admin, request=request, accept=False, reply="x")
    with pytest.raises(WorkflowError, match="改派单位"):
        bounce_decide(user=personas.admin, request=request, accept=True, reassign_to=personas.education)


def test_it_moves_the_deadline_on_an_approved_extension(personas, item):
    old = item.deadline
    later = old + timedelta(days=90)
    with pytest.raises(WorkflowError, match="晚于"):
        extension_request(user=personas.owner, item=item, reason="资金未到位", proposed_deadline=old)
    with pytest.raises(WorkflowError, match="延期理由"):
        extension_request(user=personas.owner, item=item, reason="", proposed_deadline=later)
    request = extension_request(user=personas.owner, item=item, reason="资金未到位", proposed_deadline=later)
    extension_decide(user=personas.admin, request=request, accept=True)
    item.refresh_from_db()
    request.refresh_from_db()
    assert item.deadline == later and request.previous_deadline == old
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.EXTENSION, object_id=item.pk).order_by("-id").first()
    assert entry.before["deadline"] == old.isoformat() and entry.after["deadline"] == later.isoformat()
    with pytest.raises(InvalidTransition):
        extension_decide(user=personas.admin, request=request, accept=False, reply="no")


def test_it_keeps_the_deadline_on_a_refused_extension(personas, item):
    old = item.deadline
    request = extension_request(
        user=personas.owner, item=item, reason="资金未到位", proposed_deadline=old + timedelta(days=30)
    )
    extension_decide(user=personas.admin, request=request, accept=False, reply="时限不变")
    item.refresh_from_db()
    assert item.deadline == old


def test_it_closes_and_reopens_an_item(personas, item):
    closed = item_close(user=personas.admin, item=item, note="已办结")
    assert closed.closed_at is not None and closed.is_closed
    with pytest.raises(InvalidTransition, match="已销号"):
        assignment_acknowledge(user=personas.owner, item=item)
    with pytest.raises(InvalidTransition, match="已销号"):
        extension_request(user=personas.owner, item=item, reason="x", proposed_deadline=date(2030, 1, 1))
    with pytest.raises(InvalidTransition):
        item_close(user=personas.admin, item=item)
    assert access.my_reporting_units(personas.owner, closed) == []  # no report can be filed
    reopened = item_reopen(user=personas.admin, item=item)
    assert reopened.closed_at is None
    assert access.my_reporting_units(personas.owner, reopened) == [personas.education.pk]
    actions = [e.action for e in workflow_reads.item_workflow_history(item)]
    assert actions == [AuditEntry.Action.ITEM_REOPEN, AuditEntry.Action.ITEM_CLOSE]


def test_it_refuses_to_close_with_a_pending_request_and_to_decide_on_a_closed_item(personas, item):
    request = assignment_bounce(user=personas.owner, item=item, reason="不是我们的")
    with pytest.raises(InvalidTransition, match="待处理"):
        item_close(user=personas.admin, item=item)
    WorkItem.objects.filter(pk=item.pk).update(closed_at=item.updated_at)  # closed meanwhile (a stale page)
    with pytest.raises(InvalidTransition, match="已销号"):
        bounce_decide(user=personas.admin, request=request, accept=False, reply="x")


def test_it_hides_another_jurisdictions_item_from_its_office(personas, item, district):
    with pytest.raises(Http404):
        item_close(user=district.admin, item=item)


def test_it_stops_reminding_and_counting_a_closed_item(personas, item):
    personas.education.contact_emails = ["edu@example.org"]
    personas.education.save()
    as_of = personas.cycle.due_date - timedelta(days=1)

    def reminded_items() -> set[int]:
        planned = reminders_plan(as_of=as_of, cycle_id=personas.cycle.pk, unit_id=personas.education.pk)
        return {i["id"] for d in planned.digests for i in d.items}

    def expected() -> int:
        dashboard = console_reads.cycle_dashboard(personas.cycle)
        return dashboard.totals.expected

    def todo() -> int:
        return sum(d.pending for d in workspace_todo(personas.owner, today=as_of).due_soon)

    assert item.pk in reminded_items()
    counts = expected(), todo()
    item_close(user=personas.admin, item=item)
    assert item.pk not in reminded_items()
    assert (expected(), todo()) == (counts[0] - 1, counts[1] - 1)
    assert access.item_or_404(personas.owner, item.pk) == item  # still visible, read-only
    item_reopen(user=personas.admin, item=item)
    assert item.pk in reminded_items()
