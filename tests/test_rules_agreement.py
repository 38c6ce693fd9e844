"""One indicator judgement on every face: the dashboard, the dashboard API and the indicator workbook agree
item by item, over the seeded plans and over synthetic indicators built for the edge cases.

The faces are the real ones: the console selector, ``GET /api/console/cycles/{id}/dashboard/`` with a token,
and the .xlsx that ``export_build`` writes, read back with openpyxl.
"""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tasks_app.models import IndicatorActual, IndicatorDetail, OfficeRole, Plan, Report, ReportingCycle, WorkItem
from tasks_app.selectors.console import cycle_dashboard
from tasks_app.selectors.exports import indicator_rows
from tasks_app.selectors.monitoring import plan_indicators
from tasks_app.services.exports import export_build
from tests.personas import make_user

WORKBOOK_SHEET = "主要指标"

# title, target text, target number, cumulative, pending, {year: actual text}, expected status in 2022
SYNTHETIC = [
    # BRIEF §2 [20] = five-year total: 18 + 3 = 21 reaches 20 by 2022 (the example; no pro-rating)
    ("新增城镇就业人数(五年累计)", "[20]", 20.0, True, False, {2021: "18", 2022: "3"}, "达标"),
    ("新增市场主体(五年累计)", "[20]", 20.0, True, False, {2021: "8", 2022: "5"}, "未达标"),
    # actuals after the cycle year do not count for the cycle
    ("累计造林面积", "[10]", 10.0, True, False, {2021: "4", 2022: "3", 2023: "9"}, "未达标"),
    ("单位地区生产总值能源消耗降低", "*", None, False, True, {2022: "3.1"}, "待定"),
    ("单位地区生产总值二氧化碳排放降低", "等待省下达", None, False, True, {}, "待定"),
    ("城镇调查失业率", "<5.5", 5.5, False, False, {2022: "4.9"}, "达标"),
    ("细颗粒物(PM2.5)年平均浓度", "35", 35.0, False, False, {2021: "30", 2022: "38"}, "未达标"),
    ("森林覆盖率", "45.22%", 45.22, False, False, {2022: "45.5%"}, "达标"),
    ("常住人口城镇化率", "70%", 70.0, False, False, {2022: "68.2%"}, "未达标"),
    ("居民人均可支配收入增长", ">6", 6.0, False, False, {2022: "6"}, "未达标"),
    ("研发经费投入强度", "2.5", 2.5, False, False, {}, "无统计"),
    ("达到市级要求的指标", "达到市级要求", None, False, False, {2022: "已达到"}, "待定"),
]


def _indicator(plan: Plan, order: int, title: str, target_text: str, target_value, cumulative, pending) -> WorkItem:
    item = WorkItem.objects.create(
        plan=plan,
        kind=WorkItem.Kind.EXPECTED,
        number=f"S{order}",
        title=title,
        text=title,
        line_start=1,
        line_end=1,
        order=100_000 + order,
        fingerprint=f"synthetic-{order}",
    )
    IndicatorDetail.objects.create(
        item=item, target_text=target_text, target_value=target_value, cumulative=cumulative, pending=pending
    )
    return item


def _faces(cycle: ReportingCycle, client: APIClient) -> tuple[list, list, list]:
    """(number, title, status) per indicator, in document order, from each face."""
    board = [(row.number, row.title, row.status) for row in cycle_dashboard(cycle).indicators]
    response = client.get(f"/api/console/cycles/{cycle.pk}/dashboard/")
    assert response.status_code == 200
    api = [(row["number"], row["title"], row["status"]) for row in response.json()["indicators"]]
    stream = BytesIO()
    export_build(plan=cycle.plan, report="indicators", year=cycle.year, path_or_stream=stream)
    sheet = load_workbook(BytesIO(stream.getvalue()))[WORKBOOK_SHEET]
    header = [cell.value for cell in sheet[2]]
    number, title, status = header.index("序号"), header.index("指标"), header.index("完成情况")
    workbook = [
        (str(row[number] or ""), row[title], row[status])
        for row in sheet.iter_rows(min_row=3, values_only=True)
        if row[title] is not None
    ]
    return board, api, workbook


