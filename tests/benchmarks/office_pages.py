"""Time each office page and API list alone, in process, with its queries: where does a page spend its time?

Run against a database that holds tests/benchmarks/province.py's data (PostgreSQL, DATABASE_URL set):
    .venv/bin/python tests/benchmarks/office_pages.py [--repeat 5] [--explain NAME]
Prints per page the median time, the query count and its three slowest queries; ``--explain NAME`` prints
EXPLAIN ANALYZE of that page's slowest query.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def pages() -> dict[str, tuple[str, str]]:
    from tasks_app.models import Plan, ReportingCycle

    plan = Plan.objects.get(title__startswith="基准省")
    cycle = ReportingCycle.objects.get(plan=plan, status="open")
    item = plan.items.order_by("order").values_list("pk", flat=True)[10]
    return {
        "review_api": ("admin", "/api/console/review/"),
        "review_web": ("admin", f"/console/review/?cycle={cycle.pk}"),
        "review_web_all": ("admin", "/console/review/"),
        "dashboard_web": ("admin", f"/console/dashboard/?cycle={cycle.pk}"),
        "dashboard_api": ("admin", f"/api/console/cycles/{cycle.pk}/dashboard/"),
        "cycles_web": ("admin", "/console/cycles/"),
        "office_home": ("admin", "/"),
        "division": ("admin", f"/console/division/?plan={plan.pk}"),
        "item_page": ("admin", f"/items/{item}/"),
        "tasks_500": ("admin", f"/api/tasks/?plan={plan.pk}&page_size=500"),
        "reports_500": ("admin", f"/api/reports/?cycle={cycle.pk}&page_size=500"),
        "staff_tasks": ("staff", "/api/tasks/"),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--explain", default="")
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planner.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    users = {"admin": get_user_model().objects.get(username="bench-admin")}
    users["staff"] = get_user_model().objects.get(username="bench000")
    clients = {}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    for name, (who, url) in pages().items():
        if args.only and name not in args.only.split(","):
            continue
        client = clients[who]
        assert client.get(url).status_code == 200, url
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        connection.force_debug_cursor = True
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        slow = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))
        print(
            f"{name:<16} {statistics.median(times):8.1f} ms  {len(queries):3d} queries  slowest: "
            + ", ".join(f"{float(q['time']) * 1000:.0f}" for q in slow[:3])
            + " ms"
        )
        if args.explain == name:
            with connection.cursor() as cursor:
                for q in slow[:2]:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                    print(q["sql"][:3000])
                    print("\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
