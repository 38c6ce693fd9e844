"""The unit head's sign-off (issue 13 part 3): in a unit with a head (单位负责人), staff submissions wait for the head,
who approves them to the office or returns them with a reason; the office never sees a report before that; units
without a head work as before.

People: owner / colleague = staff of 市教育局, ``head`` = 市教育局's head (made here, not a shared persona, so the
other suites keep a unit without a head), ``forestry_head`` = the head of 市林业局, outsider = staff of 市林业局.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse

from tasks_app import access
from tasks_app.models import Membership, ReminderMessage, Report, ReportVersion, WorkItem
from tasks_app.reminders import mail
from tasks_app.reminders.mail import WAITING_HEAD
from tasks_app.reminders.planner import reminders_plan
from tasks_app.selectors import console as console_reads
from tasks_app.selectors.exports import reports_for
from tasks_app.selectors.workspace import workspace_items
from tasks_app.selectors.workspace_todo import workspace_todo
from tasks_app.services.errors import StaleEditError
from tasks_app.services.reports import report_save, report_submit
from tasks_app.services.review import report_approve
from tasks_app.services.signoff import report_head_approve, report_head_return
from tests.api.conftest import client_for, forestry_only
from tests.console.review_fixtures import DONE, education_task_items, submitted_report
from tests.personas import District, Personas, district_build, make_user

pytestmark = pytest.mark.django_db


@dataclass
class SignOff:
    p: Personas
    head: object  # 市教育局's head
    forestry_head: object  # 市林业局's head
    item: WorkItem  # a task 市教育局 reports on (市林业局 has nothing to do with it)
    report: Report  # owner's report on ``item``, submitted: waiting for the head


@pytest.fixture
def unit(personas: Personas) -> SignOff:
    head = make_user("head", unit=personas.education, head=True)
    forestry_head = make_user("forestry-head", unit=personas.forestry, head=True)
    item = education_task_items(personas)[0]
    return SignOff(
        p=personas, head=head, forestry_head=forestry_head, item=item, report=submitted_report(personas, item)
    )


def _trail(report: Report) -> list[tuple[str, str, str, str]]:
    return list(report.versions.order_by("number", "id").values_list("action", "status", "actor__username", "reason"))


def _state(report: Report) -> tuple:
    report.refresh_from_db()
    return (report.status, report.version, report.review_reason, report.versions.count())


# --- services ------------------------------------------------------------------------------------


def test_it_routes_a_staff_submission_to_the_unit_head(unit: SignOff):
    assert unit.report.status == Report.Status.PENDING_HEAD
    assert not unit.report.is_done  # the office has not received it: still pending, still late after the due date
    assert not access.can_edit_report(unit.p.owner, unit.report)  # read-only while the head decides


def test_it_sends_a_head_approved_report_to_the_office_queue(unit: SignOff):
    p = unit.p
    queue = console_reads.review_queue(p.admin, console_reads.QueueFilters(cycle=p.cycle.pk))
    assert unit.report.pk not in set(queue.values_list("pk", flat=True))
    report = report_head_approve(report=unit.report, user=unit.head, expected_version=unit.report.version)
    assert report.status == Report.Status.SUBMITTED and report.is_done
    assert report.pk in set(queue.values_list("pk", flat=True))
    assert _trail(report)[-2:] == [("submit", "pending_head", "owner", ""), ("head_approve", "submitted", "head", "")]


def test_it_returns_to_staff_who_resubmit_to_the_head_again(unit: SignOff):
    p = unit.p
    p.education.contact_emails = ["jyj@example.org"]
    p.education.save()
    report = report_head_return(report=unit.report, user=unit.head, reason="请补充资金到位情况")
    assert report.status == Report.Status.RETURNED and report.review_reason == "请补充资金到位情况"
    assert access.can_edit_report(p.colleague, report)
    notice = ReminderMessage.objects.get(kind=ReminderMessage.Kind.HEAD_RETURNED, unit=p.education)
    assert "单位负责人退回" in notice.subject and "请补充资金到位情况" in notice.body_text

    report = report_save(report=report, user=p.colleague, data=DONE, expected_version=report.version)
    report = report_submit(report=report, user=p.colleague, expected_version=report.version)
    assert report.status == Report.Status.PENDING_HEAD  # back to the head, not to the office
    report = report_head_approve(report=report, user=unit.head, expected_version=report.version)
    report = report_approve(report=report, user=p.admin, expected_version=report.version)
    assert [row[:3] for row in _trail(report)] == [
        ("save", "draft", "owner"),
        ("submit", "pending_head", "owner"),
        ("head_return", "returned", "head"),
        ("save", "returned", "colleague"),
        ("submit", "pending_head", "colleague"),
        ("head_approve", "submitted", "head"),
        ("approve", "approved", "office"),
    ]


@pytest.mark.parametrize("reason", ["", "  \n"])
def test_it_refuses_a_head_return_without_a_reason(unit: SignOff, reason: str):
    before = _state(unit.report)
    with pytest.raises(Exception, match="退回必须填写理由"):
        report_head_return(report=unit.report, user=unit.head, reason=reason)
    assert _state(unit.report) == before


def test_it_leaves_units_without_a_head_as_today(unit: SignOff):
    p = unit.p
    Membership.objects.filter(user=unit.head).update(role=Membership.Role.STAFF)
    report = submitted_report(p, education_task_items(p)[1])
    assert report.status == Report.Status.SUBMITTED
    assert _trail(report)[-1] == ("submit", "submitted", "owner", "")


def test_it_counts_an_inactive_head_as_no_head(unit: SignOff):
    unit.head.is_active = False
    unit.head.save()
    assert submitted_report(unit.p, education_task_items(unit.p)[1]).status == Report.Status.SUBMITTED


def test_it_sends_the_heads_own_submission_straight_to_the_office(unit: SignOff):
    report = submitted_report(unit.p, education_task_items(unit.p)[1], user=unit.head)
    assert report.status == Report.Status.SUBMITTED


def test_it_refuses_a_stale_head_action_and_changes_nothing(unit: SignOff):
    before = _state(unit.report)
    stale = unit.report.version - 1
    with pytest.raises(StaleEditError):
        report_head_approve(report=unit.report, user=unit.head, expected_version=stale)
    with pytest.raises(StaleEditError):
        report_head_return(report=unit.report, user=unit.head, reason="再改改", expected_version=stale)
    assert _state(unit.report) == before


def test_it_signs_off_only_reports_waiting_for_the_head(unit: SignOff):
    report_head_approve(report=unit.report, user=unit.head)
    with pytest.raises(Exception, match="只能审核待负责人审核的报告"):
        report_head_approve(report=unit.report, user=unit.head)
    assert unit.report.versions.filter(action=ReportVersion.Action.HEAD_APPROVE).count() == 1


def test_it_hides_the_report_from_the_head_of_another_unit(unit: SignOff):
    before = _state(unit.report)
    with pytest.raises(Http404):
        report_head_approve(report=unit.report, user=unit.forestry_head)
    with pytest.raises(Http404):
        report_head_return(report=unit.report, user=unit.forestry_head, reason="不是本单位的")
    assert _state(unit.report) == before


@pytest.mark.parametrize("persona", ["owner", "colleague", "outsider", "admin", "leader"])
def test_it_forbids_everyone_but_a_head_to_sign_off(unit: SignOff, persona: str):
    user = getattr(unit.p, persona)
    before = _state(unit.report)
    with pytest.raises(access.CapabilityDenied):
        report_head_approve(report=unit.report, user=user)
    with pytest.raises(access.CapabilityDenied):
        report_head_return(report=unit.report, user=user, reason="越权")
    assert _state(unit.report) == before


# --- what the office sees ---------------------------------------------------------------------------


def test_it_keeps_a_report_waiting_for_the_head_out_of_every_office_read(unit: SignOff):
    p = unit.p
    queue = console_reads.review_queue(p.admin, console_reads.QueueFilters(cycle=p.cycle.pk, status=""))
    assert unit.report.pk not in set(queue.values_list("pk", flat=True))
    assert not access.visible_reports(p.admin).filter(pk=unit.report.pk).exists()
    assert not access.visible_reports(p.outsider).filter(pk=unit.report.pk).exists()
    assert access.visible_reports(p.owner).filter(pk=unit.report.pk).exists()

    api = client_for(p.admin)
    rows = api.get("/api/console/review/", {"cycle": p.cycle.pk, "status": ""}).json()["results"]
    assert unit.report.pk not in {row["id"] for row in rows}
    assert api.get("/api/console/review/", {"status": "pending_head"}).status_code == 400
    assert api.get(f"/api/reports/{unit.report.pk}/").status_code == 404
    assert unit.report.pk not in {row["id"] for row in api.get("/api/reports/", {"page_size": 500}).json()["results"]}

    assert unit.item.pk not in reports_for(p.cycle, [unit.item.pk])  # the office's progress workbook
    office_list = workspace_items(p.admin, scope=None, today=date(2021, 2, 1)).filter(pk=unit.item.pk)
    assert office_list.values_list("report_state", flat=True).get() == "none"
    owner_list = workspace_items(p.owner, scope=access.unit_ids(p.owner), today=date(2021, 2, 1))
    assert owner_list.filter(pk=unit.item.pk).values_list("report_state", flat=True).get() == "pending_head"

    web = Client()
    web.force_login(p.admin)
    assert web.get(reverse("console-review-detail", args=[unit.report.pk])).status_code == 404
    page = web.get(reverse("report", args=[unit.item.pk]) + f"?unit={p.education.pk}").content.decode()
    assert "全年完成既定任务" not in page and "该单位尚未填报" in page


def test_it_keeps_a_report_waiting_for_the_head_out_of_the_item_history_until_it_is_signed(unit: SignOff):
    p = unit.p

    def history_of(user) -> set[int]:
        page = console_reads.item_history_page(unit.item, None, user=user)
        return {version.report_id for version in page.object_list}

    assert unit.report.pk not in history_of(p.admin)  # the office: not on the item page nor the review page
    assert unit.report.pk not in history_of(p.outsider)
    assert unit.report.pk in history_of(p.colleague) and unit.report.pk in history_of(unit.head)
    admin = Client()
    admin.force_login(p.admin)
    page = admin.get(reverse("item", args=[unit.item.pk])).content.decode()
    assert "待负责人审核" not in page
    report_head_approve(report=unit.report, user=unit.head, expected_version=unit.report.version)
    assert unit.report.pk in history_of(p.admin)  # signed: the whole trail is the office's to read


def test_it_counts_a_report_waiting_for_the_head_as_not_received_on_the_dashboard(unit: SignOff):
    p = unit.p
    waiting = console_reads.cycle_dashboard(p.cycle).totals
    Report.objects.filter(pk=unit.report.pk).update(status=Report.Status.DRAFT)
    assert console_reads.cycle_dashboard(p.cycle).totals == waiting  # exactly as if the staff had not submitted
    Report.objects.filter(pk=unit.report.pk).update(status=Report.Status.PENDING_HEAD)
    report_head_approve(report=unit.report, user=unit.head)
    approved = console_reads.cycle_dashboard(p.cycle).totals
    assert (approved.pending, approved.missing) == (waiting.pending + 1, waiting.missing - 1)


def test_it_tells_a_unit_in_its_reminder_that_an_item_waits_for_the_head(unit: SignOff):
    p = unit.p
    p.education.contact_emails = ["jyj@example.org"]
    p.education.save()
    digest = next(d for d in reminders_plan(as_of=date(2021, 2, 14)).digests if d.unit == p.education)
    rows = {row["id"]: row for row in digest.items}
    assert rows[unit.item.pk].get("waiting_head") is True  # still listed: the office has not received it
    assert sum(1 for row in rows.values() if row.get("waiting_head")) == 1
    text = mail.render(digest=digest, as_of=date(2021, 2, 14))["body_text"]
    line = next(line for line in text.splitlines() if unit.item.title in line)
    assert line.endswith(f"{WAITING_HEAD})")


# --- the workspace --------------------------------------------------------------------------------


def test_it_lists_the_reports_waiting_for_the_head_in_the_heads_todo(unit: SignOff):
    p = unit.p
    today = date(2021, 2, 1)
    todo = workspace_todo(unit.head, today=today)
    assert [r.pk for r in todo.sign_off] == [unit.report.pk] and todo.sign_off_total == 1
    assert workspace_todo(p.owner, today=today).sign_off == []
    assert workspace_todo(unit.forestry_head, today=today).sign_off == []
    client = Client()
    client.force_login(unit.head)
    page = client.get(reverse("home")).content.decode()
    assert "待签发" in page and unit.item.title[:20] in page
    assert "审核签发" in client.get(reverse("home"), {"status": "pending_head"}).content.decode()
    assert "审核签发" in client.get(reverse("item", args=[unit.item.pk])).content.decode()
    owner = Client()
    owner.force_login(p.owner)
    assert "审核签发" not in owner.get(reverse("home"), {"status": "pending_head"}).content.decode()
    report_page = client.get(reverse("report", args=[unit.item.pk])).content.decode()
    assert "签发报送规划办" in report_page and "退回填报人" in report_page


def test_it_shows_staff_the_wait_and_the_heads_reason(unit: SignOff):
    p = unit.p
    staff = Client()
    staff.force_login(p.owner)
    url = reverse("report", args=[unit.item.pk])
    page = staff.get(url).content.decode()
    assert "待负责人审核" in page and "正等待单位负责人审核" in page and "签发报送规划办" not in page
    report_head_return(report=unit.report, user=unit.head, reason="数据口径不一致")
    page = staff.get(url).content.decode()
    assert "本报告已被单位负责人退回" in page and "负责人退回理由:数据口径不一致" in page
    assert "提交负责人审核" in page  # the form says where 提交 sends it
    Membership.objects.filter(user=unit.head).update(role=Membership.Role.STAFF)
    assert "提交负责人审核" not in staff.get(url).content.decode()
    Membership.objects.filter(user=unit.head).update(role=Membership.Role.HEAD)
    home = staff.get(reverse("home")).content.decode()
    assert "负责人退回理由:数据口径不一致" in home


def test_it_signs_off_from_the_report_page(unit: SignOff):
    client = Client()
    client.force_login(unit.head)
    refused = client.post(reverse("report-head-return", args=[unit.report.pk]), {"version": unit.report.version})
    assert refused.status_code == 302 and _state(unit.report)[0] == Report.Status.PENDING_HEAD
    stale = client.post(reverse("report-head-approve", args=[unit.report.pk]), {"version": unit.report.version - 1})
    assert stale.status_code == 302 and _state(unit.report)[0] == Report.Status.PENDING_HEAD
    client.post(reverse("report-head-approve", args=[unit.report.pk]), {"version": unit.report.version})
    assert _state(unit.report)[0] == Report.Status.SUBMITTED


# --- permission matrices: every persona on the new page actions and endpoints -----------------------

PERSONAS = ("owner", "outsider", "head", "forestry_head", "admin", "leader", "district_admin", "anonymous")
#                       owner outsider head  other-head admin leader district anonymous
WEB_POST = {
    "report-head-approve": (403, 403, 302, 404, 403, 403, 403, 302),
    "report-head-return": (403, 403, 302, 404, 403, 403, 403, 302),
}
API_POST = {
    "head-approve": (403, 404, 200, 404, 403, 403, 403, 401),
    "head-return": (403, 404, 200, 404, 403, 403, 403, 401),
}


def _person(unit: SignOff, district: District, persona: str):
    if persona == "anonymous":
        return None
    if persona == "district_admin":
        return district.admin
    return getattr(unit, persona, None) or getattr(unit.p, persona)


@pytest.fixture
def district(unit: SignOff) -> District:
    return district_build(unit.p)


@pytest.mark.parametrize("name", WEB_POST)
@pytest.mark.parametrize("index", range(len(PERSONAS)), ids=PERSONAS)
def test_it_answers_the_sign_off_pages_as_the_matrix_says(unit: SignOff, district: District, name: str, index: int):
    user = _person(unit, district, PERSONAS[index])
    client = Client()
    if user is not None:
        client.force_login(user)
    before = _state(unit.report)
    response = client.post(reverse(name, args=[unit.report.pk]), {"version": unit.report.version, "reason": "请补充"})
    assert response.status_code == WEB_POST[name][index]
    if PERSONAS[index] == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
    changed = _state(unit.report) != before
    assert changed is (PERSONAS[index] == "head")


@pytest.mark.parametrize("name", API_POST)
@pytest.mark.parametrize("index", range(len(PERSONAS)), ids=PERSONAS)
def test_it_answers_the_sign_off_endpoints_as_the_matrix_says(unit: SignOff, district: District, name: str, index: int):
    user = _person(unit, district, PERSONAS[index])
    before = _state(unit.report)
    response = client_for(user).post(
        f"/api/reports/{unit.report.pk}/{name}/", {"version": unit.report.version, "reason": "请补充"}, format="json"
    )
    assert response.status_code == API_POST[name][index], response.content.decode()[:300]
    if response.status_code != 200:
        assert response.json()["detail"]
    changed = _state(unit.report) != before
    assert changed is (PERSONAS[index] == "head")


def test_it_answers_a_stale_api_sign_off_with_409_and_the_current_report(unit: SignOff):
    response = client_for(unit.head).post(
        f"/api/reports/{unit.report.pk}/head-approve/", {"version": unit.report.version - 1}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["current"]["status"] == Report.Status.PENDING_HEAD


def test_it_refuses_an_api_head_return_without_a_reason(unit: SignOff):
    response = client_for(unit.head).post(
        f"/api/reports/{unit.report.pk}/head-return/", {"version": unit.report.version, "reason": " "}, format="json"
    )
    assert response.status_code == 400 and "理由" in response.json()["detail"]


def test_it_hides_another_units_item_from_a_head(unit: SignOff):
    item = forestry_only(unit.p)
    client = Client()
    client.force_login(unit.head)
    assert client.get(reverse("report", args=[item.pk])).status_code == 404
