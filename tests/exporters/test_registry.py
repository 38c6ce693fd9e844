"""The exporter registry is the one list of reports: a report registered there (and nowhere else) appears in
the console form, the console API and ``export_xlsx``, runs as a job and writes its file; taken out, it is
gone from all of them. Registered before the URLconf loads, nothing breaks either."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from tasks_app.exporters import CyclePolicy, Exporter, registry
from tasks_app.models import ExportJob
from tests.api.conftest import client_for as api_client
from tests.exporters.throwaway import HEADER, ROWS, ThrowawayExporter
from tests.exporters.workbooks import assert_guarded_text, formula_cells, read_back, values
from tests.personas import Personas

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
OPTION = '<option value="throwaway">临时测试报表</option>'


@pytest.fixture(autouse=True)
def eager_with_media(settings, tmp_path):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    settings.MEDIA_ROOT = str(tmp_path / "media")


def console(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def assert_throwaway_workbook(content: bytes, *, year: object) -> None:
    book = read_back(content)
    sheet = book.worksheets[0]
    assert sheet.title == "临时" and formula_cells(book) == []
    rows = values(sheet)
    assert rows[1] == HEADER
    assert rows[2:] == [[number, f"-第{number}行", year] for number in range(1, ROWS + 1)]
    assert_guarded_text(sheet["B3"], "-第1行")


def report_enum(schema: dict) -> list[str]:
    enums = [c["enum"] for c in schema["components"]["schemas"].values() if "division" in c.get("enum", [])]
    assert len(enums) == 1, enums
    return enums[0]


def test_it_offers_and_builds_a_registered_report_in_the_console(
    personas: Personas, throwaway_exporter, django_capture_on_commit_callbacks
):
    client = console(personas.admin)
    page = client.get(reverse("console-exports")).content.decode()
    assert OPTION in page and "临时测试报表(仅供测试注册)" in page
    assert "临时测试报表按此年度的报送周期" in page  # the year help comes from the cycle policies

    form = {"plan": personas.plan.pk, "report": "throwaway", "year": personas.cycle.year}
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("console-exports"), form)
    job = ExportJob.objects.get()
    assert started.status_code == 302 and (job.report, job.status, job.total) == ("throwaway", "done", ROWS)
    assert job.progress == ROWS
    page = client.get(reverse("console-exports")).content.decode()
    assert f"临时测试报表 {personas.cycle.year}年度" in page  # the job list labels it from the registry
    download = client.get(reverse("console-export-download", args=[job.pk]))
    name = f"plan{personas.plan.pk}-throwaway-{personas.cycle.year}.xlsx"
    assert download["Content-Disposition"] == f'attachment; filename="{name}"'
    assert_throwaway_workbook(b"".join(download.streaming_content), year=personas.cycle.year)

    direct = console(personas.leader).get(
        reverse("console-export-direct"), {"plan": personas.plan.pk, "report": "throwaway"}
    )
    assert direct.status_code == 200  # no year: the latest open cycle, by its policy
    assert_throwaway_workbook(b"".join(direct.streaming_content), year=personas.cycle.year)


def test_it_offers_and_builds_a_registered_report_through_the_api(
    personas: Personas, throwaway_exporter, django_capture_on_commit_callbacks
):
    schema = api_client(personas.admin).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert report_enum(schema)[-1] == "throwaway"
    client = api_client(personas.admin)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            reverse("api-console-exports"), {"plan": personas.plan.pk, "report": "throwaway"}, format="json"
        )
    assert started.status_code == 202, started.content
    job = client.get(started["Location"]).json()
    assert (job["report"], job["report_label"], job["status"], job["total"]) == (
        "throwaway",
        "临时测试报表",
        "done",
        ROWS,
    )
    listing = client.get(reverse("api-console-exports")).json()
    assert [row["report_label"] for row in listing["results"]] == ["临时测试报表"]
    download = client.get(job["download_url"])
    assert download.status_code == 200
    assert_throwaway_workbook(b"".join(download.streaming_content), year=personas.cycle.year)


def test_it_exports_a_registered_report_through_the_command(personas: Personas, throwaway_exporter, tmp_path):
    path = tmp_path / "throwaway.xlsx"
    call_command("export_xlsx", "--plan", str(personas.plan.pk), "--report", "throwaway", "-o", str(path))
    assert_throwaway_workbook(path.read_bytes(), year=personas.cycle.year)
    with pytest.raises(CommandError, match="没有 1999 年度的报送周期"):  # its cycle policy applies here too
        call_command(
            "export_xlsx",
            "--plan",
            str(personas.plan.pk),
            "--report",
            "throwaway",
            "--year",
            "1999",
            "-o",
            str(tmp_path / "none.xlsx"),
        )


def test_it_forgets_a_report_once_it_is_unregistered(personas: Personas, tmp_path):
    registry.register(ThrowawayExporter)
    old = ExportJob.objects.create(plan=personas.plan, report="throwaway", status=ExportJob.Status.DONE)
    registry.unregister("throwaway")
    page = console(personas.admin).get(reverse("console-exports")).content.decode()
    assert OPTION not in page and "throwaway" in page  # the old job keeps its identifier as its label
    refused = console(personas.admin).post(
        reverse("console-exports"), {"plan": personas.plan.pk, "report": "throwaway"}
    )
    assert refused.status_code == 200 and ExportJob.objects.count() == 1
    response = api_client(personas.admin).post(
        reverse("api-console-exports"), {"plan": personas.plan.pk, "report": "throwaway"}, format="json"
    )
    assert response.status_code == 400 and "report" in response.json()
    assert (
        api_client(personas.admin).get(reverse("api-console-export", args=[old.pk])).json()["report_label"]
        == "throwaway"
    )
    with pytest.raises(CommandError, match="invalid choice: 'throwaway'"):
        call_command(
            "export_xlsx", "--plan", str(personas.plan.pk), "--report", "throwaway", "-o", str(tmp_path / "x.xlsx")
        )


def test_it_refuses_an_exporter_it_could_not_store_or_show():
    class Unnamed(Exporter):
        identifier = "unnamed"

    class TooLong(ThrowawayExporter):
        identifier = "a" * 21

    class Clash(ThrowawayExporter):
        identifier = "division"

    for exporter, message in ((Unnamed, "verbose_name"), (TooLong, "must match"), (Clash, "already registered")):
        with pytest.raises(ValueError, match=message):
            registry.register(exporter)
    assert registry.identifiers() == [
        "division",
        "progress",
        "indicators",
        "units",
        "annual",
        "midterm",
        "final",
        "scoring",
    ]
    assert registry.find("division").cycle_policy == CyclePolicy.NONE


LOAD_FIRST = """
import json, sys
import django
django.setup()
assert "tasks_app.api.exports" not in sys.modules and "tasks_app.web.export_views" not in sys.modules
from tasks_app.exporters import registry
from tests.exporters.throwaway import ThrowawayExporter
registry.register(ThrowawayExporter)
from django.urls import reverse
reverse("api-console-exports")  # loads the whole URLconf, console and API views included
from tasks_app.api.exports import ExportStartSerializer
from tasks_app.web.export_views import ExportForm
from django.contrib.auth.models import AnonymousUser
print(json.dumps({
    "form": [value for value, _ in ExportForm(user=AnonymousUser()).fields["report"].choices],
    "api": list(ExportStartSerializer().fields["report"].choices),
}))
"""


def test_it_loads_the_urls_with_a_report_registered_before_them():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "planner.test_settings", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", LOAD_FIRST], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded["form"][-1] == loaded["api"][-1] == "throwaway"


def test_it_builds_with_the_exporter_directly(personas: Personas, throwaway_exporter):
    out = BytesIO()
    assert ThrowawayExporter(plan=personas.plan, cycle=None).write(out).rows == ROWS
    assert_throwaway_workbook(out.getvalue(), year="无")
