"""The mid-term report as the city government receives it: LibreOffice Writer converts the .docx to legible
A4 pages (page count printed), pdftoppm photographs page 1 into test-artifacts/evaluation/."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pdfplumber
import pytest

from tests.evaluation.docx_helpers import build
from tests.exporters.test_libreoffice import PAGE, convert

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "evaluation"


def test_it_converts_to_a4_pdf_and_photographs_page_one(zhanqian_reported, tmp_path):
    source = tmp_path / "midterm.docx"
    build(zhanqian_reported, "midterm", source)
    result = convert(source, tmp_path, tmp_path / "profile")
    pdf = tmp_path / "midterm.pdf"
    assert result.returncode == 0 and pdf.exists(), result.stderr
    pages = len(PAGE.findall(pdf.read_bytes()))
    print(f"mid-term report: {pages} PDF pages")
    assert pages >= 4
    with pdfplumber.open(pdf) as document:
        first = document.pages[0]
        assert (round(first.width), round(first.height)) == (595, 842)  # A4 in points
        text = first.extract_text()
        assert "中期评估报告" in text.replace("\n", "") and "总体情况" in text
        assert "— 1 —" in text
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.fail("pdftoppm (poppler-utils) is not installed: .ci/system.sh installs it")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / "midterm-page1"
    subprocess.run(
        [pdftoppm, "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(target)], check=True
    )
    png = target.with_suffix(".png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
