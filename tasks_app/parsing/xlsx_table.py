"""Excel division tables: 序号 / 重点任务 / 牵头单位 / 配合单位 / 责任单位 / 完成时限.

The workbook is opened read-only and without evaluating anything: a cell holding "=1+1" is read
as the text "=1+1". Rows are numbered as in Excel (1-based), and that row number is the item's
provenance (``source_lines = (row, row)``).
"""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from io import BytesIO
from typing import Any

from .deadlines import half_width
from .metadata import NOTICE, Metadata, jurisdiction_from_title, plan_period
from .types import (
    BINDING,
    COOPERATING,
    EXPECTED,
    LEAD,
    RESPONSIBLE,
    TASK,
    IndicatorDetail,
    ParsedItem,
    ParseError,
    Section,
    StructureResult,
)

HEADER_SEARCH_ROWS = 10
MAX_ROWS = 50_000
TITLE_LENGTH = 60

# Column roles besides the three unit roles.
NUMBER = "number"
TEXT = "text"
DEADLINE = "deadline"
CATEGORY = "category"

_TASK_HEADERS = {
    "重点任务",
    "任务",
    "指标",
    "指标或任务",
    "工作任务",
    "主要任务",
    "任务内容",
    "工作内容",
    "重点工作",
}

# "(完成时限:2022年6月底前)" appended to the text so the deadline rules see the column.
DEADLINE_NOTE = "完成时限"
_DEADLINE_NOTE_RE = re.compile(rf"\({DEADLINE_NOTE}:(?P<value>[^()]*)\)$")

_CN = "一二三四五六七八九十"
_HEADINGS = (
    # (rank, pattern): a smaller rank encloses a larger one.
    (0, re.compile(rf"^(?P<number>第[{_CN}\d]+(?:章|部分|篇))\s*(?P<title>.*)$")),
    (1, re.compile(rf"^(?P<number>[{_CN}]+)[、.]\s*(?P<title>.+)$")),
    (2, re.compile(rf"^(?P<number>\([{_CN}]+\))\s*(?P<title>.+)$")),
    (3, re.compile(r"^(?P<number>\d{1,2})[、.](?!\d)\s*(?P<title>.+)$")),
)


def split_deadline_note(text: str) -> tuple[str, str | None]:
    """Undo what the parser appended: ("任务…", "2022年6月底前") or (text, None)."""
    match = _DEADLINE_NOTE_RE.search(text)
    if match is None:
        return text, None
    return text[: match.start()], match.group("value")


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _ESCAPED_FORMULA.sub("", half_width(str(value)).replace("\r\n", "\n").strip())


def _header_role(cell: str) -> str | None:
    name = re.sub(r"\s+", "", cell)
    if not name:
        return None
    if name in ("序号", "编号", "序"):
        return NUMBER
    if "牵头" in name:
        return LEAD
    if "配合" in name or "协办" in name or "协助" in name:
        return COOPERATING
    if "责任" in name or "负责" in name or "主责" in name:
        return RESPONSIBLE
    if "时限" in name or "期限" in name or "完成时间" in name or "时间节点" in name:
        return DEADLINE
    if name in ("属性", "指标属性", "指标类型"):
        return CATEGORY
    if name in _TASK_HEADERS or (("任务" in name or "指标" in name) and "单位" not in name):
        return TEXT
    return None


def _find_header(rows: list[list[str]]) -> tuple[int, dict[str, int]] | None:
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for col, cell in enumerate(row):
            role = _header_role(cell)
            if role and role not in columns:
                columns[role] = col
        if TEXT in columns and any(role in columns for role in (LEAD, COOPERATING, RESPONSIBLE)):
            return index, columns
    return None


def _title_above(rows: list[list[str]], header_index: int, sheet_name: str) -> str:
    singles = []
    for row in rows[:header_index]:
        cells = [cell for cell in row if cell]
        if len(cells) == 1 and not re.fullmatch(r"附[件表]\s*\d*", cells[0]):
            singles.append(re.sub(r"\s+", "", cells[0]))
    for text in singles:
        if re.search(r"规划|纲要|分工|任务|方案|通知|分解", text):
            return text
    return singles[0] if singles else sheet_name.strip()


