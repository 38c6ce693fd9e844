"""Word .docx (python-docx): body paragraphs and tables in document order.

Each paragraph is a line (a soft line break starts another); each table row is a line of
tab-separated cells and the table is also handed over as a grid. python-docx already resolves
merges: a cell spanning columns repeats in every column it covers and a vertically merged cell
repeats its top cell, so a category row merged across the table has the same text in every cell.
"""

from __future__ import annotations

from io import BytesIO

from .division_table import render_row
from .types import Extracted, ParseError, TableBlock

MAX_TABLE_ROWS = 20_000
MAX_COLUMNS = 60


def _table_rows(table) -> list[list[str]]:
    rows: list[list[str]] = []
    for row in table.rows:
        if len(rows) >= MAX_TABLE_ROWS:
            raise ParseError(f"表格行数超过上限 {MAX_TABLE_ROWS} (too many table rows)")
        cells = [""] * row.grid_cols_before
        cells.extend(cell.text.strip() for cell in row.cells[:MAX_COLUMNS])
        rows.append(cells)
    return rows


def read_docx(data: bytes, *, fmt: str = "docx") -> Extracted:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise ParseError(f"不是可读取的 Word 文档 (not a readable .docx: {type(exc).__name__})") from None
    except Exception:  # lxml raises its own errors for broken XML parts
        raise ParseError("不是可读取的 Word 文档 (not a readable .docx)") from None
    lines: list[str] = []
    tables: list[TableBlock] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = Paragraph(child, document).text
            lines.extend(text.split("\n") if text else [""])
        elif tag == "tbl":
            rows = _table_rows(Table(child, document))
            tables.append(TableBlock(rows=rows, first_line=len(lines) + 1))
            lines.extend(render_row(row) for row in rows)
    # core_properties.title is left out on purpose: templates carry stale titles; the text names its own.
    return Extracted(format=fmt, lines=lines, tables=tables)
