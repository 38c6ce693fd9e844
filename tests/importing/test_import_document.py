from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tasks_app.models import Plan, SourceDocument, WorkItem
from tests.conftest import ROOT, YINGKOU, ZHANQIAN, run_json

pytestmark = pytest.mark.django_db

ITEM_KEYS = {
    "number",
    "section",
    "title",
    "text",
    "category",
    "lead",
    "cooperating",
    "responsible",
    "and_others",
    "deadline",
    "deadline_text",
    "milestones",
    "source_lines",
}


def _run_failing(path: Path, *extra: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exc:
        call_command("import_document", str(path), *extra, stdout=StringIO(), stderr=StringIO())
    return exc.value.code, ""


def test_it_previews_yingkou_without_writing():
    preview = run_json("import_document", str(YINGKOU), "--dry-run")
    assert Plan.objects.count() == 0 and SourceDocument.objects.count() == 0
    assert preview["kind"] == "notice" and preview["jurisdiction"] == "营口市"
    assert preview["period"] == {"start": 2016, "end": 2020}
    assert preview["format"] == "txt"
    assert preview["reporting"] == {
        "frequency": "yearly",
        "month": 2,
        "day": 15,
        "recipient": "市发展改革委",
        "text": "各地区、各部门要按照目标任务分工,在每年2月中旬前将《纲要》主要目标和任务完成情况报送市发展改革委汇总后上报市政府。",
    }
    assert len(preview["indicators"]) == 28 and len(preview["tasks"]) == 192
    assert all(set(item) == ITEM_KEYS for item in preview["indicators"] + preview["tasks"])
    assert sum(1 for i in preview["indicators"] if i["category"] == "binding") == 12
    names = {u["name"]: u for u in preview["units"]}
    hr = names["市人力资源社会保障局"]
    assert "市人力资源和社会保障局" in hr["aliases_seen"] and hr["known"]
    assert "市人力资源和社会保障局" not in names
    for item in preview["indicators"] + preview["tasks"]:
        assert item["lead"] or item["responsible"]
        first, last = item["source_lines"]
        assert 1 <= first <= last
    boiler = next(t for t in preview["tasks"] if "到2016年底,全面取缔建成区10吨及以下老旧低效锅炉" in t["text"])
    assert boiler["deadline"] == "2016-12-31"
    assert {"date": "2016-12-31", "text": boiler["deadline_text"]} in boiler["milestones"]
    assert any(t["and_others"] for t in preview["tasks"])


def test_it_imports_and_reports_the_plan_id():
    result = run_json("import_document", str(ZHANQIAN))
    plan = Plan.objects.get(id=result["plan_id"])
    assert plan.jurisdiction.name == "站前区"
    assert len(result["tasks"]) == 61
    assert all(t["responsible"] for t in result["tasks"])


def test_it_keeps_ids_of_unchanged_items_when_a_changed_version_arrives(tmp_path):
    first = run_json("import_document", str(ZHANQIAN))
    plan = Plan.objects.get(id=first["plan_id"])
    ids = dict(plan.items.values_list("line_start", "id"))
    text = ZHANQIAN.read_text(encoding="utf-8")
    target = next(t for t in first["tasks"] if "(责任部门:" not in t["text"])
    changed_line = target["source_lines"][0]
    lines = text.split("\n")
    lines[changed_line - 1] = lines[changed_line - 1].replace(lines[changed_line - 1].strip()[:4], "修订后的", 1)
    changed = tmp_path / ZHANQIAN.name
    changed.write_text("\n".join(lines), encoding="utf-8")
    second = run_json("import_document", str(changed))
    assert second["plan_id"] == first["plan_id"]
    assert Plan.objects.count() == 1
    assert SourceDocument.objects.count() == 2
    kept = dict(plan.items.values_list("line_start", "id"))
    assert kept == ids
    edited = WorkItem.objects.get(id=ids[changed_line])
    assert "修订后的" in edited.text


def test_it_reads_gb18030_text(tmp_path):
    path = tmp_path / "yingkou-gbk.txt"
    path.write_bytes(YINGKOU.read_text(encoding="utf-8").encode("gb18030"))
    preview = run_json("import_document", str(path), "--dry-run")
    assert len(preview["tasks"]) == 192


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"   \n\n  ", "empty"),
        ("binary.txt", bytes(range(256)) * 40, "binary"),
        ("noise.txt", "今天天气很好。\n我们去公园散步。\n".encode(), ""),
        ("fake.xlsx", b"PK\x03\x04not really a zip", ""),
        ("picture.png", b"\x89PNG\r\n\x1a\n....", "PNG 图片,不是文档"),
        # a NUL past the first 64 KiB (the old check looked no further; PostgreSQL then failed with a traceback)
        ("late-nul.txt", YINGKOU.read_bytes()[:70_000] + b"\x00" + YINGKOU.read_bytes()[70_000:90_000], "二进制内容"),
    ],
)
def test_it_refuses_bad_input_with_exit_2_and_writes_nothing(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    proc = subprocess.run(
        [sys.executable, "manage.py", "import_document", str(path), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_it_refuses_a_file_over_the_size_limit(tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 1000
    code, _ = _run_failing(YINGKOU)
    assert code == 2
    assert Plan.objects.count() == 0


def test_it_refuses_a_missing_file(tmp_path):
    code, _ = _run_failing(tmp_path / "nope.txt")
    assert code == 2


def _env(tmp_path: Path) -> dict:
    import os

    env = dict(os.environ)
    env.update({"DEBUG": "true", "VAR_DIR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": "planner.settings"})
    (tmp_path / "var").mkdir(exist_ok=True)
    return env


def test_it_prints_json_that_round_trips():
    out = StringIO()
    call_command("import_document", str(YINGKOU), "--dry-run", "--json", stdout=out)
    assert json.loads(out.getvalue())["title"].startswith("关于落实")


def test_it_keeps_the_offices_own_assignments_when_a_changed_version_arrives(tmp_path):
    from tasks_app.models import Assignment, Unit

    first = run_json("import_document", str(ZHANQIAN))
    plan = Plan.objects.get(id=first["plan_id"])
    item = plan.items.filter(kind="task").order_by("order").first()
    extra = Unit.objects.exclude(assignments__item=item).filter(jurisdiction=plan.jurisdiction).first()
    Assignment.objects.create(item=item, unit=extra, role="cooperating", origin="manual")
    lines = ZHANQIAN.read_text(encoding="utf-8").split("\n")
    lines[item.line_start - 1] = lines[item.line_start - 1] + "(补充)"
    changed = tmp_path / ZHANQIAN.name
    changed.write_text("\n".join(lines), encoding="utf-8")
    run_json("import_document", str(changed))
    item.refresh_from_db()
    assert "(补充)" in item.text
    assert item.assignments.filter(unit=extra, origin="manual").exists()
    assert item.assignments.filter(origin="imported").exists()
