"""Celery tasks: thin wrappers over the reminder and export services."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from tasks_app.reminders.outbox import outbox_deliver, outbox_retry_delay, outbox_sweep
from tasks_app.reminders.service import reminders_run
from tasks_app.services.export_jobs import export_job_run, export_jobs_sweep


def enqueue_deliveries(ids: list[int]) -> None:
    for message_id in ids:
        deliver_reminder.delay(message_id)


@shared_task(name="tasks_app.tasks.plan_reminders")
def plan_reminders(as_of: str | None = None) -> dict:
    from datetime import date

    day = date.fromisoformat(as_of) if as_of else timezone.localdate()
    result = reminders_run(as_of=day, enqueue=enqueue_deliveries)
    return {"as_of": day.isoformat(), "queued": result.queued, "skipped": result.skipped}


@shared_task(name="tasks_app.tasks.deliver_reminder")
def deliver_reminder(message_id: int) -> str:
    status = outbox_deliver(message_id=message_id)
    if status == "pending":  # a temporary error: try again when the backoff schedule says so
        delay = outbox_retry_delay(message_id=message_id)
        if delay is not None:
            deliver_reminder.apply_async((message_id,), countdown=delay)
    return status


@shared_task(name="tasks_app.tasks.sweep_outbox")
def sweep_outbox() -> int:
    """The reminder outbox only; export jobs have their own sweep (services/export_jobs.export_jobs_sweep)."""
    ids = outbox_sweep()
    enqueue_deliveries(ids)
    return len(ids)


@shared_task(name="tasks_app.tasks.run_export_job")
def run_export_job(job_id: int) -> str:
    job = export_job_run(job_id=job_id)
    return job.status if job is not None else "missing"


@shared_task(name="tasks_app.tasks.run_import_job")
def run_import_job(job_id: int) -> str:
    from tasks_app.services.import_jobs import import_job_parse

    job = import_job_parse(job_id=job_id)
    return job.status if job is not None else "missing"


@shared_task(name="tasks_app.tasks.clean_import_jobs")
def clean_import_jobs() -> int:
    from tasks_app.services.import_jobs import import_jobs_clean

    return import_jobs_clean()


@shared_task(name="tasks_app.tasks.sweep_export_jobs")
def sweep_export_jobs() -> int:
    return export_jobs_sweep()
