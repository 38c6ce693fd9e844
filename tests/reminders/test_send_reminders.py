"""The reminder run through `send_reminders` (inline delivery to the file backend)."""

from __future__ import annotations

import json
import re
import time
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from tasks_app.models import ReminderMessage, Report, Unit
from tasks_app.services.accounts import demo_users_create
from tasks_app.services.cycles import cycle_open
from tests.conftest import run_json
from tests.personas import import_yingkou

pytestmark = pytest.mark.django_db


@pytest.fixture
def yingkou(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    plan = import_yingkou()
    demo_users_create()
    cycle = cycle_open(plan=plan, year=2019)
    return plan, cycle


def _reporting_units(plan) -> set[str]:
    from tasks_app import access

    names: set[str] = set()
    for item in plan.items.filter(is_active=True):
        names |= set(Unit.objects.filter(id__in=access.reporting_unit_ids(item)).values_list("name", flat=True))
    return names


def test_it_sends_one_digest_per_reporting_unit_once(yingkou):
    plan, _ = yingkou
    first = run_json("send_reminders", "--as-of", "2020-01-16")
    departments = [m["department"] for m in first["messages"]]
    assert sorted(departments) == sorted(_reporting_units(plan))
    assert len(departments) == len(set(departments))
    assert first["sent"] == len(departments) == len(mail.outbox)
    assert all(m["kind"] == "before" and m["days"] == 30 and m["cycle_year"] == 2019 for m in first["messages"])
    # BRIEF §5's keys, plus the escalation level and the quiet-hours deferral (issue 13)
    assert set(first["messages"][0]) == {
        "department",
        "cycle_year",
        "period",
        "kind",
        "days",
        "items",
        "recipients",
        "level",
        "deferred_until",
    }
    assert all(m["level"] == 0 and m["deferred_until"] is None for m in first["messages"])
    again = run_json("send_reminders", "--as-of", "2020-01-16")
    assert again["sent"] == 0 and again["messages"] == [] and again["skipped"] == len(departments)
    assert run_json("send_reminders", "--as-of", "2020-01-17")["sent"] == 0
    assert len(mail.outbox) == len(departments)
    subject = mail.outbox[0].subject
    assert "报送提醒" in subject and "2019年度" in subject
    assert mail.outbox[0].alternatives and "http" in mail.outbox[0].body


def test_it_leaves_out_a_unit_that_submitted_everything(yingkou):
    plan, cycle = yingkou
    from tasks_app import access

    education = Unit.objects.get(name="市教育局", jurisdiction=plan.jurisdiction)
    for item in plan.items.filter(is_active=True):
        if education.id in access.reporting_unit_ids(item):
            Report.objects.create(item=item, unit=education, cycle=cycle, status=Report.Status.SUBMITTED)
    result = run_json("send_reminders", "--as-of", "2020-01-16")
    assert "市教育局" not in [m["department"] for m in result["messages"]]
    overdue = run_json("send_reminders", "--as-of", "2020-02-16")
    assert overdue["messages"] and all(m["kind"] == "overdue" for m in overdue["messages"])
    assert "市教育局" not in [m["department"] for m in overdue["messages"]]
    assert overdue["summaries"] and overdue["summaries"][0]["department"] is None


def test_it_never_sends_for_a_closed_cycle(yingkou):
    _, cycle = yingkou
    cycle.status = "closed"
    cycle.save()
    assert run_json("send_reminders", "--as-of", "2020-01-16")["messages"] == []
    assert not ReminderMessage.objects.exists()


def test_it_writes_nothing_on_a_dry_run(yingkou):
    result = run_json("send_reminders", "--as-of", "2020-01-16", "--dry-run")
    assert result["messages"] and result["sent"] == 0
    assert not ReminderMessage.objects.exists() and not mail.outbox


def test_it_reminds_cooperating_units_only_when_the_plan_says_so(yingkou):
    plan, _ = yingkou
    quiet = {m["department"] for m in run_json("send_reminders", "--as-of", "2020-01-16", "--dry-run")["messages"]}
    plan.remind_cooperating = True
    plan.save()
    loud = {m["department"] for m in run_json("send_reminders", "--as-of", "2020-01-16", "--dry-run")["messages"]}
    assert quiet < loud


def test_it_records_a_permanent_failure_and_retries_a_temporary_one(yingkou, monkeypatch):
    import smtplib

    from tasks_app.reminders import outbox

    calls = {"n": 0}

    def flaky_send(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise smtplib.SMTPResponseException(451, b"try later")
        if calls["n"] == 2:
            raise smtplib.SMTPResponseException(550, b"no such user")
        return 1

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", flaky_send)
    out = StringIO()
    with pytest.raises(CommandError, match=re.escape("有 2 条到期提醒未送达(待重试 1,发送失败 1")) as error:
        call_command("send_reminders", "--as-of", "2020-01-16", "--json", stdout=out)
    assert error.value.returncode == 1
    result = json.loads(out.getvalue())
    rows = ReminderMessage.objects.order_by("id")
    first, second = rows[0], rows[1]
    assert first.status == "pending" and first.attempts == 1 and "451" in first.last_error
    assert first.next_attempt_at > first.created_at
    assert second.status == "failed" and "550" in second.last_error
    assert result["sent"] == result["delivered"] == rows.count() - 2
    assert (result["pending"], result["failed"]) == (1, 1)
    ReminderMessage.objects.filter(pk=first.pk).update(next_attempt_at=first.created_at)
    assert outbox.outbox_deliver(message_id=first.pk) == "sent"
    assert outbox.outbox_deliver(message_id=first.pk) == "skipped"


@pytest.mark.django_db(transaction=True)
def test_it_retries_a_write_through_a_database_blink_and_gives_up_after_the_record_window(settings):
    from django.db import OperationalError

    from tasks_app.reminders.outbox import through_outages

    answers = [OperationalError("server closed the connection unexpectedly")] * 2 + ["recorded"]

    def write() -> str:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert through_outages(write, what="recording a test row") == "recorded" and not answers
    settings.REMINDER_RECORD_RETRY = 0.5

    def never() -> None:
        raise OperationalError("connection refused")

    started = time.monotonic()
    with pytest.raises(OperationalError, match="connection refused"):
        through_outages(never, what="recording a test row")
    assert 0.3 < time.monotonic() - started < 3