@pytest.fixture
def api_admin(seeded_db) -> APIClient:
    user = make_user("agreement-office", office=OfficeRole.Role.ADMIN)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_it_gives_one_verdict_per_indicator_on_the_dashboard_the_api_and_the_workbook(api_admin):
    plan = Plan.objects.get(title__contains="站前区", period_start=2021)
    cycle = ReportingCycle.objects.get(plan=plan, year=2022)
    expected = {}
    for order, (title, text, value, cumulative, pending, actuals, status) in enumerate(SYNTHETIC, start=1):
        item = _indicator(plan, order, title, text, value, cumulative, pending)
        for year, actual in actuals.items():
            IndicatorActual.objects.create(item=item, year=year, value_text=actual, value=None)
        expected[title] = status
    # a submitted report stands in for the cycle year's missing official actual, on every face
    reported = _indicator(plan, 99, "新增高新技术企业(五年累计)", "[30]", 30.0, True, False)
    IndicatorActual.objects.create(item=reported, year=2021, value_text="20", value=20)
    unit = plan.items.filter(assignments__isnull=False).values_list("assignments__unit", flat=True).first()
    Report.objects.create(
        item=reported,
        unit_id=unit,
        cycle=cycle,
        status=Report.Status.SUBMITTED,
        actual_value_text="12",
        actual_value=12,
    )
    expected[reported.title] = "达标"

    board, api, workbook = _faces(cycle, api_admin)
    assert board == api == workbook
    got = {title: status for _, title, status in board}
    assert {title: got[title] for title in expected} == expected
    assert len(board) == WorkItem.objects.filter(plan=plan, kind__in=WorkItem.INDICATOR_KINDS).count()


def test_it_agrees_on_every_seeded_plan_with_actuals_on_both_sides_of_the_target(api_admin):
    plans = Plan.objects.filter(items__kind__in=WorkItem.INDICATOR_KINDS).distinct().order_by("pk")
    assert plans.count() >= 3  # 002 Yingkou, 000 站前区, 004 葫芦岛
    for plan in plans:
        cycle = ReportingCycle.objects.filter(plan=plan).order_by("year")[1]
        indicators = WorkItem.objects.filter(plan=plan, kind__in=WorkItem.INDICATOR_KINDS, indicator__isnull=False)
        for position, item in enumerate(indicators.select_related("indicator").order_by("order")):
            target = item.indicator.target_value
            if target is None or position % 3 == 2:
                continue  # some stay without actuals (无统计 / 待定)
            factor = 1.1 if position % 2 else 0.9
            IndicatorActual.objects.create(
                item=item, year=cycle.year, value_text=f"{target * factor:.2f}", value=target * factor
            )
        board, api, workbook = _faces(cycle, api_admin)
        assert board == api == workbook, plan.title
        statuses = {status for _, _, status in board}
        assert {"达标", "未达标"} <= statuses, (plan.title, statuses)


def test_it_shows_the_same_verdict_and_values_on_the_dashboard_and_the_workbook_row(api_admin):
    """Both rows come from one builder (selectors.indicators.indicator_facts): the verdict, the actual shown, its
    year and source, the judged number and the path status agree field by field, a reported actual included."""
    plan = Plan.objects.get(title__contains="站前区", period_start=2021)
    cycle = ReportingCycle.objects.get(plan=plan, year=2022)
    item = _indicator(plan, 1, "新增高新技术企业(五年累计)", "[30]", 30.0, True, False)
    IndicatorActual.objects.create(item=item, year=2021, value_text="20", value=20)
    unit = plan.items.filter(assignments__isnull=False).values_list("assignments__unit", flat=True).first()
    Report.objects.create(
        item=item, unit_id=unit, cycle=cycle, status=Report.Status.SUBMITTED, actual_value_text="7", actual_value=7
    )
    board = next(row for row in cycle_dashboard(cycle).indicators if row.item_id == item.pk)
    workbook = next(row for row in indicator_rows(plan, cycle) if row.item.id == item.pk)
    judged, track = workbook.judged(), workbook.track()
    assert track is not None
    shown = (board.status, board.actual_text, board.actual_year, board.actual_source, board.judged)
    assert shown == (
        judged.verdict.status,
        judged.verdict.actual_text,
        judged.verdict.actual_year,
        judged.source,
        judged.verdict.judged,
    )
    assert shown == ("未达标", "7", 2022, "本年度报告", 27.0)  # 20 + 7 of [30], the report standing in for 2022
    assert (board.path_status, board.path_expected, board.at_risk) == (track.status, track.expected, track.at_risk)


def test_it_computes_one_indicator_only_for_a_page_about_one(api_admin, django_assert_max_num_queries):
    plan = Plan.objects.get(title__contains="站前区", period_start=2021)
    every = plan_indicators(plan, 2022)
    assert len(every) > 3
    wanted = every[2].row.item.id
    with django_assert_max_num_queries(8):
        (one,) = plan_indicators(plan, 2022, item=wanted)
    assert one.row.item.id == wanted
    assert (one.verdict, one.track, one.chapter) == (every[2].verdict, every[2].track, every[2].chapter)
    assert one.row.item.units == every[2].row.item.units
