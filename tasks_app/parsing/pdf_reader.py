"""Text PDFs: the notice as lines, its ruled tables as grids.

What PDF text needs before the shared parsers can read it:

* running headers and footers ("营口市人民政府办公室文件" on every page) and page numbers
  ("— 3 —", "- 3 -", "第3页", "3/12") are dropped;
* lines that wrap inside a sentence or a unit name are joined again. Chinese paragraphs open with a
  first-line indent, so a line starting at the left margin continues the line above; a document
  without indents falls back to "the line above reaches the right margin and ends mid-sentence";
* the spaces PDF text puts between digits and CJK ("2021 年 8 月") are removed;
* a ruled table becomes a grid (cell text wrapped inside a cell is joined without a space).

The page content is read by PDFium (pypdfium2: Chrome's PDF engine, C++), which gives every character
with its box and every path segment; the ruled-table finder is pdfplumber's (its edge snapping,
intersection and cell grouping functions, fed with PDFium's segments). pdfplumber alone interpreted
each page in pure Python, ~35 ms a page: a 300-page division table took 11 s, PDFium reads it in about
one (docs/performance.md). PDFium is not thread-safe, so every call into it holds one lock.
"""

from __future__ import annotations

import ctypes
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .types import Extracted, ParseError, TableBlock

MAX_PAGES = 500
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–−_~·\s]*\d{1,4}[-—–−_~·\s]*|第\s*\d{1,4}\s*页(?:\s*[,/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4}"
    r"|(?:page\s*)?\d{1,4}\s*(?:of\s*\d{1,4})?)$",
    re.I,
)
_CJK = "\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef“”‘’《》、"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])[ \t]+|[ \t]+(?=[{_CJK}])")
_SENTENCE_END = tuple("。;:!?;:!?")
_UNIT_LABEL = re.compile(r"^(?:牵头|配合|责任|协办)(?:单位|部门)\s*[::]")
_OPENS_BLOCK = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[((][一二三四五六七八九十]+[))]|\d{1,3}[.、]|第.{1,4}[章节]|专栏)"
)


# Kangxi and supplementary radicals ("⼯" U+2F2F) look like the ideographs ("工" U+5DE5) they stand for; some
# PDF producers map glyphs to them, and "⼯作" then matches no unit name or keyword.
_RADICALS = {
    code: unicodedata.normalize("NFKC", chr(code))
    for code in (*range(0x2E80, 0x2EF4), *range(0x2F00, 0x2FD6))
    if unicodedata.normalize("NFKC", chr(code)) != chr(code)
}


def tidy(text: str) -> str:
    """Remove the spaces PDF text puts next to CJK characters ("2021 年8 月" → "2021年8月") and read radicals
    as the ideographs they stand for."""
    return _SPACE_NEAR_CJK.sub("", text.translate(_RADICALS)).strip()


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", text.replace(" ", ""))


_PDFIUM_LOCK = threading.Lock()
_LINE_TOLERANCE = 3.0  # points: characters whose tops differ by less share a line (pdfplumber's default)
_WORD_GAP = 3.0  # points: a wider gap between two characters on a line reads as a space
_TABLE_SETTINGS = {"snap": 3.0, "join": 3.0, "min_length": 3.0, "intersection": 3.0}


@dataclass(frozen=True, slots=True)
class _Char:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    baseline: float  # characters of one line share it, whatever their font's ascent


Box = tuple[float, float, float, float]  # x0, top, x1, bottom; top measured down from the page's top edge


def _centre_inside(char: _Char, box: Box) -> bool:
    x = (char.x0 + char.x1) / 2
    y = (char.top + char.bottom) / 2
    return box[0] <= x < box[2] and box[1] <= y < box[3]


def _cell(value: str | None) -> str:
    return tidy((value or "").replace("\n", ""))


def _clusters(chars: list[_Char]) -> list[list[_Char]]:
    """Characters grouped into lines by their baselines (a chain of baselines less than the tolerance apart),
    each line left to right."""
    lines: list[list[_Char]] = []
    last: float | None = None
    for char in sorted(chars, key=lambda c: (c.baseline, c.x0)):
        if last is None or char.baseline - last > _LINE_TOLERANCE:
            lines.append([])
        lines[-1].append(char)
        last = char.baseline
    return [sorted(line, key=lambda c: c.x0) for line in lines]


