"""待签收 in 我的任务's 待办 and 全部签收: a unit receiving a new division sees what it has not acknowledged and can
acknowledge it all at once (web and API), its own units only, audited per item as one by one."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tasks_app.models import Assignment, AuditEntry
from tasks_app.selectors import workflow as workflow_reads
from tasks_app.selectors.workspace_todo import ACKNOWLEDGE_SHOWN, workspace_todo
from tasks_app.services.errors import NotAllowed
from tasks_app.services.workflow import assignment_acknowledge, assignments_acknowledge_all, item_close
from tests.personas import Personas, web_client
from tests.workflow.test_services import led_items

pytestmark = pytest.mark.django_db


def _waiting(p: Personas, unit) -> int:
    return workflow_reads.not_acknowledged().filter(unit=unit, item__plan=p.plan).count()


def test_it_lists_the_units_new_items_in_the_todo(personas: Personas):
    total = _waiting(personas, personas.education)
    assert total > ACKNOWLEDGE_SHOWN
    todo = workspace_todo(personas.owner, today=personas.cycle.due_date)
    assert todo.to_acknowledge_total == total and len(todo.to_acknowledge) == ACKNOWLEDGE_SHOWN
    assert {a.unit_id for a in todo.to_acknowledge} == {personas.education.pk}
    first = todo.to_acknowledge[0]
    assignment_acknowledge(user=personas.owner, item=first.item)
    item_close(user=personas.admin, item=led_items(personas)[-1], note="已完成")  # a closed item asks nothing
    after = workspace_todo(personas.owner, today=personas.cycle.due_date)
    assert after.to_acknowledge_total == total - 2
    assert first.pk not in {a.pk for a in after.to_acknowledge}
    assert workspace_todo(personas.admin, today=personas.cycle.due_date).to_acknowledge_total == 0  # the office


def test_it_shows_the_todo_and_acknowledges_everything_from_my_tasks(personas: Personas):
    client = web_client(personas, "owner")
    page = client.get(reverse("home")).content.decode()
    total = _waiting(personas, personas.education)
    assert "待签收" in page and f"{total} 项新分工待签收" in page and "全部签收" in page
    forestry_before = _waiting(personas, personas.forestry)
    response = client.post(reverse("acknowledge-all"), follow=True)
    assert f"已签收 {total} 项分工" in response.content.decode()
    assert _waiting(personas, personas.education) == 0
    assert _waiting(personas, personas.forestry) == forestry_before  # another unit's rows are its own business
    assert "全部签收" not in client.get(reverse("home")).content.decode()
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.ACKNOWLEDGE, actor=personas.owner)
    assert entries.count() == total  # one entry per item: each item's history says who acknowledged it
    row = Assignment.objects.filter(unit=personas.education, item__plan=personas.plan).first()
    assert row.acknowledged_by == personas.owner
    again = client.post(reverse("acknowledge-all"), follow=True)
    assert "没有待签收的分工" in again.content.decode()


def test_it_refuses_another_units_rows_and_the_office(personas: Personas):
    with pytest.raises(NotAllowed, match="只能签收本单位的分工"):
        assignments_acknowledge_all(user=personas.owner, unit=personas.forestry)
    assert web_client(personas, "admin").post(reverse("acknowledge-all")).status_code == 403
    assert web_client(personas, "leader").post(reverse("acknowledge-all")).status_code == 403
    anonymous = web_client(personas, "anonymous").post(reverse("acknowledge-all"))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert web_client(personas, "owner").get(reverse("acknowledge-all")).status_code == 405
    assert _waiting(personas, personas.forestry) > 0


def test_it_acknowledges_everything_through_the_api(personas: Personas):
    client = APIClient()
    client.force_authenticate(personas.owner)
    total = _waiting(personas, personas.education)
    response = client.post("/api/tasks/acknowledge/", {"unit": personas.education.pk}, format="json")
    assert response.status_code == 200 and response.json() == {"acknowledged": total}
    assert client.post("/api/tasks/acknowledge/", {}, format="json").json() == {"acknowledged": 0}
    refused = client.post("/api/tasks/acknowledge/", {"unit": personas.forestry.pk}, format="json")
    assert refused.status_code == 403 and "只能签收本单位的分工" in refused.content.decode()
