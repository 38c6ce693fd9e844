"""The openpyxl internals helper: checked on the saved file's XML, so an openpyxl upgrade that moves them fails here."""

from __future__ import annotations

import zipfile
from io import BytesIO
from types import SimpleNamespace
from xml.etree import ElementTree

import pytest
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Border, Side

from tasks_app.exporters.xlsx_format import format_like_default, set_default_format, store_text
from tests.exporters.workbooks import read_back

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
WRAP = Alignment(wrap_text=True, vertical="center")
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def _save(build) -> bytes:
    workbook = Workbook(write_only=True)
    set_default_format(workbook, alignment=WRAP, border=BORDER)
    sheet = workbook.create_sheet("表")
    build(sheet)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xml(data: bytes, name: str) -> ElementTree.Element:
    with zipfile.ZipFile(BytesIO(data)) as archive:
        return ElementTree.fromstring(archive.read(name))  # noqa: S314  (our own file, just written)


def _wrapped_and_bordered(xf: ElementTree.Element, borders: list[ElementTree.Element]) -> bool:
    alignment = xf.find("m:alignment", NS)
    border = borders[int(xf.get("borderId", "0"))]
    left = border.find("m:left", NS)
    return (
        alignment is not None and alignment.get("wrapText") == "1" and left is not None and left.get("style") == "thin"
    )


def test_it_makes_the_default_format_and_the_normal_style_wrapped_and_bordered():
    data = _save(lambda sheet: sheet.append(["未设置格式的单元格", 3]))
    styles = _xml(data, "xl/styles.xml")
    borders = styles.findall("m:borders/m:border", NS)
    default = styles.findall("m:cellXfs/m:xf", NS)[0]  # what Excel gives a cell without s=
    normal = styles.findall("m:cellStyleXfs/m:xf", NS)[0]  # the "Normal" style LibreOffice applies
    assert _wrapped_and_bordered(default, borders) and _wrapped_and_bordered(normal, borders)
    cells = _xml(data, "xl/worksheets/sheet1.xml").findall(".//m:c", NS)
    assert [cell.get("s") for cell in cells] == [None, None]  # no per-cell style: the speed of raw openpyxl
    sheet = read_back(data).worksheets[0]
    assert sheet["A1"].alignment.wrap_text and sheet["B1"].border.left.style == "thin"


def test_it_gives_a_column_the_default_format_through_public_setters():
    def build(sheet):
        format_like_default(sheet.column_dimensions["A"], alignment=WRAP, border=BORDER)
        sheet.append(["x"])

    data = _save(build)
    column = _xml(data, "xl/worksheets/sheet1.xml").find(".//m:cols/m:col", NS)
    styles = _xml(data, "xl/styles.xml")
    xf = styles.findall("m:cellXfs/m:xf", NS)[int(column.get("style", "0"))]
    assert _wrapped_and_bordered(xf, styles.findall("m:borders/m:border", NS))


@pytest.mark.parametrize("text", ["=1+1", "-减少", "+86 0417", "@SUM(A1)", "#N/A"])
def test_it_stores_formula_like_text_as_a_quote_prefixed_string(text):
    data = _save(lambda sheet: sheet.append([store_text(Cell(sheet, row=1, column=1), text)]))
    cell = _xml(data, "xl/worksheets/sheet1.xml").find(".//m:c", NS)
    assert cell.get("t") == "inlineStr" and cell.find("m:f", NS) is None
    assert cell.find("m:is/m:t", NS).text == text  # exactly as written: no apostrophe in the value
    xf = _xml(data, "xl/styles.xml").findall("m:cellXfs/m:xf", NS)[int(cell.get("s"))]
    assert xf.get("quotePrefix") == "1"
    back = read_back(data).worksheets[0]["A1"]
    assert (back.value, back.data_type, back.quotePrefix) == (text, "s", True)


def test_it_names_the_openpyxl_version_when_the_internals_are_gone():
    with pytest.raises(RuntimeError, match=r"openpyxl .* no longer has _alignments"):
        set_default_format(SimpleNamespace(), alignment=WRAP, border=BORDER)  # type: ignore[arg-type]