def _line_text(chars: list[_Char]) -> str:
    parts: list[str] = []
    previous: _Char | None = None
    for char in chars:
        if previous is not None and char.x0 - previous.x1 > _WORD_GAP and not char.text.isspace():
            parts.append(" ")
        parts.append(char.text)
        previous = char
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def _text_lines(chars: list[_Char]) -> list[dict[str, Any]]:
    lines = []
    for line in _clusters(chars):
        text = _line_text(line)
        if text:
            lines.append({"text": text, "x0": line[0].x0, "x1": max(c.x1 for c in line),
                          "top": min(c.top for c in line), "bottom": max(c.bottom for c in line)})  # fmt: skip
    return lines


def _page_chars(raw: Any, textpage: Any, height: float) -> list[_Char]:
    count = raw.FPDFText_CountChars(textpage)
    buffer = ctypes.create_string_buffer((count + 1) * 2)
    raw.FPDFText_GetText(textpage, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)))
    text = buffer.raw[: count * 2].decode("utf-16-le", errors="replace")
    chars = []
    box = raw.FS_RECTF()
    origin_x, origin_y = ctypes.c_double(), ctypes.c_double()
    for index, char in enumerate(text):
        if char in "\r\n\x00\ufffe\uffff" or raw.FPDFText_IsGenerated(textpage, index):
            continue  # PDFium's generated spaces and line breaks carry no position of their own
        # The loose box: advance width across and the font's ascent to descent down, as pdfplumber gives it;
        # ink boxes would put "1" apart from the "2" before it and "," on another line than its neighbours.
        if raw.FPDFText_GetLooseCharBox(textpage, index, box):
            raw.FPDFText_GetCharOrigin(textpage, index, origin_x, origin_y)
            right = max(box.right, box.left + 0.1)
            chars.append(_Char(char, box.left, right, height - box.top, height - box.bottom, height - origin_y.value))
    return chars


def _path_segments(pdfium: Any, page: Any, height: float) -> Iterator[dict[str, Any]]:
    """Straight horizontal and vertical segments of the page's paths (also inside form XObjects), as
    pdfplumber edges."""
    raw = pdfium.raw
    point_x, point_y = ctypes.c_float(), ctypes.c_float()
    matrix_raw = raw.FS_MATRIX()

    def objects(form: Any) -> Iterator[Any]:
        if form is None:
            count = raw.FPDFPage_CountObjects(page.raw)
            return (raw.FPDFPage_GetObject(page.raw, index) for index in range(count))
        count = raw.FPDFFormObj_CountObjects(form)
        return (raw.FPDFFormObj_GetObject(form, index) for index in range(count))

    def walk(form: Any, parent: Any, depth: int) -> Iterator[tuple[Any, Any]]:
        for obj in objects(form):
            kind = raw.FPDFPageObj_GetType(obj)
            if kind not in (raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_FORM):
                continue
            raw.FPDFPageObj_GetMatrix(obj, matrix_raw)
            matrix = pdfium.PdfMatrix.from_raw(matrix_raw).multiply(parent)
            if kind == raw.FPDF_PAGEOBJ_FORM:
                if depth < 8:
                    yield from walk(obj, matrix, depth + 1)
            else:
                yield obj, matrix

    for obj, matrix in walk(None, pdfium.PdfMatrix(), 0):
        start = previous = None
        for index in range(raw.FPDFPath_CountSegments(obj)):
            segment = raw.FPDFPath_GetPathSegment(obj, index)
            raw.FPDFPathSegment_GetPoint(segment, point_x, point_y)
            current = matrix.on_point(point_x.value, point_y.value)
            kind = raw.FPDFPathSegment_GetType(segment)
            if kind == raw.FPDF_SEGMENT_MOVETO or previous is None:
                start = current
            elif kind == raw.FPDF_SEGMENT_LINETO:
                yield from _edge(previous, current, height)
            if raw.FPDFPathSegment_GetClose(segment) and start is not None:
                yield from _edge(current, start, height)
            previous = current


