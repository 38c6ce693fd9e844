"""Every format the office receives imports through `import_document` with the same JSON (issue 9).

The documents are built in tests/parsing/builders.py the way offices produce them (python-docx,
openpyxl, LibreOffice for .pdf/.doc/.xls); each must come out with every unit in its role, every
deadline, the plan period and the reporting rule right, and bad files must fail with one line.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command

from tasks_app.models import Plan, SourceDocument, Unit, UnitAlias, WorkItem
from tests.conftest import ROOT, run_json
from tests.parsing import builders

pytestmark = pytest.mark.django_db


def _write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _names(preview: dict, raw: str) -> list[str]:
    """Canonical names of a raw unit list as written ("A、B等"), through the preview's aliases_seen."""
    canonical = {alias: unit["name"] for unit in preview["units"] for alias in unit["aliases_seen"]}
    return [canonical[name] for name in re.split(r"、(?![^()]*\))", raw.removesuffix("等"))]


def _assert_yearly_notice(preview: dict, fmt: str) -> None:
    assert preview["format"] == fmt
    assert preview["kind"] == "notice" and preview["jurisdiction"] == "营口市"
    assert preview["period"] == {"start": 2018, "end": 2018}
    assert preview["reporting"] == {
        "frequency": "quarterly",
        "month": None,
        "day": 25,
        "recipient": "市营商局",
        "text": builders.QUARTERLY_RULE,
    }
    assert len(preview["tasks"]) == len(builders.YEARLY_TASKS)
    for task, (text, lead, cooperating, deadline) in zip(preview["tasks"], builders.YEARLY_TASKS, strict=True):
        assert task["text"].startswith(text[:10])
        assert task["lead"] == _names(preview, lead)
        assert task["cooperating"] == _names(preview, cooperating)
        assert task["responsible"] == []
        assert task["deadline"] == deadline
    assert preview["tasks"][3]["and_others"] is True


def test_it_imports_a_yearly_notice_with_trailing_units_as_text(tmp_path):
    path = _write(tmp_path, "yearly.txt", "\n".join(builders.yearly_notice_lines()).encode("utf-8"))
    preview = run_json("import_document", str(path), "--dry-run")
    _assert_yearly_notice(preview, "txt")
    assert preview["title"] == f"营口市人民政府办公室关于印发{builders.YEARLY_TITLE}的通知"


@pytest.mark.parametrize("charset", ["utf-8", "gbk"])
def test_it_imports_a_saved_government_page_without_its_site_chrome(tmp_path, charset):
    path = _write(tmp_path, "notice.html", builders.government_page(charset=charset))
    preview = run_json("import_document", str(path), "--dry-run")
    _assert_yearly_notice(preview, "html")
    texts = " ".join(task["text"] for task in preview["tasks"])
    assert "分享" not in texts and "版权所有" not in texts and "首页" not in texts
    assert preview["warnings"] == []


def test_it_keeps_group_names_as_written_and_registers_them_as_groups(tmp_path):
    path = _write(tmp_path, "yearly.txt", "\n".join(builders.yearly_notice_lines()).encode("utf-8"))
    preview = run_json("import_document", str(path))
    units = {unit["name"]: unit for unit in preview["units"]}
    for group in ("各县(市、区)人民政府", "市直有关部门", "各街道办事处"):
        assert units[group]["aliases_seen"] == [group] and units[group]["known"] is False
    plan = Plan.objects.get(id=preview["plan_id"])
    groups = set(Unit.objects.filter(kind=Unit.Kind.GROUP).values_list("name", flat=True))
    assert {"各县(市、区)人民政府", "市直有关部门", "各街道办事处"} <= groups
    assert plan.reporting_frequency == "quarterly"
    assert plan.reporting_rule["due"] == [{"period": "*", "month_offset": 2, "day": 25}]
    assert plan.reporting_text == builders.QUARTERLY_RULE
    assert plan.reporting_recipient.name == "市营商局"
    # One cycle per quarter, due on the 25th of each quarter's last month; past ones arrive closed.
    cycles = list(plan.cycles.order_by("due_date").values_list("period", "due_date", "status"))
    assert [(period, due.isoformat()) for period, due, _ in cycles] == [
        ("2018Q1", "2018-03-25"),
        ("2018Q2", "2018-06-25"),
        ("2018Q3", "2018-09-25"),
        ("2018Q4", "2018-12-25"),
    ]
    assert {status for _, _, status in cycles} == {"closed"}  # 2018 is history on any day these tests run


