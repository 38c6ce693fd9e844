from __future__ import annotations

from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks_app.exporters.division import deadline_phrase, section_label, unit_list
from tasks_app.models import Assignment, WorkItem
from tasks_app.parsing.deadlines import half_width
from tasks_app.parsing.xlsx_table import split_deadline_note
from tasks_app.selectors.exports import SectionRow
from tasks_app.services.exports import export_build
from tests.conftest import run_json
from tests.exporters.workbooks import assert_guarded_text, assert_print_layout, formula_cells, read_back, values

HEADER = ["序号", "指标/任务", "牵头单位", "配合单位", "责任单位", "完成时限"]


def _export(plan, report="division", year=None) -> bytes:
    out = BytesIO()
    export_build(plan=plan, report=report, year=year, path_or_stream=out)
    return out.getvalue()


def _item_rows(sheet) -> list[list]:
    return [row for row in values(sheet, min_row=3) if row[1] is not None]


def test_it_labels_sections_units_and_deadlines_as_a_document_does():
    assert section_label(SectionRow(1, None, "二", "落实重点任务分工安排")) == "二、落实重点任务分工安排"
    assert section_label(SectionRow(2, 1, "(一)", "实施创新驱动")) == "(一)实施创新驱动"
    assert section_label(SectionRow(3, 2, "1", "构建创新体系")) == "1.构建创新体系"
    assert section_label(SectionRow(4, 3, "专栏1", "“互联网+”行动计划")) == "专栏1 “互联网+”行动计划"
    assert unit_list([("市财政局", False), ("市农委", True)]) == "市财政局、市农委等"
    assert [deadline_phrase(d) for d in (None,)] == [""]
    from datetime import date

    assert deadline_phrase(date(2020, 12, 31)) == "2020年底前"
    assert deadline_phrase(date(2022, 6, 30)) == "2022年6月底前"
    assert deadline_phrase(date(2022, 6, 15)) == "2022年6月15日前"


def test_it_exports_yingkous_division_in_the_official_layout(yingkou):
    book = read_back(_export(yingkou))
    sheet = book.worksheets[0]
    rows = values(sheet)
    assert rows[0][0] == yingkou.title
    assert rows[1] == HEADER
    items = _item_rows(sheet)
    assert len(items) == WorkItem.objects.filter(plan=yingkou, is_active=True).count() >= 220
    headings = [row[0] for row in values(sheet, min_row=3) if row[1] is None]
    assert headings[:2] == ["二、落实主要指标分工安排", "(一)约束性指标"]
    assert "三、落实重点任务分工安排" in headings
    assert formula_cells(book) == []
    assert all(row[5] for row in items)  # every item has a deadline
    pollution = next(row for row in items if row[1].startswith("单位地区生产总值能源消耗降低"))
    assert pollution[2] == "市发展改革委"
    assert pollution[3] == "市工信委、市住房城乡建设委、市交通局、市商务局、市农委等"
    assert sum(1 for row in items if row[4]) > 0 and sum(1 for row in items if row[3]) > 0
    assert sheet["B5"].alignment.wrap_text
    assert_print_layout(sheet)


def test_it_exports_a_formula_like_task_as_text(yingkou):
    item = WorkItem.objects.filter(plan=yingkou, kind=WorkItem.Kind.TASK).order_by("order").first()
    item.text = "=1+1 测试任务文本"
    item.save(update_fields=["text"])
    book = read_back(_export(yingkou))
    cell = next(c for row in book.worksheets[0].iter_rows() for c in row if c.value == "=1+1 测试任务文本")
    assert_guarded_text(cell, "=1+1 测试任务文本")
    assert formula_cells(book) == []


def test_it_reads_with_a_constant_number_of_queries(yingkou):
    with CaptureQueriesContext(connection) as queries:
        _export(yingkou)
    assert len(queries) <= 4  # sections, items, one assignments query per 2,000 items


def _original(plan) -> list[dict]:
    items = []
    for item in (
        WorkItem.objects.filter(plan=plan, is_active=True).order_by("order").prefetch_related("assignments__unit")
    ):
        roles = {role: [] for role in Assignment.Role.values}
        for assignment in sorted(item.assignments.all(), key=lambda a: (a.role, a.order, a.id)):
            roles[assignment.role].append(assignment.unit.name)
        items.append(
            {
                "number": item.number,
                "text": half_width(item.text).strip(),
                "category": item.kind if item.kind in ("binding", "expected") else None,
                "deadline": item.deadline.isoformat(),
                "and_others": item.and_others,
                **roles,
            }
        )
    return items


@pytest.mark.slow
def test_it_round_trips_the_division_through_the_xlsx_importer(yingkou, tmp_path):
    task = WorkItem.objects.filter(plan=yingkou, kind=WorkItem.Kind.TASK).order_by("order").last()
    task.text = "=1+1 " + task.text
    task.save(update_fields=["text"])
    path = tmp_path / "division.xlsx"
    path.write_bytes(_export(yingkou))
    preview = run_json("import_document", str(path), "--dry-run")
    assert (preview["title"], preview["jurisdiction"]) == (yingkou.title, "营口市")
    assert preview["period"] == {"start": 2016, "end": 2020}
    back = [
        {
            "number": item["number"],
            "text": split_deadline_note(item["text"])[0],
            "category": item["category"],
            "deadline": item["deadline"],
            "and_others": item["and_others"],
            "lead": item["lead"],
            "cooperating": item["cooperating"],
            "responsible": item["responsible"],
        }
        for item in preview["indicators"] + preview["tasks"]
    ]
    original = _original(yingkou)
    assert len(back) == len(original) >= 220
    for before, after in zip(original, back, strict=True):
        assert after == before
    assert back[-1]["text"].startswith("=1+1 ")
    assert [unit for unit in preview["units"] if not unit["known"]] == []
