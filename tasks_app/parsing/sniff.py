"""Which format a file really is: the content decides, the file name only breaks ties.

Magic bytes first (PDF ``%PDF``, OLE2 ``D0CF11E0`` → .doc or .xls by its streams, ZIP → .docx or .xlsx
by its parts, HTML by its markup, otherwise text), the suffix second. Archives are checked before
anything reads them: a ZIP whose members would inflate far beyond the upload (a "zip bomb") is refused
from its directory alone.
"""

from __future__ import annotations

import re
import zipfile
from io import BytesIO

from .types import ParseError

FORMATS = ("txt", "docx", "doc", "pdf", "html", "xlsx", "xls")

MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # all members of a .docx/.xlsx together
MAX_MEMBER_RATIO = 150  # XML compresses ~10:1; a member inflating 150-fold is built to hurt
MAX_MEMBERS = 5_000

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGES = (
    (b"\x89PNG\r\n\x1a\n", "PNG 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
    (b"GIF87a", "GIF 图片"),
    (b"GIF89a", "GIF 图片"),
    (b"II*\x00", "TIFF 图片"),
    (b"MM\x00*", "TIFF 图片"),
    (b"Rar!", "RAR 压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩包"),
    (b"\x1f\x8b", "gzip 压缩包"),
    (b"{\\rtf", "RTF 文档"),
)
_HTML = re.compile(rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<meta\s|<title>|<div[\s>]|<p[\s>]", re.I)
_SUFFIXES = {".htm": "html", ".html": "html", ".shtml": "html", ".txt": "txt"}
SUPPORTED = "支持 .txt/.docx/.doc/.pdf/.html/.xlsx/.xls"


def _zip_format(data: bytes, filename: str) -> str:
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ParseError(f"文件已损坏:不是完整的 .docx/.xlsx 压缩包 ({filename or 'upload'}: broken zip)") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise ParseError(f"压缩包内文件过多({len(members)} 个),拒绝读取 (too many zip members)")
        total = sum(member.file_size for member in members)
        inflating = any(
            member.file_size > 1024 * 1024 and member.file_size > MAX_MEMBER_RATIO * max(member.compress_size, 1)
            for member in members
        )
        if total > MAX_UNPACKED_BYTES or inflating:
            raise ParseError(f"压缩包解压后过大({total} 字节),疑似压缩炸弹,拒绝读取 (zip bomb: {total} bytes unpacked)")
        names = {member.filename for member in members}
    if "[Content_Types].xml" in names:
        if any(name.startswith("word/") for name in names):
            return "docx"
        if any(name.startswith("xl/") for name in names):
            return "xlsx"
        if any(name.startswith("ppt/") for name in names):
            raise ParseError("这是 PowerPoint 演示文稿,不是分工文件 (a .pptx presentation)")
    raise ParseError(f"这是一个普通 zip 压缩包,不是 Word/Excel 文件,请解压后上传 ({SUPPORTED})")


def _ole2_format(data: bytes) -> str:
    # Stream names sit in the compound file's directory as UTF-16LE.
    if "WordDocument".encode("utf-16-le") in data:
        return "doc"
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return "xls"
    raise ParseError(f"这是一个 Office 97 文件,但不是 Word 文档或 Excel 工作簿 ({SUPPORTED})")


def detect_format(data: bytes, *, filename: str = "", max_bytes: int) -> str:
    """One of FORMATS, or ParseError with one clear line (empty, too large, an image, an archive…)."""
    if not data or not data.strip():
        raise ParseError("文件为空 (empty file)")
    if len(data) > max_bytes:
        raise ParseError(f"文件过大:{len(data)} 字节,上限 {max_bytes} 字节 (file too large)")
    head = data[:1024]
    if head.lstrip()[:5] == b"%PDF-" or head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(_OLE2):
        return _ole2_format(data)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_format(data, filename)
    for magic, label in _IMAGES:
        if label and head.startswith(magic):
            raise ParseError(f"这是{label},不是文档:{filename or '上传文件'}({SUPPORTED};扫描件请先转为文字)")
    if b"\x00" in data:  # text and web pages never hold NUL bytes: this is some other binary file
        raise ParseError(f"不是可识别的文档(二进制内容):{filename or '上传文件'}({SUPPORTED})")
    if _HTML.search(head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1024]):
        return "html"
    suffix = "." + filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    return _SUFFIXES.get(suffix, "txt")
