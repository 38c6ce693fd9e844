"""Background Excel exports: the console and the API start a job, a Celery worker builds the workbook.

``export_job_start`` records an ``ExportJob`` (status queued) and, once the transaction commits, hands
its id to the Celery task ``tasks_app.tasks.run_export_job``. The worker calls ``export_job_run``: the
job turns running, the workbook is streamed through ``export_build`` into a temporary file, then kept
under MEDIA_ROOT/exports/; ``progress``/``total`` are written as rows go out (at most every
``PROGRESS_STEP`` rows, so a 50,000-item export costs a few dozen small UPDATEs). Any failure is
recorded on the job (status failed, ``error`` a sentence a person can read), never lost.

``total`` is an estimate made before the first row (items of the plan, units for the unit report);
the finished job sets ``progress = total = rows written``.

Small plans (``DIRECT_MAX_ITEMS`` active items or fewer) may also be downloaded at once, without a job:
``export_direct_allowed`` says when, and the view streams ``export_build`` into the response.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from datetime import timedelta

from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from tasks_app import access
from tasks_app.capabilities import Capability
from tasks_app.models import Assignment, ExportJob, Plan, WorkItem
from tasks_app.services.exports import REPORTS, ExportError, export_build, export_file_name

logger = logging.getLogger(__name__)

PROGRESS_STEP = 500  # rows between two progress writes, at most
DIRECT_MAX_ITEMS = 5000  # plans this small may be downloaded straight away (no job)
YEARLESS_REPORTS = ("division",)  # the division table is the same whatever the year
REPORT_LABELS = {
    "division": "任务分工表",
    "progress": "年度落实情况汇总表",
    "indicators": "主要指标完成情况表",
    "units": "单位任务量统计表",
}
MIN_YEAR, MAX_YEAR = 1949, 2200


@dataclass(frozen=True)
class ExportRequest:
    plan: Plan
    report: str
    year: int | None


def export_request_check(*, plan: Plan, report: str, year: int | None) -> ExportRequest:
    """The request as a job will run it (division ignores the year); an unknown report or absurd year → ExportError."""
    if report not in REPORTS:
        raise ExportError(f"未知的报表类型:{report}(可选:{'、'.join(REPORTS)})")
    if report in YEARLESS_REPORTS:
        year = None
    if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        raise ExportError(f"年度 {year} 不是有效的年份")
    return ExportRequest(plan=plan, report=report, year=year)


def export_estimate_rows(*, plan: Plan, report: str) -> int:
    """About how many data rows the report will have (one query): the progress bar's 100%."""
    items = WorkItem.objects.filter(plan=plan, is_active=True)
    if report == "indicators":
        return items.filter(kind__in=WorkItem.INDICATOR_KINDS).count()
    if report == "units":
        active = Assignment.objects.filter(item__plan=plan, item__is_active=True)
        return active.values("unit_id").distinct().count()
    return items.count()


def export_direct_allowed(*, plan: Plan) -> bool:
    return WorkItem.objects.filter(plan=plan, is_active=True).count() <= DIRECT_MAX_ITEMS


def _enqueue(job_id: int) -> None:
    from tasks_app.tasks import run_export_job

    try:
        run_export_job.delay(job_id)
    except Exception as exc:  # the broker is down: say so on the job rather than leave it queued forever
        logger.exception("export job %s could not be queued", job_id)
        ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
            status=ExportJob.Status.FAILED, error=f"无法加入后台队列:{exc}", finished_at=timezone.now()
        )


def export_job_start(*, plan: Plan, report: str, year: int | None, user) -> ExportJob:
    """Record a queued job and enqueue it after the transaction commits (ExportError on a bad request)."""
    access.require(user, Capability.EXPORT)
    checked = export_request_check(plan=plan, report=report, year=year)
    job = ExportJob.objects.create(
        plan=checked.plan,
        report=checked.report,
        year=checked.year,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        total=export_estimate_rows(plan=checked.plan, report=checked.report),
    )
    transaction.on_commit(lambda: _enqueue(job.pk))
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
        with tempfile.TemporaryFile(suffix=".xlsx") as stream:
            result = export_build(
                plan=job.plan, report=job.report, year=job.year, path_or_stream=stream, progress=_Progress(job.pk)
            )
            stream.seek(0)
            name = f"job{job.pk}-{export_file_name(plan=job.plan, report=job.report, year=job.year)}"
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


def export_jobs_recent(*, limit: int = 50) -> QuerySet[ExportJob]:
    """The latest jobs with their plan and author (one query)."""
    return ExportJob.objects.select_related("plan", "created_by").order_by("-created_at", "-pk")[:limit]


def export_job_label(job: ExportJob) -> str:
    year = f" {job.year}年度" if job.year else ""
    return f"{REPORT_LABELS.get(job.report, job.report)}{year}"


def export_job_percent(job: ExportJob) -> int:
    if job.status == ExportJob.Status.DONE:
        return 100
    if not job.total:
        return 0
    return min(99, int(100 * job.progress / job.total))


STALE_AFTER_HOURS = 2  # a 50,000-item export takes seconds; a job this old has lost its worker


def export_jobs_sweep(*, now=None) -> int:
    """Mark jobs whose worker died (still queued or running hours later) as failed, so the office can retry."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=STALE_AFTER_HOURS)
    return ExportJob.objects.filter(
        status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING], created_at__lt=cutoff
    ).update(status=ExportJob.Status.FAILED, error="后台任务中断(超时未完成),请重新导出", finished_at=now)
