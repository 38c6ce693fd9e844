"""Spreadsheet division tables: .xlsx (openpyxl) and legacy .xls (xlrd) into one Extracted grid.

The workbook is opened read-only and without evaluating anything: a cell holding "=1+1" is read
as the text "=1+1". Merged ranges are resolved to the value of their top-left cell, so a 牵头单位
cell merged over three tasks is every task's lead and a category row merged across the table reads
as one heading. Rows are numbered as in Excel (1-based) and row N is line N of the document text,
so an item's provenance (``source_lines = (row, row)``) points at its workbook row.
"""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from io import BytesIO
from typing import Any

from .division_table import DEADLINE_NOTE, clean_cell, find_header, render_row, split_deadline_note
from .metadata import Metadata
from .spreadsheet_guard import SheetLimits, sheet_rows, xls_book, xlsx_workbook
from .types import Extracted, ParseError, StructureResult, TableBlock

__all__ = ["DEADLINE_NOTE", "parse_xlsx", "read_xls", "read_xlsx", "split_deadline_note", "workbook_text"]

MAX_ROWS = 50_000
MAX_COLUMNS = 60  # a division table has a handful of columns; a sheet declaring 16,384 gets no more
MAX_CELL_CHARS = 20_000
MAX_MERGED_CELLS = 1_000_000  # cells filled from merged ranges in one sheet: a merge list must not be a time bomb
# What a division table may be before anything is built from it (the upload size is checked by the caller).
INTAKE_LIMITS = SheetLimits(
    max_bytes=64 * 1024 * 1024,
    max_uncompressed_bytes=48 * 1024 * 1024,
    max_row_cells=1_024,
    max_sheet_cells=600_000,
    max_rows=MAX_ROWS,
)
_MERGE_RE = re.compile(rb'<mergeCell\s+ref="([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})"')


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)[:MAX_CELL_CHARS].replace("\r\n", "\n").strip()


def _column_index(letters: bytes) -> int:
    index = 0
    for char in letters:
        index = index * 26 + (char - 64)
    return index - 1


def _fill_merges(rows: list[list[str]], merges: list[tuple[int, int, int, int]]) -> None:
    """Give every cell of a merged range (0-based inclusive rows/cols) the value of its top-left cell."""
    filled = 0
    for top, left, bottom, right in merges:
        if top >= len(rows) or left >= MAX_COLUMNS:
            continue
        right = min(right, MAX_COLUMNS - 1)
        bottom = min(bottom, len(rows) - 1)
        filled += max(bottom - top + 1, 0) * max(right - left + 1, 0)
        if filled > MAX_MERGED_CELLS:
            raise ParseError(f"合并单元格过多(超过 {MAX_MERGED_CELLS} 个单元格),拒绝读取 (too many merged cells)")
        value = rows[top][left] if left < len(rows[top]) else ""
        if not value:
            continue
        for r in range(top, bottom + 1):
            row = rows[r]
            if len(row) <= right:
                row.extend([""] * (right + 1 - len(row)))
            for c in range(left, right + 1):
                row[c] = value


def _sheet_merges(archive: zipfile.ZipFile, path: str) -> list[tuple[int, int, int, int]]:
    try:
        xml = archive.read(path.lstrip("/"))
    except KeyError:
        return []
    merges = []
    for a, r1, b, r2 in _MERGE_RE.findall(xml):
        merges.append((int(r1) - 1, _column_index(a), int(r2) - 1, _column_index(b)))
    return merges


def _read_sheet_rows(values_iter: Any) -> list[list[str]]:
    rows: list[list[str]] = []
    for values in values_iter:
        if len(rows) >= MAX_ROWS:
            raise ParseError(f"工作表行数超过上限 {MAX_ROWS} (too many rows)")
        rows.append([_cell_text(value) for value in list(values)[:MAX_COLUMNS]])
    return rows


def _extracted(fmt: str, sheets: list[tuple[str, list[list[str]]]]) -> Extracted:
    """The first sheet with a division header becomes the document; later ones are named in a warning."""
    found: tuple[str, list[list[str]]] | None = None
    skipped: list[str] = []
    for name, rows in sheets:
        if find_header([[clean_cell(cell) for cell in row] for row in rows[:12]]) is None:
            continue
        if found is None:
            found = (name, rows)
        else:
            skipped.append(name)
    if found is None:
        raise ParseError(
            "表格前10行中没有表头(序号/重点任务/牵头单位/配合单位) / no division-table header in the first 10 rows"
        )
    name, rows = found
    lines = [render_row(row) for row in rows]
    return Extracted(
        format=fmt,
        lines=lines,
        tables=[TableBlock(rows=rows, first_line=1, name=name)],
        warnings=[f"工作表“{other}”也有分工表头,未导入" for other in skipped],
    )


def read_xlsx(data: bytes) -> Extracted:
    # Through the one guard (zip bomb, DTD, malformed XML, wide rows, cell caps) before openpyxl parses.
    workbook = xlsx_workbook(data, limits=INTAKE_LIMITS)
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            sheets = []
            for sheet in workbook.worksheets:
                rows = _read_sheet_rows(sheet_rows(sheet, limits=INTAKE_LIMITS))
                _fill_merges(rows, _sheet_merges(archive, getattr(sheet, "_worksheet_path", "")))
                sheets.append((sheet.title, rows))
    finally:
        workbook.close()
    return _extracted("xlsx", sheets)


def read_xls(data: bytes) -> Extracted:
    import xlrd

    book = xls_book(data, limits=INTAKE_LIMITS)
    try:
        sheets = []
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            rows = []
            for r in range(sheet.nrows):
                row = []
                for c in range(min(sheet.ncols, MAX_COLUMNS)):
                    cell = sheet.cell(r, c)
                    if cell.ctype == xlrd.XL_CELL_DATE:
                        row.append(_cell_text(datetime(*xlrd.xldate_as_tuple(cell.value, book.datemode))))
                    else:
                        row.append(_cell_text(cell.value if cell.value != "" else None))
                rows.append(row)
            # xlrd gives merges as half-open ranges (rlo, rhi, clo, chi).
            _fill_merges(rows, [(rlo, clo, rhi - 1, chi - 1) for rlo, rhi, clo, chi in sheet.merged_cells])
            sheets.append((sheet.name, rows))
    finally:
        book.release_resources()
    return _extracted("xls", sheets)


def parse_xlsx(data: bytes) -> tuple[Metadata, StructureResult]:
    """Metadata and structure of an .xlsx division table (the shared table path of document.py)."""
    from .document import table_structure

    return table_structure(read_xlsx(data))


def workbook_text(data: bytes) -> str:
    """The division sheet as text, row N on line N, so source line ranges point at workbook rows."""
    return "\n".join(read_xlsx(data).lines)
