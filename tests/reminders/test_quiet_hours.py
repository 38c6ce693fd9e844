"""Quiet hours: the arithmetic (reminders/quiet.py), the settings that fail loudly, and the outbox deferring rows
written at night or on a weekend to the next working morning, then sending each once (clock patched, no sleep)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, time, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client

from tasks_app.models import OfficeRole, ReminderMessage
from tasks_app.reminders.outbox import outbox_deliver, outbox_requeue, outbox_sweep
from tasks_app.reminders.planner import reminders_plan, reminders_write
from tasks_app.reminders.quiet import QuietHours, next_allowed, parse_window
from tasks_app.services.accounts import demo_users_create
from tasks_app.services.cycles import cycle_open
from tests.conftest import ROOT
from tests.personas import import_yingkou
from tests.reminders.realparts import send_reminders

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULT = QuietHours(start=time(20), end=time(8), weekends=True)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("moment", "allowed"),
    [
        ("2020-01-15 10:00", "2020-01-15 10:00"),  # Wednesday morning: allowed as is
        ("2020-01-15 19:59:59", "2020-01-15 19:59:59"),  # the last second before the window
        ("2020-01-15 20:00", "2020-01-16 08:00"),  # the window starts: next morning
        ("2020-01-15 23:30", "2020-01-16 08:00"),
        ("2020-01-16 03:00", "2020-01-16 08:00"),  # after midnight: the same morning
        ("2020-01-16 08:00", "2020-01-16 08:00"),  # the window's end is allowed
        ("2020-01-17 21:00", "2020-01-20 08:00"),  # Friday evening → Monday 08:00
        ("2020-01-18 10:00", "2020-01-20 08:00"),  # Saturday
        ("2020-01-19 23:59", "2020-01-20 08:00"),  # Sunday night
        ("2020-01-20 07:59", "2020-01-20 08:00"),  # Monday before the morning
    ],
)
def test_it_defers_night_and_weekend_moments_to_the_next_working_morning(moment, allowed):
    assert next_allowed(at(moment), DEFAULT, SHANGHAI) == at(allowed)


def test_it_keeps_utc_moments_in_the_office_zone_without_dst():
    # 2020-01-17 13:00 UTC is Friday 21:00 in Shanghai (UTC+8 all year, no DST).
    moment = datetime(2020, 1, 17, 13, 0, tzinfo=ZoneInfo("UTC"))
    assert next_allowed(moment, DEFAULT, SHANGHAI) == at("2020-01-20 08:00")
    summer = datetime(2020, 7, 10, 13, 0, tzinfo=ZoneInfo("UTC"))  # Friday 21:00 in July: the same rule
    assert next_allowed(summer, DEFAULT, SHANGHAI) == at("2020-07-13 08:00")


def test_it_handles_a_daytime_window_weekdays_only_and_off():
    lunch = QuietHours(start=time(12), end=time(13, 30), weekends=False)
    assert next_allowed(at("2020-01-18 12:10"), lunch, SHANGHAI) == at("2020-01-18 13:30")  # Saturday is allowed
    assert next_allowed(at("2020-01-18 11:59"), lunch, SHANGHAI) == at("2020-01-18 11:59")
    weekends_only = QuietHours(weekends=True)
    assert next_allowed(at("2020-01-18 15:00"), weekends_only, SHANGHAI) == at("2020-01-20 00:00")
    assert next_allowed(at("2020-01-18 15:00"), QuietHours(), SHANGHAI) == at("2020-01-18 15:00")


@pytest.mark.parametrize("text", ["20:00", "20-08", "25:00-08:00", "08:00-08:00", "8pm-8am", "20:00-08:00-09:00"])
def test_it_refuses_bad_windows(text):
    with pytest.raises(ValueError):
        parse_window(text)
    assert parse_window("off") is None and parse_window("") is None
    assert parse_window("20:00-08:00") == (time(20), time(8))
    assert parse_window("10:00:00-10:00:30") == (time(10), time(10, 0, 30))


@pytest.mark.parametrize(
    ("name", "value"), [("REMINDER_QUIET_HOURS", "20:00-08"), ("REMINDER_QUIET_WEEKENDS", "sometimes")]
)
def test_it_fails_loudly_at_start_up_on_a_bad_setting(name, value):
    env = {"PATH": "/usr/bin:/bin", "SECRET_KEY": "x" * 50, "DJANGO_SETTINGS_MODULE": "planner.settings", name: value}
    proc = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0 and "ImproperlyConfigured" in proc.stderr and name in proc.stderr


# --- the outbox at night -------------------------------------------------------------------------------


@pytest.fixture
def yingkou(settings, db):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.REMINDER_QUIET_HOURS = (time(20), time(8))
    settings.REMINDER_QUIET_WEEKENDS = True
    plan = import_yingkou()
    demo_users_create()
    return plan, cycle_open(plan=plan, year=2019)


def clock(text: str):
    """Patch the clock the outbox and the service read (django.utils.timezone.now)."""
    return mock.patch("django.utils.timezone.now", return_value=at(text).astimezone(ZoneInfo("UTC")))


def test_it_delivers_nothing_in_quiet_hours_and_everything_once_the_next_working_morning(yingkou):
    with clock("2020-01-17 21:00"):  # Friday evening: the 30-day step is due (2020-01-16) and not yet sent
        night = send_reminders("--as-of", "2020-01-17")
    assert night["exit_status"] == 0, "deferred is not undelivered: cron must not alarm"
    assert len(mail.outbox) == 0 and night["delivered"] == 0 and night["sent"] == 0
    written = ReminderMessage.objects.filter(kind="before")
    assert night["deferred"] == written.count() == len(night["messages"]) > 0
    assert set(written.values_list("status", flat=True)) == {"pending"}
    assert set(written.values_list("not_before", flat=True)) == {at("2020-01-20 08:00")}
    assert {m["deferred_until"] for m in night["messages"]} == {"2020-01-20T08:00:00+08:00"}
    office = Client()
    office.force_login(OfficeRole.objects.select_related("user").first().user)
    assert "免打扰,顺延至 01-20 08:00" in office.get("/console/outbox/").content.decode()

    with clock("2020-01-18 10:00"):  # Saturday: a run (and a sweep) still sends nothing, drops nothing
        saturday = send_reminders("--as-of", "2020-01-18")
    assert len(mail.outbox) == 0 and saturday["deferred"] == written.count() and saturday["exit_status"] == 0
    with clock("2020-01-19 12:00"):  # Sunday: the sweeper and the console's retry respect the deferral too
        assert outbox_sweep(second_look=0) == []
        assert outbox_requeue(message_id=written.first().pk)
        assert send_reminders("--as-of", "2020-01-19")["delivered"] == 0 and len(mail.outbox) == 0
        retried = office.post(f"/console/outbox/{written.first().pk}/retry/", follow=True).content.decode()
        assert "免打扰时段" in retried and len(mail.outbox) == 0

    with clock("2020-01-20 08:00"):  # Monday 08:00: every deferred row goes out, once
        monday = send_reminders("--as-of", "2020-01-20")
    assert monday["delivered"] == written.count() == len(mail.outbox) and monday["deferred"] == 0
    assert set(written.values_list("status", flat=True)) == {"sent"}
    with clock("2020-01-20 09:00"):
        again = send_reminders("--as-of", "2020-01-20")
    assert again["delivered"] == 0 and len(mail.outbox) == written.count()


def test_it_defers_a_retry_that_falls_due_at_night(yingkou):
    with clock("2020-01-16 10:00"):
        rows = reminders_write(planned=reminders_plan(as_of=date(2020, 1, 16)), as_of=date(2020, 1, 16))
    row = rows[0]
    ReminderMessage.objects.filter(pk=row.pk).update(next_attempt_at=at("2020-01-16 20:30"))  # a backoff into the night
    with clock("2020-01-16 20:31"):
        assert outbox_deliver(message_id=row.pk) == "deferred"
    row.refresh_from_db()
    assert row.status == "pending" and row.not_before == at("2020-01-17 08:00") and len(mail.outbox) == 0
    with clock("2020-01-17 08:00") as now:
        now.return_value += timedelta(seconds=1)
        assert outbox_deliver(message_id=row.pk) == "sent"
    assert len(mail.outbox) == 1
