"""Province-scale data for the benchmarks on PostgreSQL: one plan of 50,000 items, 300 units, 150,000
assignments, five yearly cycles (four closed with approved reports, one open), ~600k report versions.

Used by tests/benchmarks/load.py (``python tests/benchmarks/province.py --scale 1`` inside a configured
environment builds it and prints the fixture as JSON). Items, units and assignments are written the way
tests/benchmarks/reminders_plan.py writes them (bulk_create); reports and versions, hundreds of thousands
of rows, with INSERT … SELECT on the server (bulk_create would take minutes here).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

YEARS = (2021, 2022, 2023, 2024, 2025)  # 2021–2024 closed, 2025 open
SECTIONS_PER_CHAPTER = 10
CHAPTERS = 22


def _line(n: int) -> str:
    return f"{n + 1}.推进第{n + 1}项重点任务,确保按期完成年度目标,加强统筹协调,落实工作责任,强化督促检查。"


def build(*, scale: float = 1.0, seed: int = 7) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection, transaction
    from rest_framework.authtoken.models import Token

    from tasks_app.models import (
        Assignment,
        IndicatorDetail,
        Jurisdiction,
        Membership,
        OfficeRole,
        Plan,
        ReportingCycle,
        Section,
        SourceDocument,
        Unit,
        WorkItem,
    )

    rng = random.Random(seed)
    n_items = max(int(50_000 * scale), 200)
    n_units = max(int(300 * scale), 12)
    User = get_user_model()
    with transaction.atomic():
        place = Jurisdiction.objects.create(name="基准省")
        Unit.objects.bulk_create(
            Unit(jurisdiction=place, name=f"基准单位{n:03d}", contact_emails=[f"unit{n}@bench.local"])
            for n in range(n_units)
        )
        unit_ids = list(Unit.objects.filter(jurisdiction=place).order_by("id").values_list("id", flat=True))
        # Two lines of source text per item: 50,000 items make a document of ~2.8 M characters.
        text = "\n".join(_line(n) + "\n" + "(牵头单位:基准单位;配合单位:基准单位)" for n in range(n_items))
        source = SourceDocument.objects.create(file_name="province.txt", title="基准省规划", sha256="1" * 64, text=text)
        plan = Plan.objects.create(
            title="基准省国民经济和社会发展第十四个五年规划纲要任务分工",
            kind="plan",
            jurisdiction=place,
            period_start=2021,
            period_end=2025,
            source=source,
            reporting_month=2,
            reporting_day=15,
        )
        chapters = [
            Section(
                plan=plan,
                key=f"c{c}",
                level=1,
                number=f"第{c + 1}章",
                title=f"第{c + 1}章",
                order=c * 100,
                line_start=1,
                line_end=1,
            )
            for c in range(CHAPTERS)
        ]
        Section.objects.bulk_create(chapters)
        sections = [
            Section(
                plan=plan,
                parent=chapter,
                key=f"c{c}s{s}",
                level=2,
                number=f"第{s + 1}节",
                title=f"第{s + 1}节",
                order=c * 100 + s + 1,
                line_start=1,
                line_end=1,
            )
            for c, chapter in enumerate(chapters)
            for s in range(SECTIONS_PER_CHAPTER)
        ]
        Section.objects.bulk_create(sections)
        n_indicators = max(n_items // 100, 4)
        WorkItem.objects.bulk_create(
            (
                WorkItem(
                    plan=plan,
                    section=sections[n * len(sections) // n_items],
                    kind=("binding" if n % 3 == 0 else "expected") if n < n_indicators else "task",
                    number=str(n + 1),
                    title=f"推进第{n + 1}项重点任务,确保按期完成年度目标",
                    text=_line(n),
                    deadline=date(2025, 12, 31),
                    line_start=2 * n + 1,
                    line_end=2 * n + 2,
                    order=n,
                    fingerprint=f"{n:064d}",
                )
                for n in range(n_items)
            ),
            batch_size=2000,
        )
        item_ids = list(WorkItem.objects.filter(plan=plan).order_by("order").values_list("id", flat=True))
        IndicatorDetail.objects.bulk_create(
            IndicatorDetail(item_id=i, unit_of_measure="%", target_text=str(50 + n), target_value=50.0 + n)
            for n, i in enumerate(item_ids[:n_indicators])
        )
        assignments = []
        for item_id in item_ids:
            lead, *others = rng.sample(unit_ids, 3)
            assignments.append(Assignment(item_id=item_id, unit_id=lead, role="lead"))
            assignments += [
                Assignment(item_id=item_id, unit_id=u, role="cooperating", order=i) for i, u in enumerate(others)
            ]
        Assignment.objects.bulk_create(assignments, batch_size=5000)
        cycles = {
            year: ReportingCycle.objects.create(
                plan=plan,
                year=year,
                due_date=date(year + 1, 2, 15),
                status="open" if year == YEARS[-1] else "closed",
            )
            for year in YEARS
        }
        open_cycle = cycles[YEARS[-1]]
        with connection.cursor() as cursor:
            cursor.execute("SELECT setseed(0.42)")
            for cycle in cycles.values():
                if cycle.status == "closed":  # 93% of the lead slots reported and approved
                    status_sql, share = "'approved'", 0.93
                else:  # the open cycle: a quarter started, mixed states
                    status_sql = (
                        "CASE WHEN r < 0.4 THEN 'draft' WHEN r < 0.85 THEN 'submitted' "
                        "WHEN r < 0.95 THEN 'approved' ELSE 'returned' END"
                    )
                    share = 0.26
                cursor.execute(
                    f"""
                    INSERT INTO tasks_app_report (item_id, unit_id, cycle_id, status, progress_status, progress,
                        problems, next_steps, actual_value_text, actual_unit, actual_note, review_reason, version,
                        created_at, updated_at, submitted_at, reviewed_at)
                    SELECT item_id, unit_id, %s, s, 'on_track', '本年度按计划推进,完成年度目标。', '', '', '', '', '', '',
                        3, ts, ts, CASE WHEN s = 'draft' THEN NULL ELSE ts END,
                        CASE WHEN s IN ('approved', 'returned') THEN ts ELSE NULL END
                    FROM (
                        SELECT a.item_id, a.unit_id, r, {status_sql} AS s,
                            (%s::date - (random() * 40)::int * interval '1 day' + interval '10 hours') AS ts
                        FROM (SELECT item_id, unit_id, random() AS r FROM tasks_app_assignment
                              WHERE role = 'lead') a
                        WHERE random() < %s
                    ) picked
                    """,  # noqa: S608  (status_sql is one of the two literals above)
                    [cycle.pk, cycle.due_date, share],
                )
            cursor.execute(
                """
                INSERT INTO tasks_app_reportversion (report_id, number, action, status, snapshot, reason,
                    actor_id, created_at)
                SELECT r.id, n, CASE n WHEN 1 THEN 'save' WHEN 2 THEN 'submit' ELSE
                        CASE WHEN r.status = 'returned' THEN 'return' ELSE 'approve' END END,
                    CASE n WHEN 1 THEN 'draft' WHEN 2 THEN 'submitted' ELSE r.status END,
                    jsonb_build_object('progress', r.progress), '', NULL, r.updated_at - (3 - n) * interval '1 day'
                FROM tasks_app_report r CROSS JOIN generate_series(1, 3) n
                WHERE r.status <> 'draft' OR n = 1
                """
            )
        staff = User.objects.bulk_create(User(username=f"bench{n:03d}", password="!") for n in range(n_units))
        staff = list(User.objects.filter(username__startswith="bench").order_by("username"))
        Membership.objects.bulk_create(
            Membership(user=u, unit_id=unit) for u, unit in zip(staff, unit_ids, strict=True)
        )
        tokens = Token.objects.bulk_create(Token(user=u, key=Token.generate_key()) for u in staff)
        office = {}
        for name, role in (("bench-admin", "admin"), ("bench-reviewer", "reviewer")):
            user = User.objects.create(username=name, password="!")
            OfficeRole.objects.create(user=user, role=role)
            session = SessionStore()
            session["_auth_user_id"] = str(user.pk)
            session["_auth_user_backend"] = "tasks_app.login_throttle.ThrottledModelBackend"
            session["_auth_user_hash"] = user.get_session_auth_hash()
            session.create()
            office[role] = {"session": session.session_key, "token": Token.objects.create(user=user).key}
        # Per staff user: a few items they lead and the draft reports of the open cycle they may save.
        drafts: dict[int, list[int]] = {}
        for report_id, unit_id in _rows(connection, open_cycle.pk):
            drafts.setdefault(unit_id, []).append(report_id)
        leads: dict[int, list[int]] = {}
        for a in assignments:
            if a.role == "lead" and len(leads.setdefault(a.unit_id, [])) < 20:
                leads[a.unit_id].append(a.item_id)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "plan": plan.pk,
        "open_cycle": open_cycle.pk,
        "closed_cycle": cycles[YEARS[-2]].pk,
        "items": n_items,
        "units": n_units,
        "assignments": len(assignments),
        "office": office,
        "staff": [
            {"token": t.key, "items": leads.get(unit, []), "drafts": drafts.get(unit, [])[:20]}
            for t, unit in zip(tokens, unit_ids, strict=True)
            if drafts.get(unit)
        ],
        "counts": _counts(connection),
    }


def _rows(connection: Any, cycle_id: int) -> list[tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, unit_id FROM tasks_app_report WHERE cycle_id = %s AND status = 'draft' ORDER BY id", [cycle_id]
        )
        return list(cursor.fetchall())


def _counts(connection: Any) -> dict[str, int]:
    found = {}
    with connection.cursor() as cursor:
        for table in ("workitem", "assignment", "report", "reportversion"):
            cursor.execute(f"SELECT count(*) FROM tasks_app_{table}")  # noqa: S608  (fixed table names)
            found[table] = cursor.fetchone()[0]
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planner.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(json.dumps(build(scale=args.scale)))


if __name__ == "__main__":
    main()
