"""Read an uploaded .xlsx or .xls without letting it choose how much memory or time it takes.

The one guarded helper for every spreadsheet reader: the contacts import and the division-table import
(pure: openpyxl, xlrd and lxml, no Django). Before openpyxl sees an .xlsx, every member of the zip is
decompressed as a stream and counted (declared sizes can lie, ``zip_guard``), every XML member is parsed
with lxml's iterparse without DTD loading, entity expansion or network, and the file is refused on a
DOCTYPE (no Office part has one), on malformed XML, on more members or uncompressed bytes than allowed,
and on a row wider, or a part with more cells or shared strings in all, than allowed. Only then does
openpyxl read it (read-only, dimensions reset so a forged ``A1:XFD1048576`` does not pad rows). An .xls is
refused when its sheets declare more cells than allowed. Every refusal is one ``SpreadsheetError`` (a
``ParseError``) with one Chinese line.

    rows = xlsx_rows(data, limits=SheetLimits(max_rows=5000))   # list[list[object]] of the first sheet
    xlsx_check(data, limits=...)                               # the guard alone, before any other reader
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from lxml import etree

from .types import ParseError
from .zip_guard import Budget, BudgetedStream, ZipLimits, zip_open

NOT_XLSX = "无法读取该 .xlsx 文件:不是 .xlsx 或已损坏,请用 Excel 另存为 .xlsx 后上传"


class SpreadsheetError(ParseError):
    """The upload is not a spreadsheet this system will read; the message is one line for the user."""


@dataclass(frozen=True)
class SheetLimits:
    max_bytes: int = 5 * 1024 * 1024  # the upload itself
    max_uncompressed_bytes: int = 64 * 1024 * 1024  # all members together, as actually decompressed
    max_members: int = 2_000  # files inside the zip
    max_row_cells: int = 256  # cells in one row of any worksheet
    max_sheet_cells: int = 500_000  # cells in one worksheet (and strings in the shared-string table)
    max_rows: int = 20_000  # rows returned from the sheet read


def _looks_like_xml(head: bytes) -> bool:
    # Images and binary parts are counted against the budget but not parsed; openpyxl parses by
    # relationship, not by file name, so any member that could be XML is checked as XML.
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


class _Peeked:
    """A budgeted stream whose first bytes were already read (to decide whether it is XML)."""

    def __init__(self, head: bytes, rest: BudgetedStream) -> None:
        self.head = head
        self.rest = rest

    def read(self, size: int = -1) -> bytes:
        if self.head:
            head, self.head = self.head, b""
            return head
        return self.rest.read(size)


def _scan_xml(stream: _Peeked, limits: SheetLimits) -> None:
    # "end" events only: an element is complete when it is counted and cleared (clearing on "start" would
    # pull the tree from under the parser), and finished rows and strings are dropped as we go, so memory
    # stays within the caps whatever the file declares.
    events = etree.iterparse(
        stream,
        events=("end",),
        tag=("{*}row", "{*}c", "{*}si"),
        load_dtd=False,
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
    )
    row_cells = part_cells = 0
    checked_doctype = False
    for _, element in events:
        if not checked_doctype:
            checked_doctype = True
            if element.getroottree().docinfo.doctype:
                raise SpreadsheetError("文件中含有不允许的 DTD 声明,拒绝读取")
        name = etree.QName(element).localname
        if name == "c":
            row_cells += 1
            part_cells += 1
            if row_cells > limits.max_row_cells:
                raise SpreadsheetError(f"表格某一行的单元格超过 {limits.max_row_cells} 个,拒绝读取")
        elif name == "si":
            part_cells += 1
        else:  # a row ended
            row_cells = 0
        if part_cells > limits.max_sheet_cells:
            raise SpreadsheetError(f"工作表的单元格超过 {limits.max_sheet_cells} 个,拒绝读取")
        element.clear()
        if name != "c":
            parent = element.getparent()
            while parent is not None and element.getprevious() is not None:
                del parent[0]
    if not checked_doctype and events.root is not None and events.root.getroottree().docinfo.doctype:
        raise SpreadsheetError("文件中含有不允许的 DTD 声明,拒绝读取")


def xlsx_check(data: bytes, *, limits: SheetLimits | None = None) -> None:
    """Refuse, with one line, a file that is not a safe .xlsx within the limits; returns when it is."""
    limits = limits or SheetLimits()
    if len(data) > limits.max_bytes:
        raise SpreadsheetError(f"文件太大:上限 {limits.max_bytes // 1024 // 1024} MB")
    zip_limits = ZipLimits(max_members=limits.max_members, max_uncompressed_bytes=limits.max_uncompressed_bytes)
    with zip_open(data, limits=zip_limits, error=SpreadsheetError, not_zip=NOT_XLSX) as archive:
        budget = Budget(limits.max_uncompressed_bytes, error=SpreadsheetError)
        for info in archive.infolist():
            if info.is_dir():
                continue
            try:
                with archive.open(info) as raw:
                    stream = budget.wrap(raw)
                    head = stream.read(4096)
                    if _looks_like_xml(head) and b"<!doctype" in head.lower():  # no Office part has one
                        raise SpreadsheetError("文件中含有不允许的 DTD 声明,拒绝读取")
                    if _looks_like_xml(head):
                        _scan_xml(_Peeked(head, stream), limits)
                    else:
                        stream.drain()
            except SpreadsheetError:
                raise
            except (etree.XMLSyntaxError, zipfile.BadZipFile, EOFError, OSError, ValueError, RuntimeError) as exc:
                raise SpreadsheetError(f"文件内容已损坏或格式不正确({info.filename[:80]}),无法读取") from exc


def xlsx_workbook(data: bytes, *, limits: SheetLimits | None = None, data_only: bool = False) -> Any:
    """An openpyxl read-only workbook, after `xlsx_check`; the caller closes it. Formulas are never
    evaluated (with ``data_only`` the cached results are read)."""
    from openpyxl import load_workbook

    xlsx_check(data, limits=limits)
    try:
        return load_workbook(BytesIO(data), read_only=True, data_only=data_only)
    except Exception as exc:  # hostile input: whatever openpyxl trips on is the same answer to the user
        raise SpreadsheetError("无法读取该 .xlsx 文件,请确认文件未损坏") from exc


def sheet_rows(sheet: Any, *, limits: SheetLimits) -> list[list[Any]]:
    """The values of one worksheet of `xlsx_workbook`, row by row; rows end at their last written cell."""
    if hasattr(sheet, "reset_dimensions"):
        sheet.reset_dimensions()  # a forged <dimension> must not pad every row to its width
    rows: list[list[Any]] = []
    try:
        for row in sheet.iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > limits.max_rows:
                raise SpreadsheetError(f"行数太多:上限 {limits.max_rows} 行")
    except SpreadsheetError:
        raise
    except Exception as exc:  # same reason as in xlsx_workbook
        raise SpreadsheetError("文件内容已损坏或格式不正确,无法读取") from exc
    return rows


def xlsx_rows(data: bytes, *, limits: SheetLimits | None = None, data_only: bool = False) -> list[list[Any]]:
    """The values of the first worksheet, row by row, after `xlsx_check`."""
    limits = limits or SheetLimits()
    workbook = xlsx_workbook(data, limits=limits, data_only=data_only)
    try:
        if not workbook.worksheets:
            raise SpreadsheetError("该 .xlsx 文件没有工作表")
        return sheet_rows(workbook.worksheets[0], limits=limits)
    finally:
        workbook.close()


def xls_book(data: bytes, *, limits: SheetLimits | None = None) -> Any:
    """An xlrd workbook of a legacy .xls whose sheets declare no more cells than allowed; the caller
    releases it. xlrd reads the whole (size-capped) file; the cell caps bound what is built from it."""
    import xlrd

    limits = limits or SheetLimits()
    if len(data) > limits.max_bytes:
        raise SpreadsheetError(f"文件太大:上限 {limits.max_bytes // 1024 // 1024} MB")
    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except Exception as exc:  # xlrd raises many kinds (XLRDError, CompDocError, struct.error …)
        raise SpreadsheetError("不是可读取的 .xls 工作簿,请确认文件未损坏") from exc
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            if sheet.ncols > limits.max_row_cells:
                raise SpreadsheetError(f"表格某一行的单元格超过 {limits.max_row_cells} 个,拒绝读取")
            if sheet.nrows * sheet.ncols > limits.max_sheet_cells:
                raise SpreadsheetError(f"工作表的单元格超过 {limits.max_sheet_cells} 个,拒绝读取")
            if sheet.nrows > limits.max_rows:
                raise SpreadsheetError(f"行数太多:上限 {limits.max_rows} 行")
    except SpreadsheetError:
        book.release_resources()
        raise
    except Exception as exc:
        book.release_resources()
        raise SpreadsheetError("不是可读取的 .xls 工作簿,请确认文件未损坏") from exc
    return book
