"""Celery app. With REDIS_URL, Redis is the broker; without it, an embedded filesystem broker under var/celery
lets the scheduler and a worker run on a machine with no server installed."""

from __future__ import annotations

import os
from pathlib import Path

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planner.settings")

app = Celery("planner")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def filesystem_broker_options(var_dir: Path) -> dict:
    folder = var_dir / "celery" / "broker"
    folder.mkdir(parents=True, exist_ok=True)
    (var_dir / "celery" / "processed").mkdir(parents=True, exist_ok=True)
    (var_dir / "celery" / "control").mkdir(parents=True, exist_ok=True)
    return {
        "control_folder": str(var_dir / "celery" / "control"),
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "processed_folder": str(var_dir / "celery" / "processed"),
        "store_processed": False,
    }


app.conf.beat_schedule = {
    "plan-reminders-daily": {"task": "tasks_app.tasks.plan_reminders", "schedule": crontab(hour=8, minute=0)},
    "sweep-outbox": {"task": "tasks_app.tasks.sweep_outbox", "schedule": 300.0},
    "clean-import-jobs-daily": {"task": "tasks_app.tasks.clean_import_jobs", "schedule": crontab(hour=3, minute=30)},
    "sweep-export-jobs": {"task": "tasks_app.tasks.sweep_export_jobs", "schedule": 600.0},
}
