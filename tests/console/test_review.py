"""Review of submitted reports: approve, return with a required reason, bulk approve, the audit trail,
and the console review pages for every persona."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from tasks_app import access
from tasks_app.models import IndicatorActual, Report, ReportVersion, WorkItem
from tasks_app.services.cycles import cycle_open
from tasks_app.services.errors import StaleEditError
from tasks_app.services.reports import ReportDraft, ReportError, report_save, report_submit
from tasks_app.services.review import report_approve, report_return, reports_bulk_approve
from tests.console.review_fixtures import DONE, Review, submitted_report
from tests.personas import Personas, web_client

pytestmark = pytest.mark.django_db

PERSONAS = ("admin", "leader", "owner", "outsider", "anonymous")


def _state(report: Report) -> tuple:
    report.refresh_from_db()
    return (report.status, report.version, report.review_reason, report.versions.count())


# --- services ------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   ", "\n"])
def test_it_refuses_to_return_without_a_reason(review: Review, reason: str):
    before = _state(review.report)
    with pytest.raises(ReportError, match="退回必须填写理由"):
        report_return(report=review.report, user=review.p.admin, reason=reason)
    assert _state(review.report) == before


def test_it_records_each_transition_with_its_actor(review: Review):
    p = review.p
    report = report_return(report=review.report, user=p.admin, reason="请补充资金到位情况")
    assert report.status == Report.Status.RETURNED
    assert access.can_edit_report(p.owner, report)  # the unit may fix it again
    report = report_save(report=report, user=p.colleague, data=DONE, expected_version=report.version)
    report = report_submit(report=report, user=p.owner, expected_version=report.version)
    report = report_approve(report=report, user=p.admin, expected_version=report.version)

    trail = list(report.versions.order_by("number", "id").values_list("action", "status", "actor__username", "reason"))
    assert trail == [
        ("save", "draft", "owner", ""),
        ("submit", "submitted", "owner", ""),
        ("return", "returned", "office", "请补充资金到位情况"),
        ("save", "returned", "colleague", ""),
        ("submit", "submitted", "owner", ""),
        ("approve", "approved", "office", ""),
    ]
    numbers = list(report.versions.order_by("id").values_list("number", flat=True))
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    assert report.reviewed_at is not None and report.review_reason == ""


def test_it_reviews_only_submitted_reports(review: Review):
    p = review.p
    report_approve(report=review.report, user=p.admin)
    for action in (
        lambda: report_approve(report=review.report, user=p.admin),
        lambda: report_return(report=review.report, user=p.admin, reason="再看看"),
    ):
        with pytest.raises(ReportError, match="只能审核已提交的报告"):
            action()
    assert review.report.versions.filter(action=ReportVersion.Action.APPROVE).count() == 1


def test_it_refuses_a_stale_review_and_changes_nothing(review: Review):
    before = _state(review.report)
    with pytest.raises(StaleEditError):
        report_approve(report=review.report, user=review.p.admin, expected_version=review.report.version - 1)
    assert _state(review.report) == before


@pytest.mark.parametrize("persona", ["leader", "owner", "outsider"])
def test_it_lets_only_the_office_review(review: Review, persona: str):
    before = _state(review.report)
    user = getattr(review.p, persona)
    with pytest.raises(PermissionDenied):
        report_approve(report=review.report, user=user)
    with pytest.raises(PermissionDenied):
        report_return(report=review.report, user=user, reason="不行")
    with pytest.raises(PermissionDenied):
        reports_bulk_approve(user=user, report_ids=[review.report.pk])
    assert _state(review.report) == before


def test_it_bulk_approves_only_submitted_reports_in_scope(review: Review):
    p = review.p
    draft = submitted_report(p, review.others[0])
    draft = report_return(report=draft, user=p.admin, reason="补充材料")  # returned: not submitted
    other_cycle = cycle_open(plan=p.plan, year=2019)
    elsewhere = Report.objects.create(
        item=review.others[1], unit=p.education, cycle=other_cycle, status=Report.Status.SUBMITTED
    )
    untouched = {r.pk: _state(r) for r in (draft, elsewhere)}

    result = reports_bulk_approve(
        user=p.admin, report_ids=[review.report.pk, draft.pk, elsewhere.pk, 999999], cycle=p.cycle
    )

    assert result.approved == [review.report.pk]
    assert sorted(result.skipped) == sorted([draft.pk, elsewhere.pk, 999999])
    review.report.refresh_from_db()
    assert review.report.status == Report.Status.APPROVED
    assert review.report.versions.filter(action="approve", actor=p.admin).count() == 1
    assert {r.pk: _state(r) for r in (draft, elsewhere)} == untouched


def test_it_records_an_approved_indicator_actual(personas: Personas):
    p = personas
    item = next(
        i
        for i in WorkItem.objects.filter(plan=p.plan, kind=WorkItem.Kind.BINDING).order_by("order")
        if p.education.id in access.reporting_unit_ids(i)
    )
    data = ReportDraft(progress_status="done", progress="达到目标", actual_value_text="11.3")
    report = Report.objects.create(item=item, unit=p.education, cycle=p.cycle)
    report = report_submit(report=report, user=p.owner, expected_version=report.version, data=data)
    report_approve(report=report, user=p.admin)
    actual = IndicatorActual.objects.get(item=item, year=p.cycle.year)
    assert (actual.value_text, actual.value) == ("11.3", 11.3)


# --- pages ---------------------------------------------------------------------------------------


def _urls(review: Review) -> dict[str, str]:
    pk = review.report.pk
    return {
        "home": "/console/",
        "queue": "/console/review/",
        "detail": f"/console/review/{pk}/",
    }


GET_EXPECTED = {"admin": 200, "leader": 200, "owner": 404, "outsider": 404}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", ["home", "queue", "detail"])
def test_it_gives_each_persona_the_expected_page(review: Review, persona: str, page: str):
    response = web_client(review.p, persona).get(_urls(review)[page])
    if persona == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    elif page == "home" and GET_EXPECTED[persona] == 200:
        assert response.status_code == 302 and response["Location"] == "/console/cycles/"
    else:
        assert response.status_code == GET_EXPECTED[persona]


POST_EXPECTED = {"leader": 403, "owner": 404, "outsider": 404}


@pytest.mark.parametrize("persona", ["leader", "owner", "outsider", "anonymous"])
@pytest.mark.parametrize("action", ["approve", "return", "bulk"])
def test_it_refuses_review_posts_from_everyone_but_the_office(review: Review, persona: str, action: str):
    pk = review.report.pk
    url = {"approve": f"/console/review/{pk}/approve/", "return": f"/console/review/{pk}/return/"}.get(
        action, "/console/review/bulk-approve/"
    )
    before = _state(review.report)
    response = web_client(review.p, persona).post(url, {"reason": "不行", "report": [pk]})
    if persona == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == POST_EXPECTED[persona]
    assert _state(review.report) == before


def test_it_shows_the_leader_no_action_buttons(review: Review):
    client = web_client(review.p, "leader")
    detail = client.get(f"/console/review/{review.report.pk}/").content.decode()
    queue = client.get("/console/review/").content.decode()
    assert "/approve/" not in detail and 'name="reason"' not in detail
    assert 'name="report"' not in queue and "通过所选报告" not in queue
    assert review.item.title[:20] in queue


def test_it_refuses_a_return_without_a_reason_on_the_page(review: Review):
    before = _state(review.report)
    response = web_client(review.p, "admin").post(f"/console/review/{review.report.pk}/return/", {"reason": "  "})
    assert response.status_code == 400
    assert "退回必须填写理由" in response.content.decode()
    assert _state(review.report) == before


def test_it_walks_a_report_through_return_and_approval_on_the_pages(review: Review):
    p = review.p
    admin, owner = web_client(p, "admin"), web_client(p, "owner")
    pk = review.report.pk
    queue = admin.get(f"/console/review/?cycle={p.cycle.pk}").content.decode()
    assert f"/console/review/{pk}/" in queue

    response = admin.post(
        f"/console/review/{pk}/return/", {"reason": "请补充学位数量", "version": review.report.version}
    )
    assert response.status_code == 302
    report_page = owner.get(f"/items/{review.item.pk}/report/").content.decode()
    assert "请补充学位数量" in report_page  # the unit sees the reason and may edit again

    report = Report.objects.get(pk=pk)
    owner.post(
        f"/items/{review.item.pk}/report/",
        {"progress_status": "on_track", "progress": "新增学位 1200 个", "version": report.version, "action": "submit"},
    )
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED

    response = admin.post(f"/console/review/{pk}/approve/", {"version": report.version})
    assert response.status_code == 302
    page = admin.get(f"/console/review/{pk}/").content.decode()
    assert "已通过" in page
    for text in ("请补充学位数量", "退回", "通过", "提交", "保存草稿", "office", "owner"):
        assert text in page  # the history on the review page


def test_it_bulk_approves_from_the_queue(review: Review):
    p = review.p
    second = submitted_report(p, review.others[0])
    response = web_client(p, "admin").post(
        "/console/review/bulk-approve/",
        {"report": [review.report.pk, second.pk], "cycle": p.cycle.pk, "next": f"/console/review/?cycle={p.cycle.pk}"},
    )
    assert response.status_code == 302 and response["Location"] == f"/console/review/?cycle={p.cycle.pk}"
    assert set(Report.objects.filter(pk__in=[review.report.pk, second.pk]).values_list("status", flat=True)) == {
        "approved"
    }


def test_it_filters_the_queue_by_unit_chapter_and_status(review: Review):
    p = review.p
    client = web_client(p, "admin")
    url = f"/console/review/?cycle={p.cycle.pk}"
    assert review.item.title[:20] in client.get(f"{url}&unit={p.education.pk}").content.decode()
    assert review.item.title[:20] not in client.get(f"{url}&unit={p.forestry.pk}").content.decode()
    assert review.item.title[:20] not in client.get(f"{url}&status=approved").content.decode()
    from tasks_app.selectors.console import plan_chapters

    chapters = plan_chapters(p.plan.pk)
    mine = chapters.chapter(review.item.section_id)
    other = next(c for c in chapters.order if c != mine)
    assert review.item.title[:20] in client.get(f"{url}&section={mine}").content.decode()
    assert review.item.title[:20] not in client.get(f"{url}&section={other}").content.decode()


def test_it_renders_the_item_history_include(review: Review):
    from django.template.loader import render_to_string

    from tasks_app.selectors.console import item_history

    report_return(report=review.report, user=review.p.admin, reason="数据口径不一致")
    html = render_to_string("tasks_app/console/_history.html", {"history": item_history(review.item)})
    assert "数据口径不一致" in html and "退回" in html and "市教育局" in html
