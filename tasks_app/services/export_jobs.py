"""Background Excel exports: the console and the API start a job, a Celery worker builds the workbook.

``export_job_start`` records an ``ExportJob`` (status queued) and, once the transaction commits, sends
its id to the Celery task named ``RUN_TASK`` (tasks_app.tasks.run_export_job). The task is looked up by
name, so this module never imports tasks.py (tasks import services, never the reverse). The worker calls
``export_job_run``: the job turns running, the workbook is streamed through ``export_build`` into a
temporary file, then kept under MEDIA_ROOT/exports/; ``progress``/``total`` are written as rows go out (at most every
``PROGRESS_STEP`` rows, so a 50,000-item export costs a few dozen small UPDATEs). Any failure is
recorded on the job (status failed, ``error`` a sentence a person can read), never lost.

``total`` is the exporter's ``estimate_rows``, made before the first row; the finished job sets
``progress = total = rows written``. ``export_jobs_sweep`` (its own beat entry, tasks.sweep_export_jobs)
fails jobs whose worker died, so none stays "running" for ever.

Small plans (``DIRECT_MAX_ITEMS`` active items or fewer) may also be downloaded at once, without a job:
``export_direct_allowed`` says when, and the view streams ``export_build`` into the response.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from tasks_app import access
from tasks_app.access import AnyUser
from tasks_app.capabilities import Capability
from tasks_app.models import ExportJob, Plan, WorkItem
from tasks_app.services.exports import (
    ExportError,
    export_build,
    export_file_name,
    export_label,
    export_request_check,
)
from tasks_app.services.queue import job_enqueue

logger = logging.getLogger(__name__)

RUN_TASK = "tasks_app.tasks.run_export_job"
PROGRESS_STEP = 500  # rows between two progress writes, at most
DIRECT_MAX_ITEMS = 5000  # plans this small may be downloaded straight away (no job)


def export_direct_allowed(*, plan: Plan) -> bool:
    return WorkItem.objects.filter(plan=plan, is_active=True).count() <= DIRECT_MAX_ITEMS


def _fail_queued(job_id: int, message: str) -> None:
    ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.FAILED, error=message[:2000], finished_at=timezone.now()
    )


def export_job_start(*, plan: Plan, report: str, year: int | None, user: AnyUser, period: str = "") -> ExportJob:
    """Record a queued job and enqueue it after the transaction commits (ExportError on a bad request)."""
    access.require(user, Capability.EXPORT)
    checked = export_request_check(plan=plan, report=report, year=year, period=period)
    job = ExportJob.objects.create(
        plan=checked.plan,
        report=checked.report,
        year=checked.year,
        period=checked.period,
        created_by=user if isinstance(user, User) else None,  # anonymous: nobody to name
        total=checked.exporter.estimate_rows(plan=checked.plan),
    )
    transaction.on_commit(lambda: job_enqueue(task_name=RUN_TASK, job_id=job.pk, on_failure=_fail_queued))
    return job


class _Progress:
    """The callback handed to export_build: writes progress at most every PROGRESS_STEP rows."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.done_before = 0  # rows of the sheets already finished
        self.last_seen = 0
        self.last_written = 0

    def __call__(self, rows: int) -> None:
        if rows < self.last_seen:  # a new sheet started counting from 0
            self.done_before += self.last_seen
        self.last_seen = rows
        current = self.done_before + rows
        if current - self.last_written >= PROGRESS_STEP:
            self.last_written = current
            ExportJob.objects.filter(pk=self.job_id).update(progress=current)


def _fail(job_id: int, message: str) -> None:
    ExportJob.objects.filter(pk=job_id).update(
        status=ExportJob.Status.FAILED, error=message[:2000], finished_at=timezone.now()
    )


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Build the job's workbook into MEDIA_ROOT/exports/. A finished or vanished job is left alone."""
    job = ExportJob.objects.select_related("plan").filter(pk=job_id).first()
    if job is None or job.status == ExportJob.Status.DONE:
        return job
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, progress=0, error="")
    try:
        with tempfile.TemporaryFile() as stream:
            result = export_build(
                plan=job.plan,
                report=job.report,
                year=job.year,
                period=job.period,
                path_or_stream=stream,
                progress=_Progress(job.pk),
            )
            stream.seek(0)
            name = f"job{job.pk}-{export_file_name(plan=job.plan, report=job.report, year=job.year, period=job.period)}"
            job.file.save(name, File(stream, name=name), save=False)
    except ExportError as exc:
        _fail(job.pk, str(exc))
        return ExportJob.objects.get(pk=job.pk)
    except Exception as exc:
        logger.exception("export job %s failed", job.pk)
        _fail(job.pk, f"导出失败:{type(exc).__name__}: {exc}")
        return ExportJob.objects.get(pk=job.pk)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE,
        file=job.file.name,
        progress=result.rows,
        total=result.rows,
        error="",
        finished_at=timezone.now(),
    )
    return ExportJob.objects.get(pk=job.pk)


def export_jobs_recent(*, user: AnyUser, limit: int = 50) -> QuerySet[ExportJob]:
    """The latest jobs of the user's plans with their plan and author (one query)."""
    rows = access.visible_export_jobs(user).select_related("plan", "created_by")
    return rows.order_by("-created_at", "-pk")[:limit]


def export_job_label(job: ExportJob) -> str:
    return export_label(report=job.report, year=job.year, period=job.period)


def export_job_percent(job: ExportJob) -> int:
    if job.status == ExportJob.Status.DONE:
        return 100
    if not job.total:
        return 0
    return min(99, int(100 * job.progress / job.total))


STALE_AFTER_HOURS = 2  # a 50,000-item export takes seconds; a job this old has lost its worker


def export_jobs_sweep(*, now: datetime | None = None) -> int:
    """Mark jobs whose worker died (still queued or running hours later) as failed, so the office can retry."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=STALE_AFTER_HOURS)
    return ExportJob.objects.filter(
        status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING], created_at__lt=cutoff
    ).update(status=ExportJob.Status.FAILED, error="后台任务中断(超时未完成),请重新导出", finished_at=now)
