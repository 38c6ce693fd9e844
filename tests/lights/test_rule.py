"""The traffic-light rule's table of cases (tasks_app.rules.lights.item_light), the catch-up included."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

import pytest

from tasks_app.rules.lights import GREEN, RED, YELLOW, Light, item_light, light_of

DUE = date(2021, 2, 15)
FAR, NEAR, DUE_DAY, LATE = date(2021, 1, 1), date(2021, 2, 10), DUE, date(2021, 2, 16)


def light(today: date, **changes) -> Light | None:
    values = dict(
        today=today,
        cycle_open=True,
        due_date=DUE,
        deadline=date(2025, 12, 31),
        statuses=[None],
        progress=None,
        completed=False,
        closed=False,
        window=7,
    )
    values.update(changes)
    return item_light(**values)


CASES = [
    # (today, changes, colour, reason)
    (FAR, {}, GREEN, "not_due"),
    (NEAR, {}, YELLOW, "due_soon"),
    (DUE_DAY, {}, YELLOW, "due_soon"),  # the due date itself still counts
    (LATE, {}, RED, "overdue"),
    (LATE, {"statuses": ["draft"]}, RED, "overdue"),
    (LATE, {"statuses": ["returned"]}, RED, "overdue"),
    (LATE, {"statuses": ["submitted", None]}, RED, "overdue"),  # one of two leads is missing
    (LATE, {"statuses": ["submitted"], "progress": "on_track"}, GREEN, "on_track"),
    (LATE, {"statuses": ["approved"], "progress": "on_track"}, GREEN, "on_track"),
    (NEAR, {"statuses": ["submitted"], "progress": "behind"}, YELLOW, "behind"),
    (FAR, {"statuses": ["submitted"], "progress": "done", "completed": True}, GREEN, "completed"),
    (FAR, {"deadline": date(2020, 12, 31)}, RED, "deadline"),  # the item's deadline passed undone
    (FAR, {"deadline": date(2020, 12, 31), "statuses": ["submitted"], "progress": "on_track"}, RED, "deadline"),
    (FAR, {"deadline": date(2020, 12, 31), "completed": True}, GREEN, "completed"),  # done in an earlier cycle
    (FAR, {"window": 60}, YELLOW, "due_soon"),  # the plan's own window
    (NEAR, {"window": 0}, GREEN, "not_due"),
    (DUE_DAY, {"window": 0}, YELLOW, "due_soon"),
    (FAR, {"statuses": []}, GREEN, "on_track"),  # nobody reports: nobody is missing
]


@pytest.mark.parametrize(("today", "changes", "colour", "reason"), CASES)
def test_it_gives_each_case_its_light(today, changes, colour, reason):
    assert light(today, **changes) == Light(colour, reason)


def test_it_turns_a_red_item_green_when_its_units_catch_up():
    assert light(LATE, statuses=["draft", None]) == Light(RED, "overdue")
    assert light(LATE, statuses=["submitted", "approved"], progress="on_track") == Light(GREEN, "on_track")
    # behind schedule after catching up: yellow, not red
    assert light(LATE, statuses=["submitted", "submitted"], progress="behind") == Light(YELLOW, "behind")


def test_it_turns_a_missed_deadline_green_once_a_report_says_done():
    missed = {"deadline": date(2020, 12, 31), "statuses": ["submitted"]}
    assert light(FAR, **missed, progress="on_track").colour == RED
    assert light(FAR, **missed, progress="done", completed=True) == Light(GREEN, "completed")


@pytest.mark.parametrize("changes", [{"cycle_open": False}, {"closed": True}, {"due_date": None}])
def test_it_gives_no_light_outside_an_open_cycle_or_to_a_closed_item(changes):
    assert light(LATE, **changes) is None


def test_it_labels_each_light_in_chinese():
    assert light(LATE).text == "红灯 · 已逾期未报送"
    assert light(NEAR).text == "黄灯 · 临近截止未报送"
    assert light_of("behind").text == "黄灯 · 报送称滞后"
    assert light_of("on_track").text == "绿灯 · 按序时推进"
    assert light_of(None) is None


@pytest.mark.parametrize(("raw", "fails"), [("soon", True), ("-1", True), ("0", False), ("14", False)])
def test_it_reads_the_warning_window_setting_loudly(raw, fails):
    env = {**os.environ, "DEBUG": "true", "TRAFFIC_LIGHT_WARNING_DAYS": raw}
    code = "import planner.settings as s; print(s.TRAFFIC_LIGHT_WARNING_DAYS)"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    if fails:
        assert done.returncode != 0
        assert "TRAFFIC_LIGHT_WARNING_DAYS" in done.stderr
    else:
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == raw
