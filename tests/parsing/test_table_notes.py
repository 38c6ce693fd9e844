"""A division sheet as offices attach it: "附件:" before the title, a note row under the table."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook

from tasks_app.parsing.document import parse_bytes


def _sheet() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["附件:本溪市2024年民生实事项目任务分工表"])
    sheet.merge_cells("A1:E1")
    sheet.append(["序号", "工作任务", "责任单位", None, "时间节点"])
    sheet.append([None, None, "牵头单位", "协办单位", None])
    for cells in ("C2:D2", "A2:A3", "B2:B3", "E2:E3"):
        sheet.merge_cells(cells)
    sheet.append(["一、教育医疗"])
    sheet.merge_cells("A4:E4")
    sheet.append([1, "新建改扩建公办幼儿园6所,新增学位1800个。", "市教育局", "市财政局、市自然资源局", "2024年8月底前"])
    sheet.append([2, "新增公共停车泊位3000个。", "市公安局交警支队", None, "年内"])
    sheet.append([None, "备注:各责任单位每月25日前报送工作进展至市政府办公室。"])
    stream = BytesIO()
    book.save(stream)
    return stream.getvalue()


def test_it_drops_the_attachment_label_and_keeps_the_note_row_out_of_the_items() -> None:
    doc = parse_bytes(_sheet(), filename="分工表.xlsx")
    assert doc.title == "本溪市2024年民生实事项目任务分工表"
    assert doc.jurisdiction == "本溪市" and (doc.period_start, doc.period_end) == (2024, 2024)
    assert [item.number for item in doc.items] == ["1", "2"]
    assert doc.reporting is not None and doc.reporting.frequency == "monthly" and doc.reporting.day == 25
    assert [item.deadline.isoformat() for item in doc.items if item.deadline] == ["2024-08-31", "2024-12-31"]
