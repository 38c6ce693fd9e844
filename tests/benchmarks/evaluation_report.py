"""Benchmark: the mid-term Word evaluation report of a 50,000-item / 300-unit plan (goal: < 30 s, < 200 MB).

Run: .venv/bin/python tests/benchmarks/evaluation_report.py [--items 50000] [--units 300] [--repeat 3]
Prints figures; asserts nothing (BRIEF §6). The plan comes from export_xlsx.generate (same shape as the
workbook benchmark), plus indicator details and 2021–2022 actuals for its 40 indicators and a 2022 cycle
in which every reporting slot has a report (done / on schedule / behind with 问题 and 下一步 / draft).
Each build runs in a fresh subprocess so ``ru_maxrss`` is its own peak; the tracemalloc run is separate.
"""

from __future__ import annotations

import argparse
import json
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

from tests.benchmarks.export_xlsx import _setup_django, generate  # noqa: E402  (path set above)

YEAR = 2022  # the mid-term report's default year for 2021–2025


def add_monitoring(plan_id: int, seed: int = 11) -> None:
    from tasks_app.models import Assignment, IndicatorActual, IndicatorDetail, Report, ReportingCycle, WorkItem

    rng = random.Random(seed)
    indicators = list(WorkItem.objects.filter(plan_id=plan_id, kind__in=WorkItem.INDICATOR_KINDS))
    details, actuals = [], []
    for n, item in enumerate(indicators):
        baseline, target = 50.0 + n, 60.0 + n
        cumulative = n % 5 == 0
        details.append(
            IndicatorDetail(
                item=item,
                unit_of_measure="%",
                baseline_text=str(baseline),
                baseline_year=2020,
                baseline_value=baseline,
                target_text=f"[{target:g}]" if cumulative else f"{target:g}",
                target_year=2025,
                target_value=target,
                cumulative=cumulative,
                growth_text="6" if n % 7 == 0 else "",
            )
        )
        for year in (2021, 2022):
            step = target / 5 if cumulative else baseline + (target - baseline) * (year - 2020) / 5
            value = round(step * rng.uniform(0.9, 1.1), 2)
            actuals.append(IndicatorActual(item=item, year=year, value_text=f"{value:g}", value=value))
    IndicatorDetail.objects.bulk_create(details)
    IndicatorActual.objects.bulk_create(actuals)
    cycle = ReportingCycle.objects.create(plan_id=plan_id, year=YEAR, due_date=date(2023, 2, 15), status="open")
    slots = Assignment.objects.reporting().filter(item__plan_id=plan_id).values_list("item_id", "unit_id").distinct()
    reports = []
    for item_id, unit_id in slots.iterator():
        progress = rng.choice(("done", "on_track", "on_track", "behind", "not_started"))
        behind = progress in ("behind", "not_started")
        reports.append(
            Report(
                item_id=item_id,
                unit_id=unit_id,
                cycle=cycle,
                status="draft" if rng.random() < 0.1 else "submitted",
                progress_status=progress,
                progress="按计划推进",
                problems="项目资金缺口较大,要素保障不足" if behind else "",
                next_steps="积极争取上级资金支持" if behind else "",
            )
        )
    Report.objects.bulk_create(reports, batch_size=5000, ignore_conflicts=True)


def build(plan_id: int, out: str, trace: bool) -> dict[str, float]:
    from tasks_app.models import Plan
    from tasks_app.services.exports import export_build

    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    result = export_build(plan=Plan.objects.get(pk=plan_id), report="midterm", path_or_stream=out)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else 0.0
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "traced_peak_mb": peak, "maxrss_mb": maxrss, "rows": result.rows}


def _child(args: argparse.Namespace, trace: bool) -> dict[str, float]:
    out = Path(args.workdir) / "midterm.docx"
    command = [sys.executable, __file__, "--child", "--db", args.db, "--plan", str(args.plan), "-o", str(out)]
    result = subprocess.run([*command, *(["--trace"] if trace else [])], check=True, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--generate", action="store_true")
    parser.add_argument("--db")
    parser.add_argument("--plan", type=int)
    parser.add_argument("-o", "--output")
    parser.add_argument("--trace", action="store_true")
    args = parser.parse_args()
    if args.generate:
        _setup_django(args.db)
        plan = generate(items=args.items, units=args.units)
        add_monitoring(plan)
        print(json.dumps({"plan": plan}))
        return
    if args.child:
        _setup_django(args.db)
        print(json.dumps(build(args.plan, args.output, args.trace)))
        return
    with tempfile.TemporaryDirectory() as workdir:
        args.workdir, args.db = workdir, f"{workdir}/bench.sqlite3"
        started = time.perf_counter()
        command = [sys.executable, __file__, "--generate", "--db", args.db, "--items", str(args.items)]
        generated = subprocess.run([*command, "--units", str(args.units)], check=True, capture_output=True, text=True)
        args.plan = json.loads(generated.stdout.strip().splitlines()[-1])["plan"]
        print(f"generated {args.items} items / {args.units} units in {time.perf_counter() - started:.1f} s")
        runs = [_child(args, trace=False) for _ in range(args.repeat)]
        traced = _child(args, trace=True)
        seconds = [run["seconds"] for run in runs]
        size = (Path(workdir) / "midterm.docx").stat().st_size / 2**20
        print(
            f"mid-term report: median {statistics.median(seconds):.2f} s (min {min(seconds):.2f}), "
            f"maxrss {max(run['maxrss_mb'] for run in runs):.0f} MB, traced peak {traced['traced_peak_mb']:.0f} MB, "
            f"{int(runs[0]['rows'])} table rows, {size:.1f} MB .docx"
        )


if __name__ == "__main__":
    main()
