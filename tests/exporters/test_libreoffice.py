"""Exports as a spreadsheet application sees them: LibreOffice (Debian libreoffice-calc, installed by
.ci/system.sh) converts them headless, with a throwaway profile and a time limit.

- Yingkou's division table prints as a PDF of several pages;
- formula-like text shows exactly as written (no apostrophe) and is not evaluated (CSV of what Calc shows).

soffice missing is a failure, not a skip: the office hands the city government a printed table.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import SimpleNamespace

import pytest

from tasks_app.exporters import Column, Exporter, write_workbook
from tasks_app.exporters.base import Row
from tasks_app.services.exports import export_build
from tests.exporters.workbooks import read_back

SOFFICE_TIMEOUT = 50  # seconds: a cold start plus the conversion takes ~5-15 s here
PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")


def soffice_path() -> str:
    path = os.environ.get("SOFFICE_PATH") or shutil.which("soffice") or shutil.which("libreoffice")
    if not path:
        pytest.fail("LibreOffice (soffice) is not installed: CI installs libreoffice-calc through .ci/system.sh")
    return path


def convert(workbook: Path, out_dir: Path, profile: Path, target: str = "pdf") -> subprocess.CompletedProcess:
    command = [
        soffice_path(),
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--convert-to",
        target,
        "--outdir",
        str(out_dir),
        str(workbook),
    ]
    env = {**os.environ, "HOME": str(profile), "SAL_USE_VCLPLUGIN": "svp"}
    try:
        return subprocess.run(command, capture_output=True, timeout=SOFFICE_TIMEOUT, env=env, check=False)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"soffice did not finish within {SOFFICE_TIMEOUT} s: {exc.stderr!r}")


def test_it_converts_the_yingkou_division_workbook_to_a_multi_page_pdf(yingkou, tmp_path):
    workbook = tmp_path / "yingkou-division.xlsx"
    result = export_build(plan=yingkou, report="division", path_or_stream=str(workbook))
    assert result.rows > 200

    out_dir = tmp_path / "pdf"
    out_dir.mkdir()
    done = convert(workbook, out_dir, tmp_path / "lo-profile")
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]

    pdf = out_dir / "yingkou-division.pdf"
    assert pdf.is_file(), (done.stdout, done.stderr)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    pages = len(PAGE.findall(data))
    assert pages > 1, f"expected several pages, got {pages}"
    assert re.search(rb"/Count\s+%d\b" % pages, data), "the page tree counts the same pages"


CSV_UTF8 = "csv:Text - txt - csv (StarCalc):44,34,76,1"  # comma, double quote, UTF-8, from line 1
AS_WRITTEN = ["-减少", "=1+1", "+86 0417", "@SUM(A1:A2)", '=HYPERLINK("http://127.0.0.1/")', "#N/A"]


class _Texts(Exporter):
    identifier = "texts"
    verbose_name = "文本"

    def get_columns(self) -> Sequence[Column]:
        return [Column(f"列{n}", 12) for n in range(len(AS_WRITTEN) + 1)]

    def iterate_list(self) -> Iterator[Row]:
        yield self.header()
        yield [*AS_WRITTEN, 2]
        yield [1, 1, 1, 1, 1, 1, 3]


def test_it_shows_formula_like_text_in_libreoffice_exactly_as_written(tmp_path):
    workbook = tmp_path / "texts.xlsx"
    write_workbook(_Texts(plan=SimpleNamespace(title="示例")), str(workbook))
    out_dir = tmp_path / "csv"
    done = convert(workbook, out_dir, tmp_path / "lo-profile", CSV_UTF8)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    rows = list(csv.reader((out_dir / "texts.csv").read_text(encoding="utf-8").splitlines()))
    # What Calc displays: the text itself, not "'-减少", not 2 for "=1+1", not 860417, not #N/A as an error
    assert rows[2] == [*AS_WRITTEN, "2"]
    assert rows[3] == ["1"] * 6 + ["3"]  # the numbers next to them stay numbers

    # Saved again by Calc: every one of them is still a string cell (not a formula, not an error value).
    saved = tmp_path / "saved"
    done = convert(workbook, saved, tmp_path / "lo-profile", "xlsx")
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    sheet = read_back(saved / "texts.xlsx").worksheets[0]
    assert [(cell.value, cell.data_type) for cell in sheet[3]] == [*((text, "s") for text in AS_WRITTEN), (2, "n")]
