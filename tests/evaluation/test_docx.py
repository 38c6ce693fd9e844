"""The Word evaluation reports read back with python-docx: the headings, one annex row per indicator and
per task, and the body's figures equal to the tables'; the office's edited text replaces the generated one;
the command, a background job and the export API produce the same document."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from docx.shared import Pt

from tasks_app.models import ExportJob, OfficeRole, WorkItem
from tasks_app.rules.indicators import PATH_STATUSES
from tasks_app.services.export_jobs import export_job_run, export_job_start
from tasks_app.services.monitoring import evaluation_text_save
from tests.api.conftest import client_for
from tests.evaluation.docx_helpers import (
    NEXT_STEP,
    PROBLEM,
    build,
    document_xml,
    table_with,
    task_count,
)
from tests.evaluation.test_zhanqian import EXPECTED_2023
from tests.personas import make_user

SECTIONS = [
    "一、总体情况",
    "二、主要指标完成情况",
    "三、重点任务推进情况",
    "四、各单位报送情况",
    "五、存在的主要问题",
    "六、下一步工作打算",
]


@pytest.fixture
def midterm(zhanqian_reported, tmp_path):
    return zhanqian_reported, build(zhanqian_reported, "midterm", tmp_path / "midterm.docx")


def _overall(document) -> str:
    texts = [p.text for p in document.paragraphs]
    start = texts.index("一、总体情况")
    return "".join(texts[start + 1 : texts.index("二、主要指标完成情况")])


def test_it_writes_the_headings_and_the_official_layout(midterm):
    plan, document = midterm
    titles = [p.text for p in document.paragraphs if p.style.name == "Title"]
    assert titles[:2] == [f"{plan.title}中期评估报告", "(2021—2023年)"]
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [*SECTIONS, "附件1", "附件2"]
    section = document.sections[0]
    sizes = [section.page_width, section.page_height, section.top_margin, section.bottom_margin]
    sizes += [section.left_margin, section.right_margin]
    assert [round(size.mm) for size in sizes] == [210, 297, 37, 35, 28, 26]  # stored in twips
    east_asian = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
    title, normal = document.styles["Title"], document.styles["Normal"]
    assert (title.font.size, title.element.rPr.rFonts.get(east_asian)) == (Pt(22), "方正小标宋简体")
    assert (normal.font.size, normal.element.rPr.rFonts.get(east_asian)) == (Pt(16), "仿宋_GB2312")


def test_it_lists_every_indicator_and_quotes_the_tables_counts(midterm):
    _, document = midterm
    table = table_with(document, ["序号", "指标"])
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert sorted(row[1] for row in rows) == sorted(EXPECTED_2023)
    assert {row[1]: row[8] for row in rows} == EXPECTED_2023
    assert [row[1] for row in rows[:2]] == ["万元地区生产总值水耗累计降低", "PM2.5年平均浓度"]  # at risk first
    assert [row[10] for row in rows].count("是") == 2
    # the status bar per chapter and the paths of the 4 binding indicators with a numeric target
    assert len(document.inline_shapes) == 5
    captions = [p.text for p in document.paragraphs if p.text.startswith("图")]
    assert captions[:3] == ["图1 各章节主要指标序时进度", "图2 万元地区生产总值水耗累计降低", "图3 PM2.5年平均浓度"]
    in_table = Counter(row[8] for row in rows)
    overall = _overall(document)
    for status in PATH_STATUSES:
        assert re.search(rf"{status}(\d+)项", overall).group(1) == str(in_table[status])
    assert "16项主要指标" in overall and "6项约束性指标中2项滞后或预计难以完成" in overall


def test_it_lists_every_task_and_quotes_the_schedule(midterm):
    plan, document = midterm
    table = table_with(document, ["序号", "章节", "任务"])
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert len(rows) == task_count(plan) == 61
    titles = list(
        WorkItem.objects.filter(plan=plan, kind=WorkItem.Kind.TASK, is_active=True)
        .order_by("order")
        .values_list("title", flat=True)
    )
    assert [row[2] for row in rows] == titles
    in_table = Counter(row[5] for row in rows)
    overall = _overall(document)
    total, done = re.search(r"(\d+)项重点任务中,已完成(\d+)项", overall).groups()
    assert (int(total), int(done)) == (61, in_table["已完成"])
    assert re.search(r"滞后(\d+)项,占", overall).group(1) == str(in_table["滞后"])
    assert re.search(r"未报送(\d+)项", overall).group(1) == str(in_table["未报送"])
    assert in_table["已完成"] and in_table["按计划推进"] and in_table["滞后"] and in_table["未报送"]
    chapters = table_with(document, ["章节", "任务", "已完成"])
    sums = [sum(int(row.cells[i].text) for row in chapters.rows[1:]) for i in (1, 2, 4)]
    assert sums == [61, in_table["已完成"], in_table["滞后"]]


def test_it_attributes_problems_and_next_steps_to_their_units(midterm):
    _, document = midterm
    texts = [p.text for p in document.paragraphs]
    problems = texts[texts.index("五、存在的主要问题") + 1 : texts.index("六、下一步工作打算")]
    # one paragraph per unit: "单位:问题(事项);问题(事项)"
    assert problems and all(re.match(rf"^[^:]+:{PROBLEM}\(.+\)", t) for t in problems)
    assert len({t.split(":")[0] for t in problems}) == len(problems)
    assert any(NEXT_STEP in t for t in texts[texts.index("六、下一步工作打算") :])


def test_it_uses_the_offices_edited_text(zhanqian_reported, tmp_path):
    plan = zhanqian_reported
    admin = make_user("office", office=OfficeRole.Role.ADMIN)
    evaluation_text_save(
        user=admin, plan=plan, report="annual", year=2023, section="problems", text="一是资金。\n二是人才。"
    )
    document = build(plan, "annual", tmp_path / "annual.docx")
    texts = [p.text for p in document.paragraphs]
    assert texts[texts.index("五、存在的主要问题") + 1 : texts.index("六、下一步工作打算")] == [
        "一是资金。",
        "二是人才。",
    ]
    other = build(plan, "midterm", tmp_path / "midterm.docx")  # per report: the mid-term keeps its own text
    assert "一是资金。" not in [p.text for p in other.paragraphs]


def test_the_command_the_job_and_the_api_write_the_same_document(zhanqian_reported, tmp_path, settings):
    from django.core.management import call_command

    settings.MEDIA_ROOT = str(tmp_path / "media")
    plan = zhanqian_reported
    path = tmp_path / "cli.docx"
    call_command("export_docx", "--plan", str(plan.pk), "--report", "final", "--year", "2023", "-o", str(path))
    expected = document_xml(path.read_bytes())
    admin = make_user("office", office=OfficeRole.Role.ADMIN)
    job = export_job_start(plan=plan, report="final", year=2023, user=admin)
    job = export_job_run(job_id=job.pk)
    assert job.status == ExportJob.Status.DONE and job.file.name.endswith(".docx")
    assert job.progress == job.total == 16 + 61 + 6 + len(table_with_units(path))
    assert document_xml(job.file.read()) == expected
    response = client_for(admin).get(f"/api/console/exports/{job.pk}/download/")
    assert response["Content-Type"].endswith("wordprocessingml.document")
    assert response["Content-Disposition"].endswith('-final-2023.docx"')
    assert document_xml(b"".join(response.streaming_content)) == expected


def table_with_units(path) -> list:
    import docx

    return table_with(docx.Document(str(path)), ["单位", "应报"]).rows[1:]
