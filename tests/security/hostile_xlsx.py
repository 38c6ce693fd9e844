"""Hostile .xlsx files built in the test (never downloaded): a valid workbook with its sheet XML replaced."""

from __future__ import annotations

import random
import zipfile
from io import BytesIO

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def valid_xlsx(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def with_sheet(sheet_xml: bytes, *, base: bytes | None = None) -> bytes:
    source = zipfile.ZipFile(BytesIO(base or valid_xlsx([["单位", "邮箱"], ["市教育局", "jy@example.cn"]])))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            data = sheet_xml if info.filename == SHEET else source.read(info)
            target.writestr(info.filename, data)
    return out.getvalue()


def _sheet(body: bytes, *, prolog: bytes = b"", dimension: bytes = b"") -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        + prolog
        + f"<worksheet {NS}>".encode()
        + dimension
        + b"<sheetData>"
        + body
        + b"</sheetData></worksheet>"
    )


def forged_dimension() -> bytes:
    row = '<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{a}</t></is></c><c r="B{n}" t="inlineStr"><is><t>{b}</t></is></c></row>'
    body = (row.format(n=1, a="单位", b="邮箱") + row.format(n=2, a="市教育局", b="jy@example.cn")).encode()
    return with_sheet(_sheet(body, dimension=b'<dimension ref="A1:XFD1048576"/>'))


def wide_row(cells: int = 1_000_000) -> bytes:
    return with_sheet(_sheet(b'<row r="1">' + b"<c><v>1</v></c>" * cells + b"</row>"))


def wide_row_varied(cells: int = 300_000) -> bytes:
    """One row of random numbers: compresses about 3:1, so no inflation-ratio check sees a bomb."""
    numbers = random.Random(11).choices(range(10**9), k=cells)
    return with_sheet(_sheet(b'<row r="1">' + b"".join(b"<c><v>%d</v></c>" % n for n in numbers) + b"</row>"))


def many_cells(rows: int = 50_000, per_row: int = 60) -> bytes:
    row = b"<row>" + b"<c/>" * per_row + b"</row>"
    return with_sheet(_sheet(row * rows))


def zip_bomb(megabytes: int = 200) -> bytes:
    padding = b" " * (1024 * 1024)
    body = b'<row r="1"><c><v>1</v></c></row>'
    return with_sheet(_sheet(body).replace(b"<sheetData>", b"<sheetData>" + padding * megabytes))


def malformed() -> bytes:
    return with_sheet(b'<?xml version="1.0"?><worksheet ' + NS.encode() + b"><sheetData><row><c><v>1</v></row>")


def billion_laughs() -> bytes:
    entities = b'<!ENTITY lol0 "lol">' + b"".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">'.encode() for i in range(1, 10)
    )
    prolog = b"<!DOCTYPE worksheet [" + entities + b"]>"
    return with_sheet(_sheet(b'<row r="1"><c t="inlineStr"><is><t>&lol9;</t></is></c></row>', prolog=prolog))


def external_entity() -> bytes:
    prolog = b'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    return with_sheet(_sheet(b'<row r="1"><c t="inlineStr"><is><t>&xxe;</t></is></c></row>', prolog=prolog))


def not_a_zip() -> bytes:
    return b"PK\x03\x04" + b"\x00" * 200


HOSTILE = {
    "wide_row": wide_row,
    "wide_row_varied": wide_row_varied,
    "many_cells": many_cells,
    "zip_bomb": zip_bomb,
    "malformed": malformed,
    "billion_laughs": billion_laughs,
    "external_entity": external_entity,
    "not_a_zip": not_a_zip,
}
