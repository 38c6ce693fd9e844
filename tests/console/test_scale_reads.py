"""Office pages cost what they show (issue 12): constant queries as history grows, the SQL counts agree with
the generic per-item path, the item page reads a few source lines and pages its history."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from tasks_app.models import Report, ReportVersion, SourceDocument
from tasks_app.selectors import sources, workspace
from tasks_app.selectors.console import HISTORY_PAGE_SIZE, cycle_dashboard, open_cycle_summaries
from tests.console.review_fixtures import Review, submitted_report
from tests.personas import web_client

pytestmark = pytest.mark.django_db


def _count(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), response.content.decode()


def test_it_lists_the_web_review_queue_in_a_constant_number_of_queries(review: Review):
    p = review.p
    client = web_client(p, "admin")
    url = f"/console/review/?cycle={p.cycle.pk}"
    client.get(url)
    few, _ = _count(client, url)
    for item in review.others[:5]:
        submitted_report(p, item)
    client.get(url)  # the submissions renewed the kept count (selectors.paging): the next view counts afresh
    more, page = _count(client, url)
    assert few == more
    assert page.count('name="report"') == 6  # six submitted reports, each with its checkbox
    # every cycle (an empty ?cycle=; a bare URL picks the work cycle): the unit filter is still one query
    all_cycles, _ = _count(client, "/console/review/?cycle=")
    assert all_cycles <= more


def test_it_serves_the_office_home_in_a_constant_number_of_queries(review: Review, settings):
    settings.OFFICE_SNAPSHOT_SECONDS = 0  # every read computes its facets (tests/test_snapshots.py: the kept reads)
    p = review.p
    client = web_client(p, "admin")
    client.get("/")
    few, _ = _count(client, "/")
    for item in review.others[:5]:
        submitted_report(p, item)
    more, _ = _count(client, "/")
    assert few == more


@pytest.mark.parametrize("plan_filter", [False, True])
def test_it_counts_the_office_facets_as_the_per_item_path_does(review: Review, plan_filter: bool):
    p = review.p
    for item in review.others[:3]:
        submitted_report(p, item)
    Report.objects.filter(item=review.others[0]).update(status=Report.Status.RETURNED)
    today = date(2021, 3, 1)  # after the 2020 cycle's due date: unsubmitted items are overdue
    filters = workspace.WorkspaceFilters(plan=p.plan.pk if plan_filter else None)
    base = workspace.workspace_filter(workspace.workspace_items(p.admin, scope=None, today=today), filters)
    generic = dict(base.order_by().values_list("report_state").annotate(n=Count("pk")))
    overdue = base.filter(is_overdue=True).count()
    counts = workspace.workspace_counts(p.admin, filters=filters, scope=None, today=today)
    assert counts["states"] == generic and counts["overdue"] == overdue
    assert generic.get("returned") == 1 and generic.get("submitted", 0) >= 3 and overdue > 0


def test_it_tallies_the_dashboard_and_cycles_page_alike(review: Review):
    p = review.p
    for item in review.others[:4]:
        submitted_report(p, item)
    board = cycle_dashboard(p.cycle)
    summary = open_cycle_summaries([p.cycle])[p.cycle.pk]
    assert board.totals == summary.totals
    assert sorted(board.units, key=lambda u: u.unit_id) == sorted(summary.units, key=lambda u: u.unit_id)
    assert sum(c.expected for c in board.chapters) == board.totals.expected
    assert board.totals.done == Report.objects.filter(cycle=p.cycle, status__in=Report.DONE_STATUSES).count()


def test_it_pages_the_item_history_and_keeps_its_queries_constant(review: Review):
    p = review.p
    client = web_client(p, "admin")
    url = f"/items/{review.item.pk}/"
    client.get(url)
    few, _ = _count(client, url)
    ReportVersion.objects.bulk_create(
        ReportVersion(report=review.report, number=100 + n, action="save", status="draft", snapshot={})
        for n in range(HISTORY_PAGE_SIZE + 10)
    )
    more, page = _count(client, url)
    assert few == more
    assert page.count('<li class="tl-') == HISTORY_PAGE_SIZE and "?history=2" in page
    _, older = _count(client, url + "?history=2")
    assert older.count('<li class="tl-') == review.report.versions.count() - HISTORY_PAGE_SIZE
    _, review_page = _count(client, f"/console/review/{review.report.pk}/?history=2")
    assert "较新" in review_page


def test_it_reads_the_source_text_once_per_process(review: Review):
    item = review.item
    header = sources.source_header(item.plan.source_id)
    assert "text" in header.get_deferred_fields()
    sources._cache.clear()
    with CaptureQueriesContext(connection) as first:
        lines = sources.source_excerpt(header, item.line_start, item.line_end)
    with CaptureQueriesContext(connection) as again:
        assert sources.source_excerpt(header, item.line_start, item.line_end) == lines
    full = SourceDocument.objects.get(pk=item.plan.source_id)
    assert lines == full.lines(item.line_start, item.line_end) and lines
    assert (len(first), len(again)) == (1, 0)
    assert sources.source_excerpt(header, 0, 0) == [] and sources.source_excerpt(header, 10**7, 10**7 + 2) == []
