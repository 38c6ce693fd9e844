"""Import a document file: parse, preview or write. Commands, views and the API all call these."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from tasks_app.importing import ImportResult, document_import, unit_registry
from tasks_app.models import Unit
from tasks_app.parsing.decoding import decode_text, is_xlsx
from tasks_app.parsing.document import parse_bytes, parse_text
from tasks_app.parsing.preview import build_preview
from tasks_app.parsing.types import ParsedDocument, ParseError

ALLOWED_SUFFIXES = (".txt", ".xlsx")


@dataclass
class LoadedDocument:
    file_name: str
    text: str  # the text kept as the source (for .xlsx: a tab-separated rendering of the rows)
    parsed: ParsedDocument


def document_load(*, data: bytes, file_name: str) -> LoadedDocument:
    """Parse bytes into a document; raises ParseError with one clear line for bad input."""
    max_bytes = settings.IMPORT_MAX_BYTES
    if not file_name.lower().endswith(ALLOWED_SUFFIXES):
        raise ParseError(f"不支持的文件类型:{file_name}(仅支持 .txt 文本或 .xlsx 分工表)")
    if len(data) > max_bytes:
        raise ParseError(f"文件过大:{len(data)} 字节,上限 {max_bytes} 字节 (file too large)")
    if is_xlsx(data, file_name):
        parsed = parse_bytes(data, filename=file_name, max_bytes=max_bytes)
        from tasks_app.parsing.xlsx_table import workbook_text

        return LoadedDocument(file_name=file_name, text=workbook_text(data), parsed=parsed)
    if file_name.lower().endswith(".xlsx"):
        raise ParseError(f"不是有效的 .xlsx 文件:{file_name}")
    text = decode_text(data, max_bytes=max_bytes)
    return LoadedDocument(file_name=file_name, text=text, parsed=parse_text(text, filename=file_name))


def document_load_path(*, path: Path) -> LoadedDocument:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ParseError(f"无法读取文件 {path}:{exc.strerror}") from exc
    if size > settings.IMPORT_MAX_BYTES:
        raise ParseError(f"文件过大:{size} 字节,上限 {settings.IMPORT_MAX_BYTES} 字节 (file too large)")
    return document_load(data=path.read_bytes(), file_name=path.name)


def document_preview(*, loaded: LoadedDocument) -> dict[str, Any]:
    return build_preview(loaded.parsed, unit_registry())


def document_save(*, loaded: LoadedDocument, unit_choices: Mapping[str, Unit] | None = None) -> ImportResult:
    """Write the document; ``unit_choices`` maps raw names the registry does not know onto existing units."""
    return document_import(
        parsed=loaded.parsed, file_name=loaded.file_name, text=loaded.text, unit_choices=unit_choices
    )
