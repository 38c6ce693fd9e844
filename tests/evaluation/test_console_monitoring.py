"""The console's monitoring pages: the plan overview (status bars, tasks on schedule) and one indicator's
path (SVG chart, the office's corrected actual and 年度目标), behind the capability gate."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tasks_app.models import AuditEntry, IndicatorActual, IndicatorTarget, WorkItem
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _indicator(p) -> WorkItem:
    item = WorkItem.objects.get(plan=p.plan, title="城镇新增就业人数累计7.75万人")
    for year, value in ((2016, 1.6), (2017, 1.5), (2018, 1.4)):
        IndicatorActual.objects.create(item=item, year=year, value_text=f"{value}", value=value)
    return item


def test_it_shows_the_plan_overview_with_status_bars_and_tasks(personas):
    p = personas
    _indicator(p)
    page = _client(p.leader).get(reverse("console-monitoring"), {"plan": p.plan.pk, "year": 2018})
    assert page.status_code == 200
    html = page.content.decode()
    assert "2018年 主要指标对照五年序时进度" in html and 'class="bar path-bar"' in html
    assert "时间过半" in html or "进度落后于时间" in html
    assert "规划期已过 60.0%" in html  # 2018 of 2016–2020
    assert 'name="tolerance"' not in html  # leadership reads only


def test_it_draws_the_indicators_path_and_flags_it(personas):
    p = personas
    item = _indicator(p)
    page = _client(p.admin).get(reverse("console-monitoring-indicator", args=[item.pk]), {"year": 2018})
    html = page.content.decode()
    # [7.75] five-year total: E(2018) = 7.75·3/5 = 4.65, sum 4.5, band 0.3875 → 基本符合预期
    assert "基本符合预期" in html and "应达(序时进度/年度目标)" in html
    assert re.search(r'<polyline class="expected" points="[\d., ]+"', html)
    assert html.count('class="actual-dot') == 3


def test_it_records_the_offices_actual_and_yearly_target(personas):
    p = personas
    item = _indicator(p)
    client = _client(p.admin)
    url = reverse("console-monitoring-actual", args=[item.pk])
    client.post(url, {"year": 2018, "value_text": "1.2", "reason": "", "view_year": 2018})
    assert IndicatorActual.objects.get(item=item, year=2018).value == 1.4  # no reason: refused
    response = client.post(url, {"year": 2018, "value_text": "1.2", "reason": "统计年鉴终值", "view_year": 2018})
    assert response.status_code == 302 and response["Location"].endswith("?year=2018")
    assert IndicatorActual.objects.get(item=item, year=2018).value == 1.2
    assert AuditEntry.objects.filter(action=AuditEntry.Action.INDICATOR, object_id=item.pk).count() == 1
    client.post(reverse("console-monitoring-target", args=[item.pk]), {"year": 2018, "value": "5"})
    assert IndicatorTarget.objects.get(item=item, year=2018).value == 5.0
    html = client.get(reverse("console-monitoring-indicator", args=[item.pk]), {"year": 2018}).content.decode()
    assert "年度目标</small>" in html and "滞后" in html  # sum 4.3 vs the year's target 5


def test_it_hides_the_pages_from_unit_staff_and_refuses_leadership_writes(personas):
    p = personas
    item = _indicator(p)
    assert _client(p.owner).get(reverse("console-monitoring")).status_code == 404
    assert _client(p.owner).get(reverse("console-monitoring-indicator", args=[item.pk])).status_code == 404
    url = reverse("console-monitoring-actual", args=[item.pk])
    assert _client(p.leader).post(url, {"year": 2018, "value_text": "9", "reason": "x"}).status_code == 403
    assert IndicatorActual.objects.get(item=item, year=2018).value == 1.4


def test_it_lets_the_office_edit_a_reports_text_and_keeps_the_rest_generated(personas):
    from tasks_app.models import EvaluationText

    p = personas
    _indicator(p)
    client = _client(p.admin)
    url = reverse("console-evaluation-text")
    page = client.get(url, {"plan": p.plan.pk, "report": "midterm"})
    html = page.content.decode()
    assert page.status_code == 200 and "一、总体情况" in html and "规划期已过" in html
    generated = {key: page.context["sections"][n][2] for n, key in enumerate(["overall", "indicators"])}
    data = {"plan": p.plan.pk, "report": "midterm", "year": 2017, "overall": "本市规划实施总体平稳。"}
    data["indicators"] = generated["indicators"]  # sent back unchanged: stays generated
    assert client.post(url, data).status_code == 302
    saved = dict(EvaluationText.objects.filter(plan=p.plan, report="midterm", year=2017).values_list("section", "text"))
    assert saved == {"overall": "本市规划实施总体平稳。"}
    assert _client(p.leader).post(url, data).status_code == 403
    assert _client(p.owner).get(url).status_code == 404


def test_it_adds_the_path_keys_to_the_dashboard_api_and_the_workbook(personas):
    from io import BytesIO

    from openpyxl import load_workbook

    from tasks_app.services.exports import export_build
    from tests.api.conftest import client_for

    p = personas
    item = WorkItem.objects.get(plan=p.plan, title="城镇新增就业人数累计7.75万人")
    for year, value in ((2016, 0.5), (2017, 0.5), (2018, 0.5), (2019, 0.5), (2020, 0.5)):
        IndicatorActual.objects.create(item=item, year=year, value_text=f"{value}", value=value)
    body = client_for(p.leader).get(f"/api/console/cycles/{p.cycle.pk}/dashboard/").json()
    row = next(r for r in body["indicators"] if r["item_id"] == item.pk)
    assert row["status"] == "未达标"  # the §5 keys stay
    # [7.75] by 2020: sum 2.5 → 滞后; binding? the row says so, and at_risk follows
    assert row["path_status"] == "滞后" and row["path_expected"] == 7.75
    assert row["at_risk"] is (row["binding"] is True) and row["trend_likely"] is False
    stream = BytesIO()
    export_build(plan=p.plan, report="indicators", year=2020, path_or_stream=stream)
    sheet = load_workbook(BytesIO(stream.getvalue())).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    header = list(rows[0])
    found = next(r for r in rows if r[header.index("指标")] == item.title)
    assert found[header.index("序时进度")] == "滞后"
    assert found[header.index("约束性风险")] == ("风险" if row["binding"] else None)


def test_it_shows_the_path_status_on_the_units_item_page(personas):
    """The unit that reports an indicator sees the same 序时进度 verdict on its item page as the console."""
    from tasks_app.models import Assignment
    from tests.personas import make_user

    p = personas
    item = _indicator(p)
    lead = Assignment.objects.reporting(item=item).select_related("unit").first()
    reporter = make_user("indicator_reporter", unit=lead.unit)
    html = _client(reporter).get(reverse("item", args=[item.pk])).content.decode()
    assert "序时进度" in html
    # no open cycle: the page judges the plan's default year like the console's monitoring page does
    console = _client(p.admin).get(reverse("console-monitoring-indicator", args=[item.pk])).content.decode()
    verdict = re.search(r'class="badge path-(\w+)">([^<]+)<', html)
    assert verdict is not None and f'class="badge path-{verdict.group(1)}">{verdict.group(2)}<' in console
