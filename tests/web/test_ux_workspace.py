"""Issue 16, the unit's side: 待办, the action a report state calls for, autosave and in-place evidence deletion
(with their permissions), the cooperating unit's own status and its locked contribution, (0) counts."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tasks_app.models import Contribution, Evidence, IndicatorActual, Report, ReportVersion
from tasks_app.selectors.workspace_todo import (
    ACTION_FILL,
    ACTION_REVISE,
    ACTION_VIEW,
    contribution_action,
    report_action,
    workspace_todo,
)
from tasks_app.services.errors import ServiceError
from tasks_app.services.reports import ReportDraft, contribution_save, report_save, report_submit
from tests.console.review_fixtures import submitted_report
from tests.web.conftest import Web, report_of
from tests.web.ux_helpers import REASON, returned_report

DUE = date(2021, 2, 15)  # the personas' open cycle


# --- the action label -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "label"),
    [
        (None, ACTION_FILL),
        ("none", ACTION_FILL),
        ("no_cycle", ACTION_FILL),
        (Report.Status.DRAFT, ACTION_FILL),
        (Report.Status.RETURNED, ACTION_REVISE),
        (Report.Status.SUBMITTED, ACTION_VIEW),
        (Report.Status.APPROVED, ACTION_VIEW),
    ],
)
def test_it_names_what_the_report_button_does(state, label):
    assert report_action(state) == label


def test_it_names_what_the_contribution_button_does():
    assert contribution_action(None) == contribution_action("draft") == ACTION_FILL
    assert contribution_action("submitted") == ACTION_VIEW


def test_it_labels_the_item_page_and_the_row_alike(client, web):
    returned_report(web)
    client.force_login(web.p.owner)
    page = client.get(reverse("item", args=[web.lead_item.pk])).content.decode()
    assert f'href="{reverse("report", args=[web.lead_item.pk])}">修改退回的报告</a>' in page
    assert f"退回理由:{REASON}" in page
    rows = client.get(reverse("home"), {"page_size": 200})
    row = next(r for r in rows.context["rows"] if r.pk == web.lead_item.pk)
    assert row.action == (ACTION_REVISE, "report")
    assert 'class="badge returned-flag"' in rows.content.decode()


# --- 待办 -------------------------------------------------------------------------------------------


def test_it_lists_the_returned_report_with_its_reason_in_the_units_todo(client, web):
    report = returned_report(web)
    todo = workspace_todo(web.p.owner, today=date(2020, 6, 1))
    assert [r.pk for r in todo.returned] == [report.pk] and todo.returned[0].review_reason == REASON
    assert todo.due_soon == []  # the cycle is due in February
    client.force_login(web.p.colleague)  # the same unit: the same 待办
    body = client.get(reverse("home")).content.decode()
    assert "待办" in body and REASON in body and f"/items/{web.lead_item.pk}/report/?unit=" in body


@pytest.mark.parametrize("person", ["outsider", "finance", "admin", "leader"])
def test_it_shows_another_units_return_to_nobody_else(client, web, person):
    returned_report(web)
    user = web.finance if person == "finance" else getattr(web.p, person)
    todo = workspace_todo(user, today=date(2020, 6, 1))
    assert (todo.returned, todo.returned_total) == ([], 0)  # its own new items (待签收) may be listed, not the return
    client.force_login(user)
    assert REASON not in client.get(reverse("home")).content.decode()


def test_it_lists_a_cycle_due_soon_with_the_items_still_to_submit(web):
    submitted_report(web.p, web.lead_item)
    todo = workspace_todo(web.p.owner, today=date(2021, 2, 5))
    [due] = todo.due_soon
    assert (due.plan_id, due.due_date, due.days_left) == (web.p.plan.pk, DUE, 10)
    reporting = workspace_todo(web.p.owner, today=date(2021, 2, 15)).due_soon[0].pending
    assert reporting == due.pending > 0
    assert workspace_todo(web.p.owner, today=date(2021, 2, 16)).due_soon == []  # overdue: the list says 逾期


def test_it_builds_the_todo_in_a_constant_number_of_queries(web):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            workspace_todo(web.p.owner, today=date(2021, 2, 5))
        return len(ctx.captured_queries)

    queries()  # the user's units are looked up once per request object (access caches them)
    empty = queries()
    returned_report(web)
    assert queries() == empty <= 4  # returned, due soon, 待签收 (with its total), the user's units


def test_it_shows_anonymous_the_login_page(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- autosave ---------------------------------------------------------------------------------------


def _autosave(client, web: Web, user, version: int, text: str = "自动保存的内容", item=None):
    client.force_login(user)
    item = item or web.lead_item
    url = reverse("report", args=[item.pk])
    return client.post(url, {"progress": text, "version": str(version), "action": "autosave"})


def test_it_autosaves_the_draft_and_answers_the_new_version(client, web):
    response = _autosave(client, web, web.p.owner, version=2)
    assert response.status_code == 200 and response.json()["version"] == 3
    report = report_of(web.lead_item, web.p.education)
    assert report.progress == "自动保存的内容" and report.status == Report.Status.DRAFT
    assert report.versions.filter(action=ReportVersion.Action.SAVE).count() == 2


def test_it_refuses_a_stale_autosave_and_keeps_the_other_text(client, web):
    report = report_of(web.lead_item, web.p.education)
    report_save(report=report, user=web.p.colleague, data=ReportDraft(progress="同事的版本"), expected_version=2)
    response = _autosave(client, web, web.p.owner, version=2)
    assert response.status_code == 409 and "自动保存已停止" in response.json()["error"]
    assert report_of(web.lead_item, web.p.education).progress == "同事的版本"


def test_it_refuses_an_autosave_of_a_submitted_report(client, web):
    report = report_of(web.lead_item, web.p.education)
    report = report_save(
        report=report,
        user=web.p.owner,
        data=ReportDraft(progress_status="on_track", progress="完成"),
        expected_version=2,
    )
    report = report_submit(report=report, user=web.p.owner, expected_version=report.version)
    response = _autosave(client, web, web.p.owner, version=report.version)
    assert response.status_code == 400 and "不能修改" in response.json()["error"]
    assert report_of(web.lead_item, web.p.education).progress == "完成"


@pytest.mark.parametrize(("person", "status"), [("outsider", 404), ("finance", 403), ("admin", 403), ("leader", 403)])
def test_it_lets_only_the_reporting_unit_autosave(client, web, person, status):
    user = web.finance if person == "finance" else getattr(web.p, person)
    assert _autosave(client, web, user, version=2).status_code == status
    assert report_of(web.lead_item, web.p.education).progress == "初稿"


def test_it_sends_anonymous_autosave_to_the_login_page(client, web):
    response = client.post(reverse("report", args=[web.lead_item.pk]), {"action": "autosave", "version": "2"})
    assert response.status_code == 302 and report_of(web.lead_item, web.p.education).progress == "初稿"


# --- evidence deletion without a reload -------------------------------------------------------------


def _delete(client, user, evidence: Evidence, *, json: bool = True):
    client.force_login(user)
    headers = {"Accept": "application/json"} if json else {}
    return client.post(reverse("evidence-delete", args=[evidence.pk]), headers=headers)


def test_it_deletes_evidence_answering_json(client, web):
    response = _delete(client, web.p.owner, web.evidence)
    assert response.status_code == 200 and response.json() == {
        "deleted": web.evidence.pk,
        "message": "已删除材料:方案.pdf",
    }
    assert not Evidence.objects.filter(pk=web.evidence.pk).exists()


def test_it_keeps_the_reload_fallback_without_javascript(client, web):
    response = _delete(client, web.p.owner, web.evidence, json=False)
    assert response.status_code == 302 and response["Location"].startswith(f"/items/{web.lead_item.pk}/report/")


@pytest.mark.parametrize(("person", "status"), [("outsider", 404), ("finance", 403), ("admin", 403), ("leader", 403)])
def test_it_lets_only_the_reporting_unit_delete_evidence(client, web, person, status):
    user = web.finance if person == "finance" else getattr(web.p, person)
    response = _delete(client, user, web.evidence)
    assert response.status_code == status
    if status == 403:
        assert "不能删除" in response.json()["error"]
    assert Evidence.objects.filter(pk=web.evidence.pk).exists()


# --- the report form --------------------------------------------------------------------------------


def test_it_shows_target_unit_and_previous_actual_beside_the_actual_value(client, web):
    IndicatorActual.objects.create(item=web.indicator_item, year=2019, value_text="10.8")
    client.force_login(web.p.owner)
    body = client.get(reverse("report", args=[web.indicator_item.pk])).content.decode()
    detail = web.indicator_item.indicator
    assert 'class="indicator-context"' in body and detail.target_text in body
    assert "10.8(2019年)" in body
    assert body.count('class="req"') >= 3  # 进展情况, 工作进展, 实际值 are marked before submission
    assert 'data-confirm="提交后不可修改' in body and 'data-autosave="30"' in body


def test_it_counts_empty_states_as_zero(client, web):
    client.force_login(web.p.owner)
    body = client.get(reverse("home")).content.decode()
    options = re.findall(r"<option[^>]*>([^<]*)</option>", body)
    assert "已通过(0)" in options and not [text for text in options if text.endswith("()")]


# --- cooperating units ------------------------------------------------------------------------------


def test_it_shows_a_cooperating_unit_its_own_status_not_the_leads(client, web):
    p = web.p
    client.force_login(p.owner)
    url = reverse("home")

    def row():
        rows = client.get(url, {"page_size": 200}).context["rows"]
        return next(r for r in rows if r.pk == web.coop_item.pk)

    before = row()
    assert before.state_label == "未填写配合情况" and before.is_overdue  # the cycle is past due today
    contribution_save(
        user=p.owner,
        item=web.coop_item,
        unit_id=p.education.pk,
        cycle=p.cycle,
        text="已配合",
        expected_version=0,
        submit=True,
    )
    after = row()
    assert after.state_label == "配合情况已提交" and not after.is_overdue
    assert after.action == (ACTION_VIEW, "contribution")
    assert report_of(web.coop_item, p.education) is None  # the lead has not reported: its 未填报 is not shown


def test_it_locks_a_submitted_contribution(client, web):
    p = web.p
    url = reverse("contribution", args=[web.coop_item.pk])
    client.force_login(p.owner)
    assert client.post(url, {"text": "正式配合情况", "version": "0", "action": "submit"}).status_code == 302
    page = client.get(url).content.decode()
    assert "已锁定不能再修改" in page and 'name="text"' not in page
    assert "牵头单位" in page and web.coop_item.title in page
    refused = client.post(url, {"text": "改一下", "version": "1", "action": "save"})
    assert refused.status_code == 400 and "已提交" in refused.content.decode()
    with pytest.raises(ServiceError):
        contribution_save(
            user=p.owner, item=web.coop_item, unit_id=p.education.pk, cycle=p.cycle, text="再改", expected_version=1
        )
    assert Contribution.objects.get(item=web.coop_item, unit=p.education).text == "正式配合情况"
