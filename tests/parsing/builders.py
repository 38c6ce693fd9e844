"""Realistic division documents in every format, built the way offices produce them.

python-docx writes the Word files (a Word table with merged category rows, or paragraphs with
unit lines), openpyxl the workbook with a two-row merged header; LibreOffice turns .docx into .pdf
(with a "— N —" page number in the footer), .doc and .xlsx into .xls. Nothing is downloaded.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from functools import cache
from io import BytesIO
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import Workbook

from tasks_app.parsing.convert import convert_document

YEARLY_TITLE = "营口市2018年优化营商环境重点工作任务分工"
YEARLY_TASKS = [
    # (text, lead, cooperating, deadline expected)
    (
        "全面推行企业开办全程电子化,企业开办时间压缩至3个工作日以内,2018年6月底前完成",
        "市工商局",
        "市行政审批局、市公安局、市国税局",
        "2018-06-30",
    ),
    (
        "开展工程建设项目审批制度改革,年内审批时限压缩一半",
        "市住房城乡建设委",
        "市行政审批局、市国土资源局、各县(市、区)人民政府",
        "2018-12-31",
    ),
    (
        "建立营商环境投诉举报快速处置机制,2018年9月底前实现全市统一受理",
        "市政府办公室",
        "各县(市、区)人民政府、市直有关部门",
        "2018-09-30",
    ),
    ('深化"放管服"改革,清理规范涉企收费目录清单', "市财政局", "市发展改革委、市工信委等", "2018-12-31"),
    ("落实减税降费政策,全年为企业减负10亿元以上", "市国税局", "市财政局、各街道办事处", "2018-12-31"),
]
QUARTERLY_RULE = "各牵头单位要于每季度最后一个月25日前将工作进展情况报送市营商局,由市营商局汇总后报市政府。"


def yearly_notice_lines() -> list[str]:
    """A yearly notice with trailing "(X牵头,Y配合)" units and a quarterly reporting rule."""
    lines = [
        "营口市人民政府办公室",
        "营政办发〔2018〕12号",
        f"营口市人民政府办公室关于印发{YEARLY_TITLE}的通知",
        "各县(市、区)人民政府,市政府各部门:",
        f"经市政府同意,现将《{YEARLY_TITLE}》印发给你们,请认真贯彻落实。",
        "一、重点任务",
    ]
    for number, (text, lead, cooperating, _) in enumerate(YEARLY_TASKS, start=1):
        lines.append(f"{number}.{text}。({lead}牵头,{cooperating}配合)")
    lines += ["二、工作要求", QUARTERLY_RULE, "营口市人民政府办公室", "2018年3月20日"]
    return lines


TABLE_TITLE = "站前区2022年重点民生实事任务分工"
TABLE_CATEGORIES = [
    (
        "一、教育民生",
        [
            ("新建改扩建幼儿园3所,新增学位900个", "区教育局", "区住建局、区财政局", "2022年8月底前", "2022-08-31"),
            ("实施中小学校舍维修改造工程", "区教育局", "区财政局", "", "2022-12-31"),
        ],
    ),
    (
        "二、社会保障",
        [
            (
                "城镇新增就业2000人,发放创业担保贷款5000万元",
                "区人社局",
                "区财政局、各街道办事处",
                "2022年11月底前",
                "2022-11-30",
            ),
            ("提高城乡低保标准,年内完成动态调整", "区民政局", "区财政局", "年内", "2022-12-31"),
            ("为辖区老年人免费健康体检", "区卫健局", "区民政局、区直各部门", "2022年10月", "2022-10-31"),
        ],
    ),
]
HALF_YEARLY_RULE = "各牵头单位于7月5日前和次年1月10日前分别将半年和全年工作落实情况报送区发展改革局。"


def _merge_row(table, row_index: int, text: str) -> None:
    row = table.rows[row_index]
    merged = row.cells[0].merge(row.cells[-1])
    merged.text = text


def table_docx() -> bytes:
    """A yearly division as a Word table: category rows merged across the table, 序号 left empty
    where Word numbering would supply it, and the reporting rule in a paragraph after the table."""
    document = Document()
    heading = document.add_paragraph(TABLE_TITLE)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph("为切实办好2022年重点民生实事,现将任务分工如下:")
    rows = 1 + sum(1 + len(items) for _, items in TABLE_CATEGORIES)
    table = document.add_table(rows=rows, cols=5)
    table.style = "Table Grid"
    for col, label in enumerate(["序号", "重点任务", "牵头单位", "配合单位", "完成时限"]):
        table.cell(0, col).text = label
    row = 1
    for category, items in TABLE_CATEGORIES:
        _merge_row(table, row, category)
        row += 1
        for number, (text, lead, cooperating, deadline, _) in enumerate(items, start=1):
            cells = table.rows[row].cells
            # The first item of each category carries a written number, the others rely on Word numbering.
            cells[0].text = str(number) if number == 1 else ""
            cells[1].text, cells[2].text, cells[3].text, cells[4].text = text, lead, cooperating, deadline
            row += 1
    document.add_paragraph(HALF_YEARLY_RULE)
    document.add_paragraph("站前区人民政府办公室")
    document.add_paragraph("2022年2月18日")
    return _save(document)


PARAGRAPH_TITLE = "营口市推进数字经济发展三年行动方案(2021—2023年)任务分工"
PARAGRAPH_TASKS = [
    (
        "加快5G基站建设,到2022年底累计建成5G基站3000个,实现县级以上城区5G网络全覆盖",
        "市工业和信息化局",
        "市通信管理办公室、市住房城乡建设委、市自然资源局、各县(市、区)人民政府",
        "2022-12-31",
    ),
    (
        "建设城市大数据中心,2021年9月底前完成一期工程,2023年6月底前完成二期工程",
        "市营商局",
        "市发展改革委、市财政局",
        "2023-06-30",
    ),
    ("培育数字经济骨干企业,推动规模以上工业企业数字化改造", "市工信委", "市科技局、市财政局等", "2023-12-31"),
    (
        "推进智慧农业示范基地建设,建设一批数字农业示范园区",
        "市农业农村局",
        "市发展改革委、各县(市、区)人民政府",
        "2023-12-31",
    ),
]
MONTHLY_RULE = "各牵头单位每月25日前将当月工作进展情况报送至市发展改革委。"


def paragraph_lines(repeat: int = 1) -> list[str]:
    lines = [
        PARAGRAPH_TITLE,
        "为贯彻落实《营口市推进数字经济发展三年行动方案(2021—2023年)》,明确责任分工,现提出如下分工意见。",
        "一、加快数字基础设施建设",
    ]
    for round_ in range(repeat):
        for number, (text, lead, cooperating, _) in enumerate(PARAGRAPH_TASKS, start=1):
            suffix = f"(第{round_ + 1}批)" if repeat > 1 else ""
            lines += [
                f"{number + round_ * len(PARAGRAPH_TASKS)}.{text}{suffix}。",
                f"牵头单位:{lead}",
                f"配合单位:{cooperating}",
            ]
    lines += ["二、工作要求", MONTHLY_RULE]
    return lines


def paragraph_docx(*, repeat: int = 1, page_numbers: bool = False) -> bytes:
    """Unit-lines layout in Word paragraphs; with page_numbers a "— N —" footer for the PDF."""
    document = Document()
    for line in paragraph_lines(repeat):
        paragraph = document.add_paragraph(line)
        paragraph.paragraph_format.first_line_indent = Pt(24) if not line.startswith(PARAGRAPH_TITLE) else None
        for run in paragraph.runs:
            run.font.size = Pt(16)
    if page_numbers:
        footer = document.sections[0].footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        footer.add_run("— ")
        _page_field(footer.add_run())
        footer.add_run(" —")
        header = document.sections[0].header.paragraphs[0]
        header.text = "营口市人民政府办公室文件"
    return _save(document)


def _page_field(run) -> None:
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.text = text
        run._r.append(element)


def docx_without_division() -> bytes:
    document = Document()
    document.add_paragraph("会议纪要")
    document.add_paragraph("本次会议听取了各部门工作汇报,与会人员进行了讨论。")
    return _save(document)


def image_only_docx() -> bytes:
    """A "scanned" notice: a Word file holding one picture and no text."""
    document = Document()
    document.add_picture(BytesIO(png_bytes(400, 300)))
    return _save(document)


def _save(document) -> bytes:
    out = BytesIO()
    document.save(out)
    return out.getvalue()


SHEET_TITLE = "营口市2021—2023年生态环境保护重点任务分工表"
SHEET_ITEMS = [
    (
        "一、大气污染防治",
        [
            (
                "淘汰35蒸吨以下燃煤锅炉,2021年10月底前完成",
                "市生态环境局",
                "市住房城乡建设委",
                "2021年10月底前",
                "2021-10-31",
            ),
            ("推进重点行业超低排放改造", "市生态环境局", "市工信委、市发展改革委", "2023年底前", "2023-12-31"),
        ],
    ),
    (
        "二、水污染防治",
        [
            (
                "完成城市黑臭水体整治",
                "市住房城乡建设委",
                "市生态环境局、各县(市、区)人民政府",
                "2022年6月底前",
                "2022-06-30",
            ),
            ("建设污水处理厂提标改造工程", "市住房城乡建设委", "市发展改革委", "", "2023-12-31"),
        ],
    ),
]


def merged_header_xlsx() -> bytes:
    """A title row, a two-row header (责任单位 spanning 牵头单位/配合单位) and merged category rows."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "分工表"
    sheet.append([SHEET_TITLE])
    sheet.merge_cells("A1:E1")
    sheet.append(["序号", "重点任务", "责任单位", None, "完成时限"])
    sheet.append([None, None, "牵头单位", "配合单位", None])
    for col in ("A", "B", "E"):
        sheet.merge_cells(f"{col}2:{col}3")
    sheet.merge_cells("C2:D2")
    row = 4
    for category, items in SHEET_ITEMS:
        sheet.append([category])
        sheet.merge_cells(f"A{row}:E{row}")
        row += 1
        for number, (text, lead, cooperating, deadline, _) in enumerate(items, start=1):
            sheet.append([number, text, lead, cooperating, deadline or None])
            row += 1
    sheet.append([None])
    sheet.append(["说明:各牵头单位每年1月10日前将上年度任务落实情况报送市生态环境局。"])
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


