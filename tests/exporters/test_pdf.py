"""The division workbook prints: LibreOffice (Debian libreoffice-calc, installed by .ci/system.sh) converts
Yingkou's division table to a PDF of several pages, headless, with a throwaway profile and a time limit.

soffice missing is a failure, not a skip: the office hands the city government a printed table.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tasks_app.services.exports import export_build

SOFFICE_TIMEOUT = 50  # seconds: a cold start plus the conversion takes ~5-15 s here
PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")


def soffice_path() -> str:
    path = os.environ.get("SOFFICE_PATH") or shutil.which("soffice") or shutil.which("libreoffice")
    if not path:
        pytest.fail("LibreOffice (soffice) is not installed: CI installs libreoffice-calc through .ci/system.sh")
    return path


def to_pdf(workbook: Path, out_dir: Path, profile: Path) -> subprocess.CompletedProcess:
    command = [
        soffice_path(),
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--convert-to",
        "pdf",
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
    done = to_pdf(workbook, out_dir, tmp_path / "lo-profile")
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]

    pdf = out_dir / "yingkou-division.pdf"
    assert pdf.is_file(), (done.stdout, done.stderr)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    pages = len(PAGE.findall(data))
    assert pages > 1, f"expected several pages, got {pages}"
    assert re.search(rb"/Count\s+%d\b" % pages, data), "the page tree counts the same pages"
