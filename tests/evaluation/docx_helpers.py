"""Reading back the Word reports, and the report pattern of the ``zhanqian_reported`` fixture (conftest)."""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

import docx

from tasks_app.models import Plan, Report, WorkItem
from tasks_app.selectors.monitoring import TASK_KINDS
from tasks_app.services.exports import export_build

YEAR = 2023
PROBLEM, NEXT_STEP = "项目资金缺口较大", "积极争取专项债券支持"
PATTERN = (  # slot n % 4 → (status, progress)
    (Report.Status.APPROVED, Report.Progress.DONE),
    (Report.Status.SUBMITTED, Report.Progress.ON_TRACK),
    (Report.Status.SUBMITTED, Report.Progress.BEHIND),
    (Report.Status.DRAFT, Report.Progress.ON_TRACK),
)


def build(plan: Plan, report: str, path: Path, year: int | None = YEAR) -> docx.document.Document:
    export_build(plan=plan, report=report, year=year, path_or_stream=str(path))
    return docx.Document(str(path))


def document_xml(data: bytes) -> bytes:
    with zipfile.ZipFile(BytesIO(data)) as archive:
        return archive.read("word/document.xml")


def table_with(document, first_headers: list[str]):
    return next(t for t in document.tables if [c.text for c in t.rows[0].cells[: len(first_headers)]] == first_headers)


def task_count(plan: Plan) -> int:
    return WorkItem.objects.filter(plan=plan, is_active=True, kind__in=TASK_KINDS).count()
