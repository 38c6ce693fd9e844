"""Documents imported from the console: upload, parse in the background, preview, then confirm or discard.

``import_job_create`` checks the upload (size first, then what the content is, whatever the name says)
before anything is stored; a refused file raises ``ImportJobError`` with one line and leaves no trace.
An accepted file is kept under MEDIA_ROOT/imports/ with a queued ``ImportJob``; once the transaction
commits, the Celery task ``tasks_app.tasks.run_import_job`` calls ``import_job_parse``: the job turns
``parsing``, the document goes through the same ``document_load``/``document_preview`` as
``import_document --dry-run --json``, and the job turns ``ready`` with that preview (and, when the plan
already exists, the re-import diff), or ``failed`` with the parser's one-line error.

Nothing reaches the plan tables before ``import_job_confirm``: under a row lock, only from ``ready`` and
only once, it writes the plan in one transaction, mapping the names the office chose onto existing units.
``import_job_discard`` only marks the job. ``import_jobs_clean`` (daily, Celery beat) deletes the files and
previews of finished jobs older than ``settings.IMPORT_RETENTION_DAYS`` and fails jobs whose worker died.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone

from tasks_app import access
from tasks_app.capabilities import Capability
from tasks_app.import_diff import import_diff
from tasks_app.import_units import jurisdiction_chain
from tasks_app.models import ImportJob, Jurisdiction, Unit, UnitAlias
from tasks_app.parsing.sniff import detect_format
from tasks_app.parsing.types import ParseError
from tasks_app.services.division import unit_confirm
from tasks_app.services.documents import document_load, document_preview, document_save
from tasks_app.services.queue import job_enqueue

RUN_TASK = "tasks_app.tasks.run_import_job"
logger = logging.getLogger(__name__)

NEW_UNIT = "new"
FINISHED = (ImportJob.Status.IMPORTED, ImportJob.Status.DISCARDED, ImportJob.Status.FAILED)
STALE_AFTER_HOURS = 2  # parsing takes seconds; a job still queued or parsing this late has lost its worker
FORMAT_LABELS = {
    "txt": "文本(.txt)",
    "html": "网页(.html)",
    "docx": "Word(.docx)",
    "doc": "Word 97-2003(.doc)",
    "pdf": "PDF",
    "xlsx": "Excel(.xlsx)",
    "xls": "Excel 97-2003(.xls)",
}


class ImportJobError(ValueError):
    """A refused upload or decision; the message is one line shown to the office as it is."""


class ImportJobConflict(ImportJobError):
    """The job is not in a state that allows this (already confirmed, still parsing, discarded…)."""


def one_line(message: object, limit: int = 500) -> str:
    return " ".join(str(message).split())[:limit]


# --- upload --------------------------------------------------------------------------------------


def content_format(data: bytes, file_name: str) -> str:
    """What the bytes are (txt, html, docx, doc, pdf, xlsx, xls): the parser's own sniffing, one rule for every face."""
    try:
        return detect_format(data, filename=file_name, max_bytes=settings.IMPORT_MAX_BYTES)
    except ParseError as exc:
        raise ImportJobError(one_line(exc)) from exc


def import_job_create(*, upload: File, user: Any) -> ImportJob:
    """Check the upload (size, then content) and record a queued job; nothing is stored for a refused file."""
    access.require(user, Capability.IMPORT_DOCUMENTS)
    file_name = PurePath(upload.name or "").name[:200] or "document"
    max_bytes = settings.IMPORT_MAX_BYTES
    size = upload.size or 0
    if size > max_bytes:
        raise ImportJobError(f"文件过大:{size} 字节,上限 {max_bytes} 字节:{file_name}")
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:  # the declared size lied
        raise ImportJobError(f"文件过大:超过上限 {max_bytes} 字节:{file_name}")
    if not data.strip():
        raise ImportJobError(f"文件为空:{file_name}")
    detected = content_format(data, file_name)
    suffix = PurePath(file_name).suffix.lower()[:10] if PurePath(file_name).suffix else f".{detected}"
    job = ImportJob(
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
        original_name=file_name,
        format=detected,
        size=len(data),
    )
    with transaction.atomic():
        job.file.save(f"{uuid.uuid4().hex}{suffix}", ContentFile(data), save=False)
        job.save()
        transaction.on_commit(lambda: job_enqueue(task_name=RUN_TASK, job_id=job.pk, on_failure=_fail))
    return job


# --- parsing (the Celery task's body) ------------------------------------------------------------


def _progress(job_id: int, percent: int) -> None:
    ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PARSING).update(progress=percent)


