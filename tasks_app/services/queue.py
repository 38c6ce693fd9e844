"""Hand a background job to Celery by task name: services never import tasks_app.tasks (it imports them)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from celery import current_app

logger = logging.getLogger(__name__)


def job_enqueue(*, task_name: str, job_id: int, on_failure: Callable[[int, str], None]) -> None:
    """Queue ``task_name(job_id)``; a broker that cannot take it fails the job visibly instead of leaving it queued.

    Where tasks.py is loaded (a worker, eager tests) Celery resolves the name to the registered task.
    """
    try:
        current_app.signature(task_name, args=(job_id,)).apply_async()
    except Exception as exc:  # any broker error: the job must not wait forever for a worker
        logger.exception("job %s of %s could not be queued", job_id, task_name)
        on_failure(job_id, f"无法加入后台队列:{exc}")
