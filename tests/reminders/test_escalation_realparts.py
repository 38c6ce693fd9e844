"""Escalation and quiet hours with the real parts (redis-server, a Celery worker, aiosmtpd; realparts.py).

Yingkou's 2019 cycle (due 2020-02-15) with overdue steps 1, 3 and 7 days; two units keep their mail address
(the others are silent, so each step is 2 unit mails + the office summary), one of them has a head. Beat ticks
are sent through the broker as beat sends them.
"""

from __future__ import annotations

import sqlite3
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.reminders.realparts import PYTHON, Recorder, run_django, send_task, wait_for

pytestmark = pytest.mark.slow

PLAN = "tasks_app.tasks.plan_reminders"
SWEEP = "tasks_app.tasks.sweep_outbox"
HEAD_EMAIL = "head@jt.example.org"
KEEP = ("市交通局", "市教育局")
SETUP = f"""
import django
django.setup()
from django.contrib.auth import get_user_model
from tasks_app.models import Membership, Plan, Unit
plan = Plan.objects.get()
plan.reminder_days_after = [1, 3, 7]
plan.save(update_fields=["reminder_days_after"])
Unit.objects.exclude(name__in={KEEP!r}).update(contact_emails=[])
head = get_user_model().objects.create_user("jt-head", email={HEAD_EMAIL!r}, password="x")
Membership.objects.create(user=head, unit=Unit.objects.get(name={KEEP[0]!r}), role=Membership.Role.HEAD)
"""


def _setup(stack) -> None:
    run_django([PYTHON, "-c", SETUP], env=stack.env())


def _tick(stack, worker, as_of: str, *, ticks: int) -> None:
    send_task(stack.redis.url, PLAN, as_of)
    wait_for(lambda: worker.succeeded(PLAN) == ticks, timeout=60, what=f"tick {as_of}", explain=stack.explain)


def test_it_escalates_to_the_head_then_the_office_each_once_through_celery_and_smtp(stack):
    mail = stack.start_smtp(Recorder())
    _setup(stack)
    worker = stack.start_worker("w1")

    _tick(stack, worker, "2020-02-16", ticks=1)  # 1 day overdue: the units only
    stack.wait_delivered(3)
    first = list(mail.messages)
    assert all(HEAD_EMAIL not in m.recipients for m in first), stack.explain()
    assert sum(m.subject.startswith("【逾期催报】") for m in first) == 2

    _tick(stack, worker, "2020-02-18", ticks=2)  # 3 days: the head too
    stack.wait_delivered(6)
    second = mail.messages[3:]
    (to_head,) = [m for m in second if HEAD_EMAIL in m.recipients]
    assert to_head.subject.startswith(f"【逾期催报】{KEEP[0]}:") and "逾期3天" in to_head.subject
    assert not any("督办单" in m.subject for m in mail.messages)

    _tick(stack, worker, "2020-02-22", ticks=3)  # 7 days, the last step: the office's 督办单
    stack.wait_delivered(9)
    third = mail.messages[6:]
    assert sum(HEAD_EMAIL in m.recipients for m in third) == 1
    (office,) = [m for m in third if m.subject.startswith("【逾期汇总】")]
    assert "督办单已生成" in office.subject and "admin@demo.planner.local" in office.recipients

    _tick(stack, worker, "2020-02-22", ticks=4)  # the same day again, and a sweep: nothing twice
    send_task(stack.redis.url, SWEEP)
    wait_for(lambda: worker.succeeded(SWEEP) >= 2, timeout=30, what="the sweep", explain=stack.explain)
    stack.wait_drained()
    assert mail.count() == 9 and len(set(mail.keys())) == 9, stack.explain()
    assert sum(HEAD_EMAIL in m.recipients for m in mail.messages) == 2
    assert set(stack.outbox.statuses()) == {"sent"}


def test_it_holds_everything_in_quiet_hours_and_delivers_it_once_when_they_end(stack):
    mail = stack.start_smtp(Recorder())
    _setup(stack)
    zone = ZoneInfo("Asia/Shanghai")
    now = datetime.now(zone)
    end = now + timedelta(seconds=15)  # the "morning": quiet since an hour ago, allowed in 15 s
    window = f"{(now - timedelta(hours=1)):%H:%M:%S}-{end:%H:%M:%S}"
    worker = stack.start_worker("w1", REMINDER_QUIET_HOURS=window, REMINDER_QUIET_WEEKENDS="false")

    _tick(stack, worker, "2020-02-16", ticks=1)
    rows = _rows(stack.db)
    assert len(rows) == 3 and {r["status"] for r in rows} == {"pending"}, stack.explain()
    assert all(r["not_before"] is not None for r in rows)
    send_task(stack.redis.url, SWEEP)  # a sweep in quiet time sends nothing either
    wait_for(lambda: worker.succeeded(SWEEP) >= 2, timeout=30, what="the sweep", explain=stack.explain)
    time.sleep(max(0.0, min(3.0, (end - datetime.now(zone)).total_seconds() - 2)))
    assert datetime.now(zone) < end and mail.count() == 0, "nothing may be delivered in quiet hours"

    stack.wait_delivered(3, timeout=90)  # the deliveries were queued for the window's end
    stack.wait_drained()
    sent_at = [datetime.fromisoformat(r["sent_at"]).replace(tzinfo=ZoneInfo("UTC")) for r in _rows(stack.db)]
    assert all(at >= end - timedelta(seconds=1) for at in sent_at), (sent_at, end)
    assert mail.count() == 3 and len(set(mail.keys())) == 3, stack.explain()


def _rows(db) -> list[dict]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=20)
    try:
        conn.row_factory = sqlite3.Row
        cur = conn.execute("SELECT key, status, not_before, sent_at FROM tasks_app_remindermessage ORDER BY id")
        return [dict(row) for row in cur.fetchall()]
    finally:
        conn.close()
