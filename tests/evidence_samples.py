"""Evidence files built in the test (never downloaded): real small files of every allowed type, and hostile
ones that pass a first-bytes check but are not what their name says."""

from __future__ import annotations

import zipfile
from io import BytesIO


def png(color: tuple[int, int, int] = (200, 30, 30), size: tuple[int, int] = (24, 16)) -> bytes:
    from PIL import Image

    out = BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def jpg() -> bytes:
    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (32, 20), (10, 120, 200)).save(out, format="JPEG", quality=80)
    return out.getvalue()


def pdf(text: str = "2024 年度工作总结") -> bytes:
    """A real one-page PDF written by matplotlib's PDF backend."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(3, 2))
    figure.text(0.1, 0.5, text.encode("ascii", "replace").decode())
    out = BytesIO()
    figure.savefig(out, format="pdf")
    return out.getvalue()


def docx(text: str = "佐证材料:项目验收意见") -> bytes:
    from docx import Document

    document = Document()
    document.add_paragraph(text)
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["指标", "2024 年"])
    workbook.active.append(["新增就业", 12000])
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_text() -> bytes:
    return "单位,完成数\n市教育局,12\n".encode("gb18030")


def polyglot_pdf() -> bytes:
    """%PDF magic, then an HTML page with a script: a browser sniffing it would run the script."""
    return b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF\n"


def svg_behind_png_magic() -> bytes:
    return (
        b"\x89PNG\r\n\x1a\n"
        + b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
    )


def html_behind_png_magic() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00" * 8 + b"<html><body>not an image</body></html>"


def zip_bomb_xlsx(megabytes: int = 300) -> bytes:
    """A real workbook plus one member that inflates to ``megabytes`` (declared honestly)."""
    source = zipfile.ZipFile(BytesIO(xlsx()))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info))
        with target.open("xl/media/padding.bin", "w") as member:
            block = b"\x00" * (1024 * 1024)
            for _ in range(megabytes):
                member.write(block)
    return out.getvalue()


def lying_zip_bomb_xlsx(megabytes: int = 300) -> bytes:
    """The same bomb with its directory claiming the member is tiny: only a streamed count catches it."""
    data = bytearray(zip_bomb_xlsx(megabytes))
    real = (megabytes * 1024 * 1024).to_bytes(4, "little")
    # Patch every uncompressed-size field holding the real size (local header and central directory).
    start = 0
    while (at := data.find(real, start)) != -1:
        data[at : at + 4] = (1024).to_bytes(4, "little")
        start = at + 4
    return bytes(data)


def plain_zip_named_docx() -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        target.writestr("readme.txt", "just a zip")
    return out.getvalue()


def renamed_exe() -> bytes:
    """A Windows executable's shape: MZ header, PE signature."""
    header = bytearray(b"MZ" + b"\x90\x00" * 29 + b"\x00" * 2)
    header[0x3C:0x40] = (0x40).to_bytes(4, "little")
    return bytes(header) + b"PE\x00\x00" + b"\x00" * 200
