"""Indicator tables of plan documents: the current plan's indicators and the previous plan's evaluation.

Two text renderings of a table occur in practice:

* flattened: one cell per line (blank lines between), merged cells written once, a missing cell
  simply absent (000 表2-1, 表1-1);
* pipe rows: ``a | b | c |`` one row per line, merged cells collapsed, stray trailing pipes (004).

Rows cannot be recovered by fixed offsets, so each row is rebuilt from the header's columns and the
*kind* of each cell (sequence number, 属性 value, 完成情况 value, unit, number, text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .types import (
    BINDING,
    DONE,
    EXPECTED,
    INDICATOR,
    NO_DATA,
    NOT_DONE,
    Evaluation,
    IndicatorDetail,
    ParsedItem,
    Section,
    StructureResult,
)

_PUNCT = str.maketrans("（）：∶，；％＞＜［］｛｝【】﹡＊／", "()::,;%><[]{}[]**/")
_FULL_DIGITS = str.maketrans("０１２３４５６７８９．", "0123456789.")
_CJK_SPACE = re.compile(r"(?<=[\u4e00-\u9fff“”])\s+(?=[\u4e00-\u9fff“”])|(?<=\d)\s+(?=年)")

_TITLE = re.compile(r"^(附?表\s*\d+(?:\s*[-—–.]\s*\d+)?)\s*(.*)$")
_NOTE = re.compile(r"^(注|备注|说明)\s*\d?\s*[:①]|^注\s*[\[(]")
_CIRCLED = re.compile(r"^[①②③④⑤⑥⑦⑧⑨⑩]")
_HEADING = re.compile(
    r"^(第[一二三四五六七八九十百零〇\d]+[章节篇部分]|[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d+[.、](?!\d)|专栏)"
)
_ATTR = re.compile(r"^(约束性|预期性)(指标)?$")
_STATUS = re.compile(r"^(已?完成|超额完成|基本完成|未完成|无统计|无法统计|暂无统计|不统计|已?取消|达标|未达标)$")
_SEQ = re.compile(r"^\d{1,3}$")
_PENDING = re.compile(r"^\*$|省下达|待下达|等待下达|待定")
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?%?$")
_COMPARED = re.compile(r"^(>=|<=|≥|≤|>|<|不低于|不高于|高于|低于)\s*(\d+(?:\.\d+)?)%?$")
_VALUE_START = re.compile(r"^([<>≥≤~±+\-—/–]|\[|\{|\d|达到|不低于|不高于|高于|低于|与|进入|保持在|控制在|等待|力争)")
_UNIT_WORDS = (
    r"(?:%|‰|个百分点|百分点|[万亿千百十]*(?:美元|元|人次|人年|人|户|个|家|件|项|张|床|套|亩|公顷|公里|千米|"
    r"平方米|立方米|平方公里|米|吨标准煤|标准煤|吨|千瓦时|千瓦|kWh|年|岁|天|小时|辆|所|座|次|部|台|处|条|"
    r"册|本|株|棵|kg|t|m2|m²|m3|km2|km|m)|微克|毫克|克|/)"
)
_UNIT = re.compile(rf"^{_UNIT_WORDS}+$")
_UNIT_SUFFIX = re.compile(rf"\(({_UNIT_WORDS}+)\)$")

_HEADER_ROLES = [
    ("seq", re.compile(r"^(序号|编号)$")),
    ("domain", re.compile(r"^(指标)?(类别|领域|分类|类型)$")),
    ("name", re.compile(r"^(主要|具体)?指标(名称|内容)?$")),
    ("unit", re.compile(r"^(计量)?单位$")),
    ("attr", re.compile(r"^(指标)?属性$")),
    ("status", re.compile(r"^(完成情况|完成状态|是否完成|评价结果)$")),
    ("note", re.compile(r"^备注$")),
    (
        "value",
        re.compile(r"^.{0,4}((19|20)\d{2}年?|目标|实际|基期|基数|现状|增速|增长|预期值|规划值).{0,8}$"),
    ),
]
_RULE = re.compile(r"^:?-{2,}:?$")  # markdown separator cell
_YEAR = re.compile(r"((?:19|20)\d{2})")
_GROUP = re.compile(r"^(规划目标|目标值?|规划值|实际完成|实际值?|完成值)$")
_SUB = re.compile(r"^(?:(19|20)\d{2}年?|年均增速.*|年均增长.*|增速.*|累计.*)$")

VALUE_ROLES = ("baseline", "target", "actual", "growth", "actual_growth")
# When a collapsed row has fewer values than value columns, the values most likely written first
_VALUE_PRIORITY = ("target", "actual", "baseline", "growth", "actual_growth")


@dataclass
class _Column:
    role: str
    year: int | None = None


@dataclass
class _Row:
    cells: dict[str, str] = field(default_factory=dict)  # role -> text
    domain: str = ""
    lines: tuple[int, int] = (0, 0)


def norm(text: str) -> str:
    """Punctuation-folded, space-collapsed cell text used for matching and stored values."""
    text = text.translate(_PUNCT).translate(_FULL_DIGITS).replace("\u3000", " ").strip()
    return _CJK_SPACE.sub("", text)


def header_role(cell: str) -> str | None:
    cell = re.sub(r"\s+", "", norm(cell))
    if not cell or len(cell) > 16:
        return None
    for role, pattern in _HEADER_ROLES:
        if pattern.match(cell):
            return role
    return None


def build_columns(cells: list[str]) -> list[_Column] | None:
    """Columns from the header cells (one or two header rows concatenated); None unless it has a
    name column and a value or 属性 column."""
    cells = [re.sub(r"\s+", "", norm(c)) for c in cells if norm(c)]
    found_roles = [header_role(c) for c in cells]
    if None in found_roles or "name" not in found_roles:
        return None
    roles = [role for role in found_roles if role is not None]  # all of them: None was refused above
    groups = [i for i, c in enumerate(cells) if roles[i] == "value" and _GROUP.match(c)]
    subs = [i for i, c in enumerate(cells) if roles[i] == "value" and _SUB.match(c)]
    sub_of: dict[int, list[int]] = {}
    if groups and subs and subs[0] > groups[-1]:
        # Two-level header: sub-columns fill the groups in order; a year not later than the
        # previous year of the group starts the next group.
        g, last_year = 0, 0
        for i in subs:
            year_match = _YEAR.match(cells[i])
            if year_match and int(year_match.group(1)) <= last_year and g + 1 < len(groups):
                g, last_year = g + 1, 0
            if year_match:
                last_year = int(year_match.group(1))
            sub_of.setdefault(groups[g], []).append(i)
    else:
        groups, subs = [], []
    columns: list[_Column] = []
    plain_years: list[_Column] = []
    for i, cell in enumerate(cells):
        if i in subs:
            continue
        if roles[i] != "value":
            columns.append(_Column(roles[i]))
        elif i in groups:
            actual = "实际" in cell or "完成" in cell
            members = [_year(cells[k]) for k in sub_of.get(i, [])]
            years = [y for y in members if y]
            for year in members:
                if year is None:
                    columns.append(_Column("actual_growth" if actual else "growth"))
                elif actual:
                    columns.append(_Column("actual", year))
                else:
                    is_base = len(years) > 1 and year == min(years)
                    columns.append(_Column("baseline" if is_base else "target", year))
        else:
            col = _Column(_value_role(cell), _year(cell))
            columns.append(col)
            if col.role == "year":
                plain_years.append(col)
    for col in plain_years:
        years = [c.year for c in plain_years if c.year]
        col.role = "baseline" if len(years) > 1 and col.year == min(years) else "target"
    if not any(c.role in VALUE_ROLES or c.role in ("attr", "status") for c in columns):
        return None
    return columns


def _year(cell: str) -> int | None:
    match = _YEAR.search(cell)
    return int(match.group(1)) if match else None


def _value_role(cell: str) -> str:
    if "实际" in cell:
        return "actual_growth" if "增" in cell else "actual"
    if "增速" in cell or "增长" in cell:
        return "growth"
    if any(w in cell for w in ("基期", "基数", "现状")):
        return "baseline"
    if "目标" in cell or "预期值" in cell or "规划值" in cell:
        return "target"
    return "year"


def is_value(cell: str) -> bool:
    cell = norm(cell)
    return bool(cell) and (bool(_NUMBER.match(cell)) or bool(_VALUE_START.match(cell)) or bool(_PENDING.search(cell)))


def is_unit(cell: str) -> bool:
    return bool(_UNIT.match(norm(cell).replace(" ", "")))


def number(text: str) -> float | None:
    """The value when the cell is one plain number (brackets of a cumulative value allowed)."""
    text = norm(text).strip("[]{}").strip()
    if _NUMBER.match(text):
        return float(text.rstrip("%"))
    return None


def _bracketed(text: str) -> bool:
    return bool(re.match(r"^[\[{].*[\]}]$", norm(text)))


def _cell_like(text: str) -> bool:
    text = norm(text)
    return bool(text) and len(text) <= 40 and not re.search(r"[。;]|[:,]$", text) and not _TITLE.match(text)


def _join_pieces(pieces: list[str]) -> str:
    return "".join(norm(p) for p in pieces)


# ---------------------------------------------------------------- row assembly


def _assign_backward(cells: list[tuple[str, int]], columns: list[_Column]) -> _Row:
    """A flattened row that ends with its anchor cell: match the columns after the name from the end,
    optional cells (unit, 属性, 完成情况) only when the cell has that kind."""
    name_at = next(i for i, c in enumerate(columns) if c.role == "name")
    rest = list(cells)
    row = _Row(lines=(cells[0][1], cells[-1][1]))
    for col in reversed(columns[name_at + 1 :]):
        if len(rest) <= 1:
            break
        text = norm(rest[-1][0])
        if (
            (col.role == "unit" and not is_unit(text))
            or (col.role == "attr" and not _ATTR.match(text))
            or (col.role == "status" and not _STATUS.match(text))
            or (col.role == "note" and is_value(text))
        ):
            continue
        row.cells[col.role] = text
        rest.pop()
    row.cells["name"] = norm(rest.pop()[0]) if rest else ""
    if rest and any(c.role == "seq" for c in columns[:name_at]) and _SEQ.match(norm(rest[-1][0])):
        row.cells["seq"] = norm(rest.pop()[0])
    row.domain = _join_pieces([t for t, _ in rest])
    return row


def _assign_content(cells: list[str], columns: list[_Column], lines: tuple[int, int]) -> _Row:
    """A collapsed pipe row: cells are recognised by kind, values fill the value columns by priority."""
    row = _Row(lines=lines)
    texts = [norm(c) for c in cells if norm(c)]
    for role, pattern in (("attr", _ATTR), ("status", _STATUS)):
        hit = next((t for t in texts if pattern.match(t)), None)
        if hit is not None and any(c.role == role for c in columns):
            row.cells[role] = hit
            texts.remove(hit)
    if texts and _SEQ.match(texts[0]) and any(c.role == "seq" for c in columns):
        row.cells["seq"] = texts.pop(0)
    leading: list[str] = []
    while texts and not is_value(texts[0]) and not (leading and is_unit(texts[0])):
        leading.append(texts.pop(0))
    if not leading and texts:
        leading.append(texts.pop(0))
    row.cells["name"] = leading[-1] if leading else ""
    row.domain = "".join(leading[:-1])
    if texts and is_unit(texts[0]) and any(c.role == "unit" for c in columns):
        row.cells["unit"] = texts.pop(0)
    value_cols = [c.role for c in columns if c.role in VALUE_ROLES]
    if len(texts) >= len(value_cols):
        chosen = value_cols
    else:
        wanted = set(sorted(value_cols, key=_VALUE_PRIORITY.index)[: len(texts)])
        chosen = [r for r in value_cols if r in wanted]
        # A lone "6%左右" in a table with a 年均增速 column, for a quantity not measured in %,
        # is the growth rate, not the target.
        unit = _unit_of(row.cells["name"], "")
        if len(texts) == 1 and "growth" in value_cols and "%" in texts[0] and unit != "%":
            chosen = ["growth"]
    for role, text in zip(chosen, texts, strict=False):
        row.cells[role] = text
    return row


def _assign_positional(cells: list[str], columns: list[_Column], lines: tuple[int, int]) -> _Row:
    row = _Row(lines=lines)
    for col, text in zip(columns, cells, strict=False):
        if norm(text) and col.role != "domain":
            row.cells[col.role] = norm(text)
        elif col.role == "domain":
            row.domain = norm(text)
    return row


def _unit_of(name: str, unit_cell: str) -> str:
    if unit_cell:
        return unit_cell
    match = _UNIT_SUFFIX.search(name)
    return match.group(1) if match else ""


# ---------------------------------------------------------------- table readers


@dataclass
class _Table:
    number: str
    title: str
    first_line: int
    last_line: int
    columns: list[_Column]
    rows: list[_Row]


def _read_flat(lines: list[str], start: int, warnings: list[str]):
    """Columns, rows and the last used index of a one-cell-per-line table whose header is at ``start``."""
    i, header = start, []
    while i < len(lines) and (not lines[i].strip() or header_role(lines[i])):
        header += [lines[i]] if lines[i].strip() else []
        i += 1
    columns = build_columns(header) if len(header) >= 3 else None
    if not columns:
        return None
    # A row never spans this many cells without a 属性/完成情况/序号 cell: stop instead of
    # swallowing a long run of short lines that merely follows a header-like line.
    gap_limit = 3 * len(columns) + 6 if {"attr", "status", "seq"} & {c.role for c in columns} else 5000
    cells: list[tuple[str, int]] = []
    note_end, gap = None, 0
    while i < len(lines) and gap <= gap_limit:
        text = norm(lines[i])
        if not text:
            i += 1
            continue
        if _NOTE.match(text):
            note_end = i
            while note_end + 1 < len(lines) and (
                not lines[note_end + 1].strip() or _CIRCLED.match(norm(lines[note_end + 1]))
            ):
                note_end += 1
            while not lines[note_end].strip():
                note_end -= 1
            break
        if not _cell_like(text) or (_HEADING.match(text) and not _SEQ.match(text)):
            break
        gap = 0 if _ATTR.match(text) or _STATUS.match(text) or _SEQ.match(text) else gap + 1
        cells.append((lines[i], i + 1))
        i += 1
    local: list[str] = []
    rows, last_used = _flat_rows(cells, columns, local)
    if not rows:
        return None
    warnings.extend(local)
    # Cells left after the last complete row are not claimed unless a note closes the table.
    return columns, rows, note_end if note_end is not None else last_used - 1


def _flat_rows(cells: list[tuple[str, int]], columns: list[_Column], warnings: list[str]) -> tuple[list[_Row], int]:
    """Rows of a flattened table and the 1-based line of its last used cell."""
    anchor = columns[-1].role if columns[-1].role in ("attr", "status") else None
    pattern = _ATTR if anchor == "attr" else _STATUS
    rows: list[_Row] = []
    chunk: list[tuple[str, int]] = []
    last_used = 0
    if anchor:
        for cell in cells:
            chunk.append(cell)
            if pattern.match(norm(cell[0])):
                if len(chunk) > len(columns) + 4:
                    warnings.append(f"表格第{chunk[0][1]}行起的一行单元格过多,可能缺少{anchor}单元格")
                rows.append(_assign_backward(chunk, columns))
                last_used, chunk = cell[1], []
    else:
        width = len(columns)
        for k in range(0, len(cells) - width + 1, width):
            part = cells[k : k + width]
            rows.append(_assign_positional([t for t, _ in part], columns, (part[0][1], part[-1][1])))
            last_used = part[-1][1]
        chunk = cells[len(rows) * width :]
    if chunk and rows:
        warnings.append(f"表格第{chunk[0][1]}行起有{len(chunk)}个单元格不属于任何一行,已忽略")
    return rows, last_used


def _pipe_cells(line: str) -> list[str]:
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _read_pipe(lines: list[str], start: int):
    """Columns, rows and the last consumed index of a pipe table whose header begins at ``start``."""
    i, header = start, []
    while i < len(lines) and "|" in lines[i]:
        cells = [c for c in _pipe_cells(lines[i]) if not _RULE.match(c)]
        if cells and all(header_role(c) for c in cells if c):
            header += [c for c in cells if c]
        elif cells:
            break
        i += 1
    columns = build_columns(header) if header else None
    if not columns:
        return None
    rows: list[_Row] = []
    last = i - 1
    for i in range(i, len(lines)):  # noqa: B020 - continue from the first data row
        raw, text = lines[i], norm(lines[i])
        if _NOTE.match(text):
            last = i
            break
        if text and "|" not in raw:
            break
        cells = _pipe_cells(raw)
        filled = [c for c in cells if norm(c)]
        if not filled or all(_RULE.match(c) for c in filled):
            continue
        last = i
        if len(filled) == 1 and not is_value(filled[0]):
            rows.append(_Row(domain=norm(filled[0]), lines=(i + 1, i + 1)))  # category row
        elif len(cells) == len(columns):
            rows.append(_assign_positional(cells, columns, (i + 1, i + 1)))
        else:
            rows.append(_assign_content(cells, columns, (i + 1, i + 1)))
    return columns, rows, last


def _find_tables(lines: list[str], warnings: list[str]) -> list[_Table]:
    tables: list[_Table] = []
    i = 0
    while i < len(lines):
        raw = lines[i].strip()
        # Long prose lines can start neither a table nor its header: skip them cheaply.
        if not raw or (len(raw) > 60 and "|" not in raw and not raw.startswith(("表", "附表"))):
            i += 1
            continue
        text = norm(raw)
        title_match = _TITLE.match(text)
        number, title, head = "", "", i
        if title_match:
            number = re.sub(r"\s+", "", title_match.group(1)).replace("—", "-").replace("–", "-")
            title = title_match.group(2).strip(" |")
            head = i + 1
            while head < len(lines) and not lines[head].strip():
                head += 1
        elif "|" not in text and header_role(text) not in ("name", "seq", "domain"):
            i += 1
            continue
        table = None
        if head < len(lines):
            table = _read_pipe(lines, head) if "|" in lines[head] else _read_flat(lines, head, warnings)
        if table is None:
            i += 1
            continue
        columns, rows, last = table
        tables.append(_Table(number, title, i + 1, last + 1, columns, rows))
        i = last + 1
    return tables


# ---------------------------------------------------------------- results


def _status(row: _Row, name: str) -> str:
    written = row.cells.get("status", "")
    if written:
        if re.search(r"未|无|不|取消", written) or written == "基本完成":
            return NO_DATA if re.search(r"无|不统计|取消", written) else NOT_DONE
        return DONE
    actual = row.cells.get("actual", "")
    if not actual or re.match(r"^[/—\-–]+$", actual) or re.search(r"等待|待|暂无|未公布|无", actual):
        return NO_DATA
    if re.search(r"完成|达到|实现", actual) and "未" not in actual:
        return DONE
    target = norm(row.cells.get("target", "")).strip("[]{}")
    value = number(actual)
    compared = _COMPARED.match(target)
    if value is None or (number(target) is None and not compared):
        return NO_DATA
    if compared:
        goal, higher = float(compared.group(2)), compared.group(1) in (">", ">=", "≥", "不低于", "高于")
    else:
        goal = number(target) or 0.0
        base = number(row.cells.get("baseline", ""))
        if re.search(r"新增建设用地|控制|不超过|上限", name):
            higher = False
        elif re.search(r"下降|降低|减少", name) and "浓度" not in name:
            higher = True  # a reduction rate: the bigger the better, whatever the previous period's rate
        else:
            higher = base is None or goal >= base
    return DONE if (value >= goal if higher else value <= goal) else NOT_DONE


def _category(attr: str, title: str) -> str | None:
    for word, kind in (("约束性", BINDING), ("预期性", EXPECTED)):
        if word in (attr or title):
            return kind
    return None


def _fmt(value: str, unit: str) -> str:
    if value and unit and unit not in value and re.search(r"[\d\]}]$", value):
        return f"{value}{unit}"
    return value


def _item(row: _Row, columns: list[_Column], section: str, running: int) -> ParsedItem:
    years = {c.role: c.year for c in columns}
    raw_name = row.cells.get("name", "")
    unit = _unit_of(raw_name, row.cells.get("unit", ""))
    name = _UNIT_SUFFIX.sub("", raw_name).lstrip("*").strip() or raw_name
    base, target, growth = (row.cells.get(k, "") for k in ("baseline", "target", "growth"))
    detail = IndicatorDetail(
        domain=row.domain,
        unit_of_measure=unit,
        baseline_text=base,
        baseline_year=years.get("baseline"),
        baseline_value=number(base),
        target_text=target,
        target_year=years.get("target"),
        target_value=number(target),
        growth_text=growth,
        cumulative=_bracketed(target) or _bracketed(base),
        pending=bool(_PENDING.search(target)),
    )
    parts = []
    for label, year, value in (("基期", detail.baseline_year, base), ("目标", detail.target_year, target)):
        if value:
            parts.append(f"{year}年 {_fmt(value, unit)}" if year else f"{label} {_fmt(value, unit)}")
    text = f"{name}: {' → '.join(parts)}" if parts else name
    if growth:
        text += f"; 年均增速 {growth}"
    attr = row.cells.get("attr", "")
    kind = _category(attr, "") or INDICATOR
    return ParsedItem(
        kind=kind,
        number=row.cells.get("seq") or str(running),
        section=section,
        title=name,
        text=text,
        source_lines=row.lines,
        indicator=detail,
    )


def parse_tables(lines: list[str]) -> StructureResult:
    """Indicator tables of a plan: items (current plan), evaluations (previous plan), consumed lines."""
    result = StructureResult()
    try:
        tables = _find_tables(list(lines), result.warnings)
    except (ValueError, IndexError, StopIteration) as exc:  # defensive: malformed text never raises
        result.warnings.append(f"表格解析失败: {exc}")
        return result
    keys: set[str] = set()
    for table in tables:
        key = table.number or f"表@{table.first_line}"
        if key in keys:
            key = f"{key}@{table.first_line}"
        keys.add(key)
        result.sections.append(
            Section(key, 1, table.number, table.title or key, None, (table.first_line, table.last_line))
        )
        result.consumed_lines.update(range(table.first_line, table.last_line + 1))
        evaluation = any(c.role in ("actual", "status", "actual_growth") for c in table.columns)
        domain, running = "", 0
        for row in table.rows:
            domain = row.domain or domain
            if not row.cells.get("name"):
                continue
            row.domain = domain
            running += 1
            if not evaluation:
                result.items.append(_item(row, table.columns, key, running))
                continue
            raw_name = row.cells["name"]
            result.evaluations.append(
                Evaluation(
                    name=_UNIT_SUFFIX.sub("", raw_name).lstrip("*").strip() or raw_name,
                    category=_category(row.cells.get("attr", ""), table.title),
                    unit_of_measure=_unit_of(raw_name, row.cells.get("unit", "")),
                    target_text=row.cells.get("target", ""),
                    actual_text=row.cells.get("actual", ""),
                    status=_status(row, domain + raw_name),
                    domain=domain,
                    baseline_text=row.cells.get("baseline", ""),
                    source_lines=row.lines,
                )
            )
    return result
