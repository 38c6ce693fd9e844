from __future__ import annotations

from io import BytesIO

import pytest
from django.core.management import CommandError, call_command

from tasks_app.exporters.indicators import row_status as indicator_status
from tasks_app.models import Assignment, IndicatorActual, Report, ReportingCycle, WorkItem
from tasks_app.selectors.exports import IndicatorRow, ItemRow
from tasks_app.services.cycles import cycle_open
from tasks_app.services.exports import ExportError, export_build
from tests.exporters.workbooks import assert_guarded_text, assert_print_layout, formula_cells, read_back, values

STATUSES = {"达标", "未达标", "待定", "无统计"}


def _export(plan, report, year=None):
    out = BytesIO()
    export_build(plan=plan, report=report, year=year, path_or_stream=out)
    return read_back(out.getvalue())


def _indicator(target_text, target_value, actuals, *, title="指标", cumulative=False, pending=False):
    item = ItemRow(1, "binding", "1", title, title, None, None, "", False, False)
    return IndicatorRow(item, "", "", "", None, target_text, target_value, 2025, cumulative, pending, actuals)


def test_it_judges_indicators_against_their_targets():
    assert indicator_status(_indicator("22.8", 22.8, {2023: ("23.1", 23.1)})) == "达标"
    assert indicator_status(_indicator("22.8", 22.8, {2022: ("25", 25.0), 2023: ("20", 20.0)})) == "未达标"
    assert indicator_status(_indicator("35", 35.0, {2024: ("33", 33.0)}, title="PM2.5年平均浓度")) == "达标"
    assert indicator_status(_indicator("<2.5", None, {2024: ("3", None)})) == "未达标"
    assert indicator_status(_indicator(">5", None, {2024: ("5", 5.0)})) == "未达标"
    assert indicator_status(_indicator("[20]", 20.0, {2021: ("8", 8.0), 2022: ("13", 13.0)}, cumulative=True)) == "达标"
    assert indicator_status(_indicator("达到市级要求", None, {2024: ("达到", None)})) == "待定"
    assert indicator_status(_indicator("*", None, {2024: ("1", 1.0)}, pending=True)) == "待定"
    assert indicator_status(_indicator("40", 40.0, {})) == "无统计"


def test_it_exports_zhanqians_indicators_with_their_category(zhanqian):
    item = WorkItem.objects.get(plan=zhanqian, title="一般公共预算收入")
    IndicatorActual.objects.create(item=item, year=2023, value_text="23.5", value=23.5)
    book = read_back_and_check(_export(zhanqian, "indicators"))
    sheet = book.worksheets[0]
    header = values(sheet)[1]
    assert header[:7] == ["序号", "领域", "指标", "属性", "单位", "基期值", "目标值"]
    assert header[7:12] == ["2021年", "2022年", "2023年", "2024年", "2025年"]
    assert header[12] == "完成情况"
    rows = values(sheet, min_row=3)
    marked = [row for row in rows if row[3] in ("约束性", "预期性")]
    assert len(marked) >= 16
    assert {row[3] for row in marked} == {"约束性", "预期性"}
    assert sum(1 for row in marked if row[3] == "约束性") == 6
    assert all(row[12] in STATUSES for row in rows)
    revenue = next(row for row in rows if row[2] == "一般公共预算收入")
    assert (revenue[5], revenue[6], revenue[9], revenue[12]) == (17.88, 22.8, 23.5, "达标")
    evaluations = values(book.worksheets[1], min_row=3)
    assert len(evaluations) == 18
    assert sorted({row[7] for row in evaluations}) == ["完成", "无统计", "未完成"]
    assert [row[7] for row in evaluations].count("完成") == 5


def read_back_and_check(book):
    assert formula_cells(book) == []
    for sheet in book.worksheets:
        assert_print_layout(sheet)
    return book


def _reporting_assignment(plan, role="lead") -> Assignment:
    return (
        Assignment.objects.filter(item__plan=plan, item__is_active=True, role=role)
        .select_related("item", "unit")
        .first()
    )


