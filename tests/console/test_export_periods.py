"""Exporting one reporting period of a plan reported quarterly (or half-yearly, monthly): the service, the
console form (job and direct download), the API and `export_xlsx --period`, and the bad requests."""

from __future__ import annotations

from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tasks_app.models import ExportJob
from tasks_app.services.cycles import plan_cadence_set
from tasks_app.services.export_jobs import export_job_label, export_job_run, export_job_start
from tasks_app.services.exports import ExportError, export_build, export_file_name, export_request_check
from tests.personas import Personas, web_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_media(media: Path) -> Path:
    return media


@pytest.fixture
def quarterly(personas: Personas) -> Personas:
    plan_cadence_set(plan=personas.plan, frequency="quarterly", user=personas.admin)
    return personas


def _title(data: bytes) -> str:
    sheet = load_workbook(BytesIO(data), read_only=True).active
    return str(next(sheet.iter_rows(max_row=1, values_only=True))[0])


def test_it_exports_the_one_period_asked_for(quarterly: Personas):
    plan = quarterly.plan
    stream = BytesIO()
    export_build(plan=plan, report="progress", period="2019Q2", path_or_stream=stream)
    assert "2019年第二季度" in _title(stream.getvalue())
    checked = export_request_check(plan=plan, report="progress", year=None, period=" 2019Q2 ")
    assert (checked.year, checked.period) == (2019, "2019Q2")
    assert export_file_name(plan=plan, report="progress", year=2019, period="2019Q2").endswith("-progress-2019Q2.xlsx")


@pytest.mark.parametrize(
    ("year", "period", "message"),
    [
        (None, "2019Q5", "无法识别的报送期"),
        (None, "2030Q1", "没有 2030年第一季度 的报送周期"),
        (None, "2019-03", "没有 2019年3月 的报送周期"),  # the plan reports quarterly, not monthly
        (2018, "2019Q2", "不在 2018 年度"),
    ],
)
def test_it_refuses_a_period_the_plan_does_not_have(quarterly: Personas, year, period, message):
    with pytest.raises(ExportError, match=message):
        export_request_check(plan=quarterly.plan, report="progress", year=year, period=period)


def test_it_drops_the_period_of_a_report_that_ignores_cycles(quarterly: Personas):
    checked = export_request_check(plan=quarterly.plan, report="division", year=2019, period="2019Q2")
    assert (checked.year, checked.period) == (None, "")


def test_it_runs_a_job_for_one_period_and_names_it(quarterly: Personas):
    job = export_job_start(plan=quarterly.plan, report="progress", year=None, period="2019Q3", user=quarterly.admin)
    assert (job.year, job.period) == (2019, "2019Q3")
    assert export_job_label(job).endswith("2019年第三季度")
    done = export_job_run(job_id=job.pk)
    assert done.status == ExportJob.Status.DONE, done.error
    with done.file.open("rb") as handle:
        assert "2019年第三季度" in _title(handle.read())


def test_it_offers_the_periods_on_the_export_page_and_downloads_one(quarterly: Personas):
    client = web_client(quarterly, "admin")
    page = client.get("/console/exports/").content.decode()
    assert 'name="period"' in page and '<option value="2019Q3">2019年第三季度</option>' in page
    form = {"plan": quarterly.plan.pk, "report": "progress", "year": "", "period": "2019Q1", "direct": "1"}
    response = client.post("/console/exports/", form)
    assert response.status_code == 200
    assert f'filename="plan{quarterly.plan.pk}-progress-2019Q1.xlsx"' in response["Content-Disposition"]
    assert "2019年第一季度" in _title(b"".join(response.streaming_content))
    started = client.post("/console/exports/", {**form, "direct": "", "start": "1", "period": "2019Q4"})
    assert started.status_code == 302
    assert ExportJob.objects.get(plan=quarterly.plan).period == "2019Q4"
    refused = client.post("/console/exports/", {**form, "direct": "", "start": "1", "period": "2019Q9"})
    assert refused.status_code == 200 and "无法识别的报送期" in refused.content.decode()


def test_it_hides_the_period_field_when_every_plan_reports_yearly(personas: Personas):
    assert 'name="period"' not in web_client(personas, "admin").get("/console/exports/").content.decode()


def test_it_starts_a_period_export_through_the_api(quarterly: Personas):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(quarterly.admin)
    body = {"plan": quarterly.plan.pk, "report": "progress", "period": "2019Q2"}
    response = client.post("/api/console/exports/", body, format="json")
    assert response.status_code == 202, response.content
    assert (response.json()["period"], response.json()["year"]) == ("2019Q2", 2019)
    bad = client.post("/api/console/exports/", {**body, "period": "2031Q1"}, format="json")
    assert bad.status_code == 400 and "没有 2031年第一季度" in bad.content.decode()
    client.force_authenticate(quarterly.leader)  # leadership reads, never starts a job
    assert client.post("/api/console/exports/", body, format="json").status_code == 403


def test_it_exports_a_period_from_the_command_line(quarterly: Personas, tmp_path: Path):
    target = tmp_path / "q2.xlsx"
    call_command(
        "export_xlsx", "--plan", str(quarterly.plan.pk), "--report", "progress", "--period", "2019Q2", "-o", str(target)
    )
    assert "2019年第二季度" in _title(target.read_bytes())
    with pytest.raises(CommandError, match="无法识别的报送期"):
        call_command(
            "export_xlsx",
            "--plan",
            str(quarterly.plan.pk),
            "--report",
            "progress",
            "--period",
            "Q2",
            "-o",
            str(target),
            stdout=StringIO(),
        )
