"""Quarterly reporting through the real parts: a quarterly notice imported from a document, two quarters open,
beat's plan task through redis-server to a Celery worker, mail to an SMTP server on 127.0.0.1.

Each quarter gets its own steps (14 days before its due day, the quarterly default: no "30 days before"), a
second tick sends nothing, and a closed quarter gets nothing at all.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from tests.console.test_periods import QUARTERLY_NOTICE
from tests.reminders.realparts import PYTHON, Recorder, run_django, send_task, wait_for

pytestmark = pytest.mark.slow

PLAN = "tasks_app.tasks.plan_reminders"
UNITS = {"市教育局", "市医疗保障局", "市住房城乡建设局"}  # the lead units of QUARTERLY_NOTICE

# Close every cycle but the quarters of our plan, so the seeded 2019 cycle's steps do not mix in.
CLOSE_OTHERS = """
import django
django.setup()
from tasks_app.models import ReportingCycle
ReportingCycle.objects.exclude(plan_id={plan}).update(status="closed")
"""
CLOSE_Q1 = """
import django
django.setup()
from tasks_app.services.cycles import cycle_close
from tasks_app.models import ReportingCycle
cycle_close(cycle=ReportingCycle.objects.get(plan_id={plan}, period="2027Q1"))
"""


def _quarters(mail: Recorder) -> Counter:
    """(quarter named in the subject, unit) → deliveries, read back from the SMTP server."""
    seen: Counter = Counter()
    for message in mail.messages:
        quarter = next((q for q in ("第一季度", "第二季度") if q in message.subject), "?")
        unit = message.subject.split("】", 1)[-1].split(":", 1)[0]
        seen[(quarter, unit)] += 1
    return seen


def test_it_reminds_each_open_quarter_once_and_a_closed_quarter_never(stack, tmp_path):
    mail = stack.start_smtp(Recorder())
    env = stack.env()
    notice = tmp_path / "quarterly.txt"
    notice.write_text(QUARTERLY_NOTICE, encoding="utf-8")
    plan = json.loads(run_django([PYTHON, "manage.py", "import_document", str(notice), "--json"], env=env))["plan_id"]
    run_django([PYTHON, "-c", CLOSE_OTHERS.format(plan=plan)], env=env)
    for period in ("2027Q1", "2027Q2"):
        run_django([PYTHON, "manage.py", "open_cycle", "--plan", str(plan), "--period", period], env=env)
    run_django([PYTHON, "manage.py", "create_demo_users"], env=env)  # contact emails for the notice's units
    worker = stack.start_worker("w1")

    send_task(stack.redis.url, PLAN, "2027-03-11")  # 14 days before Q1's 25 March; Q2 is months away
    wait_for(lambda: mail.count() >= len(UNITS), timeout=90, what="Q1's digests", explain=stack.explain)
    send_task(stack.redis.url, PLAN, "2027-03-11")  # the next tick on the same day
    wait_for(lambda: worker.succeeded(PLAN) == 2, timeout=60, what="the second tick", explain=stack.explain)
    stack.wait_drained()
    assert _quarters(mail) == Counter({("第一季度", unit): 1 for unit in UNITS}), stack.explain()
    assert all("报送提醒" in m.subject and "2027年3月25日" in m.subject for m in mail.messages)

    run_django([PYTHON, "-c", CLOSE_Q1.format(plan=plan)], env=env)
    send_task(stack.redis.url, PLAN, "2027-06-11")  # Q2's 14-day step; Q1 (overdue, but closed) gets nothing
    wait_for(lambda: mail.count() >= 2 * len(UNITS), timeout=90, what="Q2's digests", explain=stack.explain)
    wait_for(lambda: worker.succeeded(PLAN) == 3, timeout=60, what="the third tick", explain=stack.explain)
    stack.wait_drained()
    expected = {("第一季度", unit): 1 for unit in UNITS} | {("第二季度", unit): 1 for unit in UNITS}
    assert _quarters(mail) == Counter(expected), stack.explain()
    rows = stack.outbox.rows()
    assert len(rows) == 2 * len(UNITS) and all(row["status"] == "sent" for row in rows)
