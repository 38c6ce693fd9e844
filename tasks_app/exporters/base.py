"""The base of every Excel export: formula-safe cells streamed into a write-only workbook.

An exporter yields a header row, then data rows (lists of values) and ``Heading`` rows (section
titles spanning the table). ``write_workbook`` streams them into an openpyxl write-only workbook
(constant memory whatever the row count) laid out for printing: title row and header repeated on
every page, frozen header, A4 landscape, fitted to the page width.

Every value goes through ``safe_cell`` and text is shown exactly as written: a text that a spreadsheet
would run as a formula (OWASP CSV injection: = + - @ tab CR, and error literals such as "#N/A") is stored
as a string cell with Excel's quote-prefix style (``xlsx_format.store_text``), so a task reading "=1+1"
shows "=1+1", is never evaluated, and no apostrophe appears on screen or on paper.

Data cells carry no per-cell style: the workbook's default cell format (xf 0) is made wrapped, centred
vertically and bordered, so styling costs nothing per cell (the 50,000-item export stays close to raw
openpyxl speed). Only the title, header and heading rows, and the rare formula-like texts, have explicit
styles. The openpyxl internals this needs live in ``xlsx_format``.

An exporter says which reporting cycle it needs (``cycle_policy``) and how many rows to expect
(``estimate_rows``); ``registry`` lists them for every face.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import IO, Any, ClassVar

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties

from .xlsx_format import format_like_default, set_default_format, store_text

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
TITLE_ROWS = "1:2"  # the title row and the header row, repeated on every printed page
FIRST_DATA_CELL = "A3"
PROGRESS_EVERY = 1000

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="center")

Value = str | int | float | Decimal | date | datetime | bool | None
ProgressCallback = Callable[[int], None]


def safe_cell(value: Any) -> Value:
    """A value Excel can hold: numbers and dates stay typed, text loses the control characters Excel refuses.

    Text keeps every visible character; ``is_formula_like`` says which texts need a guarded cell.
    """
    if isinstance(value, str):  # the common case first: this runs for every cell of a 50,000-item export
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        return value
    if isinstance(value, date):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def is_formula_like(text: str) -> bool:
    """Text a spreadsheet would evaluate (a formula, a sign, a command) or read as an error value."""
    return text.startswith(FORMULA_TRIGGERS) or text in ERROR_CODES


@dataclass(frozen=True)
class Column:
    header: str
    width: float


@dataclass(frozen=True)
class Heading:
    """A section row: one label spanning the whole table (一、… / (一)… / 1.…)."""

    text: str


Row = Sequence[Any] | Heading


@dataclass
class SheetSpec:
    name: str
    title: str
    columns: Sequence[Column]
    rows: Iterable[Row]  # the header first, then data rows and headings


@dataclass
class SheetResult:
    name: str
    rows: int = 0  # data rows, headings not counted
    headings: int = 0


@dataclass
class ExportResult:
    sheets: list[SheetResult] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(sheet.rows for sheet in self.sheets)


class CyclePolicy(StrEnum):
    """Which reporting cycle a report is about (resolved by ``services.exports.export_cycle``)."""

    NONE = "none"  # the same report whatever the year: a year given is dropped
    OPTIONAL = "optional"  # a year names its cycle (which must exist); no year: rules.cycles.default_cycle
    REQUIRED = "required"  # as OPTIONAL, and without any cycle there is no report


class Exporter:
    """One report. Subclasses set ``identifier``/``verbose_name``, columns and rows; ``registry`` lists them.

    ``iterate_list`` yields the header (column titles) first, then data rows and ``Heading`` rows;
    ``write`` streams them into the write-only, formula-safe workbook.
    """

    identifier: ClassVar[str]  # the --report value: lower-case ASCII, at most 20 characters
    verbose_name: ClassVar[str]  # the label users see
    description: ClassVar[str] = ""  # one line for the console page, after the label
    sheet_name: ClassVar[str] = "Sheet1"
    cycle_policy: ClassVar[CyclePolicy] = CyclePolicy.NONE
    do_not_call_in_templates: ClassVar[bool] = True  # templates list exporter classes by their labels
    file_extension: ClassVar[str] = "xlsx"  # the Word evaluation reports write "docx"
    content_type: ClassVar[str] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def __init__(self, *, plan: Any, cycle: Any = None, year: int | None = None) -> None:
        self.plan = plan
        self.cycle = cycle
        self.year = year  # the year asked for (None: the cycle's, or the report's default)

    @classmethod
    def estimate_rows(cls, *, plan: Any) -> int:
        """About how many data rows the report will have, from one query: the progress bar's 100 %."""
        return int(plan.items.filter(is_active=True).count())

    def write(self, target: str | IO[bytes], *, progress: ProgressCallback | None = None) -> ExportResult:
        return write_workbook(self, target, progress=progress)

    def title(self) -> str:
        return f"{self.plan.title} {self.verbose_name}"

    def get_columns(self) -> Sequence[Column]:
        raise NotImplementedError

    def iterate_list(self) -> Iterator[Row]:
        """Yield the header (column titles), then the rows."""
        raise NotImplementedError

    def sheets(self) -> Iterator[SheetSpec]:
        yield SheetSpec(name=self.sheet_name, title=self.title(), columns=self.get_columns(), rows=self.iterate_list())

    def header(self) -> list[str]:
        return [column.header for column in self.get_columns()]