def _fail(job_id: int, message: str) -> None:
    ImportJob.objects.filter(pk=job_id, status__in=[ImportJob.Status.QUEUED, ImportJob.Status.PARSING]).update(
        status=ImportJob.Status.FAILED, error=one_line(message), finished_at=timezone.now()
    )


def _read(job: ImportJob) -> bytes:
    if not job.file:
        raise ImportJobError("上传的文件已按保留期限清理,请重新上传")
    try:
        with job.file.open("rb") as handle:
            return handle.read()
    except FileNotFoundError:
        raise ImportJobError("上传的文件已不存在,请重新上传") from None


def _scope_check(job: ImportJob, jurisdiction_name: str) -> None:
    """A document of a jurisdiction the uploader's office does not cover fails here, before its preview (or
    the re-import diff against that jurisdiction's plan) is shown; a jurisdiction that does not exist yet is
    checked again when the import is confirmed."""
    place = Jurisdiction.objects.filter(name=jurisdiction_name).first()
    if place is not None and job.uploaded_by is not None and not access.covers(job.uploaded_by, place.pk):
        raise ImportJobError(f"该文件属于{place.name},不在您的管理范围内,不能导入")


def import_job_parse(*, job_id: int) -> ImportJob | None:
    """queued → parsing → ready (preview and diff kept on the job) or failed (one line). Idempotent."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.status not in (ImportJob.Status.QUEUED, ImportJob.Status.PARSING):
        return job
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.PARSING, progress=5, error="")
    try:
        data = _read(job)
        _progress(job.pk, 20)
        loaded = document_load(data=data, file_name=job.original_name)
        _progress(job.pk, 70)
        preview = document_preview(loaded=loaded)
        _scope_check(job, loaded.parsed.jurisdiction)
        _progress(job.pk, 85)
        diff = import_diff(parsed=loaded.parsed, text=loaded.text)
    except (ParseError, ImportJobError) as exc:
        _fail(job.pk, str(exc))
        return ImportJob.objects.get(pk=job.pk)
    except Exception as exc:
        logger.exception("import job %s failed", job.pk)
        _fail(job.pk, f"解析失败:{type(exc).__name__}: {exc}")
        return ImportJob.objects.get(pk=job.pk)
    ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PARSING).update(
        status=ImportJob.Status.READY,
        progress=100,
        preview=preview,
        diff=diff,
        format=preview.get("format") or job.format,
    )
    return ImportJob.objects.get(pk=job.pk)


# --- the office's decision -----------------------------------------------------------------------


def unit_choices_check(*, preview: dict[str, Any], choices: Mapping[str, Any] | None) -> dict[str, int | str]:
    """The office's choices as stored: unknown name → unit id or "new"; ImportJobError for anything else."""
    unknown = {unit["name"]: unit for unit in preview.get("units", []) if not unit.get("known")}
    by_spelling = {raw: name for name, unit in unknown.items() for raw in (name, *unit.get("aliases_seen", []))}
    checked: dict[str, int | str] = {}
    wanted_ids: dict[str, int] = {}
    for raw, value in (choices or {}).items():
        name = by_spelling.get(str(raw))
        if name is None:
            raise ImportJobError(f"“{raw}”不是本文件中登记表未收录的单位名称")
        if value in (NEW_UNIT, "", None):
            checked[name] = NEW_UNIT
            continue
        try:
            wanted_ids[name] = int(value)
        except (TypeError, ValueError):
            raise ImportJobError(f'“{raw}”的对应单位无效:{value}(应为已有单位的 id 或 "new")') from None
    allowed = Unit.objects.filter(
        pk__in=wanted_ids.values(), jurisdiction__name__in=jurisdiction_chain(preview.get("jurisdiction") or "")
    )
    found = set(allowed.values_list("pk", flat=True))
    for name, unit_id in wanted_ids.items():
        if unit_id not in found:
            raise ImportJobError(f"“{name}”的对应单位不存在或不属于本文件的行政区划(id {unit_id})")
        checked[name] = unit_id
    return checked


def _locked(job_id: int, *, refused: str) -> ImportJob:
    """The job under a row lock, so two decisions on it run one after the other; an imported job is final."""
    job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
    if job is None:
        raise ImportJobConflict("导入任务不存在")
    if job.status == ImportJob.Status.IMPORTED:
        raise ImportJobConflict(f"该文件已导入(规划 #{job.plan_id}),{refused}")
    return job


