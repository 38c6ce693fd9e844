"""Indicator data entry: the unit's actual (unit of measure, numerator/denominator, note) through the report
form's service, and the office's audited correction, yearly targets and the province's figure."""

from __future__ import annotations

import pytest

from tasks_app.access import CapabilityDenied
from tasks_app.models import AuditEntry, IndicatorActual, IndicatorDetail, WorkItem
from tasks_app.rules.indicators import ActualEntryError, entered_actual
from tasks_app.selectors.exports import indicator_rows
from tasks_app.services.monitoring import (
    MonitoringError,
    indicator_actual_correct,
    indicator_province_target_set,
    indicator_target_set,
)
from tasks_app.services.reports import ReportDraft, ReportError, report_get_or_start, report_save
from tests.personas import items_of


def test_it_computes_a_percentage_from_numerator_and_denominator():
    assert entered_actual(text="", unit="％", numerator=45, denominator=72, indicator_unit="%") == ("62.5%", 62.5, "％")
    assert entered_actual(text="62.5", unit="", numerator=45, denominator=72, indicator_unit="%")[1] == 62.5
    assert entered_actual(text="11.3", unit="", numerator=None, denominator=None, indicator_unit="年") == (
        "11.3",
        11.3,
        "年",
    )


@pytest.mark.parametrize(
    ("text", "unit", "numerator", "denominator", "message"),
    [
        ("11.3", "%", None, None, "计量单位应为“年”"),
        ("", "年", 3, 4, "只有百分比指标"),
        ("", "", 3, None, "分子和分母须同时填写"),
    ],
)
def test_it_refuses_an_actual_that_does_not_fit_the_indicator(text, unit, numerator, denominator, message):
    with pytest.raises(ActualEntryError, match=message):
        entered_actual(text=text, unit=unit, numerator=numerator, denominator=denominator, indicator_unit="年")
    with pytest.raises(ActualEntryError, match="不一致"):
        entered_actual(text="60", unit="%", numerator=45, denominator=72, indicator_unit="%")


def _indicator_report(p):
    item = next(i for i in items_of(p, relation="reports") if i.is_indicator)
    return item, report_get_or_start(user=p.owner, item=item, unit_id=p.education.id, cycle=p.cycle)


@pytest.mark.django_db
def test_it_saves_the_units_actual_with_its_unit_and_refuses_another(personas):
    p = personas
    item, report = _indicator_report(p)
    IndicatorDetail.objects.filter(item=item).update(unit_of_measure="%")
    draft = ReportDraft(actual_numerator="45", actual_denominator="72", actual_note="教育统计年报口径")
    saved = report_save(report=report, user=p.owner, data=draft, expected_version=report.version)
    assert (saved.actual_value_text, saved.actual_value, saved.actual_unit) == ("62.5%", 62.5, "%")
    assert saved.versions.last().snapshot["actual_numerator"] == 45.0
    with pytest.raises(ReportError, match="计量单位应为"):
        report_save(
            report=saved,
            user=p.owner,
            data=ReportDraft(actual_value_text="11", actual_unit="年"),
            expected_version=saved.version,
        )
    saved.refresh_from_db()
    assert saved.actual_value_text == "62.5%"  # nothing written


@pytest.mark.django_db
def test_it_lets_the_office_correct_an_actual_with_a_reason_only(personas):
    p = personas
    item, _ = _indicator_report(p)
    with pytest.raises(MonitoringError, match="理由"):
        indicator_actual_correct(user=p.admin, item=item, year=2019, value_text="11.1", reason=" ")
    with pytest.raises(CapabilityDenied):
        indicator_actual_correct(user=p.owner, item=item, year=2019, value_text="11.1", reason="统计局修正")
    indicator_actual_correct(user=p.admin, item=item, year=2019, value_text="11.1", reason="统计局初值")
    indicator_actual_correct(user=p.admin, item=item, year=2019, value_text="11.0", reason="统计局终值修正")
    actual = IndicatorActual.objects.get(item=item, year=2019)
    assert (actual.value_text, actual.value) == ("11.0", 11.0)
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.INDICATOR, object_id=item.pk).first()
    assert entry.before == {"value_text": "11.1", "value": 11.1}
    assert entry.after["reason"] == "统计局终值修正" and entry.actor == p.admin
    with pytest.raises(MonitoringError, match="不在规划期"):
        indicator_actual_correct(user=p.admin, item=item, year=2030, value_text="1", reason="x")


@pytest.mark.django_db
def test_it_uses_the_offices_yearly_target_and_province_figure(personas):
    p = personas
    item = WorkItem.objects.get(plan=p.plan, title__startswith="单位地区生产总值二氧化碳排放降低")
    IndicatorActual.objects.create(item=item, year=2017, value_text="4", value=4.0)

    def track():
        row = next(r for r in indicator_rows(p.plan) if r.item.id == item.pk)
        return row.track(2017)

    assert (track().status, track().reason) == ("待定", "目标待省下达")
    indicator_province_target_set(user=p.admin, item=item, value=18.0)
    # level path without a baseline: still no path, but the figure is a target now
    assert track().reason == "无基期值,无法测算序时进度"
    indicator_target_set(user=p.admin, item=item, year=2017, value=3.5)
    # the 年度目标 gives the year a point to compare with: 4 − 3.5 = 0.5 within the band 0.05·18 = 0.9
    assert (track().expected, track().status) == (3.5, "基本符合预期")
    indicator_target_set(user=p.admin, item=item, year=2017, value=None)
    assert track().expected is None
