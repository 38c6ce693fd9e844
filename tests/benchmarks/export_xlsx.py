"""Benchmark: the division-table export of 50,000 items across 300 units, three ways side by side.

Run: .venv/bin/python tests/benchmarks/export_xlsx.py [--items 50000] [--units 300] [--repeat 3]
Prints figures; asserts nothing (BRIEF §6: speed goals are benchmarks, not timed tests).

One temporary SQLite database is generated (in a subprocess), then every measurement runs in a fresh
subprocess of a parent that never loads Django, so ``ru_maxrss`` is that export's own peak (Linux keeps a
forked parent's peak across exec):
- ours:        ``export_build(report="division")`` — queries, section rows, formula-safe cells, print layout;
- raw:         openpyxl write-only, no styles, with its own two queries (items; assignments + unit names);
- raw-rows:    openpyxl write-only appending rows that were built beforehand (the writer alone, untimed reads);
- import-export: django-import-export 4 ``ModelResource`` over the same items (prefetched units) → XLSX.
Timing runs are separate from tracemalloc runs (tracing slows Python down).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

VARIANTS = ("ours", "raw", "raw-rows", "import-export")
PHRASES = (
    "推进港口转型升级,建设智慧港口",
    "加快构建现代产业体系,培育壮大战略性新兴产业",
    "深化“放管服”改革,优化营商环境",
    "实施乡村振兴战略,推进农业农村现代化",
    "加强生态环境保护,打好污染防治攻坚战",
    "完善公共服务体系,提高基本公共服务均等化水平",
    "推动数字经济和实体经济深度融合",
    "健全社会保障体系,扩大养老保险覆盖面",
)
CN = "一二三四五六七八九十"


def _setup_django(db_path: str) -> None:
    os.environ.setdefault("DEBUG", "true")
    os.environ["DJANGO_SETTINGS_MODULE"] = "planner.settings"
    os.environ["VAR_DIR"] = str(Path(db_path).parent)
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    import django

    django.setup()


def generate(*, items: int, units: int, seed: int = 7) -> int:
    """Fill the database: one plan with ``items`` items across ``units`` units. Returns the plan id."""
    from django.core.management import call_command

    from tasks_app.models import (
        Assignment,
        Jurisdiction,
        Plan,
        Report,
        ReportingCycle,
        Section,
        SourceDocument,
        Unit,
        WorkItem,
    )

    call_command("migrate", verbosity=0)
    rng = random.Random(seed)
    place = Jurisdiction.objects.create(name="基准市")
    unit_rows = Unit.objects.bulk_create(Unit(jurisdiction=place, name=f"市第{n:03d}局") for n in range(units))
    source = SourceDocument.objects.create(file_name="bench.txt", title="基准市规划任务分工", sha256="0" * 64, text="")
    plan = Plan.objects.create(
        title="基准市“十四五”规划纲要主要目标和任务分工",
        kind="notice",
        jurisdiction=place,
        period_start=2021,
        period_end=2025,
        source=source,
    )
    sections, order = [], 0
    for chapter in range(20):
        parent = Section.objects.create(
            plan=plan,
            key=str(chapter),
            level=1,
            number=CN[chapter % 10] * (1 + chapter // 10),
            title=f"第{chapter + 1}部分重点任务",
            order=order,
            line_start=1,
            line_end=1,
        )
        order += 1
        for sub in range(10):
            sections.append(
                Section(
                    plan=plan,
                    parent=parent,
                    key=f"{chapter}/{sub}",
                    level=2,
                    number=f"({CN[sub]})",
                    title=f"专项工作{sub + 1}",
                    order=order,
                    line_start=1,
                    line_end=1,
                )
            )
            order += 1
    sections = Section.objects.bulk_create(sections)
    per_section = items // len(sections) + 1
    work = []
    for n in range(items):
        text = "。".join(rng.choice(PHRASES) for _ in range(rng.randint(1, 4))) + "。"
        if n % 1000 == 999:
            text = "=1+1 " + text  # formula-like text must stay text
        kind = "binding" if n < 12 else "expected" if n < 40 else "task"
        work.append(
            WorkItem(
                plan=plan,
                section=sections[n // per_section],
                kind=kind,
                number=str(n % per_section + 1),
                title=text[:30],
                text=text,
                deadline=date(rng.randint(2021, 2025), 12, 31),
                and_others=rng.random() < 0.2,
                line_start=n + 1,
                line_end=n + 1,
                order=n,
                fingerprint=str(n),
            )
        )
    work = WorkItem.objects.bulk_create(work, batch_size=2000)
    assignments = []
    for item in work:
        chosen = rng.sample(unit_rows, rng.randint(1, 5))
        lead_role = "responsible" if rng.random() < 0.1 else "lead"
        assignments.append(Assignment(item=item, unit=chosen[0], role=lead_role, raw_name=chosen[0].name))
        for index, unit in enumerate(chosen[1:]):
            assignments.append(
                Assignment(
                    item=item,
                    unit=unit,
                    role="cooperating",
                    raw_name=unit.name,
                    order=index,
                    and_others=item.and_others and index == len(chosen) - 2,
                )
            )
    Assignment.objects.bulk_create(assignments, batch_size=5000)
    cycle = ReportingCycle.objects.create(plan=plan, year=2021, due_date=date(2022, 2, 15), status="open")
    reports = [
        Report(
            item=a.item, unit=a.unit, cycle=cycle, status="submitted", progress_status="on_track", progress="按计划推进"
        )
        for a in assignments[::10]
        if a.role != "cooperating"
    ]
    Report.objects.bulk_create(reports, batch_size=5000, ignore_conflicts=True)
    return plan.id


def _raw_rows(plan_id: int) -> list[list[object]]:
    from tasks_app.exporters import DivisionExporter
    from tasks_app.exporters.base import Heading
    from tasks_app.models import Plan

    exporter = DivisionExporter(plan=Plan.objects.get(pk=plan_id))
    return [[row.text] if isinstance(row, Heading) else list(row) for row in exporter.iterate_list()]


def _raw_export(plan_id: int, out: str) -> None:
    from collections import defaultdict

    from openpyxl import Workbook

    from tasks_app.models import Assignment, WorkItem

    units: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    rows = Assignment.objects.filter(item__plan_id=plan_id).order_by("item_id", "role", "order")
    for item_id, role, name in rows.values_list("item_id", "role", "unit__name"):
        units[item_id][role].append(name)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("分工表")
    sheet.append(["序号", "指标/任务", "牵头单位", "配合单位", "责任单位", "完成时限"])
    items = WorkItem.objects.filter(plan_id=plan_id, is_active=True).order_by("order")
    for item_id, number, text, deadline in items.values_list("id", "number", "text", "deadline").iterator(2000):
        roles = units[item_id]
        sheet.append(
            [
                number,
                text,
                "、".join(roles["lead"]),
                "、".join(roles["cooperating"]),
                "、".join(roles["responsible"]),
                f"{deadline.year}年底前",
            ]
        )
    book.save(out)


def _import_export(plan_id: int, out: str) -> None:
    from django.db.models import Prefetch
    from import_export import fields, resources
    from import_export.formats.base_formats import XLSX

    from tasks_app.models import Assignment, WorkItem

    class DivisionResource(resources.ModelResource):
        lead = fields.Field(column_name="牵头单位")
        cooperating = fields.Field(column_name="配合单位")
        responsible = fields.Field(column_name="责任单位")

        class Meta:
            model = WorkItem
            fields = ("number", "text", "lead", "cooperating", "responsible", "deadline")
            export_order = fields

        def _names(self, item: WorkItem, role: str) -> str:
            return "、".join(a.unit.name for a in item.assignments.all() if a.role == role)

        def dehydrate_lead(self, item: WorkItem) -> str:
            return self._names(item, "lead")

        def dehydrate_cooperating(self, item: WorkItem) -> str:
            return self._names(item, "cooperating")

        def dehydrate_responsible(self, item: WorkItem) -> str:
            return self._names(item, "responsible")

    queryset = (
        WorkItem.objects.filter(plan_id=plan_id, is_active=True)
        .order_by("order")
        .prefetch_related(Prefetch("assignments", queryset=Assignment.objects.select_related("unit")))
    )
    dataset = DivisionResource().export(queryset=queryset)
    Path(out).write_bytes(XLSX().export_data(dataset))


def run_variant(variant: str, plan_id: int, out: str, trace: bool) -> dict[str, float]:
    from tasks_app.models import Plan

    rows = _raw_rows(plan_id) if variant == "raw-rows" else None
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    if variant == "ours":
        from tasks_app.services.exports import export_build

        export_build(plan=Plan.objects.get(pk=plan_id), report="division", path_or_stream=out)
    elif variant == "progress":
        from tasks_app.services.exports import export_build

        export_build(plan=Plan.objects.get(pk=plan_id), report="progress", year=2021, path_or_stream=out)
    elif variant == "raw":
        _raw_export(plan_id, out)
    elif variant == "raw-rows":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("分工表")
        for row in rows:
            sheet.append(row)
        book.save(out)
    elif variant == "import-export":
        _import_export(plan_id, out)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else 0.0
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "traced_peak_mb": peak, "maxrss_mb": maxrss, "bytes": Path(out).stat().st_size}


def _child(args: argparse.Namespace, variant: str, trace: bool) -> dict[str, float]:
    out = Path(args.workdir) / f"{variant}.xlsx"
    command = [sys.executable, __file__, "--child", variant, "--db", args.db, "--plan", str(args.plan), "-o", str(out)]
    if trace:
        command.append("--trace")
    result = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def _formula_cells(path: Path) -> int:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    count = sum(1 for row in book.worksheets[0].iter_rows() for cell in row if getattr(cell, "data_type", "") == "f")
    book.close()
    return count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child")
    parser.add_argument("--db")
    parser.add_argument("--plan", type=int)
    parser.add_argument("-o", "--output")
    parser.add_argument("--trace", action="store_true")
    parser.add_argument("--generate", action="store_true")
    args = parser.parse_args()
    if args.generate:
        _setup_django(args.db)
        print(json.dumps({"plan": generate(items=args.items, units=args.units)}))
        return
    if args.child:
        _setup_django(args.db)
        print(json.dumps(run_variant(args.child, args.plan, args.output, args.trace)))
        return
    with tempfile.TemporaryDirectory() as workdir:
        args.workdir, args.db = workdir, f"{workdir}/bench.sqlite3"
        started = time.perf_counter()
        command = [sys.executable, __file__, "--generate", "--db", args.db, "--items", str(args.items)]
        generated = subprocess.run([*command, "--units", str(args.units)], check=True, capture_output=True, text=True)
        args.plan = json.loads(generated.stdout.strip().splitlines()[-1])["plan"]
        print(f"generated {args.items} items / {args.units} units in {time.perf_counter() - started:.1f} s")
        timings: dict[str, list[float]] = {variant: [] for variant in (*VARIANTS, "progress")}
        for _ in range(args.repeat):
            for variant in timings:  # interleaved, so machine load hits every variant alike
                timings[variant].append(_child(args, variant, trace=False)["seconds"])
        print(f"{'variant':<14} {'median s':>9} {'min s':>7} {'maxrss MB':>10} {'traced peak MB':>15} {'file MB':>8}")
        medians = {}
        for variant, seconds in timings.items():
            traced = _child(args, variant, trace=True)
            medians[variant] = statistics.median(seconds)
            print(
                f"{variant:<14} {medians[variant]:>9.2f} {min(seconds):>7.2f} {traced['maxrss_mb']:>10.0f}"
                f" {traced['traced_peak_mb']:>15.1f} {traced['bytes'] / 2**20:>8.1f}"
            )
        print(f"ours / raw           = {medians['ours'] / medians['raw']:.2f}  (goal ≤ 1.5)")
        print(f"ours / raw-rows      = {medians['ours'] / medians['raw-rows']:.2f}  (writer alone, reads untimed)")
        print(f"import-export / ours = {medians['import-export'] / medians['ours']:.2f}  (goal ≥ 2)")
        print(f"formula cells in ours: {_formula_cells(Path(workdir) / 'ours.xlsx')}")


if __name__ == "__main__":
    main()
