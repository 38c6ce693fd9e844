"""The format readers on their own: content sniffing, PDF clean-up, HTML body, Word and Excel grids."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from docx import Document
from openpyxl import Workbook

from tasks_app.parsing.document import extract, parse_bytes
from tasks_app.parsing.html_reader import decode_html
from tasks_app.parsing.pdf_reader import tidy
from tasks_app.parsing.sniff import detect_format
from tasks_app.parsing.types import COOPERATING, LEAD, RESPONSIBLE, ParseError
from tests.parsing import builders

LIMIT = 5 * 1024 * 1024


@pytest.mark.parametrize(
    ("name", "build", "expected"),
    [
        ("a.docx", builders.table_docx, "docx"),
        ("renamed.txt", builders.table_docx, "docx"),
        ("a.xlsx", builders.merged_header_xlsx, "xlsx"),
        ("table.bin", builders.merged_header_xlsx, "xlsx"),
        ("page.txt", builders.government_page, "html"),
        ("notice.htm", lambda: "营口市2018年重点工作任务分工".encode(), "html"),
        ("notice.docx", lambda: "营口市2018年重点工作任务分工".encode(), "txt"),
    ],
)
def test_it_decides_the_format_by_content_first(name, build, expected):
    assert detect_format(build(), filename=name, max_bytes=LIMIT) == expected


def test_it_tells_word_97_from_excel_97_by_their_streams():
    assert detect_format(builders.table_doc(), filename="x.xls", max_bytes=LIMIT) == "doc"
    assert detect_format(builders.merged_header_xls(), filename="x.doc", max_bytes=LIMIT) == "xls"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (builders.png_bytes(), "PNG 图片"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 100, "JPEG 图片"),
        (builders.plain_zip(), "zip 压缩包"),
        (b"PK\x03\x04broken", "文件已损坏"),
        (b"", "文件为空"),
    ],
)
def test_it_refuses_what_is_no_document(data, message):
    with pytest.raises(ParseError, match=message):
        detect_format(data, filename="notice.docx", max_bytes=LIMIT)


def test_it_refuses_a_docx_bomb_from_the_zip_directory_alone():
    with pytest.raises(ParseError, match="压缩炸弹"):
        detect_format(builders.docx_bomb(), filename="bomb.docx", max_bytes=LIMIT)


def test_it_removes_spaces_pdf_text_puts_between_digits_and_cjk():
    assert tidy("2021 年8 月底前完成 5G 基站建设") == "2021年8月底前完成5G基站建设"
    assert tidy("PM2.5 浓度 下降 and GDP growth") == "PM2.5浓度下降and GDP growth"


def test_it_drops_page_numbers_and_running_headers_and_rejoins_wrapped_lines():
    lines = extract(builders.paragraph_pdf()).lines
    assert not any(line.startswith("—") or "人民政府办公室文件" in line for line in lines)
    assert lines[0] == builders.PARAGRAPH_TITLE  # the title wrapped after "任" is one line again
    units = [line for line in lines if line.startswith("配合单位")]
    assert units[0] == "配合单位:市通信管理办公室、市住房城乡建设委、市自然资源局、各县(市、区)人民政府"
    assert len(lines) == len(builders.paragraph_lines(3))


def test_it_reads_a_pdf_table_with_cells_wrapped_inside():
    extracted = extract(builders.table_pdf())
    rows = extracted.tables[0].rows
    assert rows[0] == ["序号", "重点任务", "牵头单位", "配合单位", "完成时限"]
    assert rows[2][1:4] == ["新建改扩建幼儿园3所,新增学位900个", "区教育局", "区住建局、区财政局"]


def test_it_decodes_html_by_its_declared_charset():
    page = builders.government_page(charset="gb2312")
    assert "营口市" in decode_html(page)
    with pytest.raises(UnicodeDecodeError):
        page.decode("utf-8")


def test_it_takes_the_article_and_page_metadata_of_a_government_page():
    extracted = extract(builders.government_page(), filename="notice.html")
    text = "\n".join(extracted.lines)
    for chrome in ("首页", "分享到", "版权所有", "相关文章", "字号", "索引号", "统计代码"):
        assert chrome not in text
    assert extracted.lines[0] == f"营口市人民政府办公室关于印发{builders.YEARLY_TITLE}的通知"
    assert extracted.doc_number == "营政办发〔2018〕12号"
    assert extracted.issued.isoformat() == "2018-03-21"
    doc = parse_bytes(builders.government_page(), filename="notice.html")
    assert doc.doc_number == "营政办发〔2018〕12号" and doc.format == "html"


def test_it_derives_word_table_numbers_from_order_and_reads_merged_rows_as_sections():
    doc = parse_bytes(builders.table_docx(), filename="table.docx")
    assert [section.title for section in doc.sections] == ["教育民生", "社会保障"]
    assert [item.number for item in doc.items] == ["1", "2", "1", "2", "3"]
    assert doc.layout == "table" and doc.format == "docx"


def test_it_reads_a_word_table_whose_unit_cell_is_merged_down_over_two_tasks():
    document = Document()
    document.add_paragraph("营口市2023年重点民生实事任务分工")
    table = document.add_table(rows=3, cols=4)
    for col, label in enumerate(["序号", "工作任务", "责任单位", "时间节点"]):
        table.cell(0, col).text = label
    table.cell(1, 1).text, table.cell(2, 1).text = "改造老旧小区50个", "新建口袋公园10个"
    table.cell(1, 3).text, table.cell(2, 3).text = "2023年10月底前", "2023年9月底前"
    merged = table.cell(1, 2).merge(table.cell(2, 2))
    merged.text = "市住房城乡建设委"
    out = BytesIO()
    document.save(out)
    doc = parse_bytes(out.getvalue(), filename="t.docx")
    assert [item.units for item in doc.items] == [{RESPONSIBLE: ["市住房城乡建设委"]}] * 2
    assert [item.deadline.isoformat() for item in doc.items] == ["2023-10-31", "2023-09-30"]
    assert (doc.period_start, doc.period_end) == (2023, 2023)


def test_it_finds_a_two_row_header_by_its_words_wherever_it_sits():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["附件2"])
    sheet.append(["营口市2022年重点工作任务分工"])
    sheet.append([None])
    sheet.append(["完成时限", "任务内容", "序号", "责任单位", None])
    sheet.append([None, None, None, "协办单位", "牵头单位"])
    sheet.append(["2022年底前", "建设智慧停车场", "1", "市公安局", "市城管综合执法局"])
    out = BytesIO()
    workbook.save(out)
    doc = parse_bytes(out.getvalue(), filename="x.xlsx")
    assert doc.items[0].units == {LEAD: ["市城管综合执法局"], COOPERATING: ["市公安局"]}
    assert doc.items[0].deadline.isoformat() == "2022-12-31"


def test_it_is_not_fooled_by_a_hostile_declared_sheet_dimension():
    data = builders.merged_header_xlsx()
    import zipfile

    source = zipfile.ZipFile(BytesIO(data))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                content, replaced = re.subn(
                    rb'<dimension ref="[A-Z0-9:]+"/>', b'<dimension ref="A1:XFD1048576"/>', content
                )
                assert replaced == 1
            target.writestr(info, content)
    doc = parse_bytes(out.getvalue(), filename="x.xlsx")
    assert len(doc.items) == 4


def test_it_asks_for_libreoffice_when_no_converter_is_given():
    with pytest.raises(ParseError, match="LibreOffice"):
        parse_bytes(builders.table_doc(), filename="t.doc")


def test_it_refuses_a_scan_and_an_encrypted_pdf_with_their_reason():
    with pytest.raises(ParseError, match="没有文本层"):
        parse_bytes(builders.scanned_pdf(), filename="scan.pdf")
    with pytest.raises(ParseError, match="已加密"):
        parse_bytes(builders.encrypted_pdf(), filename="locked.pdf")


def test_it_joins_a_table_row_a_page_break_cut_in_two():
    from tasks_app.parsing.document import parse_extracted
    from tasks_app.parsing.types import Extracted, TableBlock

    page1 = [
        ["序号", "重点任务", "牵头单位", "配合单位", "完成时限"],
        ["1", "建设智慧停车场", "市公安局", "市城管综合执法局", "2022年6月底前"],
        ["2", "改造老旧小区50个,完善", "市住房城乡建设委", "市财政局、市自然", "2022年10月底前"],
    ]
    page2 = [["", "配套设施", "", "资源局", ""], ["3", "新建口袋公园10个", "市住房城乡建设委", "", "2022年9月底前"]]
    lines = ["营口市2022年重点民生实事任务分工"] + ["\t".join(row) for row in page1 + page2]
    extracted = Extracted(
        format="pdf", lines=lines, tables=[TableBlock(rows=page1, first_line=2), TableBlock(rows=page2, first_line=5)]
    )
    doc = parse_extracted(extracted)
    assert [item.number for item in doc.items] == ["1", "2", "3"]
    second = doc.items[1]
    assert second.text.startswith("改造老旧小区50个,完善配套设施") and second.source_lines == (4, 5)
    assert second.units[COOPERATING] == ["市财政局", "市自然资源局"]
    assert second.deadline.isoformat() == "2022-10-31"


def test_it_reads_a_pdf_printed_by_another_producer():
    """Chromium's PDFs map some glyphs to Kangxi radicals ("⼯" for "工") and draw table rules as filled
    rectangles; the centred title in a larger font must not be joined to the paragraph below it."""
    extracted = extract(builders.chromium_pdf(), filename="page.pdf")
    assert extracted.lines[0] == builders.CHROMIUM_TITLE
    assert not any("\u2f00" <= char <= "\u2fdf" for line in extracted.lines for char in line)
    rows = extracted.tables[0].rows
    assert rows[0] == ["序号", "工作任务", "责任单位", "", "完成时限"]
    assert rows[1][2:4] == ["牵头单位", "配合单位"]
    assert rows[2][0] == "一、第1方面重点工作"
    doc = parse_bytes(builders.chromium_pdf(), filename="page.pdf")
    assert doc.title == builders.CHROMIUM_TITLE
    assert len(doc.items) == 27
    first = doc.items[0]
    assert first.units == {"lead": ["市工业和信息化局"], "cooperating": ["市财政局", "市商务局"]}
    assert first.deadline.isoformat() == "2024-02-29"


def test_it_reads_radicals_as_the_ideographs_they_stand_for():
    assert tidy("重点\u2f2f作 \u2f45案") == "重点工作方案"
