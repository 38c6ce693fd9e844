"""Export jobs and Celery: their own sweep task on its own beat entry, and services that never import tasks.py
(the job is enqueued by task name)."""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from celery import current_app
from django.utils import timezone

from planner.celery import app
from tasks_app import tasks
from tasks_app.models import ExportJob
from tasks_app.services import export_jobs
from tests.personas import Personas

pytestmark = pytest.mark.django_db
SERVICES = Path(export_jobs.__file__).parent


def _stale_and_fresh(p: Personas) -> tuple[ExportJob, ExportJob]:
    stale = ExportJob.objects.create(plan=p.plan, report="division", status=ExportJob.Status.QUEUED)
    fresh = ExportJob.objects.create(plan=p.plan, report="division", status=ExportJob.Status.RUNNING)
    ExportJob.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(hours=3))
    return stale, fresh


def test_it_sweeps_stale_export_jobs_from_their_own_beat_entry(personas: Personas):
    entries = [entry for entry in app.conf.beat_schedule.values() if entry["task"] == tasks.sweep_export_jobs.name]
    assert len(entries) == 1 and entries[0]["schedule"] <= 3600  # a dead worker's job fails within the hour
    stale, fresh = _stale_and_fresh(personas)
    assert tasks.sweep_export_jobs.apply().get() == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == "failed" and "重新导出" in stale.error and stale.finished_at is not None
    assert fresh.status == "running"


def test_it_leaves_export_jobs_out_of_the_outbox_sweep(personas: Personas):
    stale, _ = _stale_and_fresh(personas)
    tasks.sweep_outbox.apply().get()
    stale.refresh_from_db()
    assert stale.status == "queued"


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):  # nested (lazy) imports count too
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_it_keeps_services_from_importing_the_celery_tasks():
    offenders = {path.name for path in SERVICES.glob("*.py") if "tasks_app.tasks" in _imported_modules(path)}
    assert offenders == set()
    assert export_jobs.RUN_TASK == tasks.run_export_job.name and export_jobs.RUN_TASK in current_app.tasks
