"""Celery app. With REDIS_URL, Redis is the broker; without it, an embedded filesystem broker under var/celery
lets the scheduler and a worker run on a machine with no server installed."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from celery import Celery, bootsteps
from celery.schedules import crontab
from celery.signals import worker_init, worker_ready

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


# Sweeps that do not depend on beat ------------------------------------------------------------------------------
# A worker queues the resume sweep (tasks_app.tasks.sweep_outbox(resume=True)) when it starts and each time its
# consumer reconnects to the broker: a Redis restart without persistence drops queued deliveries and the retries
# a worker holds in memory (Celery clears them on connection loss), and only a sweep finds those rows again.

log = logging.getLogger(__name__)
RESUME_SWEEP = "tasks_app.tasks.sweep_outbox"


def queue_resume_sweep(reason: str) -> None:
    try:
        app.send_task(RESUME_SWEEP, kwargs={"resume": True})
        log.info("reminder outbox: resume sweep queued (%s)", reason)
    except Exception:  # the broker is still away: the next reconnect, the next beat sweep or cron run sweeps
        log.exception("reminder outbox: could not queue the resume sweep (%s)", reason)


@worker_ready.connect
def _sweep_on_start(sender=None, **kwargs) -> None:
    queue_resume_sweep("worker started")


class ResumeOutboxOnReconnect(bootsteps.StartStopStep):
    """Consumer step: started once with the worker (worker_ready covers that) and again after every reconnect."""

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, parent, **kwargs) -> None:
        super().__init__(parent, **kwargs)
        self.starts = 0

    def start(self, parent) -> None:
        self.starts += 1
        if self.starts > 1:
            queue_resume_sweep("broker connection re-established")


app.steps["consumer"].add(ResumeOutboxOnReconnect)


def _keep_worker_alive_on_redis_restart() -> None:
    """Work around kombu 5.7.0 (the newest release, with celery 5.7.0): when Redis goes away under a worker that
    holds unacknowledged messages (e.g. retries with a countdown), Consumer.on_connection_error_after_connected
    collect()s the connection, which sets its transport's client to None, then close()s it; closing restores the
    unacknowledged messages through a new pool built from that client and dies in Channel._connparams with
    "AttributeError: 'NoneType' object has no attribute 'hostname'", an unrecoverable error for the worker.

    Without a connection nothing can be restored anyway: the messages stay in Redis' unacked hash (restored after
    the visibility timeout if Redis kept its data), and the resume sweep above re-queues their rows from the
    outbox if it did not. So skip the restore instead of crashing; the consumer then reconnects as designed.
    """
    try:
        from kombu.transport import redis as kombu_redis
    except ImportError:  # the redis client is not installed: the embedded broker is in use
        return
    original = kombu_redis.QoS.restore_unacked
    if getattr(original, "planner_patched", False):
        return

    def restore_unacked(self, client=None):
        if client is None and getattr(self.channel.connection, "client", None) is None:
            log.warning(
                "broker connection lost: %s unacknowledged message(s) left to Redis and the outbox resume sweep",
                len(self._delivered),
            )
            self._delivered.clear()
            return None
        return original(self, client)

    restore_unacked.planner_patched = True  # type: ignore[attr-defined]
    kombu_redis.QoS.restore_unacked = restore_unacked  # type: ignore[method-assign]


_keep_worker_alive_on_redis_restart()


@worker_init.connect
def _tune_worker(**kwargs: object) -> None:
    # Before the pool forks: its children inherit the frozen application and the thresholds (planner.runtime).
    from planner.runtime import garbage_collector_tune

    garbage_collector_tune()
