"""Text PDFs (pdfplumber): the notice as lines, its ruled tables as grids.

What PDF text needs before the shared parsers can read it:

* running headers and footers ("营口市人民政府办公室文件" on every page) and page numbers
  ("— 3 —", "- 3 -", "第3页", "3/12") are dropped;
* lines that wrap inside a sentence or a unit name are joined again. Chinese paragraphs open with a
  first-line indent, so a line starting at the left margin continues the line above; a document
  without indents falls back to "the line above reaches the right margin and ends mid-sentence";
* the spaces PDF text puts between digits and CJK ("2021 年 8 月") are removed;
* a ruled table becomes a grid (cell text wrapped inside a cell is joined without a space).

pdfplumber was chosen over pypdf: it gives each line's position (needed for the wrap and header rules)
and finds ruled tables; on the generated 2,000-item PDF it parses within the 5 s budget
(docs/performance.md). pypdf's extract_text has neither positions per line nor tables.
"""

from __future__ import annotations

import re
from collections import Counter
from io import BytesIO
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


def tidy(text: str) -> str:
    """Remove the spaces PDF text puts next to CJK characters: "2021 年8 月" → "2021年8月"."""
    return _SPACE_NEAR_CJK.sub("", text).strip()


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", text.replace(" ", ""))


def _inside(obj: dict[str, Any], boxes: list[tuple[float, float, float, float]]) -> bool:
    x = (obj["x0"] + obj["x1"]) / 2
    y = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)


def _cell(value: str | None) -> str:
    return tidy((value or "").replace("\n", ""))


def _page_blocks(page: Any) -> list[tuple[float, str, Any]]:
    """("line", line dict) and ("table", rows) blocks of one page, top to bottom."""
    ruled = page.objects.get("rect") or page.objects.get("line")
    tables = [table for table in page.find_tables() if len(table.rows) >= 2] if ruled else []
    boxes = [table.bbox for table in tables]
    text_page = page.filter(lambda obj: obj.get("object_type") != "char" or not _inside(obj, boxes)) if boxes else page
    blocks: list[tuple[float, str, Any]] = [
        (line["top"], "line", {key: line[key] for key in ("text", "x0", "x1", "top", "bottom")})
        for line in text_page.extract_text_lines(return_chars=False)
    ]
    for table in tables:
        rows = [[_cell(cell) for cell in row] for row in table.extract()]
        blocks.append((table.bbox[1], "table", rows))
    blocks.sort(key=lambda block: block[0])
    return blocks


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
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    try:
        pdf = pdfplumber.open(BytesIO(data))
        page_list = list(pdf.pages)
    except Exception as exc:  # pdfminer wraps every failure of a damaged or locked file
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, PDFPasswordIncorrect) or "password" in repr(cause).lower():
            raise ParseError("PDF 已加密,需要密码才能打开:请上传未加密的文件 (encrypted PDF)") from None
        raise ParseError(f"不是可读取的 PDF 文件 (not a readable PDF: {type(cause).__name__})") from None
    try:
        if len(page_list) > MAX_PAGES:
            raise ParseError(f"PDF 页数超过上限 {MAX_PAGES} (too many pages)")
        if not any(page.chars for page in page_list):
            raise ParseError("PDF 没有文本层(可能是扫描件或图片),请上传文字版 PDF 或 Word 文件 (no text layer)")
        pages = []
        for page in page_list:
            pages.append(_page_blocks(page))
            page.close()  # drop the page's parsed objects: memory stays that of one page, not of the whole file
    finally:
        pdf.close()
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
    starts_at_margin = abs(line["x0"] - left) < char * 0.5
    above_text = tidy(above["text"])
    if indented:
        return starts_at_margin and not (above_text.endswith(_SENTENCE_END) and above["x1"] < right - char * 3)
    return starts_at_margin and above["x1"] >= right - char * 3 and not above_text.endswith(_SENTENCE_END)
