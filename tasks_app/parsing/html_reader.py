"""Web pages saved from a government site (.html/.htm) with lxml: the article, not the site around it.

Decoding follows the page's own declaration (BOM, <meta charset>, http-equiv, XML prolog);
GB2312 and GBK pages are decoded as GB18030, their superset. Site chrome (scripts, navigation,
breadcrumbs, share buttons, footers, sidebars) is removed, then the article body is the element the
site marks as content (TRS_Editor, article, content, zoom …) or, failing that, the block holding most
paragraph text. The page's metadata (ArticleTitle/PubDate meta tags, the 文号/发布日期 info table)
fills in what the body does not say.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from .types import Extracted, ParseError, TableBlock

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_\-]+)""", re.I)
_GB = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "gb_2312-80", "euc-cn", "hz-gb-2312"}

_CHROME_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "button",
                "select", "svg", "object", "embed", "template")  # fmt: skip
_CHROME_WORDS = re.compile(
    r"nav|menu|breadcrumb|crumb|share|bdshare|jiathis|footer|foot|header|top-?bar|sidebar|side|toolbar|"
    r"position|location|weizhi|dqwz|copyright|banquan|related|xgwz|print|search|login|fontsize|zihao|qrcode|"
    r"ewm|pagination|pager|friendlink|links",
    re.I,
)
_CONTENT_WORDS = re.compile(
    r"TRS_Editor|TRS_UEDITOR|article|content|zoom|maintext|main-text|pages_content|view|detail|zw|text", re.I
)
_BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "section", "article", "blockquote", "center",
               "pre", "dd", "dt", "ul", "ol", "table"}  # fmt: skip
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,10}\s*[〔\[(【]\s*\d{4}\s*[〕\])】]\s*\d{1,4}\s*号")
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_TITLE_META = ("ArticleTitle", "articletitle", "title", "og:title", "Title")
_DATE_META = ("PubDate", "pubdate", "publishdate", "firstpublishedtime", "article:published_time", "Maketime")


def decode_html(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    head = data[:4096]
    declared = _CHARSET.search(head) or _XML_ENCODING.search(head)
    candidates = []
    if declared:
        name = declared.group(1).decode("ascii").lower()
        candidates.append("gb18030" if name in _GB else name)
    candidates += ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("gb18030", errors="replace")


def _classes(element) -> str:
    return f"{element.get('class', '')} {element.get('id', '')}"


def _strip_chrome(root) -> None:
    for element in list(root.iter(*_CHROME_TAGS)):
        if element.getparent() is not None:
            element.drop_tree()
    for element in list(root.iter()):
        if not isinstance(element.tag, str) or element.getparent() is None:
            continue
        names = _classes(element)
        if names.strip() and _CHROME_WORDS.search(names) and not _CONTENT_WORDS.search(names):
            # Chrome holds little text; never drop a block that holds the article.
            if len(element.text_content()) < 400 or element.tag in ("ul", "ol", "nav"):
                element.drop_tree()


def _paragraph_text(element) -> int:
    return sum(len(p.text_content().strip()) for p in element.iter("p", "br", "div") if p.tag == "p")


def _article(root):
    body = root.find(".//body")
    body = body if body is not None else root
    marked = [
        element
        for element in body.iter()
        if isinstance(element.tag, str) and _CONTENT_WORDS.search(_classes(element))
        and len(element.text_content().strip()) >= 100
    ]  # fmt: skip
    if marked:
        # The innermost marked block that still holds most of the text.
        best = max(marked, key=lambda element: len(element.text_content()))
        inner = [e for e in marked if len(e.text_content()) >= 0.8 * len(best.text_content())]
        return min(inner, key=lambda element: len(element.text_content()))
    scores: dict[Any, int] = {}
    for paragraph in body.iter("p"):
        parent = paragraph.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0) + len(paragraph.text_content().strip())
    return max(scores, key=lambda element: scores[element]) if scores else body


def _lines_of(element, lines: list[str], tables: list[TableBlock]) -> None:
    """Text of an element, one line per block (and per <br>), tables as grids."""
    buffer: list[str] = []

    def flush() -> None:
        text = re.sub(r"[ \t\r\n\xa0]+", " ", "".join(buffer)).strip()
        if text:
            lines.append(text)
        buffer.clear()

    def walk(node) -> None:
        if not isinstance(node.tag, str):
            if node.tail:
                buffer.append(node.tail)
            return
        if node.tag == "table":
            flush()
            rows = []
            for tr in node.iter("tr"):
                row = []
                for cell in tr:
                    if cell.tag not in ("td", "th"):
                        continue
                    text = re.sub(r"\s+", "", cell.text_content())
                    span = int(cell.get("colspan", "1")) if cell.get("colspan", "1").isdigit() else 1
                    row.extend([text] * min(span, 60))
                rows.append(row)
            if rows:
                tables.append(TableBlock(rows=rows, first_line=len(lines) + 1))
                lines.extend("\t".join(dict.fromkeys(cell for cell in row if cell)) for row in rows)
        else:
            block = node.tag in _BLOCK_TAGS
            if block or node.tag == "br":
                flush()
            if node.text and node.tag != "br":
                buffer.append(node.text)
            for child in node:
                walk(child)
            if block:
                flush()
        if node.tail:
            buffer.append(node.tail)

    walk(element)
    flush()


def _meta(root, names: tuple[str, ...]) -> str:
    for name in names:
        for element in root.iter("meta"):
            if name in (element.get("name"), element.get("property")) and element.get("content", "").strip():
                return element.get("content").strip()
    return ""


def _date(text: str) -> date | None:
    match = _DATE.search(text)
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def read_html(data: bytes) -> Extracted:
    import lxml.html
    from lxml.etree import ParserError

    text = decode_html(data)
    try:
        root = lxml.html.document_fromstring(text)
    except (ParserError, ValueError):
        raise ParseError("不是可读取的网页文件 (not a readable HTML page)") from None
    page_text = root.text_content()
    title = _meta(root, _TITLE_META)
    issued = _date(_meta(root, _DATE_META))
    info = re.search(r"(?:发布日期|发布时间|成文日期)\s*[::]\s*([^\n]{0,30})", page_text)
    issued = issued or (_date(info.group(1)) if info else None)
    label = re.search(r"文\s*号\s*[::]", page_text)
    number = _DOC_NUMBER.match(page_text[label.end() :].lstrip()) if label else None
    doc_number = number.group(0).replace(" ", "") if number else ""
    page_title = re.split(r"\s*[_|]\s*|\s+-\s+", (root.findtext(".//title") or "").strip())[0]
    _strip_chrome(root)
    article = _article(root)
    heading = next((h.text_content().strip() for h in root.iter("h1", "h2") if h.text_content().strip()), "")
    top = heading or title or page_title
    lines: list[str] = []
    tables: list[TableBlock] = []
    if top and top.replace(" ", "") not in article.text_content().replace(" ", ""):
        lines.append(top)  # the title sits above the article block on most sites
    _lines_of(article, lines, tables)
    return Extracted(format="html", lines=lines, tables=tables, doc_number=doc_number, issued=issued)
