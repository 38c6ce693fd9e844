"""The Word evaluation reports (.docx, python-docx) in the GB/T 9704 layout, with streamed annex tables.

Layout (GB/T 9704-2012 党政机关公文格式, the styles live here in code, the fonts are named, never embedded):
A4, margins 37 / 35 / 28 / 26 mm (top / bottom / left / right); title 2号 (22 pt) 方正小标宋简体; body 3号
(16 pt) 仿宋_GB2312 at a fixed 28 pt line pitch with a two-character first-line indent; 一级标题 黑体, 二级
标题 楷体_GB2312; page numbers "— 1 —" in 4号 宋体 at the foot; tables 5号 (10.5 pt) 仿宋. Offices have these
fonts; elsewhere (LibreOffice here) fontconfig substitutes an installed CJK font (Noto Serif/Sans CJK).

Tables are written in two steps so a 50,000-task annex costs neither minutes nor hundreds of MB: python-docx
lays out each table with its header and one template row of markers; after saving, ``document.xml`` is
copied into the final zip and each template row is replaced by the real rows, streamed as XML strings.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import IO
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

TITLE_FONT, BODY_FONT, HEADING_FONT, SUBHEADING_FONT, PAGE_FONT = (
    "方正小标宋简体",
    "仿宋_GB2312",
    "黑体",
    "楷体_GB2312",
    "宋体",
)
LATIN_FONT = "Times New Roman"
TITLE_SIZE, BODY_SIZE, TABLE_SIZE, PAGE_SIZE = Pt(22), Pt(16), Pt(10.5), Pt(14)
LINE_PITCH = Pt(28)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _fonts(rpr_owner, east_asian: str, size: Pt | None = None, *, bold: bool | None = None) -> None:
    """Name the Latin and the East Asian font of a style or run (python-docx sets only the Latin one)."""
    font = rpr_owner.font
    font.name = LATIN_FONT
    if size is not None:
        font.size = size
    if bold is not None:
        font.bold = bold
    rpr = rpr_owner.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attribute in ("w:ascii", "w:hAnsi"):
        fonts.set(qn(attribute), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asian)
    color = rpr.find(qn("w:color"))
    if color is not None:
        rpr.remove(color)


def new_document() -> DocxDocument:
    """An empty document with the GB/T 9704 page and the report's styles."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    styles = document.styles
    normal = styles["Normal"]
    _fonts(normal, BODY_FONT, BODY_SIZE)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = LINE_PITCH
    normal.paragraph_format.space_before = normal.paragraph_format.space_after = Pt(0)
    for name, font, size, bold in (
        ("Title", TITLE_FONT, TITLE_SIZE, False),
        ("Heading 1", HEADING_FONT, BODY_SIZE, False),
        ("Heading 2", SUBHEADING_FONT, BODY_SIZE, False),
    ):
        style = styles[name]
        _fonts(style, font, size, bold=bold)
        fmt = style.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(36) if name == "Title" else LINE_PITCH
        fmt.space_before, fmt.space_after = Pt(0), Pt(0)
        fmt.first_line_indent = None if name == "Title" else Pt(32)
        fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER if name == "Title" else WD_ALIGN_PARAGRAPH.LEFT
        # the built-in Title carries a bottom border in python-docx's template: a 公文 title has none
        ppr = style.element.get_or_add_pPr()
        border = ppr.find(qn("w:pBdr"))
        if border is not None:
            ppr.remove(border)
    _page_numbers(section)
    return document


def _page_numbers(section) -> None:
    """ "— 1 —" centred at the foot of every page (a PAGE field)."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _fonts(paragraph.add_run("— "), PAGE_FONT, PAGE_SIZE)
    run = paragraph.add_run()
    _fonts(run, PAGE_FONT, PAGE_SIZE)
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    _fonts(paragraph.add_run(" —"), PAGE_FONT, PAGE_SIZE)


def body_paragraph(document: DocxDocument, text: str, *, indent: bool = True) -> None:
    paragraph = document.add_paragraph(text)
    paragraph.paragraph_format.first_line_indent = Pt(32) if indent else None
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY


@dataclass
class StreamedTable:
    """A table whose rows are written after saving: ``marker`` names its template row."""

    marker: str
    columns: Sequence[tuple[str, float]]  # (header, width in mm)
    rows: Iterable[Sequence[str]]


def add_table(document: DocxDocument, table: StreamedTable, *, font_size: Pt = TABLE_SIZE) -> None:
    """The header (repeated on every page) and a template row of markers ``⟦marker:i⟧``."""
    grid = document.add_table(rows=2, cols=len(table.columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    for column, (_, width) in zip(grid.columns, table.columns, strict=True):
        column.width = Mm(width)  # the grid LibreOffice and Word lay the table out by
    for row_index, row in enumerate(grid.rows):
        for i, (header, width) in enumerate(table.columns):
            cell = row.cells[i]
            cell.width = Mm(width)
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.first_line_indent = None
            paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
            text = header if row_index == 0 else f"⟦{table.marker}:{i}⟧"
            run = paragraph.add_run(text)
            _fonts(run, HEADING_FONT if row_index == 0 else BODY_FONT, font_size)
            if row_index == 0:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    header = grid.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header.append(repeat)


def _cell_text(value: object) -> str:
    return escape(_XML_ILLEGAL.sub("", "" if value is None else str(value)))


def _row_pieces(xml: str, marker: str, columns: int) -> tuple[int, int, list[str]]:
    """Where the template row of ``marker`` starts and ends in ``xml``, and its text between the markers."""
    first = xml.index(f"⟦{marker}:0⟧")
    start = xml.rindex("<w:tr", 0, first)
    end = xml.index("</w:tr>", first) + len("</w:tr>")
    row = xml[start:end]
    pieces, rest = [], row
    for i in range(columns):
        before, rest = rest.split(f"⟦{marker}:{i}⟧", 1)
        pieces.append(before)
    pieces.append(rest)
    return start, end, pieces


def write_streamed(
    document: DocxDocument,
    tables: Sequence[StreamedTable],
    target: str | IO[bytes],
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Save ``document`` to ``target`` with every streamed table's rows in place; returns rows written."""
    buffer = BytesIO()
    document.save(buffer)
    buffer.seek(0)
    written = 0
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                out.writestr(info, source.read(info.filename))
                continue
            xml = source.read(info.filename).decode("utf-8")
            with out.open("word/document.xml", "w") as stream:
                position = 0
                for table in tables:
                    start, end, pieces = _row_pieces(xml, table.marker, len(table.columns))
                    stream.write(xml[position:start].encode("utf-8"))
                    for row in table.rows:
                        stream.write(_row_xml(pieces, row).encode("utf-8"))
                        written += 1
                        if progress is not None and written % 500 == 0:
                            progress(written)
                    position = end
                stream.write(xml[position:].encode("utf-8"))
    if progress is not None:
        progress(written)
    return written


def _row_xml(pieces: list[str], row: Sequence[str]) -> str:
    parts = [pieces[0]]
    for i, value in enumerate(row):
        parts.append(_cell_text(value))
        parts.append(pieces[i + 1])
    return "".join(parts)


def png_picture(document: DocxDocument, png: bytes, *, width_mm: float, caption: str) -> None:
    document.add_picture(BytesIO(png), width=Mm(width_mm))
    holder = document.paragraphs[-1]
    holder.alignment = WD_ALIGN_PARAGRAPH.CENTER
    holder.paragraph_format.first_line_indent = None
    holder.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE  # the body's exact 28 pt would clip it
    label = document.add_paragraph(caption)
    label.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for run in label.runs:
        _fonts(run, BODY_FONT, Pt(12))
