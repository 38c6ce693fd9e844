"""Resubmissions in the review queue: the flag (web and API) and the diff against the returned version."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tasks_app.models import Report
from tasks_app.selectors.review_diff import resubmissions, snapshot_changes, text_runs, with_resubmission_flag
from tasks_app.services.reports import ReportDraft, report_save, report_submit
from tasks_app.services.review import report_return
from tests.console.review_fixtures import education_task_items, submitted_report
from tests.web.ux_helpers import REASON, returned_report

REVISED = "全年完成既定任务,资金来源为市级财政专项"


def test_it_diffs_chinese_text_by_character():
    assert text_runs("全年完成任务", "全年超额完成任务") == [
        ("equal", "全年"),
        ("insert", "超额"),
        ("equal", "完成任务"),
    ]
    assert text_runs("甲乙", "甲丙") == [("equal", "甲"), ("delete", "乙"), ("insert", "丙")]
    assert text_runs("", "") == []


def test_it_lists_only_the_changed_fields_with_labels():
    before = {"progress": "初稿", "problems": "无", "progress_status": "behind", "evidence": ["a.pdf"]}
    after = {"progress": "定稿", "problems": "无", "progress_status": "on_track", "evidence": ["a.pdf", "b.pdf"]}
    changes = snapshot_changes(before, after)
    assert [c.label for c in changes] == ["进展情况", "工作进展", "佐证材料"]
    assert (changes[0].before, changes[0].after) == ("滞后", "按计划推进")
    assert changes[2].after == "a.pdf、b.pdf"


def _another_task(web):
    return next(item for item in education_task_items(web.p) if item.pk != web.lead_item.pk)


def _resubmit(web) -> Report:
    report = returned_report(web)
    p = web.p
    report = report_save(
        report=report,
        user=p.owner,
        data=ReportDraft(progress_status=Report.Progress.ON_TRACK, progress=REVISED),
        expected_version=report.version,
    )
    return report_submit(report=report, user=p.owner, expected_version=report.version)


def test_it_flags_a_resubmission_and_diffs_it_against_the_returned_version(web):
    report = _resubmit(web)
    rows = list(with_resubmission_flag(Report.objects.filter(pk=report.pk)))
    assert rows[0].was_returned is True
    change = resubmissions(rows)[report.pk]
    assert change.reason == REASON and change.changed_names == ["progress"]
    assert ("insert", ",资金来源为市级财政专项") in change.changes[0].runs


def test_it_shows_the_flag_and_the_diff_in_the_web_queue(client, web):
    report = _resubmit(web)
    other = submitted_report(web.p, _another_task(web))  # submitted once, never returned
    client.force_login(web.p.admin)
    body = client.get(reverse("console-review"), {"cycle": web.p.cycle.pk}).content.decode()
    assert body.count('class="badge resubmitted-flag"') == 1
    assert "退回后修改了 1 项:工作进展" in body and "<ins>,资金来源为市级财政专项</ins>" in body
    assert 'data-confirm-selected="input[name=report]"' in body
    detail = client.get(reverse("console-review-detail", args=[report.pk])).content.decode()
    assert "与退回版本相比的修改(1 项)" in detail and REASON in detail
    plain = client.get(reverse("console-review-detail", args=[other.pk])).content.decode()
    assert "与退回版本相比的修改" not in plain


def test_it_flags_resubmissions_in_the_api_queue(client, web):
    report = _resubmit(web)
    other = submitted_report(web.p, _another_task(web))
    token = Token.objects.create(user=web.p.admin)
    response = client.get("/api/console/review/", {"cycle": web.p.cycle.pk}, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    assert rows[report.pk]["resubmitted"] is True and rows[report.pk]["changed_fields"] == ["progress"]
    assert rows[other.pk]["resubmitted"] is False and rows[other.pk]["changed_fields"] == []
    assert {"id", "item", "unit", "status", "review_reason", "version"} <= set(rows[other.pk])


def test_it_hides_the_queue_from_unit_staff(client, web):
    _resubmit(web)
    client.force_login(web.p.owner)
    assert client.get(reverse("console-review")).status_code == 404


def test_it_flags_the_queue_in_a_constant_number_of_queries(client, web):
    p = web.p
    client.force_login(p.admin)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("console-review"), {"cycle": p.cycle.pk}).status_code == 200
        return len(ctx.captured_queries)

    _resubmit(web)
    queries()  # the first view fills the kept count (selectors.paging); the changes below renew it
    one = queries()
    for item in [i for i in education_task_items(p) if i.pk != web.lead_item.pk][:3]:
        report = submitted_report(p, item)
        report = report_return(report=report, user=p.admin, reason="补充", expected_version=report.version)
        report = report_save(
            report=report,
            user=p.owner,
            data=ReportDraft(progress_status=Report.Progress.ON_TRACK, progress="已补充"),
            expected_version=report.version,
        )
        report_submit(report=report, user=p.owner, expected_version=report.version)
    body = client.get(reverse("console-review"), {"cycle": p.cycle.pk}).content.decode()
    assert body.count('class="badge resubmitted-flag"') == 4  # this view counted afresh
    assert queries() == one
