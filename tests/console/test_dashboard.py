"""The cycle dashboard: on time / late / missing and approved / returned by unit and by chapter, the
indicator statuses (binding ones off track highlighted), sorting, leadership read-only, query counts."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tasks_app import access
from tasks_app.models import IndicatorActual, Report, WorkItem
from tasks_app.rules.indicators import indicator_status
from tasks_app.selectors.console import cycle_dashboard
from tasks_app.services.review import report_approve, report_return
from tasks_app.web import console_views
from tests.console.review_fixtures import Review, submitted_report
from tests.personas import web_client

pytestmark = pytest.mark.django_db


def _at(*args: int) -> datetime:
    return timezone.make_aware(datetime(*args))


@pytest.fixture
def season(review: Review) -> Review:
    """市教育局 in the 2020 cycle (due 2021-02-15): 2 on time (one approved), 1 late, 1 returned."""
    p = review.p
    late = submitted_report(p, review.others[0])
    returned = submitted_report(p, review.others[1])
    approved = submitted_report(p, review.others[2])
    Report.objects.filter(pk=review.report.pk).update(submitted_at=_at(2021, 2, 10, 9))
    Report.objects.filter(pk=late.pk).update(submitted_at=_at(2021, 2, 16, 0, 1))
    Report.objects.filter(pk=approved.pk).update(submitted_at=_at(2021, 2, 15, 23, 59))  # the due day counts
    report_return(report=returned, user=p.admin, reason="请补充")
    report_approve(report=approved, user=p.admin)
    return review


def test_it_counts_each_units_reports_by_state(season: Review):
    p = season.p
    board = cycle_dashboard(p.cycle)
    education = next(u for u in board.units if u.unit_id == p.education.pk)
    items = WorkItem.objects.filter(plan=p.plan, is_active=True, assignments__unit=p.education).distinct()
    expected = sum(p.education.pk in access.reporting_unit_ids(item) for item in items)
    assert education.expected == expected
    assert (education.on_time, education.late, education.approved, education.returned, education.pending) == (
        2,
        1,
        1,
        1,
        2,
    )
    assert education.missing == expected - 3  # the returned report counts as missing until resubmitted
    forestry = next(u for u in board.units if u.unit_id == p.forestry.pk)
    assert forestry.missing == forestry.expected and forestry.rate == 0


def test_it_adds_up_by_unit_and_by_chapter(season: Review):
    board = cycle_dashboard(season.p.cycle)
    fields = ("expected", "on_time", "late", "missing", "approved", "returned", "pending")
    for name in fields:
        total = getattr(board.totals, name)
        assert sum(getattr(u, name) for u in board.units) == total
        assert sum(getattr(c, name) for c in board.chapters) == total
    assert board.totals.expected == 251  # 220 items, some with several lead units
    labels = [c.label for c in board.chapters]
    assert labels[:2] == ["二(一) 约束性指标", "二(二) 预期性指标"] and len(labels) == 20


@pytest.mark.parametrize(
    ("target", "text", "pending", "actual", "has", "status"),
    [
        (11.2, "达到11.2年", False, 11.3, True, "达标"),
        (11.2, "达到11.2年", False, 10.9, True, "未达标"),
        (4.5, "控制在4.5%以内", False, 4.1, True, "达标"),
        (4.5, "控制在4.5%以内", False, 4.9, True, "未达标"),
        (None, "*", True, 3.0, True, "待定"),
        (45.22, "森林覆盖率达到45.22%", False, None, True, "待定"),
        (11.2, "达到11.2年", False, None, False, "无统计"),
    ],
)
def test_it_computes_the_indicator_status(target, text, pending, actual, has, status):
    assert (
        indicator_status(
            title="指标", target_value=target, target_text=text, pending=pending, actual=actual, has_actual=has
        )
        == status
    )


def _binding(p, title_start: str) -> WorkItem:
    return WorkItem.objects.get(plan=p.plan, kind=WorkItem.Kind.BINDING, title__startswith=title_start)


def test_it_highlights_binding_indicators_off_track(season: Review):
    p = season.p
    schooling = _binding(p, "劳动年龄人口平均受教育年限")
    farmland = _binding(p, "耕地保有量")
    land = _binding(p, "新增建设用地")
    IndicatorActual.objects.create(item=schooling, year=2020, value_text="10.9", value=10.9)
    IndicatorActual.objects.create(item=farmland, year=2019, value_text="172", value=172)
    IndicatorActual.objects.create(item=land, year=2020, value_text="0.3万亩", value=0.3)
    rows = {row.item_id: row for row in cycle_dashboard(p.cycle).indicators}
    assert (rows[schooling.pk].status, rows[schooling.pk].off_track) == ("未达标", True)
    assert (rows[farmland.pk].status, rows[farmland.pk].actual_year) == ("达标", 2019)
    assert rows[land.pk].status == "待定"
    others = [r for key, r in rows.items() if key not in (schooling.pk, farmland.pk, land.pk)]
    pending = set(WorkItem.objects.filter(indicator__pending=True).values_list("pk", flat=True))
    # no actual yet: 无统计, except targets the province has not set, which stay 待定
    assert all(r.status == ("待定" if r.item_id in pending else "无统计") for r in others)
    assert any(r.status == "无统计" for r in others)

    page = web_client(p, "leader").get(f"/console/dashboard/?cycle={p.cycle.pk}").content.decode()
    assert page.count('class="off-track"') == 1 and "<svg" in page


def test_it_prefers_this_years_submitted_report_when_there_is_no_newer_actual(personas):
    p = personas
    item = next(
        i
        for i in WorkItem.objects.filter(plan=p.plan, kind=WorkItem.Kind.BINDING).order_by("order")
        if p.education.id in access.reporting_unit_ids(i)
    )
    IndicatorActual.objects.create(item=item, year=2018, value_text="10.0", value=10.0)
    Report.objects.create(
        item=item, unit=p.education, cycle=p.cycle, status="submitted", actual_value_text="99", actual_value=99
    )
    row = next(r for r in cycle_dashboard(p.cycle).indicators if r.item_id == item.pk)
    assert (row.actual_text, row.actual_year, row.actual_source) == ("99", 2020, "本年度报告")


def test_it_sorts_the_unit_ranking(season: Review):
    p = season.p
    by_name = [u.name for u in cycle_dashboard(p.cycle, sort="name").units]
    assert by_name == sorted(by_name)
    by_missing = [u.missing for u in cycle_dashboard(p.cycle, sort="-missing").units]
    assert by_missing == sorted(by_missing, reverse=True)
    rates = [u.rate for u in cycle_dashboard(p.cycle, sort="bogus").units]
    assert rates == sorted(rates, reverse=True) and rates[0] > 0
    page = web_client(p, "admin").get(f"/console/dashboard/?cycle={p.cycle.pk}&sort=-late").content.decode()
    assert "逾期▼" in page


@pytest.mark.parametrize(
    ("persona", "expected"), [("admin", 200), ("leader", 200), ("owner", 404), ("outsider", 404), ("anonymous", 302)]
)
def test_it_gives_each_persona_the_expected_dashboard(season: Review, persona: str, expected: int):
    response = web_client(season.p, persona).get(f"/console/dashboard/?cycle={season.p.cycle.pk}")
    assert response.status_code == expected
    if expected == 200:
        page = response.content.decode()
        assert "市教育局" in page and "按章节" in page and '<form method="post"' not in page.split("<main")[1]


def test_it_refuses_posts_to_the_dashboard(season: Review):
    assert web_client(season.p, "leader").post("/console/dashboard/").status_code == 403
    assert web_client(season.p, "owner").post("/console/dashboard/").status_code == 404


def test_it_builds_the_dashboard_in_a_constant_number_of_queries(review: Review, settings):
    settings.OFFICE_SNAPSHOT_SECONDS = 0  # every read computes (tests/test_snapshots.py covers the kept reads)
    p = review.p
    client = web_client(p, "admin")
    url = f"/console/dashboard/?cycle={p.cycle.pk}"
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for item in review.others[:6]:
        submitted_report(p, item)
    for item in WorkItem.objects.filter(plan=p.plan, kind__in=["binding", "expected"])[:10]:
        IndicatorActual.objects.create(item=item, year=2020, value_text="1", value=1)
    with CaptureQueriesContext(connection) as more:
        assert client.get(url).status_code == 200
    assert len(few) == len(more)
    with CaptureQueriesContext(connection) as direct:
        cycle_dashboard(p.cycle)
    assert len(direct) <= 5  # units and sections (one aggregate), sections, indicators, actuals, yearly targets


def test_it_shows_the_first_rows_and_the_rest_behind_show_all(season: Review, monkeypatch):
    """A province's 300 units and hundreds of indicators: the page renders the first DASHBOARD_ROWS of each
    (the ranking's top, the indicators in document order) and links 显示全部 (?all=1) for the rest; the
    counts above them cover every row."""
    p = season.p
    monkeypatch.setattr(console_views, "DASHBOARD_ROWS", 5)
    board = cycle_dashboard(p.cycle, sort="-late")
    assert len(board.units) > 5 and len(board.indicators) > 5
    client = web_client(p, "admin")
    page = client.get(f"/console/dashboard/?cycle={p.cycle.pk}&sort=-late").content.decode()
    ranking = page.split('id="units"')[1].split("</section>")[0]
    assert ranking.split("<tbody>")[1].count("<tr") == 5
    assert [u.name for u in board.units[:5]] == [n for n in (u.name for u in board.units) if f">{n}</a>" in ranking]
    assert f"显示全部 {len(board.units)} 个单位" in ranking and "all=1" in ranking and "sort=-late" in ranking
    indicators = page.split('id="indicators"')[1].split("</section>")[0]
    assert f"显示全部 {len(board.indicators)} 项指标" in indicators
    assert sum(board.status_counts.values()) == len(board.indicators)  # the counts cover the hidden rows too
    everything = client.get(f"/console/dashboard/?cycle={p.cycle.pk}&sort=-late&all=1").content.decode()
    ranking = everything.split('id="units"')[1].split("</section>")[0]
    assert ranking.split("<tbody>")[1].count("<tr") == len(board.units) and "显示全部" not in ranking
    assert "all=1" in ranking  # sorting keeps every row shown
