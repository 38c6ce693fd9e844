"""Successions from an .xlsx sheet: 原单位 / 继任单位 / 生效日期 [/ 所属改革 / 类型 / 依据].

One row per predecessor (several successors in one cell, separated by 、 , ; or one row each: a split).
Names resolve among the jurisdiction's units and aliases; a successor the directory does not hold yet is
created (the office names it). All rows or nothing: any bad row → one ``SuccessionError`` naming every bad
row. The workbook goes through the guarded reader of tasks_app.parsing.spreadsheet_guard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction

from tasks_app import access
from tasks_app.capabilities import Capability
from tasks_app.models import Jurisdiction, Unit, UnitSuccession
from tasks_app.parsing.spreadsheet_guard import SheetLimits, SpreadsheetError, xlsx_rows
from tasks_app.rules.units import UnitNames
from tasks_app.services.contacts import _text
from tasks_app.services.successions import KIND_LABELS, SuccessionError, succession_record

MAX_ROWS = 2000
HEADER_SEARCH_ROWS = 10
HEADERS = {
    "predecessor": ("原单位", "原单位名称", "撤并单位", "原机构"),
    "successor": ("继任单位", "新单位", "承接单位", "现单位", "新机构"),
    "date": ("生效日期", "日期", "改革日期", "挂牌日期"),
    "reform": ("所属改革", "改革", "机构改革"),
    "kind": ("类型", "沿革类型"),
    "source": ("依据", "文件依据", "来源"),
}
LIMITS = SheetLimits(
    max_bytes=2 * 1024 * 1024,
    max_uncompressed_bytes=32 * 1024 * 1024,
    max_row_cells=64,
    max_sheet_cells=(MAX_ROWS + HEADER_SEARCH_ROWS) * 16,
    max_rows=MAX_ROWS + HEADER_SEARCH_ROWS,
)
KIND_BY_LABEL = {label: value for value, label in KIND_LABELS.items()} | {v: v for v in KIND_LABELS}
_SPLIT = re.compile(r"[、,,;;/\n]+")
_DATE = re.compile(r"^(\d{4})[-年./](\d{1,2})[-月./](\d{1,2})日?$")


@dataclass
class SuccessionsImport:
    rows: int = 0
    recorded: list[str] = field(default_factory=list)


def _header(cells: list[str]) -> dict[str, int] | None:
    columns: dict[str, int] = {}
    for position, cell in enumerate(cells):
        label = cell.replace(" ", "")
        for role, names in HEADERS.items():
            if role not in columns and label in names:
                columns[role] = position
    return columns if {"predecessor", "successor", "date"} <= set(columns) else None


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = _DATE.match(_text(value))
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def successions_import_xlsx(*, data: bytes, jurisdiction: Jurisdiction, user: Any) -> SuccessionsImport:
    """Record every succession the sheet lists for ``jurisdiction``'s units. All rows or nothing."""
    access.require(user, Capability.MANAGE_UNITS)
    if not access.visible_jurisdictions(user).filter(pk=jurisdiction.pk).exists():
        raise SuccessionError("行政区划不存在或不在您的管辖范围内")
    try:
        rows = xlsx_rows(data, limits=LIMITS)
    except SpreadsheetError as exc:
        raise SuccessionError(str(exc)) from exc
    header_at, columns = next(
        ((i, found) for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]) if (found := _header([_text(c) for c in row]))),
        (None, None),
    )
    if header_at is None or columns is None:
        raise SuccessionError("找不到表头:前 10 行中需要“原单位”“继任单位”“生效日期”列")
    names = UnitNames(access.visible_units(user).filter(jurisdiction=jurisdiction))
    errors: list[str] = []
    wanted: list[tuple[int, Unit, list[Unit | str], date, str, str, str]] = []

    def cell(row: list[Any], role: str) -> Any:
        position = columns.get(role)
        return row[position] if position is not None and position < len(row) else None

    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if not any(_text(c) for c in row):
            continue
        raw = _text(cell(row, "predecessor"))
        predecessor = names.find(raw) if raw else None
        successors_raw = [s.strip() for s in _SPLIT.split(_text(cell(row, "successor"))) if s.strip()]
        effective_on = _date(cell(row, "date"))
        kind_label = _text(cell(row, "kind"))
        problems = []
        if predecessor is None:
            problems.append(f"原单位“{raw}”不在{jurisdiction.name}的单位名录中" if raw else "缺少原单位")
        if not successors_raw:
            problems.append("缺少继任单位")
        if effective_on is None:
            problems.append(f"生效日期“{_text(cell(row, 'date'))}”无法识别(应为 2019-01-31 这样的日期)")
        if kind_label and kind_label not in KIND_BY_LABEL:
            problems.append(f"类型“{kind_label}”应为 更名/合并/拆分/职责划入 之一")
        if problems:
            errors.append(f"第 {number} 行:" + ",".join(problems))
            continue
        assert predecessor is not None and effective_on is not None
        successors: list[Unit | str] = [names.find(s) or s for s in successors_raw]
        wanted.append(
            (
                number,
                predecessor,
                successors,
                effective_on,
                _text(cell(row, "reform")),
                KIND_BY_LABEL.get(kind_label, ""),
                _text(cell(row, "source")),
            )
        )
    if errors:
        raise SuccessionError(f"{len(errors)} 行有误,未导入任何内容:" + ";".join(errors))
    if not wanted:
        raise SuccessionError("表中没有单位沿革数据")
    result = SuccessionsImport()
    with transaction.atomic():
        for number, predecessor, successors, effective_on, reform, kind, source in _merge_rows(wanted):
            units = [
                s if isinstance(s, Unit) else Unit.objects.get_or_create(jurisdiction=jurisdiction, name=s)[0]
                for s in successors
            ]
            try:
                succession_record(
                    user=user,
                    predecessor=predecessor,
                    successors=units,
                    effective_on=effective_on,
                    reform=reform,
                    kind=kind,
                    source=source or "Excel 导入",
                )
            except SuccessionError as exc:
                raise SuccessionError(f"第 {number} 行:{exc};未导入任何内容") from exc
            result.rows += 1
            result.recorded.append(f"{predecessor.name} → {'、'.join(u.name for u in units)}({effective_on})")
    return result


def _merge_rows(wanted: list[tuple[int, Unit, list[Unit | str], date, str, str, str]]) -> list:
    """Rows naming one predecessor on one date are one succession (a split written one row per successor)."""
    merged: dict[tuple[int, date], list] = {}
    for number, predecessor, successors, effective_on, reform, kind, source in wanted:
        key = (predecessor.pk, effective_on)
        if key in merged:
            merged[key][2] = list(dict.fromkeys([*merged[key][2], *successors]))
            merged[key][5] = merged[key][5] or UnitSuccession.Kind.SPLIT
        else:
            merged[key] = [number, predecessor, successors, effective_on, reform, kind, source]
    return [tuple(entry) for entry in merged.values()]