def test_it_matches_a_full_width_spelling_to_the_unit_written_with_ascii_parentheses(tmp_path):
    lines = builders.yearly_notice_lines()
    run_json("import_document", str(_write(tmp_path, "a.txt", "\n".join(lines).encode())))
    full_width = "各县\uff08市、区\uff09人民政府"
    changed = [line.replace("各县(市、区)人民政府", full_width) for line in lines]
    changed[2] = changed[2].replace("优化营商环境", "深化营商环境")  # another plan, same jurisdiction
    preview = run_json("import_document", str(_write(tmp_path, "b.txt", "\n".join(changed).encode())))
    assert Plan.objects.count() == 2
    unit = Unit.objects.get(name__startswith="各县")
    assert unit.name == "各县(市、区)人民政府"
    assert UnitAlias.objects.filter(unit=unit, name=full_width).exists()
    group = next(entry for entry in preview["units"] if entry["name"].startswith("各县"))
    assert group["aliases_seen"] == [full_width]


def _assert_table_division(preview: dict, fmt: str) -> None:
    assert preview["format"] == fmt
    assert preview["title"] == builders.TABLE_TITLE
    assert preview["jurisdiction"] == "站前区" and preview["period"] == {"start": 2022, "end": 2022}
    assert preview["reporting"]["frequency"] == "half-yearly"
    assert (preview["reporting"]["month"], preview["reporting"]["day"]) == (1, 10)
    expected = [item for _, items in builders.TABLE_CATEGORIES for item in items]
    assert len(preview["tasks"]) == len(expected)
    sections = [task["section"] for task in preview["tasks"]]
    assert sections == ["一 教育民生"] * 2 + ["二 社会保障"] * 3
    assert [task["number"] for task in preview["tasks"]] == ["1", "2", "1", "2", "3"]
    for task, (text, lead, cooperating, _, deadline) in zip(preview["tasks"], expected, strict=True):
        assert task["title"] == text
        assert task["lead"] == _names(preview, lead) and task["cooperating"] == _names(preview, cooperating)
        assert task["responsible"] == [] and task["deadline"] == deadline
    raw = {alias for unit in preview["units"] for alias in unit["aliases_seen"]}
    assert {"区教育局", "区住建局", "区财政局", "各街道办事处", "区直各部门"} <= raw


def test_it_imports_a_word_table_with_merged_category_rows(tmp_path):
    path = _write(tmp_path, "table.docx", builders.table_docx())
    preview = run_json("import_document", str(path))
    _assert_table_division(preview, "docx")
    plan = Plan.objects.get(id=preview["plan_id"])
    assert plan.reporting_frequency == "half-yearly" and plan.reporting_rule["month"] == 1
    dues = dict(plan.cycles.values_list("period", "due_date"))
    assert {period: due.isoformat() for period, due in dues.items()} == {"2022H1": "2022-07-05", "2022H2": "2023-01-10"}
    item = plan.items.get(title__startswith="城镇新增就业")
    assert plan.source.lines(item.line_start, item.line_end)[0][1].startswith("1\t城镇新增就业")


def test_it_imports_a_pdf_of_the_word_table(tmp_path):
    preview = run_json("import_document", str(_write(tmp_path, "table.pdf", builders.table_pdf())), "--dry-run")
    _assert_table_division(preview, "pdf")


def test_it_imports_a_word_97_doc_through_libreoffice(tmp_path):
    preview = run_json("import_document", str(_write(tmp_path, "table.doc", builders.table_doc())), "--dry-run")
    _assert_table_division(preview, "doc")


def _assert_paragraph_plan(preview: dict, fmt: str, repeat: int) -> None:
    assert preview["format"] == fmt
    assert preview["title"] == builders.PARAGRAPH_TITLE
    assert preview["jurisdiction"] == "营口市" and preview["period"] == {"start": 2021, "end": 2023}
    assert preview["reporting"] == {
        "frequency": "monthly",
        "month": None,
        "day": 25,
        "recipient": "市发展改革委",
        "text": builders.MONTHLY_RULE,
    }
    assert len(preview["tasks"]) == len(builders.PARAGRAPH_TASKS) * repeat
    for task, (text, lead, cooperating, deadline) in zip(
        preview["tasks"], builders.PARAGRAPH_TASKS * repeat, strict=True
    ):
        assert task["text"].startswith(text)
        assert task["lead"] == _names(preview, lead) and task["cooperating"] == _names(preview, cooperating)
        assert task["responsible"] == [] and task["deadline"] == deadline


