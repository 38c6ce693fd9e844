"""Entry point of the parsing package: bytes or text in, one enriched ParsedDocument out.

Structure parsers (notice, outline, tables, xlsx) find sections and items with raw unit strings;
this module picks the parser for the layout, then applies the rules every layout shares:
unit lists are split, deadlines are computed from date phrases, the reporting rule is read.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from . import deadlines, division_table, metadata, notice, outline, reporting, tables, units
from .decoding import decode_text
from .sniff import detect_format
from .types import (
    INDICATOR_KINDS,
    RESPONSIBLE,
    ROLES,
    Extracted,
    IndicatorDetail,
    ParsedDocument,
    ParsedItem,
    ParseError,
    StructureResult,
)

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
_UNIT_LINE = re.compile(r"^\s*(牵头单位|配合单位|责任单位)\s*[::]")

DocConverter = Callable[[bytes], bytes]


def extract(data: bytes, *, filename: str = "", max_bytes: int = DEFAULT_MAX_BYTES,
            doc_converter: DocConverter | None = None) -> Extracted:  # fmt: skip
    """Read any supported file into text lines and tables; the content decides the format.

    ``doc_converter`` turns a Word 97 .doc into .docx bytes (LibreOffice, see ``convert.py``); it is
    I/O, so the caller passes it in and this package stays free of subprocesses.
    """
    fmt = detect_format(data, filename=filename, max_bytes=max_bytes)
    try:
        return _read(data, fmt, max_bytes=max_bytes, doc_converter=doc_converter)
    except ParseError:
        raise
    except Exception as exc:  # a hostile or damaged file may break a reader anywhere: one line, no traceback
        raise ParseError(f"无法读取此 .{fmt} 文件,文件可能已损坏 (unreadable {fmt}: {type(exc).__name__})") from None


def _read(data: bytes, fmt: str, *, max_bytes: int, doc_converter: DocConverter | None) -> Extracted:
    if fmt == "txt":
        return Extracted(format="txt", lines=decode_text(data, max_bytes=max_bytes).split("\n"))
    if fmt in ("docx", "doc"):
        from .docx_reader import read_docx

        if fmt == "doc":
            if doc_converter is None:
                raise ParseError("不支持直接读取 .doc:请安装 LibreOffice (libreoffice-writer) 或另存为 .docx 后上传")
            data = doc_converter(data)
        return read_docx(data, fmt=fmt)
    if fmt == "pdf":
        from .pdf_reader import read_pdf

        return read_pdf(data)
    if fmt == "html":
        from .html_reader import read_html

        return read_html(data)
    from .xlsx_table import read_xls, read_xlsx

    return read_xlsx(data) if fmt == "xlsx" else read_xls(data)


def parse_bytes(data: bytes, *, filename: str = "", max_bytes: int = DEFAULT_MAX_BYTES,
                doc_converter: DocConverter | None = None) -> ParsedDocument:  # fmt: skip
    extracted = extract(data, filename=filename, max_bytes=max_bytes, doc_converter=doc_converter)
    return parse_extracted(extracted, filename=filename)


def parse_text(text: str, *, filename: str = "") -> ParsedDocument:
    return parse_extracted(Extracted(format="txt", lines=text.split("\n")), filename=filename)


def _division_tables(extracted: Extracted) -> list[tuple[list[list[str]], int]]:
    """(rows with cells as the parsers see them, first line) of each table, cleaned once."""
    return [
        ([[division_table.clean_cell(cell) for cell in row] for row in table.rows], table.first_line)
        for table in extracted.tables
    ]


def table_structure(extracted: Extracted, *, filename: str = "") -> tuple[metadata.Metadata, StructureResult]:
    """A document whose division is a table: the structure comes from the table(s), the metadata
    from the text above the first one (or the table's own title row)."""
    builder: division_table.TableBuilder | None = None
    first: tuple[list[list[str]], int, int] | None = None
    width = 0
    for rows, first_line in _division_tables(extracted):
        header = division_table.find_header(rows)
        if header is None:
            # A table continued on the next page (or after a page break in Word) has no header of its own.
            if builder is not None and rows and max(map(len, rows)) == width:
                continued = extracted.format == "pdf"  # only a page break cuts a row in two
                division_table.parse_rows(builder, rows, first_line=first_line, start=0, continued=continued)
            continue
        index, columns, height = header
        if builder is None:
            builder = division_table.TableBuilder(columns)
            first = (rows, first_line, index)
            width = max(map(len, rows))
        division_table.parse_rows(builder, rows, first_line=first_line, start=index + height)
    if builder is None or first is None:
        raise ParseError("文件中没有分工表 (no division table)")
    result = builder.result
    if not result.items:
        raise ParseError("表格中没有任务行 (the division table has no task rows)")
    rows, first_line, index = first
    head = [deadlines.half_width(line) for line in extracted.lines[: first_line - 1]]
    title = extracted.title or None
    try:
        meta = metadata.read_metadata(head, filename=filename, title=title)
    except ParseError:
        fallback = title or division_table.title_above(rows, index) or (extracted.tables[0].name or "").strip()
        if not fallback:
            raise ParseError("找不到文件标题:分工表上方没有标题行 (no document title found)") from None
        meta = metadata.read_metadata(
            head + ["\t".join(row) for row in rows[:index]], filename=filename, title=fallback
        )
    meta.kind = metadata.NOTICE
    return meta, result


def parse_extracted(extracted: Extracted, *, filename: str = "") -> ParsedDocument:
    """Layout detection shared by every format: a division table when the document has one, otherwise
    the text parsers (unit lines, inline units, outline and pipe tables)."""
    # Full-width punctuation (（）：，；) becomes ASCII one character for one, so every parser sees a single
    # form and line/column positions stay those of the original text.
    lines = [deadlines.half_width(line) for line in extracted.lines]
    if not any(line.strip() for line in lines):
        raise ParseError("文件为空 (empty file)")
    has_table = any(division_table.find_header(rows) for rows, _ in _division_tables(extracted))
    if has_table:
        meta, structure = table_structure(extracted, filename=filename)
        layout = "xlsx" if extracted.format in ("xlsx", "xls") else "table"
    else:
        meta = metadata.read_metadata(lines, filename=filename, title=extracted.title or None)
        unit_lines = any(_UNIT_LINE.match(line) for line in lines)
        if meta.kind == "notice" or unit_lines:
            try:
                structure = notice.parse_notice(lines)
                layout = "unit-lines" if unit_lines else "inline-units"
            except notice.NoAssignedItems:
                if unit_lines:
                    raise
                # A yearly task list issued without units (重点工作任务 before the office divides it) is read
                # like an undivided outline; the preview warns that no unit was found.
                structure, layout = _outline_structure(lines)
        else:
            structure, layout = _outline_structure(lines)
    meta.doc_number = meta.doc_number or extracted.doc_number
    meta.issued = meta.issued or extracted.issued
    doc = _assemble(meta, structure, lines=lines, layout=layout, original=extracted.lines)
    doc.format = extracted.format
    doc.warnings.extend(extracted.warnings)
    if not doc.items and not doc.sections:
        raise ParseError("未识别出任何章节、指标或任务:文件没有可识别的结构 (no structure found)")
    return doc


def _outline_structure(lines: list[str]) -> tuple[StructureResult, str]:
    """Pipe tables, then the outline (headings, paragraphs, inline unit annotations) of a text."""
    table_part = tables.parse_tables(lines)
    outline_part = outline.parse_outline(lines, skip=table_part.consumed_lines)
    structure = StructureResult(
        sections=table_part.sections + outline_part.sections,
        items=table_part.items + outline_part.items,
        evaluations=table_part.evaluations,
        warnings=table_part.warnings + outline_part.warnings,
    )
    return structure, "inline-units" if any(item.unit_text for item in outline_part.items) else "outline"


def _assemble(meta: metadata.Metadata, structure: StructureResult, *, lines: list[str], layout: str,
              original: list[str] | None = None) -> ParsedDocument:  # fmt: skip
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
        doc.warnings.append("分工通知中没有识别出任何单位:按未分工的任务清单导入,导入后可用“分工建议”分配单位")
    plan_year = meta.issued.year if meta.issued else meta.period_start
    plan_year = min(max(plan_year, meta.period_start), meta.period_end)
    spelling = units.SpellingIndex(original if original is not None else lines)
    for item in doc.items:
        enrich_item(item, plan_year=plan_year, period_end=meta.period_end)
        item.units = {role: spelling.as_written(names, item.source_lines) for role, names in item.units.items()}
    if doc.reporting and doc.reporting.recipient:
        line = doc.reporting.source_line
        doc.reporting.recipient = spelling.as_written([doc.reporting.recipient], (line, line))[0]
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