def new_workbook() -> Workbook:
    """A write-only workbook whose default cell format is wrapped and bordered."""
    workbook = Workbook(write_only=True)
    set_default_format(workbook, alignment=_WRAP, border=_BORDER)
    return workbook


class _Styles:
    """Cells with explicit styles, made once per sheet.

    A styled cell may be reused for many rows (its value changes, its style never does): openpyxl keeps
    the style array it registered, so changing a written cell's style would restyle the earlier rows.
    """

    def __init__(self, sheet: Any) -> None:
        self.sheet = sheet

    def text(self, text: str) -> Cell:
        """A data cell for formula-like text: guarded, formatted like the default (it has its own style now)."""
        cell = format_like_default(Cell(self.sheet, row=1, column=1), alignment=_WRAP, border=_BORDER)
        return store_text(cell, text)

    def data(self, value: Any) -> Any:
        """A data row's value as appended: None becomes "" (the cell is written and draws its border)."""
        if value is None:
            return ""
        value = safe_cell(value)
        if isinstance(value, str) and is_formula_like(value):
            return self.text(value)
        return value

    def cell(self, value: Value, *, font: Font | None = None, fill: PatternFill | None = None, **align: Any) -> Cell:
        cell = Cell(self.sheet, row=1, column=1)
        if isinstance(value, str) and is_formula_like(value):
            store_text(cell, value)
        else:
            cell.value = value
        cell.alignment = Alignment(wrap_text=True, vertical="center", **align)
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        cell.border = _BORDER
        return cell


_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_HEADING_FILL = PatternFill("solid", fgColor="F2F2F2")
_TITLE_FONT = Font(bold=True, size=16)


def _set_up_sheet(sheet: Any, spec: SheetSpec) -> None:
    for index, column in enumerate(spec.columns, start=1):
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.width = column.width
        format_like_default(dimension, alignment=_WRAP, border=_BORDER)
    sheet.freeze_panes = FIRST_DATA_CELL
    sheet.print_title_rows = TITLE_ROWS
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.horizontalCentered = True
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.oddFooter.center.text = "第 &P 页,共 &N 页"
    sheet.row_dimensions[1].height = 36


LINE_HEIGHT = 14.5  # points per wrapped line at the default 10.5 pt font


def _line_count(value: Any, width: float) -> int:
    """Wrapped lines a cell needs: a CJK character takes about two width units."""
    if value.__class__ is not str or len(value) <= width / 2:
        return 1
    per_line = max(int(width / 2), 1)
    return sum(max(1, -(-len(part) // per_line)) for part in value.split("\n"))


def write_sheet(workbook: Workbook, spec: SheetSpec, *, progress: ProgressCallback | None = None) -> SheetResult:
    sheet = workbook.create_sheet(spec.name[:31])
    _set_up_sheet(sheet, spec)
    styles = _Styles(sheet)
    width = len(spec.columns)
    last = get_column_letter(width)
    result = SheetResult(name=sheet.title)
    rows = iter(spec.rows)
    header = next(rows)
    if isinstance(header, Heading):
        raise TypeError(f"{spec.name}: the first row is the header (column titles), not a Heading")
    title = styles.cell(safe_cell(spec.title), font=_TITLE_FONT, horizontal="center")
    title.border = Border()
    sheet.append([title])
    sheet.merged_cells.add(f"A1:{last}1")
    sheet.append(
        [styles.cell(safe_cell(text), font=_HEADER_FONT, fill=_HEADER_FILL, horizontal="center") for text in header]
    )

    # Styled cells are reused: a write-only sheet serialises each appended row at once.
    def heading(text: Value) -> Cell:
        return styles.cell(text, font=_HEADER_FONT, fill=_HEADING_FILL, horizontal="left")

    label = heading(None)
    filler = [styles.cell(None, fill=_HEADING_FILL) for _ in range(width - 1)]
    widths = [column.width for column in spec.columns]
    row_number = 2
    for row in rows:
        row_number += 1
        if isinstance(row, Heading):
            text = safe_cell(row.text)
            if isinstance(text, str) and is_formula_like(text):
                sheet.append([heading(text), *filler])  # a cell of its own: guarded text has its own style
            else:
                label.value = text
                sheet.append([label, *filler])
            sheet.merged_cells.add(f"A{row_number}:{last}{row_number}")
            result.headings += 1
            continue
        # Explicit heights: LibreOffice and printers do not grow wrapped rows by themselves.
        lines = max(_line_count(value, width) for value, width in zip(row, widths, strict=False))
        if lines > 1:
            # The write-only writer copies these attributes into <row>; a plain dict avoids building a
            # RowDimension object per row, and it is dropped once the row is written.
            sheet.row_dimensions[row_number] = {"ht": f"{min(LINE_HEIGHT * lines + 4, 409):g}", "customHeight": "1"}
        sheet.append([styles.data(value) for value in row])
        if lines > 1:
            del sheet.row_dimensions[row_number]
        result.rows += 1
        if progress is not None and result.rows % PROGRESS_EVERY == 0:
            progress(result.rows)
    return result


def write_workbook(
    exporter: Exporter, target: str | IO[bytes], *, progress: ProgressCallback | None = None
) -> ExportResult:
    """Stream every sheet of ``exporter`` into ``target`` (a path or a binary stream)."""
    workbook = new_workbook()
    result = ExportResult()
    for spec in exporter.sheets():
        result.sheets.append(write_sheet(workbook, spec, progress=progress))
    workbook.save(target)
    return result
