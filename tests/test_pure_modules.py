"""Pure code stays pure: the parsers, the division assistant core and the step calendar import no Django."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

PURE = [
    "tasks_app.parsing.document",
    "tasks_app.parsing.preview",
    "tasks_app.parsing.sniff",
    "tasks_app.parsing.division_table",
    "tasks_app.parsing.docx_reader",
    "tasks_app.parsing.pdf_reader",
    "tasks_app.parsing.html_reader",
    "tasks_app.parsing.xlsx_table",
    "tasks_app.parsing.spreadsheet_guard",
    "tasks_app.parsing.zip_guard",
    "tasks_app.parsing.convert",
    "tasks_app.suggesting.suggester",
    "tasks_app.suggesting.evaluation",
    "tasks_app.suggesting.tuning",
    "tasks_app.reminders.calendar",
    "tasks_app.reminders.quiet",
    "tasks_app.rules.indicators",
    "tasks_app.rules.text",
]


def test_it_imports_pure_modules_with_django_unavailable():
    code = "import sys; sys.modules['django'] = None\n" + "\n".join(f"import {name}" for name in PURE)
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
