from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import Workbook

from tasks_app.models import Assignment, Plan
from tests.conftest import run_json

pytestmark = pytest.mark.django_db


def _division_workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "分工"
    ws.append(["营口市“十四五”规划纲要重点任务分工表"])
    ws.append(["序号", "重点任务", "牵头单位", "配合单位", "完成时限"])
    ws.append(["一、建设现代产业体系"])
    ws.append([1, "推进港口转型升级,建设智慧港口。", "市交通局", "营口港务集团、市发改委等", "2023年底前"])
    ws.append([2, "=1+1 开展营商环境评价", "市营商局", "", "2022年6月底前"])
    ws.append([3, "加强耕地保护。", "市农业农村局", "各县(市)区政府", ""])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def test_it_imports_an_xlsx_division_table(tmp_path):
    path = tmp_path / "division.xlsx"
    path.write_bytes(_division_workbook())
    result = run_json("import_document", str(path))
    plan = Plan.objects.get(id=result["plan_id"])
    assert plan.jurisdiction.name == "营口市" and (plan.period_start, plan.period_end) == (2021, 2025)
    assert len(result["tasks"]) == 3
    port = next(t for t in result["tasks"] if "智慧港口" in t["text"])
    assert port["lead"] == ["市交通局"]
    assert "市发展改革委" in port["cooperating"] and port["and_others"]
    assert port["deadline"] == "2023-12-31"
    formula = next(t for t in result["tasks"] if "营商环境评价" in t["text"])
    assert formula["text"].startswith("=1+1")
    assert formula["deadline"] == "2022-06-30"
    assert Assignment.objects.filter(item__plan=plan).count() >= 5
    first = plan.items.order_by("order").first()
    assert plan.source.lines(first.line_start, first.line_end)[0][1].startswith("1\t推进港口")
    again = run_json("import_document", str(path))
    assert again["plan_id"] == plan.id and Plan.objects.count() == 1
