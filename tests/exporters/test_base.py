from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from types import SimpleNamespace

import pytest

from tasks_app.exporters import Column, Exporter, Heading, safe_cell, write_workbook
from tasks_app.exporters.base import Row, is_formula_like
from tests.exporters.workbooks import assert_guarded_text, assert_print_layout, formula_cells, read_back, values

FORMULA_LIKE = ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")', "#N/A", "#DIV/0!"]


@pytest.mark.parametrize("text", FORMULA_LIKE)
def test_it_keeps_formula_like_text_as_written_and_flags_it(text):
    assert safe_cell(text) == text
    assert is_formula_like(text)


@pytest.mark.parametrize("text", ["市发改委", "1=1", "减少-3", "'引号", "#1", ""])
def test_it_leaves_ordinary_text_unflagged(text):
    assert not is_formula_like(text)


@pytest.mark.parametrize(
    "value", [None, 0, -3, 2.5, Decimal("1.5"), True, date(2020, 12, 31), datetime(2021, 2, 15, 9), "市发改委", "1=1"]
)
def test_it_keeps_numbers_dates_and_plain_text(value):
    assert safe_cell(value) == value


def test_it_drops_control_characters_excel_refuses():
    assert safe_cell("任务\x00一\x1f") == "任务一"


class _Sample(Exporter):
    identifier = "sample"
    verbose_name = "样表"

    def get_columns(self) -> Sequence[Column]:
        return (Column("序号", 6), Column("内容", 40), Column("数量", 8))

    def iterate_list(self) -> Iterator[Row]:
        yield self.header()
        yield Heading("一、第一部分")
        yield [1, "=1+1 的任务", 3]
        yield [2, "-减少", None]
        yield ["=SUM(A1:A2)", "@cmd", 4.5]
        yield Heading("-附:说明")
        yield [3, "#N/A", "普通文本"]


def test_it_writes_a_formula_free_workbook_with_header_headings_and_typed_numbers():
    out = BytesIO()
    result = write_workbook(_Sample(plan=SimpleNamespace(title="示例规划")), out)
    assert result.rows == 4 and result.sheets[0].headings == 2
    book = read_back(out.getvalue())
    sheet = book.worksheets[0]
    assert formula_cells(book) == []
    rows = values(sheet)
    assert rows[0][0] == "示例规划 样表"
    assert rows[1] == ["序号", "内容", "数量"]
    assert rows[2][0] == "一、第一部分"
    assert rows[3] == [1, "=1+1 的任务", 3]
    assert rows[4] == [2, "-减少", None]
    assert rows[5] == ["=SUM(A1:A2)", "@cmd", 4.5]
    assert rows[6][0] == "-附:说明" and rows[7] == [3, "#N/A", "普通文本"]
    for coordinate in ("B4", "B5", "A6", "B6", "B8"):
        assert_guarded_text(sheet[coordinate], sheet[coordinate].value)
    assert sheet["A7"].quotePrefix and sheet["A7"].data_type == "s" and sheet["A7"].font.b  # the heading row
    assert sheet["A3"].quotePrefix is False and sheet["A3"].font.b  # a heading written before keeps its style
    assert not sheet["C8"].quotePrefix and not sheet["A4"].quotePrefix  # plain values keep the default format
    assert sheet["C4"].data_type == "n"
    assert "A3:C3" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["B4"].alignment.wrap_text and sheet["B4"].border.left.style == "thin"
    assert sheet["A2"].font.b
    assert_print_layout(sheet)
