from datetime import datetime
from io import BytesIO

import pytest
from openpyxl import Workbook

from tasks_app.parsing.deadlines import compute_deadline, extract_milestones
from tasks_app.parsing.types import BINDING, COOPERATING, EXPECTED, LEAD, RESPONSIBLE, TASK, ParseError
from tasks_app.parsing.xlsx_table import parse_xlsx, split_deadline_note

HEADER = ["序号", "重点任务", "牵头单位", "配合单位", "完成时限"]


def workbook_bytes(rows: list[list[object]], title: str = "Sheet1", extra_sheets: int = 0) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for n in range(extra_sheets):
        book.create_sheet(f"说明{n}").append(["这里只有说明"])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def division_table() -> bytes:
    return workbook_bytes(
        [
            ["附件1"],
            ["营口市“十四五”规划纲要重点任务分工表"],
            HEADER,
            ["一、约束性指标"],
            [1, "单位地区生产总值能源消耗降低*", "市发改委", "市工信局、市住建局等", None],
            ["二、重点任务"],
            ["(一)推进创新驱动"],
            [1, "建设科技创新平台。引进研发机构", "市科技局", "市财政局", "2022年6月底前"],
            [None, None, "市发改委", None, None],
            [2, "推进数字政府建设", None, "市营商局", datetime(2023, 12, 31)],
            [None, None, None, None, None],
            [3, "=1+1", "市统计局", None, None],
        ]
    )


def test_it_reads_title_jurisdiction_and_period():
    meta, _ = parse_xlsx(division_table())
    assert meta.title == "营口市“十四五”规划纲要重点任务分工表"
    assert (meta.jurisdiction, meta.kind) == ("营口市", "notice")
    assert (meta.period_start, meta.period_end) == (2021, 2025)


def test_it_reads_sections_with_parents():
    _, result = parse_xlsx(division_table())
    assert [(s.key, s.level, s.number, s.title, s.parent) for s in result.sections] == [
        ("一", 1, "一", "约束性指标", None),
        ("二", 1, "二", "重点任务", None),
        ("二/(一)", 2, "(一)", "推进创新驱动", "二"),
    ]
    assert result.sections[0].source_lines == (4, 4)


def test_it_reads_items_with_units_rows_and_categories():
    _, result = parse_xlsx(division_table())
    indicator, task, second, formula = result.items
    assert indicator.kind == BINDING
    assert indicator.indicator is not None and indicator.indicator.pending
    assert indicator.unit_text == {LEAD: ["市发改委"], COOPERATING: ["市工信局、市住建局等"]}
    assert indicator.section == "一"
    assert indicator.source_lines == (5, 5)
    assert task.kind == TASK
    assert (task.number, task.section, task.title) == ("1", "二/(一)", "建设科技创新平台")
    # the next row only adds a lead unit: it continues the merged task cell above
    assert task.unit_text == {LEAD: ["市科技局", "市发改委"], COOPERATING: ["市财政局"]}
    assert task.source_lines == (8, 9)
    assert second.unit_text == {COOPERATING: ["市营商局"]}
    assert formula.source_lines == (12, 12)


def test_it_appends_the_deadline_column_so_the_deadline_rules_apply():
    _, result = parse_xlsx(division_table())
    task, second = result.items[1], result.items[2]
    assert task.text == "建设科技创新平台。引进研发机构(完成时限:2022年6月底前)"
    assert split_deadline_note(task.text) == ("建设科技创新平台。引进研发机构", "2022年6月底前")
    milestones = extract_milestones(task.text, plan_year=2021, period_end=2025)
    assert compute_deadline(milestones, period_end=2025)[:2] == (
        datetime(2022, 6, 30).date(),
        "2022年6月底前",
    )
    assert split_deadline_note(second.text)[1] == "2023年12月31日"
    assert split_deadline_note("没有时限") == ("没有时限", None)


def test_it_reads_a_formula_looking_cell_as_text():
    _, result = parse_xlsx(division_table())
    assert result.items[-1].text == "=1+1"


def test_it_accepts_other_header_names_and_responsible_units():
    data = workbook_bytes(
        [
            ["序 号", "指标或任务", "责任单位"],
            ["1", "地区生产总值年均增长7%(预期性指标)", "市发展改革委"],
            ["2", "实施乡村振兴战略", "市农委"],
        ],
        title="“十三五”分工",
        extra_sheets=1,
    )
    meta, result = parse_xlsx(data)
    assert meta.title == "“十三五”分工"
    assert (meta.period_start, meta.period_end) == (2016, 2020)
    assert [item.kind for item in result.items] == [EXPECTED, TASK]
    assert result.items[0].unit_text == {RESPONSIBLE: ["市发展改革委"]}


def test_it_refuses_a_workbook_without_a_division_header():
    data = workbook_bytes([["名称", "数量"], ["苹果", 3]])
    with pytest.raises(ParseError, match="header"):
        parse_xlsx(data)


def test_it_refuses_bytes_that_are_no_workbook():
    with pytest.raises(ParseError, match="xlsx"):
        parse_xlsx(b"PK\x03\x04 not really a zip")
    with pytest.raises(ParseError, match="xlsx"):
        parse_xlsx("序号,重点任务".encode())


def test_it_refuses_a_table_without_plan_period():
    data = workbook_bytes([["重点任务分工表"], HEADER, [1, "推进改革", "市发改委", None, None]])
    with pytest.raises(ParseError, match="period"):
        parse_xlsx(data)


def test_it_takes_a_single_year_title_as_the_period():
    data = workbook_bytes([["2022年重点任务分工表"], HEADER, [1, "推进改革", "市发改委", None, None]])
    meta, result = parse_xlsx(data)
    assert (meta.period_start, meta.period_end) == (2022, 2022)
    assert result.items[0].unit_text == {LEAD: ["市发改委"]}


def test_it_undoes_the_apostrophe_exports_put_before_formula_like_text():
    data = workbook_bytes(
        [
            ["营口市“十四五”规划纲要重点任务分工表"],
            HEADER,
            [1, "'=1+1 开展评价", "市统计局", None, None],
            [2, "'普通的引号", "'-市发改委", None, None],
        ]
    )
    _, result = parse_xlsx(data)
    assert [item.text for item in result.items] == ["=1+1 开展评价", "'普通的引号"]
    assert result.items[1].unit_text == {LEAD: ["-市发改委"]}


def test_it_takes_the_category_from_an_annotation_not_from_a_sentence():
    data = workbook_bytes(
        [
            ["营口市“十四五”规划纲要重点任务分工表"],
            ["序号", "指标/任务", "牵头单位", "配合单位", "责任单位", "完成时限"],
            ["二、重点任务"],
            [1, "完善考核,增加约束性指标的权重", "市发改委", None, None, "2025年底前"],
            [2, "约束性:耕地保有量", None, None, "市自然资源局", None],
        ]
    )
    _, result = parse_xlsx(data)
    assert [item.kind for item in result.items] == [TASK, BINDING]
    assert result.items[1].unit_text == {RESPONSIBLE: ["市自然资源局"]}
