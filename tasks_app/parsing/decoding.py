"""Turn uploaded bytes into text, refusing what is not a text document with one clear message."""

from __future__ import annotations

from .types import ParseError

XLSX_MAGIC = b"PK\x03\x04"


def is_xlsx(data: bytes, filename: str = "") -> bool:
    return data.startswith(XLSX_MAGIC) and (not filename or filename.lower().endswith((".xlsx", ".xlsm")))


def decode_text(data: bytes, *, max_bytes: int) -> str:
    if not data or not data.strip():
        raise ParseError("文件为空 (empty file)")
    if len(data) > max_bytes:
        raise ParseError(f"文件过大:{len(data)} 字节,上限 {max_bytes} 字节 (file too large)")
    if b"\x00" in data:  # anywhere: a NUL past the first block must not reach the database either
        raise ParseError("不是文本文件:含二进制内容 (binary content; expected UTF-8 or GB18030 text or .xlsx)")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ParseError("无法识别文件编码:仅支持 UTF-8 或 GB18030 (unknown text encoding)")
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\r\n\t\f")
    if controls > max(8, len(text[:65536]) // 200):
        raise ParseError("不是文本文件:含大量控制字符 (binary content)")
    # Normalise line endings once so line numbers agree everywhere.
    return text.replace("\r\n", "\n").replace("\r", "\n")