def _heading(text: str) -> tuple[int, str, str] | None:
    for rank, pattern in _HEADINGS:
        match = pattern.match(text)
        if match:
            number = match.group("number")
            return rank, number, match.group("title").strip() or number
    return None


def _short_title(text: str) -> str:
    first = re.split(r"[。;\n]", text, maxsplit=1)[0].strip()
    return first[:TITLE_LENGTH]


# In the text itself only an annotation names the category: "…增长7%(预期性指标)" or "约束性:…";
# a task that merely mentions "约束性指标" in a sentence is no indicator.
_TEXT_CATEGORY = re.compile(r"^(约束性|预期性)|[(\[【]\s*(约束性|预期性)")

# Exports prefix an apostrophe to text that a spreadsheet would run as a formula (OWASP): undo it.
_ESCAPED_FORMULA = re.compile(r"^'(?=[=+\-@\t\r])")


def _text_category(text: str) -> str | None:
    match = _TEXT_CATEGORY.search(text)
    return _category([match.group(0)]) if match else None


def _category(texts: list[str]) -> str | None:
    joined = "".join(texts)
    if "约束性" in joined:
        return BINDING
    if "预期性" in joined:
        return EXPECTED
    return None


class _Builder:
    """Turns the rows under the header into sections and items."""

    def __init__(self, columns: dict[str, int]) -> None:
        self.columns = columns
        self.result = StructureResult()
        self.stack: list[tuple[int, Section]] = []
        self.counts: dict[str | None, int] = {}
        self.keys: set[str] = set()

    def cell(self, row: list[str], role: str) -> str:
        col = self.columns.get(role)
        return row[col] if col is not None and col < len(row) else ""

    def add_section(self, rank: int, number: str, title: str, line: int) -> None:
        while self.stack and self.stack[-1][0] >= rank:
            self.stack.pop()
        parent = self.stack[-1][1].key if self.stack else None
        base = f"{parent}/{number}" if parent else number
        key, n = base, 2
        while key in self.keys:
            key, n = f"{base}#{n}", n + 1
        self.keys.add(key)
        section = Section(
            key=key,
            level=len(self.stack) + 1,
            number=number,
            title=title,
            parent=parent,
            source_lines=(line, line),
        )
        self.result.sections.append(section)
        self.stack.append((rank, section))

    def add_row(self, row: list[str], line: int) -> None:
        filled = [(col, cell) for col, cell in enumerate(row) if cell]
        if not filled:
            return
        if len(filled) == 1:
            col, cell = filled[0]
            heading = _heading(cell)
            label_columns = (0, self.columns.get(NUMBER), self.columns.get(TEXT))
            if heading is not None:
                self.add_section(*heading, line)
                return
            if col in label_columns and len(cell) <= 20 and not cell.endswith("。") and not cell.isdigit():
                # A bare group label such as "约束性指标" spanning the table (a merged row).
                self.add_section(len(_HEADINGS), cell, cell, line)
                return
        units = {role: self.cell(row, role) for role in (LEAD, COOPERATING, RESPONSIBLE)}
        units = {role: text for role, text in units.items() if text}
        text = self.cell(row, TEXT)
        if not text:
            self.continue_item(units, line)
            return
        deadline = self.cell(row, DEADLINE)
        if deadline:
            text = f"{text}({DEADLINE_NOTE}:{deadline})"
        section = self.stack[-1][1] if self.stack else None
        kind = (
            _category([self.cell(row, CATEGORY)]) or _text_category(text) or _category([s.title for _, s in self.stack])
        )
        key = section.key if section else None
        self.counts[key] = self.counts.get(key, 0) + 1
        number = self.cell(row, NUMBER) or str(self.counts[key])
        item = ParsedItem(
            kind=kind or TASK,
            number=number,
            section=key,
            title=_short_title(text),
            text=text,
            source_lines=(line, line),
            unit_text={role: [value] for role, value in units.items()},
        )
        if kind:
            item.indicator = IndicatorDetail(pending="等待省下达" in text or "*" in text)
        self.result.items.append(item)

    def continue_item(self, units: dict[str, str], line: int) -> None:
        """A row with units but no task text continues the item above (merged task cell)."""
        if not units:
            return
        if not self.result.items:
            self.result.warnings.append(f"第{line}行有责任单位但没有任务内容,已忽略")
            return
        item = self.result.items[-1]
        for role, value in units.items():
            item.unit_text.setdefault(role, []).append(value)
        item.source_lines = (item.source_lines[0], line)


