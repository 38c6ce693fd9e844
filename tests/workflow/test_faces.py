"""Who may use each workflow page and endpoint (staff of the unit, staff of another unit, the office, leadership,
another jurisdiction's office, anonymous), and what the pages show."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client

from tasks_app.models import Assignment, ReminderMessage, Unit, WorkflowRequest, WorkItem
from tasks_app.selectors.workflow import not_acknowledged
from tasks_app.services.workflow import assignment_acknowledge, assignment_bounce, extension_request, item_close
from tests.api.conftest import client_for
from tests.personas import District, Personas
from tests.workflow.test_services import led_items, other_unit

PERSONAS = ("owner", "outsider", "admin", "leader", "district_admin", "anonymous")


def user_of(p: Personas, d: District, persona: str):
    return {"district_admin": d.admin, "anonymous": None}.get(persona, getattr(p, persona, None))


def web(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def item(personas: Personas) -> WorkItem:
    return led_items(personas)[0]


STAFF_STEPS = {  # path part → form data
    "acknowledge": {},
    "bounce": {"reason": "不属于本单位职责"},
    "extension": {"reason": "资金未到位", "proposed_deadline": "2031-06-30"},
}
# persona → status of a staff step: web, api
STAFF_STATUS = {
    "owner": (302, (200, 201)),
    "outsider": (404, (404,)),
    "admin": (403, (403,)),
    "leader": (403, (403,)),
    "district_admin": (403, (403,)),
    "anonymous": (302, (401,)),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("step", list(STAFF_STEPS))
def test_it_lets_only_the_units_staff_take_a_step(personas, district, item, persona, step):
    user = user_of(personas, district, persona)
    web_status, api_status = STAFF_STATUS[persona]
    response = web(user).post(f"/items/{item.pk}/{step}/", STAFF_STEPS[step])
    assert response.status_code == web_status
    if persona == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
    WorkflowRequest.objects.all().delete()
    Assignment.objects.filter(item=item).update(acknowledged_at=None)
    reply = client_for(user).post(f"/api/tasks/{item.pk}/{step}/", STAFF_STEPS[step], format="json")
    assert reply.status_code in api_status, reply.content
    if persona == "owner" and step == "acknowledge":
        assert reply.json()["unit_name"] == personas.education.name


# persona → (web GET /console/workflow/, web POST decide, api GET, api POST decide, api close)
OFFICE_STATUS = {
    "owner": (404, 404, 404, 404, 404),
    "outsider": (404, 404, 404, 404, 404),
    "admin": (200, 302, 200, 200, 200),
    "leader": (200, 403, 200, 403, 403),
    "district_admin": (200, 404, 200, 404, 404),
    "anonymous": (302, 302, 401, 401, 401),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lets_only_the_office_of_the_plan_decide_and_close(personas, district, item, persona):
    user = user_of(personas, district, persona)
    expected = OFFICE_STATUS[persona]
    request = assignment_bounce(user=personas.owner, item=item, reason="城市单位退回的理由")
    page = web(user).get("/console/workflow/")
    assert page.status_code == expected[0]
    if expected[0] == 200:
        assert ("城市单位退回的理由" in page.content.decode()) is (persona in ("admin", "leader"))
    decided = web(user).post(f"/console/workflow/{request.pk}/decide/", {"decision": "refuse", "reply": "请按时报送"})
    assert decided.status_code == expected[1]
    WorkflowRequest.objects.filter(pk=request.pk).update(status=WorkflowRequest.Status.PENDING)
    api = client_for(user)
    listed = api.get("/api/console/workflow/")
    assert listed.status_code == expected[2]
    if expected[2] == 200:
        ids = [row["id"] for row in listed.json()["pending"]]
        assert (request.pk in ids) is (persona in ("admin", "leader"))
    reply = api.post(f"/api/console/workflow/{request.pk}/decide/", {"accept": False, "reply": "不同意"}, format="json")
    assert reply.status_code == expected[3], reply.content
    closed = api.post(f"/api/console/items/{item.pk}/close/", {"note": "办结"}, format="json")
    assert closed.status_code == expected[4], closed.content
    if expected[4] == 200:
        assert closed.json()["closed"] is True
        reopened = api.post(f"/api/console/items/{item.pk}/reopen/", {}, format="json")
        assert reopened.status_code == 200 and reopened.json()["closed"] is False


def test_it_reassigns_through_the_api_and_notices_both_units(personas, item):
    for unit in (personas.education, other_unit(personas, item)):
        Unit.objects.filter(pk=unit.pk).update(contact_emails=["unit@example.org"])
    target = other_unit(personas, item)
    request = assignment_bounce(user=personas.owner, item=item, reason="不属于本单位职责")
    reply = client_for(personas.admin).post(
        f"/api/console/workflow/{request.pk}/decide/", {"accept": True, "reassign_to": target.pk}, format="json"
    )
    assert reply.status_code == 200 and reply.json()["status"] == "accepted"
    lost = ReminderMessage.objects.get(kind=ReminderMessage.Kind.BOUNCE_DECIDED, unit=personas.education)
    gained = ReminderMessage.objects.get(kind=ReminderMessage.Kind.REASSIGNED, unit=target)
    assert f"/items/{item.pk}/" in gained.body_text and f"/items/{item.pk}/" not in lost.body_text
    refused = client_for(personas.admin).post(
        f"/api/console/workflow/{request.pk}/decide/", {"accept": False, "reply": "x"}, format="json"
    )
    assert refused.status_code == 400 and "已处理" in refused.json()["detail"]


def test_it_refuses_bad_api_input_with_400(personas, item):
    api = client_for(personas.owner)
    assert api.post(f"/api/tasks/{item.pk}/bounce/", {"reason": ""}, format="json").status_code == 400
    early = (item.deadline - timedelta(days=1)).isoformat()
    bad = api.post(f"/api/tasks/{item.pk}/extension/", {"reason": "x", "proposed_deadline": early}, format="json")
    assert bad.status_code == 400 and "晚于" in bad.json()["detail"]


def test_it_shows_the_steps_on_the_item_page(personas, item):
    client = web(personas.owner)
    page = client.get(f"/items/{item.pk}/").content.decode()
    assert "签收</button>" in page and "退回分工" in page and "延期申请" in page
    client.post(f"/items/{item.pk}/acknowledge/")
    extension_request(
        user=personas.owner, item=item, reason="资金未到位", proposed_deadline=item.deadline + timedelta(days=60)
    )
    page = client.get(f"/items/{item.pk}/").content.decode()
    assert "已签收" in page and "延期申请待规划办处理" in page
    assert "签收事项" in page  # the history line of the acknowledgement


def test_it_shows_a_closed_item_read_only_with_its_badge(personas, item):
    item_close(user=personas.admin, item=item, note="已办结")
    client = web(personas.owner)
    page = client.get(f"/items/{item.pk}/").content.decode()
    assert "已销号" in page and "签收</button>" not in page and f"/items/{item.pk}/report/" not in page
    listing = client.get("/", {"status": "closed"}).content.decode()
    assert item.title[:10] in listing and "已销号" in listing
    console = web(personas.admin).get(f"/console/division/items/{item.pk}/").content.decode()
    assert "重新打开" in console


def test_it_counts_unacknowledged_items_on_the_division_page(personas, item):
    page = web(personas.admin).get("/console/division/", {"plan": personas.plan.pk}).content.decode()
    assert "未签收" in page
    leader = web(personas.leader).get(f"/console/division/items/{item.pk}/").content.decode()
    assert "销号" in leader and 'data-confirm="销号后' not in leader  # read-only: no button


def test_it_counts_an_acknowledgement_on_the_division_page_at_once(personas, item):
    """The count is a snapshot (tasks_app.snapshots): an acknowledgement or a closure renews it at once."""

    def shown() -> int:
        page = web(personas.admin).get("/console/division/", {"plan": personas.plan.pk}).content.decode()
        return int(re.search(r"未签收的填报分工:<b>(\d+)</b>", page).group(1))

    def truth() -> int:
        return not_acknowledged().filter(item__plan=personas.plan).count()

    before = shown()
    assert before == truth() > 1 and shown() == before  # the second read comes from the snapshot
    assignment_acknowledge(user=personas.owner, item=item)
    assert shown() == truth() == before - 1
    waiting = not_acknowledged().filter(item__plan=personas.plan).exclude(item=item).first().item
    item_close(user=personas.admin, item=waiting)
    assert shown() == truth() < before - 1


def test_it_shows_the_closure_on_the_task_row(personas, item):
    api = client_for(personas.owner)
    assert api.get(f"/api/tasks/{item.pk}/").json()["closed_at"] is None
    item_close(user=personas.admin, item=item)
    assert api.get(f"/api/tasks/{item.pk}/").json()["closed_at"] is not None