# LibreOffice conversions take seconds each: every test session converts each document once.
@cache
def table_pdf() -> bytes:
    return convert_document(table_docx(), suffix=".docx", target="pdf")


@cache
def paragraph_pdf(repeat: int = 3) -> bytes:
    """Three pages with a running header and "— N —" page numbers; lines wrap inside unit names."""
    return convert_document(paragraph_docx(repeat=repeat, page_numbers=True), suffix=".docx", target="pdf")


@cache
def scanned_pdf() -> bytes:
    return convert_document(image_only_docx(), suffix=".docx", target="pdf")


@cache
def encrypted_pdf() -> bytes:
    target = (
        'pdf:writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},'
        '"DocumentOpenPassword":{"type":"string","value":"secret"}}'
    )
    return convert_document(table_docx(), suffix=".docx", target=target)


@cache
def table_doc() -> bytes:
    """The Word-table division saved as Word 97 .doc."""
    return convert_document(table_docx(), suffix=".docx", target="doc")


@cache
def merged_header_xls() -> bytes:
    return convert_document(merged_header_xlsx(), suffix=".xlsx", target="xls")


def docx_bomb(unpacked_mb: int = 40) -> bytes:
    """A .docx whose document.xml inflates to tens of megabytes from a few kilobytes."""
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b" " * (1024 * 1024)
            for _ in range(unpacked_mb):
                member.write(chunk)
    return out.getvalue()


