"""The yearly report form through the views: save, submit, stale saves, read-only states, contributions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tasks_app.models import Assignment, Contribution, Membership, Report, ReportVersion, Unit
from tasks_app.services.reports import ReportDraft, contribution_save, report_save
from tests.web.conftest import Web, report_of

FULL = {
    "progress_status": "on_track",
    "progress": "已建成普惠性幼儿园12所",
    "problems": "资金不足",
    "next_steps": "扩大覆盖",
}


def _report_url(web: Web, item=None) -> str:
    return reverse("report", args=[(item or web.lead_item).pk])


def _post(client, url: str, *, version: int, action: str = "save", **fields):
    return client.post(url, {**fields, "version": str(version), "action": action})


def test_it_shows_the_form_with_status_radios_allow_list_and_version(client, web):
    client.force_login(web.p.owner)
    body = client.get(_report_url(web)).content.decode()
    for text in ("已完成", "按计划推进", "滞后", "未启动", "工作进展", "存在问题", "下一步打算", "保存草稿", "提交"):
        assert text in body
    assert 'type="radio"' in body and 'name="version" value="2"' in body
    assert "csv、docx、jpg、pdf、png、pptx、txt、xlsx" in body and "20 MB" in body
    assert "实际值" not in body  # a task, not an indicator


def test_it_asks_for_the_actual_value_on_an_indicator(client, web):
    client.force_login(web.p.owner)
    body = client.get(_report_url(web, web.indicator_item)).content.decode()
    assert "实际值" in body and 'name="actual_value_text"' in body and 'name="actual_note"' in body


def test_it_saves_a_draft_and_keeps_a_version(client, web):
    client.force_login(web.p.owner)
    response = _post(client, _report_url(web), version=2, **FULL)
    assert response.status_code == 302
    report = report_of(web.lead_item, web.p.education)
    assert report.status == Report.Status.DRAFT and report.progress == FULL["progress"] and report.version == 3
    assert list(report.versions.values_list("action", flat=True)) == ["save", "save"]
    page = client.get(response["Location"]).content.decode()
    assert "草稿已保存" in page and FULL["progress"] in page and "版本记录" in page


def test_it_submits_and_then_shows_the_report_read_only(client, web):
    client.force_login(web.p.owner)
    response = _post(client, _report_url(web), version=2, action="submit", **FULL)
    assert response.status_code == 302
    report = report_of(web.lead_item, web.p.education)
    assert report.status == Report.Status.SUBMITTED and report.submitted_at is not None
    page = client.get(_report_url(web)).content.decode()
    assert "报告已提交" in page and "(只读)" in page and 'name="action"' not in page
    again = _post(client, _report_url(web), version=report.version, progress="再改一次")
    assert again.status_code == 400 and "不能修改" in again.content.decode()
    report.refresh_from_db()
    assert report.progress == FULL["progress"]


def test_it_keeps_the_text_as_a_draft_when_a_submit_misses_required_fields(client, web):
    client.force_login(web.p.owner)
    response = _post(client, _report_url(web), version=2, action="submit", progress="只写了进展")
    assert response.status_code == 400
    body = response.content.decode()
    assert "提交前请填写:进展情况" in body and "只写了进展" in body
    report = report_of(web.lead_item, web.p.education)
    assert report.status == Report.Status.DRAFT and report.progress == "只写了进展"
    assert f'name="version" value="{report.version}"' in body  # the next click saves without a conflict


def test_it_refuses_a_stale_save_with_409_and_keeps_the_posted_text(client, web):
    p = web.p
    client.force_login(p.owner)
    loaded = 2  # the version the owner's form was rendered with
    report = report_of(web.lead_item, p.education)
    report_save(report=report, user=p.colleague, data=ReportDraft(progress="同事的版本"), expected_version=loaded)
    response = _post(client, _report_url(web), version=loaded, progress="我的长篇进展,不能丢")
    assert response.status_code == 409
    body = response.content.decode()
    assert "我的长篇进展,不能丢" in body and "同事的版本" in body and "保存失败" in body
    report.refresh_from_db()
    assert report.progress == "同事的版本"
    # The re-rendered form carries the current version: saving again is a deliberate merge.
    assert f'name="version" value="{report.version}"' in body
    merged = _post(client, _report_url(web), version=report.version, progress="合并后的进展")
    assert merged.status_code == 302
    report.refresh_from_db()
    assert report.progress == "合并后的进展"


def test_it_shows_the_review_reason_of_a_returned_report_and_lets_it_be_edited(client, web):
    report = report_of(web.lead_item, web.p.education)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.RETURNED, review_reason="请补充资金数据")
    client.force_login(web.p.owner)
    body = client.get(_report_url(web)).content.decode()
    assert "请补充资金数据" in body and 'name="action"' in body


def test_it_refuses_reports_when_the_cycle_is_closed(client, web):
    web.p.cycle.status = "closed"
    web.p.cycle.save()
    client.force_login(web.p.owner)
    assert "没有开放的报送周期" in client.get(_report_url(web)).content.decode()
    response = _post(client, _report_url(web), version=2, progress="x")
    assert response.status_code == 400
    assert report_of(web.lead_item, web.p.education).progress == "初稿"


def test_it_lets_a_user_of_two_reporting_units_choose_one(client, web):
    p = web.p
    other = Unit.objects.get(jurisdiction=p.plan.jurisdiction, name="市民政局")
    Assignment.objects.create(item=web.lead_item, unit=other, role=Assignment.Role.LEAD, order=9)
    Membership.objects.create(user=p.owner, unit=other)
    client.force_login(p.owner)
    body = client.get(_report_url(web)).content.decode()
    assert f"?unit={other.pk}" in body and "市民政局" in body
    response = _post(client, f"{_report_url(web)}?unit={other.pk}", version=1, progress="民政局的进展")
    assert response.status_code == 302 and response["Location"].endswith(f"?unit={other.pk}")
    assert report_of(web.lead_item, other).progress == "民政局的进展"
    assert report_of(web.lead_item, p.education).progress == "初稿"


def test_it_shows_the_lead_the_contributions_and_who_has_not_contributed(client, web):
    p = web.p
    finance = web.finance.memberships.get().unit
    contribution_save(
        user=web.finance,
        item=web.lead_item,
        unit_id=finance.id,
        cycle=p.cycle,
        text="已拨付资金3000万元",
        expected_version=None,
        submit=True,
    )
    client.force_login(p.owner)
    body = client.get(_report_url(web)).content.decode()
    assert "已拨付资金3000万元" in body
    missing = body.split("尚未提交配合情况的单位")[1].split("</p>")[0]
    assert "市发展改革委" in missing and "市财政局" not in missing


def test_it_runs_the_contribution_flow_and_refuses_a_stale_one(client, web):
    p = web.p
    url = reverse("contribution", args=[web.coop_item.pk])
    client.force_login(p.owner)
    assert 'name="version" value="0"' in client.get(url).content.decode()
    assert client.post(url, {"text": "配合草稿", "version": "0", "action": "save"}).status_code == 302
    row = Contribution.objects.get(item=web.coop_item, unit=p.education)
    assert row.status == "draft" and row.version == 1
    stale = client.post(url, {"text": "同事的另一个版本", "version": "0", "action": "save"})
    assert stale.status_code == 409 and "同事的另一个版本" in stale.content.decode()
    assert client.post(url, {"text": "正式配合情况", "version": "1", "action": "submit"}).status_code == 302
    row.refresh_from_db()
    assert row.status == "submitted" and row.text == "正式配合情况"
    # The lead unit sees it while writing its report.
    client.force_login(web.coop_lead)
    assert "正式配合情况" in client.get(_report_url(web, web.coop_item)).content.decode()


def test_it_refuses_an_empty_contribution(client, web):
    client.force_login(web.p.owner)
    url = reverse("contribution", args=[web.coop_item.pk])
    assert client.post(url, {"text": " ", "version": "0", "action": "save"}).status_code == 400
    assert not Contribution.objects.filter(item=web.coop_item).exists()


@pytest.mark.parametrize("action", ["save", "submit"])
def test_it_records_every_version(client, web, action):
    client.force_login(web.p.owner)
    _post(client, _report_url(web), version=2, action=action, **FULL)
    expected = ["save", "save"] + (["submit"] if action == "submit" else [])
    report = report_of(web.lead_item, web.p.education)
    assert list(ReportVersion.objects.filter(report=report).values_list("action", flat=True)) == expected


def test_it_does_not_create_a_report_just_by_opening_the_form(client, web):
    client.force_login(web.p.owner)
    client.get(_report_url(web, web.indicator_item))
    assert report_of(web.indicator_item, web.p.education) is None