def import_job_confirm(*, job_id: int, user: Any, unit_choices: Mapping[str, Any] | None = None) -> ImportJob:
    """Write the plan in one transaction (only from ready, only once); returns the imported job."""
    access.require(user, Capability.IMPORT_DOCUMENTS)
    with transaction.atomic():
        job = _locked(job_id, refused="不能重复确认")
        if job.status != ImportJob.Status.READY:
            raise ImportJobConflict(f"导入任务当前为“{job.get_status_display()}”,只有“待确认”的导入可以确认")
        preview = job.preview or {}
        choices = unit_choices_check(preview=preview, choices=unit_choices)
        units = Unit.objects.in_bulk([value for value in choices.values() if value != NEW_UNIT])
        spellings = {unit["name"]: unit.get("aliases_seen", []) for unit in preview.get("units", [])}
        chosen = {
            raw: units[value]
            for name, value in choices.items()
            if value != NEW_UNIT
            for raw in dict.fromkeys([name, *spellings.get(name, [])])
        }
        try:
            loaded = document_load(data=_read(job), file_name=job.original_name)
        except ParseError as exc:
            raise ImportJobError(one_line(exc)) from None
        result = document_save(loaded=loaded, unit_choices=chosen)
        if not access.covers(user, result.plan.jurisdiction_id):  # rolls the whole import back
            raise ImportJobError(f"该文件属于{result.plan.jurisdiction.name},不在您的管理范围内,不能导入")
        _remember_choices(chosen)
        new_names = [name for name, value in choices.items() if value == NEW_UNIT]
        jurisdiction = result.plan.jurisdiction
        for unit in Unit.objects.filter(jurisdiction=jurisdiction, name__in=new_names, needs_review=True):
            unit_confirm(unit=unit, user=user)
        job.status = ImportJob.Status.IMPORTED
        job.plan = result.plan
        job.unit_choices = choices
        job.decided_by = user if getattr(user, "is_authenticated", False) else None
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "plan", "unit_choices", "decided_by", "finished_at", "updated_at"])
    return job


def _remember_choices(chosen: Mapping[str, Unit]) -> None:
    """The next document that writes the same name finds the unit by itself."""
    UnitAlias.objects.bulk_create(
        [
            UnitAlias(unit=unit, jurisdiction_id=unit.jurisdiction_id, name=raw[:160])
            for raw, unit in chosen.items()
            if raw != unit.name
        ],
        ignore_conflicts=True,
    )


def import_job_discard(*, job_id: int, user: Any) -> ImportJob:
    """Give up on a job that is not imported; nothing but the job itself changes."""
    access.require(user, Capability.IMPORT_DOCUMENTS)
    with transaction.atomic():
        job = _locked(job_id, refused="不能放弃")
        if job.status == ImportJob.Status.DISCARDED:
            return job
        job.status = ImportJob.Status.DISCARDED
        job.decided_by = user if getattr(user, "is_authenticated", False) else None
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "decided_by", "finished_at", "updated_at"])
    return job


# --- retention -----------------------------------------------------------------------------------


def import_jobs_clean(*, now: datetime | None = None, days: int | None = None) -> int:
    """Delete files and previews of finished jobs older than the retention period; returns how many."""
    now = now or timezone.now()
    stale = now - timedelta(hours=STALE_AFTER_HOURS)
    ImportJob.objects.filter(
        status__in=[ImportJob.Status.QUEUED, ImportJob.Status.PARSING], created_at__lt=stale
    ).update(status=ImportJob.Status.FAILED, error="后台解析中断(超时未完成),请重新上传", finished_at=now)
    cutoff = now - timedelta(days=settings.IMPORT_RETENTION_DAYS if days is None else days)
    old = ImportJob.objects.filter(status__in=FINISHED, finished_at__lt=cutoff).exclude(file="", preview=None)
    cleaned = 0
    for job in old.iterator():
        if job.file:
            job.file.delete(save=False)
        ImportJob.objects.filter(pk=job.pk).update(file="", preview=None, diff=None)
        cleaned += 1
    return cleaned


def import_job_percent(job: ImportJob) -> int:
    return 100 if job.status in (ImportJob.Status.READY, ImportJob.Status.IMPORTED) else int(job.progress)


def import_job_state(job: ImportJob) -> dict[str, Any]:
    """The job as the API shows it (BRIEF §5): preview is the dry-run object, or None before it is ready."""
    return {
        "id": job.pk,
        "status": job.status,
        "progress": import_job_percent(job),
        "error": job.error or None,
        "preview": job.preview,
        "plan_id": job.plan_id,
    }


def import_jobs_recent(*, user: Any, limit: int = 50):
    """The latest jobs the user's office may see (access.visible_import_jobs)."""
    rows = access.visible_import_jobs(user).select_related("uploaded_by", "plan")
    return rows.order_by("-created_at", "-pk")[:limit]
