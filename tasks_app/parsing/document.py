"""Entry point of the parsing package: bytes or text in, one enriched ParsedDocument out.

Structure parsers (notice, outline, tables, xlsx) find sections and items with raw unit strings;
this module picks the parser for the layout, then applies the rules every layout shares:
unit lists are split, deadlines are computed from date phrases, the reporting rule is read.
"""

from __future__ import annotations

import re

from . import deadlines, metadata, notice, outline, reporting, tables, units, xlsx_table
from .decoding import decode_text, is_xlsx
from .types import (
    INDICATOR_KINDS,
    RESPONSIBLE,
    ROLES,
    IndicatorDetail,
    ParsedDocument,
    ParsedItem,
    ParseError,
    StructureResult,
)

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
_UNIT_LINE = re.compile(r"^\s*(牵头单位|配合单位|责任单位)\s*[::]")


def parse_bytes(data: bytes, *, filename: str = "", max_bytes: int = DEFAULT_MAX_BYTES) -> ParsedDocument:
    if len(data) > max_bytes:
        raise ParseError(f"文件过大:{len(data)} 字节,上限 {max_bytes} 字节 (file too large)")
    if is_xlsx(data, filename):
        meta, structure = xlsx_table.parse_xlsx(data)
        return _assemble(meta, structure, lines=[], layout="xlsx")
    if filename.lower().endswith((".xlsx", ".xls", ".docx", ".doc", ".pdf")):
        raise ParseError(f"不支持的文件类型:{filename}(仅支持 .txt 文本或 .xlsx 分工表)")
    return parse_text(decode_text(data, max_bytes=max_bytes), filename=filename)


def parse_text(text: str, *, filename: str = "") -> ParsedDocument:
    # Full-width punctuation (（）：，；) becomes ASCII one character for one, so every parser sees a single
    # form and line/column positions stay those of the original text.
    lines = deadlines.half_width(text).split("\n")
    if not any(line.strip() for line in lines):
        raise ParseError("文件为空 (empty file)")
    meta = metadata.read_metadata(lines, filename=filename)
    if meta.kind == "notice" or any(_UNIT_LINE.match(line) for line in lines):
        structure = notice.parse_notice(lines)
        layout = "unit-lines" if any(_UNIT_LINE.match(line) for line in lines) else "inline-units"
    else:
        table_part = tables.parse_tables(lines)
        outline_part = outline.parse_outline(lines, skip=table_part.consumed_lines)
        structure = StructureResult(
            sections=table_part.sections + outline_part.sections,
            items=table_part.items + outline_part.items,
            evaluations=table_part.evaluations,
            warnings=table_part.warnings + outline_part.warnings,
        )
        layout = "inline-units" if any(item.unit_text for item in outline_part.items) else "outline"
    doc = _assemble(meta, structure, lines=lines, layout=layout)
    if not doc.items and not doc.sections:
        raise ParseError("未识别出任何章节、指标或任务:文件没有可识别的结构 (no structure found)")
    return doc


def _assemble(meta: metadata.Metadata, structure: StructureResult, *, lines: list[str], layout: str) -> ParsedDocument:
    doc = ParsedDocument(
        title=meta.title,
        kind=meta.kind,
        jurisdiction=meta.jurisdiction,
        parent_jurisdiction=meta.parent_jurisdiction,
        period_start=meta.period_start,
        period_end=meta.period_end,
        doc_number=meta.doc_number,
        issuer=meta.issuer,
        issued=meta.issued,
        layout=layout,
        reporting=reporting.find_reporting_rule(lines) if lines else None,
        sections=structure.sections,
        items=structure.items,
        evaluations=structure.evaluations,
        warnings=list(structure.warnings),
        line_count=len(lines),
    )
    if doc.kind == "notice" and any(item.unit_text for item in doc.items) is False:
        doc.warnings.append("分工通知中没有识别出任何单位")
    plan_year = meta.issued.year if meta.issued else meta.period_start
    plan_year = min(max(plan_year, meta.period_start), meta.period_end)
    for item in doc.items:
        enrich_item(item, plan_year=plan_year, period_end=meta.period_end)
    return doc


_NUMBER = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?![\d.])")
_PENDING = ("*", "*", "待省", "等待省下达")
_MEASURE = re.compile(
    r"\d(?:\.\d+)?\s*(%|‰|亿元|万元|元|万人|万吨|亿吨|万亩|亩|年|岁|件|个|家|套|万标箱|立方米|亿立方米)"
)


def indicator_from_sentence(text: str, *, target_year: int) -> IndicatorDetail:
    """Indicators of a division notice are sentences ("森林覆盖率达到45.22%"): keep the text as the target,
    a number only when the sentence holds exactly one, and the pending/cumulative flags of BRIEF §2."""
    body = re.sub(r"(?:到|至)?20\d\d年[,,]?", "", text)
    numbers = _NUMBER.findall(body)
    measure = _MEASURE.search(body)
    return IndicatorDetail(
        target_text=text.strip()[:300],
        target_year=target_year,
        target_value=float(numbers[0]) if len(numbers) == 1 else None,
        unit_of_measure=measure.group(1) if measure and len(numbers) == 1 else "",
        cumulative="累计" in text or bool(re.search(r"\[[\d.]+\]", text)),
        pending=any(mark in text for mark in _PENDING),
    )


def enrich_item(item: ParsedItem, *, plan_year: int, period_end: int) -> None:
    """Split raw unit strings and compute milestones and the deadline (BRIEF §4)."""
    item.units = {}
    item.and_others = False
    for role in ROLES:
        names: list[str] = []
        for raw in item.unit_text.get(role, []):
            split, others = units.split_units(raw)
            item.and_others = item.and_others or others
            names.extend(name for name in split if name not in names)
        if names:
            item.units[role] = names
    if item.kind in INDICATOR_KINDS and item.indicator is None:
        item.indicator = indicator_from_sentence(item.text, target_year=period_end)
    item.milestones = deadlines.extract_milestones(item.text, plan_year=plan_year, period_end=period_end)
    item.deadline, item.deadline_text, item.deadline_defaulted = deadlines.compute_deadline(
        item.milestones, period_end=period_end
    )


def reporting_units(item: ParsedItem) -> list[str]:
    """BRIEF §4: the lead units report; where none is named, the responsible units."""
    return item.units.get("lead") or item.units.get(RESPONSIBLE, [])
