"""The console import through a real Celery worker on the embedded default (no Redis: the filesystem broker
under VAR_DIR), as `.ci/serve` runs it: the upload enqueues after its commit, a `celery -A planner worker`
process parses the kept file and leaves the job ready with its preview; nothing reaches the plan tables
until the office confirms. Worker and test share a file SQLite database (read here with sqlite3)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.reminders.realparts import PYTHON, Worker, django_env, run_django, wait_for

pytestmark = pytest.mark.slow

UPLOAD_SCRIPT = """
import django
django.setup()
import tests.conftest  # noqa: F401  (before tests.personas: they import each other)
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.console.import_documents import notice_txt
from tests.personas import import_yingkou, make_user
from tasks_app.models import OfficeRole
from tasks_app.services.import_jobs import import_job_create
import_yingkou()
admin = make_user("office", office=OfficeRole.Role.ADMIN)
job = import_job_create(upload=SimpleUploadedFile("数字经济分工.txt", notice_txt()), user=admin)
print(job.pk)
"""

CONFIRM_SCRIPT = """
import django, sys
django.setup()
from django.contrib.auth import get_user_model
from tasks_app.services.import_jobs import import_job_confirm
job = import_job_confirm(job_id=int(sys.argv[1]), user=get_user_model().objects.get(username="office"))
print(job.plan_id)
"""


def _query(db: Path, sql: str, *args) -> list[tuple]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=20)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def test_it_parses_an_upload_in_a_real_worker_and_writes_only_on_confirm(tmp_path):
    db = tmp_path / "db.sqlite3"
    env = django_env(db=db, var=tmp_path / "var")
    env["MEDIA_ROOT"] = str(tmp_path / "media")
    run_django([PYTHON, "manage.py", "migrate", "--verbosity", "0"], env=env)
    job_id = int(run_django([PYTHON, "-c", UPLOAD_SCRIPT], env=env).strip().splitlines()[-1])
    plans_before = _query(db, "SELECT count(*) FROM tasks_app_plan")[0][0]
    (status,) = _query(db, "SELECT status FROM tasks_app_importjob WHERE id = ?", job_id)[0]
    assert status == "queued"  # enqueued on the filesystem broker, no worker yet

    worker = Worker(name="imports", env=env, folder=tmp_path)
    try:
        worker.wait_ready()

        def finished():
            rows = _query(db, "SELECT status, progress, error, preview FROM tasks_app_importjob WHERE id = ?", job_id)
            return rows[0] if rows and rows[0][0] not in ("queued", "parsing") else None

        status, progress, error, preview = wait_for(
            finished, timeout=60, what="the worker to parse the upload", explain=worker.tail
        )
    finally:
        worker.stop()
    assert (status, progress, error) == ("ready", 100, ""), worker.tail()
    assert json.loads(preview)["period"] == {"start": 2021, "end": 2025}
    assert "tasks_app.tasks.run_import_job" in worker.tail_all()
    assert _query(db, "SELECT count(*) FROM tasks_app_plan")[0][0] == plans_before

    plan_id = int(run_django([PYTHON, "-c", CONFIRM_SCRIPT, str(job_id)], env=env).strip().splitlines()[-1])
    assert _query(db, "SELECT count(*) FROM tasks_app_workitem WHERE plan_id = ?", plan_id)[0][0] == 4
    assert _query(db, "SELECT status, plan_id FROM tasks_app_importjob WHERE id = ?", job_id)[0] == (
        "imported",
        plan_id,
    )
