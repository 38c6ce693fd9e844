"""The office snapshots (tasks_app.snapshots): a repeated read is served from the cache, and every change to what
the dashboard or the office's facets count shows on the very next read, exactly as a fresh computation says."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks_app.models import Assignment, IndicatorActual, Report, WorkItem
from tasks_app.services.division import assignments_set
from tasks_app.services.reports import ReportDraft, report_get_or_start, report_save
from tasks_app.services.review import report_approve, report_return, reports_bulk_approve
from tasks_app.services.workflow import item_close, item_reopen
from tasks_app.snapshots import plans_changed
from tests.console.review_fixtures import Review, submitted_report
from tests.personas import web_client

pytestmark = pytest.mark.django_db


def _reads(review: Review) -> dict:
    """What the office sees: the API dashboard (totals, lights, units, chapters, indicators) and the facets of
    the office's own list (the web page's context)."""
    p = review.p
    client = web_client(p, "admin")
    dashboard = client.get(f"/api/console/cycles/{p.cycle.pk}/dashboard/")
    home = client.get("/")
    assert dashboard.status_code == home.status_code == 200
    return {"dashboard": dashboard.json(), "facets": home.context["counts"]}


def _fresh(review: Review, settings) -> dict:
    kept = settings.OFFICE_SNAPSHOT_SECONDS
    settings.OFFICE_SNAPSHOT_SECONDS = 0
    try:
        return _reads(review)
    finally:
        settings.OFFICE_SNAPSHOT_SECONDS = kept


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_it_serves_a_repeated_dashboard_from_its_snapshot(review: Review):
    p = review.p
    client = web_client(p, "admin")
    url = f"/api/console/cycles/{p.cycle.pk}/dashboard/"
    page = f"/console/dashboard/?cycle={p.cycle.pk}"
    client.get(page)  # the session, content types …
    cache.clear()
    cold = _queries(client, page)
    warm = _queries(client, page)
    assert warm <= cold - 4  # the tallies, the lights, the sections and the indicators are not read again
    first = client.get(url).json()  # the API reads the same snapshot
    cache.clear()
    assert client.get(url).json() == first


def test_it_serves_the_office_facets_from_their_snapshot(review: Review):
    client = web_client(review.p, "admin")
    client.get("/")
    cache.clear()
    cold = _queries(client, "/")
    warm = _queries(client, "/")
    assert warm <= cold - 3  # the plan, state and unit facets are not counted again


def test_it_shows_each_change_on_the_next_read_as_a_fresh_computation_does(review: Review, settings):
    p = review.p
    kept = _reads(review)  # the snapshots now hold this state
    assert kept == _fresh(review, settings)

    def changed() -> dict:
        now = _reads(review)
        assert now == _fresh(review, settings)
        return now

    submitted = submitted_report(p, review.others[0])  # a submission: done +1, an item turns from red
    after_submit = changed()
    assert after_submit["dashboard"]["totals"] != kept["dashboard"]["totals"]
    report_approve(report=submitted, user=p.admin)
    after_approve = changed()
    assert after_approve["dashboard"]["totals"]["approved"] == kept["dashboard"]["totals"]["approved"] + 1
    report_return(report=review.report, user=p.admin, reason="请补充完成情况的数据")
    assert changed()["dashboard"]["totals"]["returned"] == kept["dashboard"]["totals"]["returned"] + 1
    second = submitted_report(p, review.others[1])
    reports_bulk_approve(user=p.admin, report_ids=[second.pk])  # an update() that sends no model signal
    assert changed()["dashboard"]["totals"]["approved"] == kept["dashboard"]["totals"]["approved"] + 2
    closed = item_close(user=p.admin, item=review.others[2], note="已完成")  # 销号: out of counts and lights
    assert changed() != after_approve
    item_reopen(user=p.admin, item=closed, note="重新督办")
    changed()
    assignments_set(item=review.others[3], user=p.admin, lead=[p.forestry.pk], cooperating=[], responsible=[])
    changed()
    indicator = WorkItem.objects.filter(plan=p.plan, kind__in=["binding", "expected"]).first()
    assert indicator is not None
    IndicatorActual.objects.create(item=indicator, year=p.cycle.year, value_text="99", value=99)
    changed()
    p.forestry.name = "市林业和草原局"  # a unit renamed: every plan may show it
    p.forestry.save()
    assert any(row["name"] == "市林业和草原局" for row in changed()["dashboard"]["units"])


def test_it_keeps_the_snapshot_when_a_draft_is_saved_again(review: Review):
    p = review.p
    item = review.others[0]
    report = report_get_or_start(user=p.owner, item=item, unit_id=p.education.pk, cycle=p.cycle)
    report = report_save(
        report=report, user=p.owner, data=ReportDraft(progress="第一稿"), expected_version=report.version
    )
    client = web_client(p, "admin")
    client.get("/")
    warm = _queries(client, "/")
    report_save(report=report, user=p.owner, data=ReportDraft(progress="第二稿"), expected_version=report.version)
    assert Report.objects.get(pk=report.pk).progress == "第二稿"
    assert _queries(client, "/") == warm  # the draft's text counts nothing: the facets stay as kept


def test_it_counts_a_new_draft_in_the_office_facets_at_once(review: Review, settings):
    p = review.p
    before = _reads(review)["facets"]["states"]
    report_get_or_start(user=p.owner, item=review.others[0], unit_id=p.education.pk, cycle=p.cycle)
    report = Report.objects.get(item=review.others[0], cycle=p.cycle)
    report_save(report=report, user=p.owner, data=ReportDraft(progress="草稿"), expected_version=report.version)
    after = _reads(review)
    assert after["facets"]["states"].get("draft", 0) == before.get("draft", 0) + 1
    assert after == _fresh(review, settings)


def test_it_recomputes_when_a_bulk_write_says_so(review: Review, settings):
    """A write that bypasses the model signals (QuerySet.update) must call plans_changed itself: without it the
    snapshot stays; with it the next read is fresh."""
    p = review.p
    kept = _reads(review)
    Assignment.objects.filter(item=review.others[0], unit=p.education).update(unit=p.forestry)
    assert _reads(review) == kept  # not heard: what the contract says a bulk write must fix
    plans_changed(plan_ids=[p.plan.pk])
    assert _reads(review) == _fresh(review, settings) != kept


def test_it_computes_every_read_when_snapshots_are_off(review: Review, settings):
    settings.OFFICE_SNAPSHOT_SECONDS = 0
    client = web_client(review.p, "admin")
    client.get("/")
    assert _queries(client, "/") == _queries(client, "/")
    Assignment.objects.filter(item=review.others[0], unit=review.p.education).update(unit=review.p.forestry)
    assert _reads(review) == _fresh(review, settings)


def test_it_keys_the_snapshots_by_the_code_and_settings_that_built_them(settings):
    """An entry stored by the code before a deploy (or with another warning window) is never read after it."""
    from tasks_app import snapshots

    snapshots.code_version.cache_clear()
    before = snapshots.code_version()
    settings.TRAFFIC_LIGHT_WARNING_DAYS = 3
    snapshots.code_version.cache_clear()
    try:
        assert snapshots.code_version() != before
        calls = []
        snapshots.plan_snapshot("probe", plan_ids=[1], key=("k",), compute=lambda: calls.append(1) or "x")
        snapshots.plan_snapshot("probe", plan_ids=[1], key=("k",), compute=lambda: calls.append(1) or "x")
        assert calls == [1]
    finally:
        snapshots.code_version.cache_clear()
