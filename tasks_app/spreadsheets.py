"""Read an uploaded .xlsx without letting it choose how much memory or time it takes.

One guarded helper for every .xlsx reader (pure: openpyxl and lxml, no Django). Before openpyxl sees the
file, every part of the zip is decompressed as a stream and counted (declared sizes can lie), parsed with
lxml's iterparse without DTD loading, entity expansion or network, and rejected on a DOCTYPE (no Office part
has one), on malformed XML, on more uncompressed bytes than allowed, and on a worksheet with a row wider, or
more cells in all, than allowed. Only then does openpyxl read it (read-only, dimensions reset so a forged
`A1:XFD1048576` does not pad rows). Every refusal is one `SpreadsheetError` with one Chinese line.

    rows = xlsx_rows(data, limits=SheetLimits(max_rows=5000))   # list[list[object]] of the first sheet
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from io import BytesIO
from typing import IO, Any

from lxml import etree

CHUNK = 256 * 1024


class SpreadsheetError(ValueError):
    """The upload is not an .xlsx this system will read; the message is one line for the user."""


@dataclass(frozen=True)
class SheetLimits:
    max_bytes: int = 5 * 1024 * 1024  # the upload itself
    max_uncompressed_bytes: int = 64 * 1024 * 1024  # all parts together, as actually decompressed
    max_row_cells: int = 256  # cells in one row of any worksheet
    max_sheet_cells: int = 500_000  # cells in one worksheet
    max_rows: int = 20_000  # rows returned from the sheet read


class _Budget:
    """A file-like view of a zip member that refuses to yield more than the budget allows."""

    def __init__(self, stream: IO[bytes], remaining: list[int]) -> None:
        self.stream = stream
        self.remaining = remaining

    def read(self, size: int = CHUNK) -> bytes:
        chunk = self.stream.read(min(size if size > 0 else CHUNK, CHUNK))
        self.remaining[0] -= len(chunk)
        if self.remaining[0] < 0:
            raise SpreadsheetError("文件解压后过大,拒绝读取(可能是压缩炸弹)")
        return chunk


def _is_worksheet(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


def _scan_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: SheetLimits, remaining: list[int]) -> None:
    worksheet = _is_worksheet(info.filename)
    with archive.open(info) as raw:
        events = etree.iterparse(
            _Budget(raw, remaining),
            events=("start",),
            tag=("{*}row", "{*}c") if worksheet else None,
            load_dtd=False,
            resolve_entities=False,
            no_network=True,
            huge_tree=False,
            remove_comments=True,
        )
        row_cells = sheet_cells = 0
        checked_doctype = False
        for _, element in events:
            if not checked_doctype:
                checked_doctype = True
                if element.getroottree().docinfo.doctype:
                    raise SpreadsheetError("文件中含有不允许的 DTD 声明,拒绝读取")
            if not worksheet:
                continue
            if etree.QName(element).localname == "row":
                row_cells = 0
                continue
            row_cells += 1
            sheet_cells += 1
            if row_cells > limits.max_row_cells:
                raise SpreadsheetError(f"表格某一行的单元格超过 {limits.max_row_cells} 个,拒绝读取")
            if sheet_cells > limits.max_sheet_cells:
                raise SpreadsheetError(f"工作表的单元格超过 {limits.max_sheet_cells} 个,拒绝读取")
            element.clear()
        if not checked_doctype and events.root is not None and events.root.getroottree().docinfo.doctype:
            raise SpreadsheetError("文件中含有不允许的 DTD 声明,拒绝读取")


def xlsx_check(data: bytes, *, limits: SheetLimits | None = None) -> None:
    """Refuse, with one line, a file that is not a safe .xlsx within the limits; returns when it is."""
    limits = limits or SheetLimits()
    if len(data) > limits.max_bytes:
        raise SpreadsheetError(f"文件太大:上限 {limits.max_bytes // 1024 // 1024} MB")
    if not data.startswith(b"PK"):
        raise SpreadsheetError("不是 .xlsx 文件,请用 Excel 另存为 .xlsx 后上传")
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise SpreadsheetError("无法读取该 .xlsx 文件,请确认文件未损坏") from exc
    with archive:
        infos = archive.infolist()
        if sum(info.file_size for info in infos) > limits.max_uncompressed_bytes:
            raise SpreadsheetError("文件解压后过大,拒绝读取(可能是压缩炸弹)")
        remaining = [limits.max_uncompressed_bytes]
        for info in infos:
            if info.is_dir() or not info.filename.endswith((".xml", ".rels")):
                continue
            try:
                _scan_part(archive, info, limits, remaining)
            except SpreadsheetError:
                raise
            except (etree.XMLSyntaxError, zipfile.BadZipFile, EOFError, OSError, ValueError, RuntimeError) as exc:
                raise SpreadsheetError(f"文件内容已损坏或格式不正确({info.filename}),无法读取") from exc


def xlsx_rows(data: bytes, *, limits: SheetLimits | None = None, data_only: bool = False) -> list[list[Any]]:
    """The values of the first worksheet, row by row, after `xlsx_check`; formulas are never evaluated
    (with ``data_only`` the cached results are read). Rows end at their last written cell (not padded)."""
    from openpyxl import load_workbook

    limits = limits or SheetLimits()
    xlsx_check(data, limits=limits)
    try:
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=data_only)
    except Exception as exc:  # hostile input: whatever openpyxl trips on is the same answer to the user
        raise SpreadsheetError("无法读取该 .xlsx 文件,请确认文件未损坏") from exc
    try:
        if not workbook.worksheets:
            raise SpreadsheetError("该 .xlsx 文件没有工作表")
        sheet = workbook.worksheets[0]
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
        except Exception as exc:  # same reason as above
            raise SpreadsheetError("文件内容已损坏或格式不正确,无法读取") from exc
        return rows
    finally:
        workbook.close()
