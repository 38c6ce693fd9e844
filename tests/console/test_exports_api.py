"""Console export API (/api/console/exports/): every endpoint × persona, a job through the API with eager
Celery, refusals that record nothing, and every operation documented in the schema."""

from __future__ import annotations

import re

import pytest

from tasks_app.exporters import DivisionExporter
from tasks_app.models import ExportJob
from tasks_app.services.export_jobs import export_job_run, export_job_start
from tests.api.conftest import client_for
from tests.console.review_fixtures import Review
from tests.console.test_exports import formula_cells, read_workbook

pytestmark = pytest.mark.django_db

PERSONAS = ("admin", "leader", "owner", "outsider", "anonymous")
READ = {"admin": 200, "leader": 200, "owner": 404, "outsider": 404, "anonymous": 401}
START = {"admin": 202, "leader": 403, "owner": 404, "outsider": 404, "anonymous": 401}


def _endpoints(job: ExportJob, plan_id: int) -> list[tuple[str, str, dict | None, dict[str, int]]]:
    return [
        ("get", "/api/console/exports/", None, READ),
        ("post", "/api/console/exports/", {"plan": plan_id, "report": "division"}, START),
        ("get", f"/api/console/exports/{job.pk}/", None, READ),
        ("get", f"/api/console/exports/{job.pk}/download/", None, READ),
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_gives_each_persona_the_expected_status(review: Review, persona: str):
    p = review.p
    job = export_job_run(job_id=export_job_start(plan=p.plan, report="division", year=None, user=p.admin).pk)
    user = None if persona == "anonymous" else getattr(p, persona)
    for method, path, body, expected in _endpoints(job, p.plan.pk):
        before = ExportJob.objects.count()
        kwargs = {"format": "json", "data": body} if body is not None else {}
        response = getattr(client_for(user), method)(path, **kwargs)
        assert response.status_code == expected[persona], (path, response.content[:200])
        if response.status_code >= 400:
            assert response.json()["detail"]
        if method == "post" and response.status_code != 202:
            assert ExportJob.objects.count() == before


def test_it_documents_every_export_operation(review: Review):
    from tasks_app.api import export_urls

    mine = tuple("/api/console/" + re.sub(r"<str:pk>", "{id}", str(u.pattern)) for u in export_urls.urlpatterns)
    schema = client_for(review.p.admin).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    documented = {(method, path) for path, ops in schema["paths"].items() if path in mine for method in ops}
    job = ExportJob(pk=1)
    covered = {(m, re.sub(r"/\d+/", "/{id}/", path)) for m, path, _, _ in _endpoints(job, 1)}
    assert {path for _, path in documented} == set(mine)
    assert documented == covered
    download = schema["paths"]["/api/console/exports/{id}/download/"]["get"]["responses"]["200"]["content"]
    assert list(download) == [
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",  # the evaluation reports
    ]


@pytest.mark.usefixtures("eager")
def test_it_starts_polls_and_downloads_a_job(review: Review, django_capture_on_commit_callbacks):
    p = review.p
    client = client_for(p.admin)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            "/api/console/exports/", {"plan": p.plan.pk, "report": "division", "year": 2020}, format="json"
        )
    assert started.status_code == 202
    body = started.json()
    assert body["status"] == "queued" and body["year"] is None  # the division table has no year
    assert started["Location"] == f"/api/console/exports/{body['id']}/"
    assert body["plan"] == {"id": p.plan.pk, "title": p.plan.title} and body["created_by"] == "office"

    status = client_for(p.leader).get(started["Location"]).json()
    assert status["status"] == "done" and status["percent"] == 100 and status["progress"] == status["total"] > 200
    assert status["download_url"] == f"/api/console/exports/{body['id']}/download/"

    download = client_for(p.leader).get(status["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = read_workbook(b"".join(download.streaming_content))
    assert [cell.value for cell in sheet[2]] == [column.header for column in DivisionExporter.columns]
    assert formula_cells(sheet) == []

    listing = client_for(p.leader).get("/api/console/exports/?page_size=1").json()
    assert listing["count"] == 1 and listing["results"][0]["id"] == body["id"]


@pytest.mark.usefixtures("eager")
def test_it_reports_a_failed_or_unfinished_job_as_409(review: Review, django_capture_on_commit_callbacks):
    p = review.p
    client = client_for(p.admin)
    with django_capture_on_commit_callbacks(execute=True):
        failed = client.post(
            "/api/console/exports/", {"plan": p.plan.pk, "report": "progress", "year": 2035}, format="json"
        ).json()
    status = client.get(f"/api/console/exports/{failed['id']}/").json()
    assert status["status"] == "failed" and "2035" in status["error"] and status["download_url"] is None
    response = client.get(f"/api/console/exports/{failed['id']}/download/")
    assert response.status_code == 409 and "2035" in response.json()["detail"]

    queued = export_job_start(plan=p.plan, report="division", year=None, user=p.admin)  # never run
    response = client.get(f"/api/console/exports/{queued.pk}/download/")
    assert response.status_code == 409 and response.json()["status"] == "queued"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"report": "division"}, "plan"),
        ({"plan": 999999, "report": "division"}, "plan"),
        ({"plan": "PLAN", "report": "progress"}, "report"),
        ({"plan": "PLAN", "report": "everything"}, "report"),
        ({"plan": "PLAN", "report": "progress", "year": 99999}, "year"),
    ],
)
def test_it_refuses_a_bad_request_without_a_job(review: Review, body: dict, field: str):
    body = {key: review.p.plan.pk if value == "PLAN" else value for key, value in body.items()}
    if field == "report" and body.get("report") == "progress":
        body["report"] = ""
    response = client_for(review.p.admin).post("/api/console/exports/", body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert ExportJob.objects.count() == 0


def test_it_answers_unknown_jobs_with_404(review: Review):
    client = client_for(review.p.admin)
    for path in ("/api/console/exports/999999/", "/api/console/exports/abc/download/"):
        response = client.get(path)
        assert response.status_code == 404 and response.json()["detail"]
