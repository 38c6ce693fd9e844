"""Benchmark: plan one reminder step for 300 units × 50,000 items, count its queries, write the outbox.

Run: .venv/bin/python tests/benchmarks/reminders_plan.py [--units 300] [--items 50000] [--repeat 3]
Builds a temporary SQLite database (bulk_create), opens one cycle, then times `reminders_plan` (the planner of
BRIEF §4: one digest per unit and step), counts its queries with CaptureQueriesContext, and times
`reminders_write` (rendering and inserting the digests). Prints figures; asserts nothing (BRIEF §6).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

AS_OF = date(2021, 1, 16)  # 30 days before the 2020 cycle is due (2021-02-15)


def build(*, units: int, items: int, seed: int = 7) -> dict:
    from tasks_app.models import (
        Assignment,
        Contribution,
        Jurisdiction,
        Plan,
        Report,
        ReportingCycle,
        SourceDocument,
        Unit,
        WorkItem,
    )

    rng = random.Random(seed)
    place = Jurisdiction.objects.create(name="基准市")
    Unit.objects.bulk_create(
        Unit(jurisdiction=place, name=f"基准单位{n:03d}", contact_emails=[f"unit{n}@bench.local"]) for n in range(units)
    )
    unit_ids = list(Unit.objects.values_list("id", flat=True))
    source = SourceDocument.objects.create(file_name="bench.txt", title="基准规划", sha256="0" * 64, text="")
    plan = Plan.objects.create(
        title="基准市国民经济和社会发展第十四个五年规划纲要任务分工",
        kind="plan",
        jurisdiction=place,
        period_start=2016,
        period_end=2020,
        source=source,
        reporting_month=2,
        reporting_day=15,
    )
    WorkItem.objects.bulk_create(
        (
            WorkItem(
                plan=plan,
                kind="task",
                number=str(n + 1),
                title=f"推进第{n + 1}项重点任务,确保按期完成年度目标",
                text="",
                deadline=date(2020, 12, 31),
                line_start=n,
                line_end=n,
                order=n,
                fingerprint=f"{n:064d}",
            )
            for n in range(items)
        ),
        batch_size=2000,
    )
    item_ids = list(WorkItem.objects.filter(plan=plan).values_list("id", flat=True))
    assignments = []
    for item_id in item_ids:
        lead, *others = rng.sample(unit_ids, 3)
        assignments.append(Assignment(item_id=item_id, unit_id=lead, role="lead"))
        assignments += [
            Assignment(item_id=item_id, unit_id=u, role="cooperating", order=i) for i, u in enumerate(others)
        ]
    Assignment.objects.bulk_create(assignments, batch_size=5000)
    cycle = ReportingCycle.objects.create(plan=plan, year=2020, due_date=date(2021, 2, 15), status="open")
    # A fifth of the lead reports and a tenth of the contributions are already in: they must drop out.
    leads = [(a.item_id, a.unit_id) for a in assignments if a.role == "lead"]
    Report.objects.bulk_create(
        (Report(item_id=i, unit_id=u, cycle=cycle, status="submitted") for i, u in leads if rng.random() < 0.2),
        batch_size=5000,
    )
    coop = [(a.item_id, a.unit_id) for a in assignments if a.role == "cooperating"]
    Contribution.objects.bulk_create(
        (
            Contribution(item_id=i, unit_id=u, cycle=cycle, text="已配合", status="submitted")
            for i, u in coop
            if rng.random() < 0.1
        ),
        batch_size=5000,
    )
    return {"plan": plan, "cycle": cycle, "assignments": len(assignments)}


def timed_plan():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tasks_app.reminders.planner import reminders_plan

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        planned = reminders_plan(as_of=AS_OF)
        elapsed = time.perf_counter() - started
    return planned, elapsed, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("DEBUG", "true")
    os.environ["DJANGO_SETTINGS_MODULE"] = "planner.settings"
    with tempfile.TemporaryDirectory() as var:
        os.environ["VAR_DIR"] = var
        os.environ["DATABASE_URL"] = f"sqlite:///{var}/bench.sqlite3"
        os.environ.pop("EMAIL_HOST", None)
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, transaction
        from django.test.utils import CaptureQueriesContext

        from tasks_app.models import ReminderMessage
        from tasks_app.reminders.planner import reminders_write

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        with transaction.atomic():
            built = build(units=args.units, items=args.items)
        build_time = time.perf_counter() - started

        plan_times, counts = [], set()
        for _ in range(args.repeat):
            planned, elapsed, count = timed_plan()
            plan_times.append(elapsed)
            counts.add(count)
        items_listed = sum(len(d.items) for d in planned.digests)

        plan = built["plan"]
        plan.remind_cooperating = True
        plan.save(update_fields=["remind_cooperating"])
        coop_planned, coop_time, coop_count = timed_plan()
        plan.remind_cooperating = False
        plan.save(update_fields=["remind_cooperating"])

        with CaptureQueriesContext(connection) as write_queries:
            started = time.perf_counter()
            rows = reminders_write(planned=planned, as_of=AS_OF)
            write_time = time.perf_counter() - started
        again, again_time, again_count = timed_plan()
        outbox = ReminderMessage.objects.count()

    print(
        f"units: {args.units}  items: {args.items}  assignments: {built['assignments']}  "
        f"build: {build_time:.1f} s  repeats: {args.repeat}"
    )
    print(
        f"reminders_plan (reporting units)  median {statistics.median(plan_times):.3f} s  "
        f"(min {min(plan_times):.3f})  queries {sorted(counts)}  digests {len(planned.digests)}  "
        f"items listed {items_listed}"
    )
    print(
        f"reminders_plan (+cooperating)     {coop_time:.3f} s  queries {coop_count}  "
        f"digests {len(coop_planned.digests)}  items listed {sum(len(d.items) for d in coop_planned.digests)}"
    )
    print(
        f"reminders_write                   {write_time:.3f} s  queries {len(write_queries)}  rows {len(rows)}  "
        f"(outbox {outbox} rows)"
    )
    print(
        f"reminders_plan again (all sent)   {again_time:.3f} s  queries {again_count}  "
        f"new digests {len(again.digests)}  already {again.already}"
    )


if __name__ == "__main__":
    main()