def _read_rows(sheet: Any) -> list[list[str]]:
    sheet.reset_dimensions()  # saved dimensions may be wrong: read what is really there
    rows: list[list[str]] = []
    for values in sheet.iter_rows(values_only=True):
        if len(rows) >= MAX_ROWS:
            raise ParseError(f"工作表行数超过上限 {MAX_ROWS} (too many rows)")
        rows.append([_cell_text(value) for value in values])
    return rows


def _metadata(title: str, sheet_name: str, rows: list[list[str]]) -> Metadata:
    jurisdiction, parent = jurisdiction_from_title(title)
    period = plan_period(title) or plan_period(sheet_name)
    if period is None:
        period = plan_period("\n".join("".join(row) for row in rows[:HEADER_SEARCH_ROWS]))
    if period is None:
        years = re.findall(r"(?<!\d)(\d{4})年", title)
        if len(set(years)) == 1:
            period = (int(years[0]), int(years[0]))
    if period is None:
        raise ParseError(f"表格“{title}”中找不到规划期(如“十四五”或2021—2025年) / no plan period found")
    return Metadata(
        title=title,
        kind=NOTICE,
        jurisdiction=jurisdiction,
        parent_jurisdiction=parent,
        period_start=period[0],
        period_end=period[1],
    )


def parse_xlsx(data: bytes) -> tuple[Metadata, StructureResult]:
    """Read the first sheet that has a division header; raise ParseError when none has one."""
    # Imported here: reading the .txt seeds should not pay for loading openpyxl.
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError):
        raise ParseError("不是可读取的 .xlsx 工作簿 (not a readable .xlsx workbook)") from None
    try:
        found = None
        skipped: list[str] = []
        for sheet in workbook.worksheets:
            rows = _read_rows(sheet)
            header = _find_header(rows)
            if header is None:
                continue
            if found is None:
                found = (sheet.title, rows, header)
            else:
                skipped.append(sheet.title)
    finally:
        workbook.close()
    if found is None:
        raise ParseError(
            "表格前10行中没有表头(序号/重点任务/牵头单位/配合单位) / no division-table header in the first 10 rows"
        )
    sheet_name, rows, (header_index, columns) = found
    builder = _Builder(columns)
    for index in range(header_index + 1, len(rows)):
        builder.add_row(rows[index], index + 1)
    result = builder.result
    result.warnings.extend(f"工作表“{name}”也有分工表头,未导入" for name in skipped)
    if not result.items:
        raise ParseError("表格中没有任务行 (the division table has no task rows)")
    title = _title_above(rows, header_index, sheet_name)
    return _metadata(title, sheet_name, rows), result


def workbook_text(data: bytes) -> str:
    """The division sheet as text, row N on line N, so source line ranges point at workbook rows."""
    from openpyxl import load_workbook

    workbook = load_workbook(BytesIO(data), read_only=True, data_only=False)
    try:
        for sheet in workbook.worksheets:
            rows = _read_rows(sheet)
            if _find_header(rows) is not None:
                return "\n".join("\t".join(cell for cell in row).rstrip() for row in rows)
    finally:
        workbook.close()
    return ""
