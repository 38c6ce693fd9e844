"""Hostile spreadsheets in the document import: the same guard as the contacts import, on both faces.

`manage.py import_document` and the console upload (`/console/imports/`, whose job calls the same
`document_load`) each refuse every hostile case with one line, in under 2 s and under 100 MB of growth,
measured in a subprocess (the process's own peak RSS, `VmHWM`)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tasks_app.models import ImportJob, Plan
from tasks_app.parsing.types import ParseError
from tasks_app.parsing.xlsx_table import read_xlsx
from tests.personas import web_client
from tests.security import hostile_xlsx
from tests.security.hostile_xlsx import HOSTILE

ROOT = Path(__file__).resolve().parents[2]
CASES = {**HOSTILE, "forged_dimension": hostile_xlsx.forged_dimension}
# One fresh interpreter per face with Django set up, every case in turn; times only the refusal, not
# Django's start-up. VmHWM only grows, so "peak after this case minus the baseline" bounds every case above.
MEASURE = textwrap.dedent(
    """
    import io, json, os, sys, time
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planner.test_settings")
    import django
    django.setup()
    from django.core.management import call_command
    from tasks_app.parsing.types import ParseError
    from tasks_app.services.documents import document_load
    import openpyxl, openpyxl.reader.excel, lxml.etree, xlrd  # their code is no cost of the file
    def peak_mb():
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    face, paths = sys.argv[1], sys.argv[2:]
    before = peak_mb()
    results = {}
    for path in paths:
        started = time.perf_counter()
        outcome = {}
        if face == "command":
            err = io.StringIO()
            sys.stderr, real = err, sys.stderr
            try:
                call_command("import_document", path, "--dry-run")
                outcome["code"] = 0
            except SystemExit as exc:
                outcome["code"] = exc.code
            finally:
                sys.stderr = real
            outcome["stderr"] = err.getvalue()
        else:
            try:
                document_load(data=open(path, "rb").read(), file_name="分工表.xlsx")
                outcome["code"] = 0
            except ParseError as exc:
                outcome["error"] = str(exc)
        outcome["seconds"] = time.perf_counter() - started
        outcome["grown_mb"] = peak_mb() - before
        results[os.path.basename(path)] = outcome
    print(json.dumps({"baseline_mb": before, "peak_mb": peak_mb(), "cases": results}, ensure_ascii=False))
    """
)


def _measure_all(folder: Path, face: str) -> dict:
    paths = []
    for case, build in sorted(CASES.items()):
        path = folder / f"{case}.xlsx"
        if not path.exists():
            path.write_bytes(build())
        paths.append(str(path))
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, face, *paths], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    print(face, "baseline", report["baseline_mb"], "peak", report["peak_mb"])
    return {name.removesuffix(".xlsx"): outcome for name, outcome in report["cases"].items()}


@pytest.fixture(scope="module")
def measured(tmp_path_factory) -> dict[str, dict]:
    folder = tmp_path_factory.mktemp("hostile")
    return {face: _measure_all(folder, face) for face in ("command", "console")}


@pytest.mark.parametrize("case", sorted(CASES))
def test_it_refuses_each_hostile_file_in_import_document_with_one_line_and_exit_2(measured, case):
    outcome = measured["command"][case]
    print(case, outcome)
    assert outcome["code"] == 2, outcome
    assert outcome["stderr"].count("\n") == 1 and outcome["stderr"].startswith("import_document:"), outcome
    assert "Traceback" not in outcome["stderr"]
    assert outcome["seconds"] < 2 and outcome["grown_mb"] < 100, outcome


@pytest.mark.parametrize("case", sorted(CASES))
def test_it_refuses_each_hostile_file_in_the_console_parse_quickly(measured, case):
    outcome = measured["console"][case]
    print(case, outcome)
    assert outcome.get("error") and "\n" not in outcome["error"], outcome
    assert outcome["seconds"] < 2 and outcome["grown_mb"] < 100, outcome


def test_it_names_the_guard_reason_for_a_division_table():
    reasons = {
        "wide_row": "单元格超过",
        "wide_row_varied": "单元格超过",
        "many_cells": "单元格超过",
        "zip_bomb": "解压后过大",
        "malformed": "已损坏或格式不正确",
        "billion_laughs": "DTD",
        "external_entity": "DTD",
    }
    for case, words in reasons.items():
        with pytest.raises(ParseError, match=words):
            read_xlsx(CASES[case]())  # the reader itself, behind the format sniffer's own zip check


@pytest.mark.django_db
def test_it_fails_the_console_upload_of_a_hostile_table_with_one_line(
    personas, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CELERY_TASK_ALWAYS_EAGER = True
    client = web_client(personas, "admin")
    plans = Plan.objects.count()
    for case in ("wide_row", "billion_laughs", "malformed", "zip_bomb"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/console/imports/", {"file": SimpleUploadedFile("分工表.xlsx", HOSTILE[case]())})
        assert response.status_code in (400, 302), case
        if response.status_code == 400:  # refused at the upload (the sniffer's zip check): the form says why
            assert 'class="alert" role="alert">' in response.content.decode(), case
        job = ImportJob.objects.order_by("-id").first()
        if job is not None and job.status != ImportJob.Status.FAILED:
            raise AssertionError((case, job.status))
        if response.status_code == 302:  # accepted as an upload: the parse failed it with one line
            assert job is not None and job.error and "\n" not in job.error, case
    assert Plan.objects.count() == plans
