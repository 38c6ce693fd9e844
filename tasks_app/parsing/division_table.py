"""Division tables in any container (.xlsx/.xls sheets, Word tables, PDF and HTML tables).

A reader hands over a grid of cell texts (merged ranges already resolved to their value) and the line
of the document text each row sits on; this module finds the header by its words, also when it spans
two rows (责任单位 over 牵头单位 / 配合单位), and turns the rows under it into sections and items.
A row whose cells all hold the same text is a merged category row, i.e. a section heading.
"""

from __future__ import annotations

import re

from .deadlines import half_width
from .types import (
    BINDING,
    COOPERATING,
    EXPECTED,
    LEAD,
    RESPONSIBLE,
    TASK,
    IndicatorDetail,
    ParsedItem,
    Section,
    StructureResult,
)

HEADER_SEARCH_ROWS = 10
TITLE_LENGTH = 60

# Column roles besides the three unit roles.
NUMBER = "number"
TEXT = "text"
DEADLINE = "deadline"
CATEGORY = "category"
UNIT_ROLES = (LEAD, COOPERATING, RESPONSIBLE)

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
    "具体任务",
    "工作措施",
    "主要内容",
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

# Exports prefix an apostrophe to text that a spreadsheet would run as a formula (OWASP): undo it.
_ESCAPED_FORMULA = re.compile(r"^'(?=[=+\-@\t\r])")


def split_deadline_note(text: str) -> tuple[str, str | None]:
    """Undo what the parser appended: ("任务…", "2022年6月底前") or (text, None)."""
    match = _DEADLINE_NOTE_RE.search(text)
    if match is None:
        return text, None
    return text[: match.start()], match.group("value")


def clean_cell(text: str) -> str:
    """One cell as the parsers see it: half-width punctuation, no apostrophe escape, trimmed."""
    return _ESCAPED_FORMULA.sub("", half_width(text).replace("\r\n", "\n").strip())


def render_row(cells: list[str]) -> str:
    """A grid row as one line: merged neighbours (the same text repeated) once, cells tab-separated."""
    shown: list[str] = []
    for cell in cells:
        if not shown or cell != shown[-1]:
            shown.append(cell)
    return "\t".join(shown).replace("\n", " ").rstrip()


def header_role(cell: str) -> str | None:
    name = re.sub(r"\s+", "", cell)
    if not name or len(name) > 12:
        return None
    if name in ("序号", "编号", "序"):
        return NUMBER
    if "牵头" in name:
        return LEAD
    if "配合" in name or "协办" in name or "协助" in name:
        return COOPERATING
    if "责任" in name or "负责" in name or "主责" in name:
        return RESPONSIBLE
    if "时限" in name or "期限" in name or "完成时间" in name or "时间节点" in name or "时间要求" in name:
        return DEADLINE
    if name in ("属性", "指标属性", "指标类型"):
        return CATEGORY
    if name in _TASK_HEADERS or (("任务" in name or "指标" in name) and "单位" not in name):
        return TEXT
    return None


def _row_roles(row: list[str]) -> dict[int, str]:
    return {col: role for col, cell in enumerate(row) if (role := header_role(cell))}


def find_header(rows: list[list[str]]) -> tuple[int, dict[str, int], int] | None:
    """(header row index, role -> column, number of header rows) or None.

    A second header row refines the first: 牵头单位 / 配合单位 under a merged 责任单位 take its columns.
    """
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        roles = _row_roles(row)
        found = set(roles.values())
        if TEXT not in found or not found & set(UNIT_ROLES):
            continue
        height = 1
        if index + 1 < len(rows):
            below = _row_roles(rows[index + 1])
            others = [cell for col, cell in enumerate(rows[index + 1]) if cell and col not in below]
            # Under a merged 责任单位 the second row names the roles; it holds no task text.
            if set(below.values()) & {LEAD, COOPERATING} and not any(len(cell) > 12 for cell in others):
                roles = {**roles, **below}
                height = 2
        columns: dict[str, int] = {}
        for col in sorted(roles):
            columns.setdefault(roles[col], col)
        return index, columns, height
    return None


_NOTE = re.compile(r"^(备注|注|说明)\s*\d*\s*[:：]")


def title_above(rows: list[list[str]], header_index: int) -> str:
    """The title row(s) of a sheet: a single filled cell (or a merged row) above the header."""
    singles = []
    for row in rows[:header_index]:
        cells = list(dict.fromkeys(cell for cell in row if cell))
        if len(cells) == 1 and not re.fullmatch(r"附[件表]\s*\d*", cells[0]):
            # "附件:XX市2024年…分工表" — the attachment label is not part of the title.
            singles.append(re.sub(r"^附[件表]\s*\d*\s*[:：]", "", re.sub(r"\s+", "", cells[0])))
    for text in singles:
        if re.search(r"规划|纲要|分工|任务|方案|通知|分解", text):
            return text
    return singles[0] if singles else ""


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