def test_it_exports_progress_with_the_review_decision(yingkou):
    cycle = cycle_open(plan=yingkou, year=2020)
    lead = _reporting_assignment(yingkou)
    Report.objects.create(
        item=lead.item,
        unit=lead.unit,
        cycle=cycle,
        status=Report.Status.RETURNED,
        progress_status=Report.Progress.BEHIND,
        progress="=2+2 已完成前期工作",
        problems="资金不足",
        next_steps="加快推进",
        review_reason="请补充数据",
    )
    book = read_back_and_check(_export(yingkou, "progress", 2020))
    sheet = book.worksheets[0]
    assert "2020年度" in values(sheet)[0][0]
    assert values(sheet)[1][:3] == ["序号", "指标/任务", "填报单位"]
    rows = [row for row in values(sheet, min_row=3) if row[1] is not None]
    reported = [row for row in rows if row[2] == lead.unit.name and row[1] == lead.item.text]
    assert len(reported) == 1
    assert reported[0][4:] == [
        "滞后",
        "=2+2 已完成前期工作",
        "资金不足",
        "加快推进",
        None,
        "已退回",
        "退回:请补充数据",
        "红灯 · 已过完成时限未完成",  # Yingkou's 13th plan ended in 2020; nothing reported it 已完成
    ]
    progress = next(c for row in sheet.iter_rows(min_row=3) for c in row if c.value == "=2+2 已完成前期工作")
    assert_guarded_text(progress, "=2+2 已完成前期工作")
    assert sum(1 for row in rows if row[9] == "未填报") == len(rows) - 1
    assert len(rows) >= 220


def test_it_exports_unit_workload_with_the_cycles_reports(yingkou):
    cycle = cycle_open(plan=yingkou, year=2020)
    lead = _reporting_assignment(yingkou)
    Report.objects.create(item=lead.item, unit=lead.unit, cycle=cycle, status=Report.Status.APPROVED)
    sheet = read_back_and_check(_export(yingkou, "units")).worksheets[0]
    header = values(sheet)[1]
    assert header[:8] == ["序号", "单位", "类型", "牵头", "配合", "责任", "涉及事项", "须报送事项"]
    assert header[8:] == ["已通过", "待审核", "已退回", "未提交", "通过率(%)"]
    rows = {row[1]: row for row in values(sheet, min_row=3)}
    unit = rows[lead.unit.name]
    assigned = Assignment.objects.filter(item__plan=yingkou, unit=lead.unit)
    assert unit[3] == assigned.filter(role="lead").count()
    assert unit[4] == assigned.filter(role="cooperating").count()
    assert unit[8] == 1 and unit[11] == unit[7] - 1
    assert len(rows) == Assignment.objects.filter(item__plan=yingkou).values("unit").distinct().count()


def test_it_exports_through_the_command(yingkou, tmp_path):
    path = tmp_path / "division.xlsx"
    call_command("export_xlsx", "--plan", str(yingkou.id), "--report", "division", "-o", str(path))
    assert formula_cells(read_back(path)) == []
    assert not list(tmp_path.glob("*.part"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--plan", "999999", "--report", "division"], "规划 999999 不存在"),
        (["--report", "progress", "--year", "1999"], "没有 1999 年度的报送周期"),
    ],
)
def test_it_refuses_bad_arguments_with_a_clear_error(yingkou, tmp_path, args, message):
    path = tmp_path / "out.xlsx"
    if "--plan" not in args:
        args = ["--plan", str(yingkou.id), *args]
    with pytest.raises(CommandError, match=message) as exc:
        call_command("export_xlsx", *args, "-o", str(path))
    assert exc.value.returncode == 2
    assert not path.exists() and not list(tmp_path.iterdir())


def test_it_refuses_an_unknown_report_and_a_plan_without_cycles(yingkou, tmp_path):
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("export_xlsx", "--plan", str(yingkou.id), "--report", "nope", "-o", str(tmp_path / "x.xlsx"))
    with pytest.raises(ExportError, match="未知的报表类型"):
        export_build(plan=yingkou, report="nope", path_or_stream=BytesIO())
    ReportingCycle.objects.filter(plan=yingkou).delete()
    with pytest.raises(ExportError, match="还没有报送周期"):
        export_build(plan=yingkou, report="progress", path_or_stream=BytesIO())
    units = read_back(_units_without_cycle(yingkou)).worksheets[0]
    assert values(units)[1][-1] == "须报送事项"


def _units_without_cycle(plan) -> bytes:
    out = BytesIO()
    export_build(plan=plan, report="units", path_or_stream=out)
    return out.getvalue()
