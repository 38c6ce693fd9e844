"""Console exports (/console/exports/): every page × persona, a job run end to end with eager Celery,
progress written while rows go out, failures recorded, direct downloads of small plans."""

from __future__ import annotations

from io import BytesIO
from itertools import pairwise
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from tasks_app.exporters import ProgressExporter
from tasks_app.models import ExportJob
from tasks_app.services import export_jobs
from tasks_app.services.export_jobs import export_job_run, export_job_start
from tasks_app.services.review import report_approve
from tests.console.review_fixtures import Review
from tests.personas import Personas, make_user, web_client

pytestmark = pytest.mark.django_db

PERSONAS = ("admin", "leader", "owner", "outsider", "anonymous")
READ = {"admin": 200, "leader": 200, "owner": 404, "outsider": 404, "anonymous": 302}
WRITE = {"admin": 302, "leader": 403, "owner": 404, "outsider": 404, "anonymous": 302}


@pytest.fixture(autouse=True)
def _own_media(media: Path) -> Path:
    return media


def done_job(p: Personas, report: str = "progress") -> ExportJob:
    job = export_job_start(plan=p.plan, report=report, year=p.cycle.year, user=p.admin)
    return export_job_run(job_id=job.pk)


def read_workbook(content: bytes):
    return load_workbook(BytesIO(content)).active


def formula_cells(sheet) -> list[str]:
    return [cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]


# --- scope ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_gives_each_persona_the_expected_status(review: Review, persona: str, eager, media):
    p = review.p
    job = done_job(p)
    client = web_client(p, persona)
    form = {"plan": p.plan.pk, "report": "division", "year": ""}
    pages = [
        ("get", "/console/exports/", None, READ),
        ("get", f"/console/exports/{job.pk}/", None, READ),
        ("get", f"/console/exports/{job.pk}/status/", None, READ),
        ("get", f"/console/exports/{job.pk}/download/", None, READ),
        ("get", "/console/exports/direct/", form, READ),
        ("post", "/console/exports/", form, WRITE),
    ]
    for method, path, data, expected in pages:
        before = ExportJob.objects.count()
        response = getattr(client, method)(path, data or {})
        assert response.status_code == expected[persona], (persona, path)
        if method == "post" and persona != "admin":
            assert ExportJob.objects.count() == before  # a refused start records nothing
    if persona == "anonymous":
        assert client.get("/console/exports/").url.startswith("/accounts/login/")


def test_it_shows_leadership_the_jobs_without_a_start_button(review: Review, eager):
    p = review.p
    job = done_job(p)
    page = web_client(p, "leader").get("/console/exports/").content.decode()
    assert "后台生成" not in page and "直接下载" in page
    assert f"/console/exports/{job.pk}/download/" in page
    admin_page = web_client(p, "admin").get("/console/exports/").content.decode()
    assert "后台生成" in admin_page and "job_progress.js" in admin_page


def test_it_answers_unknown_jobs_with_404(review: Review):
    client = web_client(review.p, "admin")
    for path in ("/console/exports/999999/", "/console/exports/999999/status/", "/console/exports/999999/download/"):
        assert client.get(path).status_code == 404


# --- a job end to end ----------------------------------------------------------------------------


def test_it_runs_a_progress_export_end_to_end(review: Review, eager, media, django_capture_on_commit_callbacks):
    p = review.p
    report_approve(report=review.report, user=p.admin, expected_version=review.report.version)
    client = web_client(p, "admin")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post("/console/exports/", {"plan": p.plan.pk, "report": "progress", "year": p.cycle.year})
    assert len(callbacks) == 1  # enqueued once, after the commit
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == f"/console/exports/{job.pk}/"
    assert (job.status, job.report, job.year, job.created_by) == ("done", "progress", 2020, p.admin)
    assert job.progress == job.total > 200 and job.finished_at is not None
    kept = media / job.file.name
    assert kept.is_file() and kept.parent.name == "exports"

    status = client.get(f"/console/exports/{job.pk}/status/").json()
    assert status == {
        "id": job.pk,
        "status": "done",
        "status_label": "已完成",
        "progress": job.progress,
        "total": job.total,
        "percent": 100,
        "error": "",
        "download_url": f"/console/exports/{job.pk}/download/",
    }
    page = client.get(f"/console/exports/{job.pk}/").content.decode()
    assert "下载 Excel 文件" in page and "已完成" in page

    download = client.get(f"/console/exports/{job.pk}/download/")
    assert download["Content-Disposition"] == f'attachment; filename="plan{p.plan.pk}-progress-2020.xlsx"'
    sheet = read_workbook(b"".join(download.streaming_content))
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[1]) == [column.header for column in ProgressExporter.columns]
    assert "2020年度落实情况汇总表" in rows[0][0]
    approved = [row for row in rows if row[2] == "市教育局" and row[1] == review.item.text]
    assert approved and approved[0][9] == "已通过" and approved[0][10] == "通过"
    assert len([row for row in rows[2:] if row[9]]) == job.total  # every data row counted once
    assert formula_cells(sheet) == []


def test_it_records_a_failure_for_a_year_without_a_cycle(review: Review, eager, django_capture_on_commit_callbacks):
    p = review.p
    with django_capture_on_commit_callbacks(execute=True):
        web_client(p, "admin").post("/console/exports/", {"plan": p.plan.pk, "report": "progress", "year": 2035})
    job = ExportJob.objects.get()
    assert job.status == "failed" and "没有 2035 年度的报送周期" in job.error
    assert not job.file and job.finished_at is not None
    status = web_client(p, "leader").get(f"/console/exports/{job.pk}/status/").json()
    assert status["status"] == "failed" and status["download_url"] is None and "2035" in status["error"]
    assert web_client(p, "admin").get(f"/console/exports/{job.pk}/download/").status_code == 404
    assert "2035" in web_client(p, "admin").get("/console/exports/").content.decode()


