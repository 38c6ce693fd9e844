"""Benchmark: the console import of a 2,000-item notice (80 unit names the registry does not know) into a
fresh SQLite database holding the five seed documents: upload checks, the parse job, the unit suggestions,
one preview page, and the confirmation.

Run: .venv/bin/python tests/benchmarks/console_import.py [--items 2000] [--unknown 80]
Prints figures; asserts nothing (BRIEF §6: speed goals are benchmarks, not timed tests).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--unknown", type=int, default=80)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var:
        os.environ.update(
            DEBUG="true",
            DJANGO_SETTINGS_MODULE="planner.settings",
            VAR_DIR=var,
            MEDIA_ROOT=f"{var}/media",
            DATABASE_URL=f"sqlite:///{var}/bench.sqlite3",
            IMPORT_MAX_BYTES=str(50 * 1024 * 1024),
            ALLOWED_HOSTS="testserver",
        )
        import django

        django.setup()
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.core.management import call_command
        from django.test import Client

        import tests.conftest  # noqa: F401  (before tests.personas: they import each other)
        from tasks_app.import_units import unknown_units
        from tasks_app.models import OfficeRole
        from tasks_app.services import import_jobs as jobs
        from tests.console.import_documents import notice_txt
        from tests.personas import make_user

        call_command("migrate", verbosity=0)
        call_command("seed_documents", stdout=StringIO())
        admin = make_user("bench-office", office=OfficeRole.Role.ADMIN)
        tasks = tuple(
            (
                f"({n})推进第{n}项重点工作,到2024年底完成建设任务。",
                f"市新设第{n % args.unknown}管理局",
                "市财政局、市统计局",
            )
            for n in range(1, args.items + 1)
        )
        data = notice_txt(tasks=tasks)
        client = Client()
        client.force_login(admin)
        client.get("/console/imports/")  # load the URL configuration once, as a running server has

        started = time.perf_counter()
        job = jobs.import_job_create(upload=SimpleUploadedFile("bench.txt", data), user=admin)
        created = time.perf_counter() - started
        started = time.perf_counter()
        job = jobs.import_job_parse(job_id=job.pk)
        parsed = time.perf_counter() - started
        started = time.perf_counter()
        rows = unknown_units(preview=job.preview)
        suggested = time.perf_counter() - started
        started = time.perf_counter()
        page = client.get(f"/console/imports/{job.pk}/")
        shown = time.perf_counter() - started
        started = time.perf_counter()
        jobs.import_job_confirm(job_id=job.pk, user=admin)
        confirmed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(f"document: {len(data) / 1024:.0f} KiB, {len(job.preview['tasks'])} tasks, {len(rows)} unknown names")
    print(f"upload checks + store   {created:.3f} s")
    print(f"parse job (preview+diff) {parsed:.3f} s")
    print(f"unit suggestions        {suggested:.3f} s")
    print(f"preview page            {shown:.3f} s  ({len(page.content) / 1024:.0f} KiB, status {page.status_code})")
    print(f"confirm (one transaction) {confirmed:.3f} s")
    print(f"peak RSS of the process {peak / 1024:.0f} MiB (seeding included)")


if __name__ == "__main__":
    main()
