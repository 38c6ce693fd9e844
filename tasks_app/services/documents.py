"""Import a document file: parse, preview or write. Commands, views and the API all call these."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from tasks_app.importing import ImportResult, document_import, unit_registry
from tasks_app.models import Unit
from tasks_app.parsing.convert import doc_to_docx
from tasks_app.parsing.document import extract, parse_extracted
from tasks_app.parsing.preview import build_preview
from tasks_app.parsing.types import ParsedDocument, ParseError
from tasks_app.services.successions_dated import (
    dated_successors,
    document_date,
    preview_with_successors,
    successor_choices,
)

# What the office may bring in; the content decides the format, these only name it in messages.
ALLOWED_SUFFIXES = (".txt", ".docx", ".doc", ".pdf", ".html", ".htm", ".xlsx", ".xls")


@dataclass
class LoadedDocument:
    file_name: str
    # The text kept as the source: the document as lines (tables one row per line, cells tab-separated;
    # for .xlsx/.xls row N of the sheet is line N), so source line ranges point into it.
    text: str
    parsed: ParsedDocument

    @property
    def format(self) -> str:
        return self.parsed.format


def document_load(*, data: bytes, file_name: str) -> LoadedDocument:
    """Parse bytes of any supported format; raises ParseError with one clear line for bad input."""
    extracted = extract(data, filename=file_name, max_bytes=settings.IMPORT_MAX_BYTES, doc_converter=doc_to_docx)
    parsed = parse_extracted(extracted, filename=file_name)
    return LoadedDocument(file_name=file_name, text="\n".join(extracted.lines), parsed=parsed)


def document_load_path(*, path: Path) -> LoadedDocument:
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise ParseError(f"不是文件:{path}")
    except OSError as exc:
        raise ParseError(f"无法读取文件 {path}:{exc.strerror}") from exc
    if size > settings.IMPORT_MAX_BYTES:
        raise ParseError(f"文件过大:{size} 字节,上限 {settings.IMPORT_MAX_BYTES} 字节 (file too large)")
    return document_load(data=path.read_bytes(), file_name=path.name)


def document_preview(*, loaded: LoadedDocument) -> dict[str, Any]:
    preview = build_preview(loaded.parsed, unit_registry())
    successors = dated_successors(loaded.parsed)
    return preview_with_successors(preview, successors, on=document_date(loaded.parsed)) if successors else preview


def document_save(*, loaded: LoadedDocument, unit_choices: Mapping[str, Unit] | None = None) -> ImportResult:
    """Write the document; ``unit_choices`` maps raw names the registry does not know onto existing units.
    A name of a unit succeeded before the document's date goes to its successor (the raw name is kept)."""
    choices = {**successor_choices(loaded.parsed, unit_registry()), **(unit_choices or {})}
    return document_import(parsed=loaded.parsed, file_name=loaded.file_name, text=loaded.text, unit_choices=choices)