def test_it_writes_progress_while_the_rows_go_out(review: Review, monkeypatch):
    p = review.p
    monkeypatch.setattr("tasks_app.exporters.base.PROGRESS_EVERY", 10)
    monkeypatch.setattr(export_jobs, "PROGRESS_STEP", 40)
    job = export_job_start(plan=p.plan, report="division", year=None, user=p.admin)
    assert (job.status, job.progress, job.year) == ("queued", 0, None)
    estimate = job.total
    seen: list[tuple[str, int, int]] = []
    original = export_jobs._Progress.__call__

    def spy(self, rows: int) -> None:
        original(self, rows)
        job.refresh_from_db()
        seen.append((job.status, job.progress, job.total))

    monkeypatch.setattr(export_jobs._Progress, "__call__", spy)
    done = export_job_run(job_id=job.pk)
    written = sorted({progress for _, progress, _ in seen if progress})
    assert all(status == "running" for status, _, _ in seen)
    assert written[0] == 40 and all(b - a >= 40 for a, b in pairwise(written))
    assert estimate > 200 and all(total == estimate for _, _, total in seen)
    assert done.status == "done" and done.progress == done.total >= written[-1]
    assert export_job_run(job_id=job.pk).file.name == done.file.name  # a finished job is not built again


def test_it_marks_a_job_failed_when_the_queue_is_down(review: Review, monkeypatch, django_capture_on_commit_callbacks):
    from tasks_app import tasks

    def broken(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.run_export_job, "apply_async", broken)
    with django_capture_on_commit_callbacks(execute=True):
        job = export_job_start(plan=review.p.plan, report="division", year=None, user=review.p.admin)
    job.refresh_from_db()
    assert job.status == "failed" and "无法加入后台队列" in job.error


def test_it_leaves_a_job_queued_until_a_worker_takes_it(
    review: Review, monkeypatch, django_capture_on_commit_callbacks
):
    from tasks_app import tasks

    queued: list[int] = []
    monkeypatch.setattr(tasks.run_export_job, "apply_async", lambda args, kwargs=None, **options: queued.extend(args))
    with django_capture_on_commit_callbacks(execute=True):
        response = web_client(review.p, "admin").post(
            "/console/exports/", {"plan": review.p.plan.pk, "report": "units", "year": 2020}
        )
    job = ExportJob.objects.get()
    assert queued == [job.pk] and job.status == "queued"
    page = Client()
    page.force_login(review.p.admin)
    html = page.get(response.url).content.decode()
    assert f'data-status-url="/console/exports/{job.pk}/status/"' in html and "排队中" in html
    assert page.get(f"/console/exports/{job.pk}/download/").status_code == 404


def test_it_refuses_an_invalid_form_without_a_job(review: Review):
    client = web_client(review.p, "admin")
    response = client.post("/console/exports/", {"plan": review.p.plan.pk, "report": "everything", "year": "x"})
    assert response.status_code == 200 and ExportJob.objects.count() == 0
    assert "error" in response.content.decode()


# --- direct downloads ----------------------------------------------------------------------------


def test_it_streams_a_small_plan_directly(review: Review):
    p = review.p
    for persona in ("admin", "leader"):
        client = web_client(p, persona)
        if persona == "admin":
            response = client.post("/console/exports/", {"plan": p.plan.pk, "report": "division", "direct": "1"})
        else:
            response = client.get("/console/exports/direct/", {"plan": p.plan.pk, "report": "division"})
        assert response.status_code == 200, persona
        assert response["Content-Disposition"] == f'attachment; filename="plan{p.plan.pk}-division.xlsx"'
        sheet = read_workbook(b"".join(response.streaming_content))
        assert sheet.cell(row=2, column=1).value == "序号" and formula_cells(sheet) == []
    assert ExportJob.objects.count() == 0  # nothing stored


def test_it_sends_large_plans_to_the_background(review: Review, monkeypatch):
    monkeypatch.setattr(export_jobs, "DIRECT_MAX_ITEMS", 10)
    client = web_client(review.p, "leader")
    response = client.get("/console/exports/direct/", {"plan": review.p.plan.pk, "report": "division"}, follow=True)
    assert "请使用“后台生成”" in response.content.decode()
    bad_year = client.get("/console/exports/direct/", {"plan": review.p.plan.pk, "report": "progress", "year": 2035})
    assert bad_year.status_code == 302


# --- queries -------------------------------------------------------------------------------------


def test_it_lists_jobs_with_a_constant_number_of_queries(review: Review):
    p = review.p
    client = web_client(p, "admin")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/console/exports/").status_code == 200
        return len(queries)

    export_job_start(plan=p.plan, report="division", year=None, user=p.admin)
    count()  # the first view fills the office snapshots (tasks_app.snapshots); the jobs below change none
    few = count()
    reviewer = make_user("reviewer", office="reviewer")  # another creator (leadership may not start jobs)
    for _ in range(15):
        export_job_start(plan=p.plan, report="progress", year=2020, user=reviewer)
    assert count() == few


def test_it_keeps_unit_staff_out_of_a_status_they_guess(review: Review):
    job = export_job_start(plan=review.p.plan, report="division", year=None, user=review.p.admin)
    for persona in ("owner", "outsider"):
        response = web_client(review.p, persona).get(f"/console/exports/{job.pk}/status/")
        assert response.status_code == 404 and b"progress" not in response.content