def plain_zip() -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("说明.txt", "这是一个压缩包")
    return out.getvalue()


def png_bytes(width: int = 8, height: int = 8) -> bytes:
    """A valid grey PNG built with zlib (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes([(x * 7 + y * 3) % 256 for x in range(width)]) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def government_page(*, charset: str = "utf-8") -> bytes:
    """The yearly notice as a city portal serves it: navigation, breadcrumbs, an info table with
    文号 and 发布日期, share buttons, related links, scripts and a footer around the article."""
    lines = yearly_notice_lines()
    title = lines[2]
    body = "\n".join(f'<p style="text-indent:2em">{line}</p>' for line in lines[3:])
    page = f"""<!DOCTYPE html>
<html><head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{title}_营口市人民政府</title>
<meta name="ArticleTitle" content="{title}">
<meta name="PubDate" content="2018-03-21 09:30">
<meta name="ContentSource" content="营口市人民政府办公室">
<script>var _hmt = _hmt || []; document.write("统计代码 每年1月10日前报送");</script>
<style>.nav{{color:red}}</style>
</head><body>
<div class="header"><div class="logo">营口市人民政府 欢迎您</div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li><li>政务服务</li><li>互动交流</li></ul></div>
<div class="position">当前位置:<a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a> &gt; 政府文件</div>
<div class="main">
<table class="xxgk-info"><tr><td>索引号:</td><td>11210800001188010X/2018-00123</td><td>发布机构:</td><td>营口市人民政府办公室</td></tr>
<tr><td>文号:</td><td>营政办发〔2018〕12号</td><td>发布日期:</td><td>2018年03月21日</td></tr></table>
<h1 class="article-title">{title}</h1>
<div class="fontsize">【字号:<a>大</a> <a>中</a> <a>小</a>】 <a>打印</a></div>
<div class="TRS_Editor" id="zoom">
{body}
</div>
<div class="share">分享到:<a>微信</a><a>微博</a><a>QQ空间</a></div>
<div class="related"><h3>相关文章</h3><ul><li>营口市2017年优化营商环境工作总结</li><li>关于开展2018年重点工作督查的通知</li></ul></div>
</div>
<div class="footer"><p>主办:营口市人民政府办公室 版权所有 辽ICP备05000000号</p><p>网站标识码2108000001</p></div>
<script src="/js/share.js"></script>
</body></html>"""
    encoding = "gb18030" if charset.lower() in ("gbk", "gb2312") else charset
    return page.encode(encoding)


CHROMIUM_TITLE = "辽阳市2024年政府工作报告重点任务分工方案"
_CHROMIUM_UNITS = ["市发展改革委", "市工业和信息化局", "市财政局", "市商务局", "市自然资源局", "市生态环境局"]


def chromium_html(groups: int = 3, per_group: int = 9) -> str:
    """A division table as a government web page lays it out: a centred title in a larger font, an indented
    paragraph, a two-row 责任单位 header with rowspan/colspan and merged category rows."""
    rows = []
    number = 0
    for group in range(groups):
        rows.append(f'<tr><td colspan="5">{"一二三四五六七八九"[group]}、第{group + 1}方面重点工作</td></tr>')
        for _ in range(per_group):
            number += 1
            lead = _CHROMIUM_UNITS[number % 6]
            cooperating = "、".join(_CHROMIUM_UNITS[(number + k) % 6] for k in (1, 2))
            month = number % 12 + 1
            rows.append(
                f"<tr><td>{number}</td><td>实施第{number}项重点工程,推进产业链延链补链强链,全年完成固定资产投资增长"
                f"{number % 9 + 3}%以上,力争2024年{month}月底前取得阶段性成果。</td><td>{lead}</td>"
                f"<td>{cooperating}</td><td>2024年{month}月底前</td></tr>"
            )
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><style>body{font-family:"Noto Serif CJK SC",serif;'
        "font-size:14px}table{border-collapse:collapse;width:100%}td,th{border:1px solid #000;padding:4px}"
        f'</style></head><body><h2 style="text-align:center">{CHROMIUM_TITLE}</h2>'
        "<p>\u3000\u3000为确保《政府工作报告》确定的各项目标任务落到实处,现将重点工作任务分工如下。</p>"
        '<table><thead><tr><th rowspan="2">序号</th><th rowspan="2">工作任务</th><th colspan="2">责任单位</th>'
        '<th rowspan="2">完成时限</th></tr><tr><th>牵头单位</th><th>配合单位</th></tr></thead><tbody>'
        + "".join(rows)
        + "</tbody></table><p>\u3000\u3000各牵头单位于每季度末月20日前将工作进展情况报送市政府督查室。</p></body></html>"
    )


@cache
def chromium_pdf() -> bytes:
    """The page above printed to PDF by headless Chromium (Skia's PDF writer: another producer than LibreOffice,
    with its own glyph-to-Unicode maps and table rules drawn as filled rectangles)."""
    import shutil
    import subprocess
    import tempfile

    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        raise AssertionError("Debian chromium is not installed (CI installs it through .ci/system.sh)")
    with tempfile.TemporaryDirectory() as scratch:
        page, out = Path(scratch) / "page.html", Path(scratch) / "page.pdf"
        page.write_text(chromium_html(), encoding="utf-8")
        subprocess.run(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
             f"--user-data-dir={scratch}/profile", f"--print-to-pdf={out}", page.as_uri()],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        return out.read_bytes()