class TableBuilder:
    """Turns the rows under a header into sections and items; one builder may read several tables
    with the same header (a table continued over PDF pages or split in a Word file)."""

    def __init__(self, columns: dict[str, int]) -> None:
        self.columns = columns
        self.result = StructureResult()
        self.stack: list[tuple[int, Section]] = []
        self.counts: dict[str | None, int] = {}
        self.keys: set[str] = set()
        self.last_text: str | None = None  # text cell of the previous row (a vertical merge repeats it)
        self._last_row: list[str] | None = None  # the row that made the last item

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
        self.last_text = None

    def add_row(self, row: list[str], line: int) -> None:
        filled = [(col, cell) for col, cell in enumerate(row) if cell]
        if not filled:
            return
        distinct = list(dict.fromkeys(cell for _, cell in filled))
        if len(distinct) == 1 and (len(filled) == 1 or len(filled) >= max(len(self.columns), 2)):
            col, cell = filled[0]
            heading = _heading(cell)
            label_columns = (0, self.columns.get(NUMBER), self.columns.get(TEXT))
            if heading is not None:
                self.add_section(*heading, line)
                return
            merged = len(filled) > 1
            if (merged or col in label_columns) and len(cell) <= 20 and not cell.endswith("。") and not cell.isdigit():
                # A bare group label such as "约束性指标" spanning the table (a merged row).
                self.add_section(len(_HEADINGS), cell, cell, line)
                return
        if self._is_repeated_header(row):
            return  # a header repeated on a new page
        units = {role: self.cell(row, role) for role in UNIT_ROLES}
        units = {role: text for role, text in units.items() if text}
        text = self.cell(row, TEXT)
        if text and not units and not self.cell(row, NUMBER) and _NOTE.match(text):
            return  # "备注:…" under the table is no task (a reporting rule in it is read from the lines)
        if not text or text == self.last_text:
            # No task text (or the same text again: the task cell is merged down): more units for the item above.
            self.continue_item(units, line)
            return
        self.last_text = text
        title = _short_title(text)
        deadline = self.cell(row, DEADLINE)
        if deadline:
            text = f"{text}({DEADLINE_NOTE}:{deadline})"
        section = self.stack[-1][1] if self.stack else None
        kind = (
            _category([self.cell(row, CATEGORY)]) or _text_category(text) or _category([s.title for _, s in self.stack])
        )
        key = section.key if section else None
        self.counts[key] = self.counts.get(key, 0) + 1
        # Word numbering is not in the text: an empty 序号 cell takes the row's place in its section.
        number = self.cell(row, NUMBER).rstrip(".、") or str(self.counts[key])
        item = ParsedItem(
            kind=kind or TASK,
            number=number,
            section=key,
            title=title,
            text=text,
            source_lines=(line, line),
            unit_text={role: [value] for role, value in units.items()},
        )
        if kind:
            item.indicator = IndicatorDetail(pending="等待省下达" in text or "*" in text)
        self.result.items.append(item)
        self._last_row = row

    def join_fragment(self, row: list[str], line: int) -> bool:
        """Join the part of a row a page break pushed onto the next page (a PDF table continued without a
        header) to the item above. Such a fragment holds only the overflow of the long cells: its 序号 and
        完成时限 cells are empty although the item above has them. True when the row was joined."""
        if not self.result.items or (not self.cell(row, TEXT) and not any(self.cell(row, r) for r in UNIT_ROLES)):
            return False
        item = self.result.items[-1]
        body, deadline = split_deadline_note(item.text)
        had_number = bool(self.cell(self._last_row, NUMBER)) if self._last_row else False
        if self.cell(row, NUMBER) or self.cell(row, DEADLINE) or not (deadline or had_number):
            return False
        text = body + self.cell(row, TEXT)
        item.text = f"{text}({DEADLINE_NOTE}:{deadline})" if deadline else text
        item.title = _short_title(text)
        for role in UNIT_ROLES:
            fragment = self.cell(row, role)
            if fragment:
                values = item.unit_text.setdefault(role, [""])
                values[-1] += fragment  # a unit name cut by the page break is one name again
        item.source_lines = (item.source_lines[0], line)
        self.last_text = self.cell(row, TEXT) or self.last_text
        return True

    def _is_repeated_header(self, row: list[str]) -> bool:
        return header_role(self.cell(row, TEXT)) == TEXT and header_role(self.cell(row, NUMBER) or "序号") == NUMBER

    def continue_item(self, units: dict[str, str], line: int) -> None:
        """A row with units but no task text continues the item above (merged task cell)."""
        if not units:
            return
        if not self.result.items:
            self.result.warnings.append(f"第{line}行有责任单位但没有任务内容,已忽略")
            return
        item = self.result.items[-1]
        for role, value in units.items():
            values = item.unit_text.setdefault(role, [])
            if value not in values:  # a unit cell merged down repeats its value
                values.append(value)
        item.source_lines = (item.source_lines[0], line)


def parse_rows(builder: TableBuilder, rows: list[list[str]], *, first_line: int, start: int,
               continued: bool = False) -> None:  # fmt: skip
    """Feed rows[start:] to the builder; row i sits on document line first_line + i. ``continued``: the
    table goes on from the previous page, so its first row may be the rest of the row above."""
    if continued and start < len(rows) and builder.join_fragment(rows[start], first_line + start):
        start += 1
    for index in range(start, len(rows)):
        builder.add_row(rows[index], first_line + index)
