"""Hostile spreadsheets: each refused with one line, in under 2 s and under 100 MB (measured in a subprocess)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tasks_app.parsing.spreadsheet_guard import SheetLimits, SpreadsheetError, xlsx_check, xlsx_rows
from tasks_app.services.contacts import CONTACTS_LIMITS
from tests.security import hostile_xlsx
from tests.security.hostile_xlsx import HOSTILE, forged_dimension, valid_xlsx

ROOT = Path(__file__).resolve().parents[2]
MEASURE = textwrap.dedent(
    """
    import json, sys, time
    def peak_mb():  # VmHWM: this process's own peak (ru_maxrss would carry the forking parent's over exec)
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    from tasks_app.parsing.spreadsheet_guard import SheetLimits, SpreadsheetError, xlsx_rows
    data = open(sys.argv[1], "rb").read()
    limits = SheetLimits(**json.loads(sys.argv[2]))
    before = peak_mb()
    started = time.perf_counter()
    try:
        rows = xlsx_rows(data, limits=limits)
        outcome = {"rows": len(rows), "width": max((len(r) for r in rows), default=0)}
    except SpreadsheetError as exc:
        outcome = {"error": str(exc)}
    outcome["seconds"] = time.perf_counter() - started
    outcome["peak_mb"] = peak_mb()
    outcome["grown_mb"] = peak_mb() - before
    print(json.dumps(outcome, ensure_ascii=False))
    """
)


def _measure(tmp_path: Path, data: bytes) -> dict:
    path = tmp_path / "upload.xlsx"
    path.write_bytes(data)
    # tasks_app.parsing.spreadsheet_guard is pure: the child measures the reader alone, with the contacts import's limits.
    limits = json.dumps(dataclasses.asdict(CONTACTS_LIMITS))
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path), limits], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_it_refuses_each_hostile_file_quickly_and_in_little_memory(tmp_path, case):
    data = HOSTILE[case]()
    outcome = _measure(tmp_path, data)
    print(case, len(data), "bytes:", outcome)
    assert "error" in outcome, outcome
    assert "\n" not in outcome["error"] and outcome["error"]
    assert outcome["seconds"] < 2, outcome
    assert outcome["peak_mb"] < 100, outcome


def test_it_reads_a_forged_dimension_as_the_cells_really_there(tmp_path):
    outcome = _measure(tmp_path, forged_dimension())
    assert outcome.get("rows") == 2 and outcome["width"] == 2, outcome
    assert outcome["seconds"] < 2 and outcome["peak_mb"] < 100, outcome


def test_it_names_the_reason_in_chinese():
    limits = SheetLimits(max_row_cells=10, max_sheet_cells=50)
    cases = {
        "单元格超过 10 个": hostile_xlsx.wide_row(11),
        "单元格超过 50 个": hostile_xlsx.many_cells(rows=10, per_row=6),
        "DTD": hostile_xlsx.billion_laughs(),
        "已损坏或格式不正确": hostile_xlsx.malformed(),
        "无法读取": hostile_xlsx.not_a_zip(),
        "解压后过大": hostile_xlsx.zip_bomb(70),
    }
    for words, data in cases.items():
        with pytest.raises(SpreadsheetError, match=words):
            xlsx_check(data, limits=limits)


def test_it_never_expands_an_external_entity():
    with pytest.raises(SpreadsheetError, match="DTD"):
        xlsx_rows(hostile_xlsx.external_entity())


def test_it_reads_an_ordinary_workbook():
    rows = xlsx_rows(valid_xlsx([["单位", "邮箱"], ["市教育局", "jy@example.cn"], ["市林业局", None]]))
    # Rows are as long as their last written cell: nothing pads them to a declared width.
    assert rows == [["单位", "邮箱"], ["市教育局", "jy@example.cn"], ["市林业局"]]


def test_it_stops_at_the_row_limit():
    data = valid_xlsx([[str(n)] for n in range(30)])
    with pytest.raises(SpreadsheetError, match="行数太多"):
        xlsx_rows(data, limits=SheetLimits(max_rows=20))