def _edge(a: tuple[float, float], b: tuple[float, float], height: float) -> Iterator[dict[str, Any]]:
    (xa, ya), (xb, yb) = a, b
    x0, x1 = sorted((xa, xb))
    top, bottom = sorted((height - ya, height - yb))
    if bottom - top < 1 and x1 - x0 >= 1:
        y = (top + bottom) / 2
        yield {"object_type": "line", "orientation": "h", "x0": x0, "x1": x1, "top": y, "bottom": y,
               "width": x1 - x0, "height": 0.0}  # fmt: skip
    elif x1 - x0 < 1 and bottom - top >= 1:
        x = (x0 + x1) / 2
        yield {"object_type": "line", "orientation": "v", "x0": x, "x1": x, "top": top, "bottom": bottom,
               "width": 0.0, "height": bottom - top}  # fmt: skip


def _tables(edges: list[dict[str, Any]]) -> list[list[Box]]:
    """Cell groups of the ruled tables (pdfplumber's lines strategy on the given edges)."""
    from pdfplumber import table as finder
    from pdfplumber import utils

    settings = _TABLE_SETTINGS
    merged = finder.merge_edges(edges, settings["snap"], settings["snap"], settings["join"], settings["join"])
    kept = utils.filter_edges(merged, min_length=settings["min_length"])
    intersections = finder.edges_to_intersections(kept, settings["intersection"], settings["intersection"])
    return finder.cells_to_tables(finder.intersections_to_cells(intersections))


