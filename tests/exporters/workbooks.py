"""Reading exported workbooks back in tests."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.workbook import Workbook


def read_back(source: bytes | Path) -> Workbook:
    data = source.read_bytes() if isinstance(source, Path) else source
    return load_workbook(BytesIO(data))


def formula_cells(workbook: Workbook) -> list[str]:
    return [
        f"{sheet.title}!{cell.coordinate}"
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


def values(sheet: Any, min_row: int = 1) -> list[list[Any]]:
    return [list(row) for row in sheet.iter_rows(min_row=min_row, values_only=True)]


def assert_print_layout(sheet: Any) -> None:
    assert sheet.freeze_panes == "A3"
    assert sheet.print_title_rows == "$1:$2"
    assert sheet.page_setup.orientation == "landscape"
    assert str(sheet.page_setup.paperSize) == "9"  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.column_dimensions["B"].width > 8


def assert_guarded_text(cell: Any, text: str) -> None:
    """``text`` exactly as written, stored as a string with Excel's quote-prefix style: shown, never evaluated."""
    assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True), (cell.coordinate, cell.value)
    assert cell.alignment.wrap_text and cell.border.left.style == "thin"  # still formatted like its neighbours