def test_it_imports_a_paragraph_docx_of_a_three_year_plan(tmp_path):
    path = _write(tmp_path, "plan.docx", builders.paragraph_docx())
    _assert_paragraph_plan(run_json("import_document", str(path), "--dry-run"), "docx", 1)


def test_it_imports_a_paged_pdf_with_running_header_and_page_numbers(tmp_path):
    path = _write(tmp_path, "plan.pdf", builders.paragraph_pdf())
    preview = run_json("import_document", str(path), "--dry-run")
    _assert_paragraph_plan(preview, "pdf", 3)
    texts = " ".join(task["text"] for task in preview["tasks"])
    assert "—" not in texts.replace("2021—2023", "") and "人民政府办公室文件" not in texts
    # A unit name wrapped over two lines ("市自然 / 资源局") is one name again.
    assert "市自然资源局" in preview["tasks"][0]["cooperating"]


@pytest.mark.parametrize("name", ["sheet.xlsx", "sheet.xls"])
def test_it_imports_a_workbook_with_a_two_row_merged_header(tmp_path, name):
    data = builders.merged_header_xlsx() if name.endswith("xlsx") else builders.merged_header_xls()
    preview = run_json("import_document", str(_write(tmp_path, name, data)))
    assert preview["format"] == name.rsplit(".", 1)[1]
    assert preview["title"] == builders.SHEET_TITLE and preview["period"] == {"start": 2021, "end": 2023}
    assert preview["reporting"]["frequency"] == "yearly"
    assert (preview["reporting"]["month"], preview["reporting"]["day"]) == (1, 10)
    expected = [item for _, items in builders.SHEET_ITEMS for item in items]
    for task, (text, lead, cooperating, _, deadline) in zip(preview["tasks"], expected, strict=True):
        assert task["title"] == text
        assert task["lead"] == _names(preview, lead) and task["responsible"] == []
        assert task["cooperating"] == _names(preview, cooperating)
        assert task["deadline"] == deadline
    assert [task["section"] for task in preview["tasks"]] == ["一 大气污染防治"] * 2 + ["二 水污染防治"] * 2
    plan = Plan.objects.get(id=preview["plan_id"])
    assert plan.items.count() == 4 and plan.source.layout == "xlsx"


BAD_FILES = [
    ("scan.pdf", builders.scanned_pdf, "没有文本层"),
    ("locked.pdf", builders.encrypted_pdf, "已加密"),
    ("minutes.docx", builders.docx_without_division, ""),
    ("archive.docx", builders.plain_zip, "zip 压缩包"),
    ("picture.pdf", builders.png_bytes, "PNG 图片"),
    ("empty.docx", lambda: b"", "文件为空"),
    ("bomb.docx", builders.docx_bomb, "压缩炸弹"),
]


@pytest.mark.parametrize(("name", "build", "message"), BAD_FILES, ids=[row[0] for row in BAD_FILES])
def test_it_refuses_a_bad_file_with_one_line_and_exit_2(tmp_path, capsys, name, build, message):
    path = _write(tmp_path, name, build())
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_document", str(path), "--json", stdout=StringIO())
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert len(error.strip().splitlines()) == 1 and message in error, error
    assert Plan.objects.count() == 0 and SourceDocument.objects.count() == 0 and WorkItem.objects.count() == 0


def test_it_refuses_an_oversize_docx(tmp_path, capsys, settings):
    settings.IMPORT_MAX_BYTES = 10_000
    path = _write(tmp_path, "big.docx", builders.table_docx())
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_document", str(path), stdout=StringIO())
    assert exit_info.value.code == 2 and "文件过大" in capsys.readouterr().err
    assert Plan.objects.count() == 0


def test_it_prints_no_traceback_for_a_docx_bomb_at_the_command_line(tmp_path):
    path = _write(tmp_path, "bomb.docx", builders.docx_bomb())
    (tmp_path / "var").mkdir()
    env = {
        **os.environ,
        "DEBUG": "true",
        "VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "planner.settings",
    }
    proc = subprocess.run(
        [sys.executable, "manage.py", "import_document", str(path), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