def _table_rows(cells: list[Box], chars: list[_Char]) -> list[list[str | None]]:
    """The grid of one table: one list per row of cells (same top), None where a merged cell spans."""
    band = 12.0  # points: each character is tested against the cells of its horizontal band only
    bands: dict[int, list[Box]] = {}
    for cell in cells:
        for key in range(int(cell[1] // band), int(cell[3] // band) + 1):
            bands.setdefault(key, []).append(cell)
    contents: dict[Box, list[_Char]] = {}
    for char in chars:
        middle = (char.top + char.bottom) / 2
        for cell in bands.get(int(middle // band), ()):
            if _centre_inside(char, cell):
                contents.setdefault(cell, []).append(char)
                break
    xs = sorted({cell[0] for cell in cells})
    rows: dict[float, dict[float, Box]] = {}
    for cell in cells:
        rows.setdefault(cell[1], {})[cell[0]] = cell
    grid: list[list[str | None]] = []
    for top in sorted(rows):
        row: list[str | None] = []
        for x in xs:
            spanned = rows[top].get(x)
            inside = contents.get(spanned, []) if spanned is not None else None
            row.append(None if inside is None else "\n".join(_line_text(line) for line in _clusters(inside)))
        grid.append(row)
    return grid


def _page_blocks(pdfium: Any, page: Any) -> tuple[list[tuple[float, str, Any]], bool]:
    """("line", line dict) and ("table", rows) blocks of one page, top to bottom; and whether it has text."""
    height = page.get_height()
    textpage = page.get_textpage()
    try:
        chars = _page_chars(pdfium.raw, textpage.raw, height)
    finally:
        textpage.close()
    edges = list(_path_segments(pdfium, page, height))
    groups = [cells for cells in _tables(edges) if len({cell[1] for cell in cells}) >= 2] if edges else []
    boxes = [(min(c[0] for c in cells), min(c[1] for c in cells), max(c[2] for c in cells), max(c[3] for c in cells))
             for cells in groups]  # fmt: skip
    outside: list[_Char] = []
    in_table: list[list[_Char]] = [[] for _ in boxes]
    for char in chars:
        found = next((n for n, box in enumerate(boxes) if _centre_inside(char, box)), None)
        (outside if found is None else in_table[found]).append(char)
    blocks: list[tuple[float, str, Any]] = [(line["top"], "line", line) for line in _text_lines(outside)]
    for box, cells, table_chars in zip(boxes, groups, in_table, strict=True):
        rows = [[_cell(cell) for cell in row] for row in _table_rows(cells, table_chars)]
        blocks.append((box[1], "table", rows))
    blocks.sort(key=lambda block: block[0])
    return blocks, bool(chars)


def _may_be_furniture(text: str) -> bool:
    """Running headers and footers are short labels; an item line or a unit line at a page top is not one."""
    clean = tidy(text)
    return len(clean) <= 40 and not _OPENS_BLOCK.match(clean) and not _UNIT_LABEL.match(clean)


def _running_furniture(pages: list[list[tuple[float, str, Any]]]) -> set[str]:
    """Short texts in the first or last two lines of at least half of the pages (and of two pages at least)."""
    counts: Counter[str] = Counter()
    for blocks in pages:
        lines = [block[2]["text"] for block in blocks if block[1] == "line"]
        counts.update({_furniture_key(text) for text in lines[:2] + lines[-2:] if _may_be_furniture(text)})
    needed = max(2, (len(pages) + 1) // 2)
    return {key for key, count in counts.items() if count >= needed}


def read_pdf(data: bytes) -> Extracted:
    import pypdfium2 as pdfium

    with _PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            if getattr(exc, "err_code", None) == pdfium.raw.FPDF_ERR_PASSWORD:
                raise ParseError("PDF 已加密,需要密码才能打开:请上传未加密的文件 (encrypted PDF)") from None
            raise ParseError(f"不是可读取的 PDF 文件 (not a readable PDF: {exc})") from None
        try:
            if len(pdf) > MAX_PAGES:
                raise ParseError(f"PDF 页数超过上限 {MAX_PAGES} (too many pages)")
            pages, has_text = [], False
            for index in range(len(pdf)):
                page = pdf[index]
                try:
                    blocks, page_has_text = _page_blocks(pdfium, page)
                finally:
                    page.close()  # memory stays that of one page, not of the whole file
                pages.append(blocks)
                has_text = has_text or page_has_text
        finally:
            pdf.close()
    if not has_text:
        raise ParseError("PDF 没有文本层(可能是扫描件或图片),请上传文字版 PDF 或 Word 文件 (no text layer)")
    return _assemble(pages)


def _assemble(pages: list[list[tuple[float, str, Any]]]) -> Extracted:
    furniture = _running_furniture(pages) if len(pages) > 1 else set()
    body = [
        block[2]
        for blocks in pages
        for block in blocks
        if block[1] == "line" and block[2]["text"].strip() and _furniture_key(block[2]["text"]) not in furniture
    ]
    left = min((line["x0"] for line in body), default=0.0)
    right = max((line["x1"] for line in body), default=0.0)
    size = Counter(round(line["bottom"] - line["top"]) for line in body).most_common(1)
    char = float(size[0][0]) if size else 12.0
    indented = sum(1 for line in body if line["x0"] > left + char * 0.8) >= max(2, len(body) // 10)

    lines: list[str] = []
    tables: list[TableBlock] = []
    previous: dict[str, Any] | None = None  # the line the next one may continue
    for blocks in pages:
        for _, kind, value in blocks:
            if kind == "table":
                tables.append(TableBlock(rows=value, first_line=len(lines) + 1))
                lines.extend("\t".join(cell for cell in row if cell) for row in value)
                previous = None
                continue
            text = value["text"]
            if not text.strip() or _furniture_key(text) in furniture:
                continue
            if _PAGE_NUMBER.match(text.strip()) and (value is blocks[-1][2] or value is blocks[0][2]):
                continue
            clean = tidy(text)
            if previous is not None and _continues(previous, value, left=left, right=right, char=char,
                                                   indented=indented):  # fmt: skip
                lines[-1] += clean
            else:
                lines.append(clean)
            previous = value
    return Extracted(format="pdf", lines=lines, tables=tables)


def _continues(above: dict[str, Any], line: dict[str, Any], *, left: float, right: float, char: float,
               indented: bool) -> bool:  # fmt: skip
    text = tidy(line["text"])
    if _OPENS_BLOCK.match(text) or _UNIT_LABEL.match(text):
        return False
    if abs((above["bottom"] - above["top"]) - (line["bottom"] - line["top"])) > char * 0.25:
        return False  # another font size: a title above a paragraph, not a wrapped line
    starts_at_margin = abs(line["x0"] - left) < char * 0.5
    above_text = tidy(above["text"])
    if indented:
        return starts_at_margin and not (above_text.endswith(_SENTENCE_END) and above["x1"] < right - char * 3)
    return starts_at_margin and above["x1"] >= right - char * 3 and not above_text.endswith(_SENTENCE_END)
