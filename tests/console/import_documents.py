"""A division notice written the way offices receive them, built in code for the console-import tests.

``notice_lines`` is the content; ``notice_txt`` and ``notice_docx`` render the same lines as a UTF-8 text
file and as a Word document (python-docx), so a test can upload either. The notice names one unit the
registry does not know: ``UNKNOWN_UNIT`` (the 2018 reform's name for what the registry still calls 市工信委).
"""

from __future__ import annotations

from io import BytesIO

TITLE_LINES = ("关于落实《营口市“十四五”数字经济发展规划》", "重点任务分工的通知")
TITLE = "".join(TITLE_LINES)
JURISDICTION = "营口市"
UNKNOWN_UNIT = "市工业和信息化局"
SUGGESTED_UNIT = "市工信委"  # what the registry offers for UNKNOWN_UNIT

TASKS = (
    (
        "(一)加快5G网络和千兆光网建设,到2024年底实现城区和重点园区全覆盖。",
        UNKNOWN_UNIT,
        "市住房城乡建设委、市财政局",
    ),
    (
        "(二)建设全市统一的政务数据共享平台,2023年9月底前完成市级部门数据目录编制。",
        "市政府办公室",
        "市行政审批局、市统计局",
    ),
    (
        "(三)培育数字经济重点企业,每年新增规模以上数字经济企业10户以上。",
        "市发改委",
        f"{UNKNOWN_UNIT}、市科技局、市商务局",
    ),
    (
        "(四)推进工业互联网平台应用,到2025年重点企业上云率达到80%。",
        UNKNOWN_UNIT,
        "市科技局",
    ),
)


def notice_lines(*, tasks: tuple[tuple[str, str, str], ...] = TASKS) -> list[str]:
    lines = [
        "来源:营口市人民政府网站   时间: 2021年03月08日",
        "",
        *TITLE_LINES,
        "",
        "营政办发〔2021〕18号",
        "",
        "各县(市)区人民政府,市政府各部门:",
        "为贯彻落实数字经济发展部署,现将重点任务分工印发给你们,请认真抓好落实。",
        "一、重点任务分工",
    ]
    for text, lead, cooperating in tasks:
        lines += [text, f"牵头单位:{lead}", f"配合单位:{cooperating}"]
    lines += [
        "二、工作要求",
        "各牵头单位要于每年1月10日前将上年度任务落实情况报送市发展改革委。",
        "营口市人民政府办公室",
        "2021年3月6日",
    ]
    return lines


def notice_txt(**kwargs) -> bytes:
    return ("\n".join(notice_lines(**kwargs)) + "\n").encode("utf-8")


def notice_docx(**kwargs) -> bytes:
    from docx import Document

    document = Document()
    for line in notice_lines(**kwargs):
        document.add_paragraph(line)
    stream = BytesIO()
    document.save(stream)
    return stream.getvalue()


def changed_tasks() -> tuple[tuple[str, str, str], ...]:
    """A second version of the notice: (一) reworded, (二) with another lead, (三) gone, (五) new."""
    first, second, _third, fourth = TASKS
    return (
        (first[0].replace("到2024年底", "到2023年底"), first[1], first[2]),
        (second[0], "市统计局", "市行政审批局"),
        fourth,
        ("(五)建设城市大数据中心,2024年6月底前建成投入使用。", "市政府办公室", "市财政局"),
    )


def png_bytes() -> bytes:
    """A real (tiny) PNG image."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"\x00\xff\x00\x00"  # one red pixel, filter byte first
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def model_counts() -> dict[str, int]:
    """Rows of every model of the project (ImportJob aside) and of the auth tables."""
    from django.apps import apps

    models = [*apps.get_app_config("tasks_app").get_models(), *apps.get_app_config("auth").get_models()]
    return {model.__name__: model.objects.count() for model in models if model.__name__ != "ImportJob"}


def stored_files(media) -> list[str]:
    return sorted(str(path.relative_to(media)) for path in media.rglob("*") if path.is_file()) if media.exists() else []
