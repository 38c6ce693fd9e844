from __future__ import annotations

from datetime import date

import pytest

from tasks_app.reminders.calendar import BEFORE, OVERDUE, step_due, steps_for, validate_days

DEFAULT = {"days_before": [30, 14, 7, 3, 1], "days_after": [1, 7]}


def test_it_lists_the_default_steps_in_date_order():
    steps = steps_for(due_date=date(2020, 2, 15), **DEFAULT)
    assert [(s.kind, s.days, s.date.isoformat()) for s in steps] == [
        (BEFORE, 30, "2020-01-16"),
        (BEFORE, 14, "2020-02-01"),
        (BEFORE, 7, "2020-02-08"),
        (BEFORE, 3, "2020-02-12"),
        (BEFORE, 1, "2020-02-14"),
        (OVERDUE, 1, "2020-02-16"),
        (OVERDUE, 7, "2020-02-22"),
    ]


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2020-01-15", None),
        ("2020-01-16", (BEFORE, 30)),
        ("2020-01-17", (BEFORE, 30)),  # the same step: the outbox key stops a second send
        ("2020-02-10", (BEFORE, 7)),  # missed 14 and 7: only the latest due step
        ("2020-02-15", (BEFORE, 1)),
        ("2020-02-16", (OVERDUE, 1)),
        ("2020-03-30", (OVERDUE, 7)),
    ],
)
def test_it_picks_the_latest_step_that_has_come(as_of, expected):
    step = step_due(due_date=date(2020, 2, 15), as_of=date.fromisoformat(as_of), **DEFAULT)
    assert (step.kind, step.days) == expected if expected else step is None


def test_it_handles_29_february_and_year_ends():
    leap = steps_for(due_date=date(2024, 3, 1), days_before=[1], days_after=[])
    assert leap[0].date == date(2024, 2, 29)
    across = steps_for(due_date=date(2021, 1, 10), days_before=[14], days_after=[1])
    assert across[0].date == date(2020, 12, 27)
    new_year = steps_for(due_date=date(2020, 12, 31), days_before=[], days_after=[1])
    assert new_year[0].date == date(2021, 1, 1)


def test_it_uses_a_plans_own_due_day_and_steps():
    step = step_due(due_date=date(2021, 1, 10), as_of=date(2021, 1, 5), days_before=[5, 2], days_after=[3])
    assert (step.kind, step.days) == (BEFORE, 5)


def test_it_validates_step_settings():
    assert validate_days([7, 30, 7]) == [30, 7]
    with pytest.raises(ValueError):
        validate_days([0])
