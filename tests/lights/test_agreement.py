"""The traffic light's two forms agree (tasks_app.rules.lights): the Python form on loaded rows (the item
page's read, and the API's task pages) and the SQL form (a fixed cycle, and the open cycle joined per plan as
我的任务 reads it), item by item over a spread of report states, deadlines, days and warning windows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tasks_app import access
from tasks_app.models import Assignment, Report, ReportingCycle, WorkItem
from tasks_app.rules.cycles import CLOSED
from tasks_app.rules.lights import COLOURS, REASONS, light_in, light_of
from tasks_app.selectors import api as api_reads
from tasks_app.selectors import lights
from tasks_app.selectors.workspace import workspace_items

pytestmark = pytest.mark.django_db

S, A, D, R = Report.Status.SUBMITTED, Report.Status.APPROVED, Report.Status.DRAFT, Report.Status.RETURNED
ON, BEHIND, DONE = Report.Progress.ON_TRACK, Report.Progress.BEHIND, Report.Progress.DONE
PAST = date(2020, 6, 30)  # an item deadline already passed on every day below

# one scenario per item: statuses of its reporting units (None = no report), progress per report, deadline,
# a done report saying 已完成 in the earlier cycle
SCENARIOS = [
    ([None], [None], None, False),
    ([D], [ON], None, False),
    ([R], [BEHIND], None, False),
    ([S], [ON], None, False),
    ([A], [BEHIND], None, False),
    ([S], [DONE], None, False),
    ([None], [None], PAST, False),
    ([S], [ON], PAST, False),
    ([S], [DONE], PAST, False),
    ([None], [None], PAST, True),
    ([S, None], [ON, None], None, False),
    ([S, A], [BEHIND, ON], None, False),  # the later submission (on track) is the latest
    ([A, S], [ON, BEHIND], None, False),  # the later submission says 滞后
    ([D, S], [DONE, ON], PAST, False),  # a draft saying 已完成 does not count
]
FUTURE = date(2025, 12, 31)
DAYS = [date(2021, 1, 1), date(2021, 2, 8), date(2021, 2, 10), date(2021, 2, 15), date(2021, 2, 16)]


def _build(p) -> list[WorkItem]:
    singles, pairs = [], []
    items = WorkItem.objects.filter(plan=p.plan, is_active=True).prefetch_related("assignments").order_by("order")
    for item in items:
        reporting = access.reporting_unit_ids(item)
        (pairs if len(reporting) >= 2 else singles if len(reporting) == 1 else []).append((item, reporting))
    earlier = ReportingCycle.objects.get(plan=p.plan, year=p.cycle.year - 1)  # created closed by the import
    built = []
    stamp = datetime(2021, 1, 5, tzinfo=UTC)
    for statuses, progress, deadline, done_before in SCENARIOS:
        item, units = (pairs if len(statuses) == 2 else singles).pop(0)
        # Yingkou's 13th plan ends in 2020: every default deadline has passed by the 2020 cycle's due date
        WorkItem.objects.filter(pk=item.pk).update(deadline=deadline or FUTURE)
        for unit_id, status, step in zip(units, statuses, progress, strict=False):
            if status is None:
                continue
            stamp += timedelta(hours=1)
            Report.objects.create(
                item=item,
                unit_id=unit_id,
                cycle=p.cycle,
                status=status,
                progress_status=step,
                submitted_at=stamp if status in (S, A, R) else None,
            )
        if done_before:
            Report.objects.create(
                item=item, unit_id=units[0], cycle=earlier, status=A, progress_status=DONE, submitted_at=stamp
            )
        built.append(item)
    return built


def _python(item: WorkItem, cycle: ReportingCycle, today: date):
    item = WorkItem.objects.select_related("plan").get(pk=item.pk)
    reports = list(Report.objects.filter(item=item, cycle=cycle))
    reporting = set(access.reporting_unit_ids(item))
    return lights.item_page_light(item, cycle=cycle, reports=reports, reporting=reporting, today=today)


@pytest.mark.parametrize("window", [None, 0, 60])
def test_it_gives_the_same_light_in_python_and_in_sql(personas, window):
    p = personas
    p.plan.light_warning_days = window
    p.plan.save(update_fields=["light_warning_days"])
    built = _build(p)
    ids = [item.pk for item in built]
    seen = set()
    for today in DAYS:
        fixed = dict(
            lights.with_cycle_lights(WorkItem.objects.filter(pk__in=ids), p.cycle, today=today).values_list(
                "pk", "light_reason"
            )
        )
        joined = dict(
            workspace_items(p.admin, scope=None, today=today).filter(pk__in=ids).values_list("pk", "light_reason")
        )
        # the API's page: the Python form over the rows it loaded (selectors.api.items_lit)
        page = api_reads.items_lit(list(api_reads.api_items(p.admin).filter(pk__in=ids)), today=today)
        paged = {row.pk: row.light_reason for row in page}
        for item in built:
            expected = _python(item, p.cycle, today)
            assert light_of(fixed[item.pk]) == expected, (today, item.pk, SCENARIOS[built.index(item)])
            assert light_of(joined[item.pk]) == expected, (today, item.pk)
            assert light_of(paged[item.pk]) == expected, (today, item.pk)
            seen.add(expected.reason if expected else None)
        for colour in COLOURS:  # the filter picks exactly the rows of that colour
            rows = lights.with_cycle_lights(WorkItem.objects.filter(pk__in=ids), p.cycle, today=today)
            assert set(rows.filter(light_in(colour)).values_list("pk", flat=True)) == {
                pk for pk, reason in fixed.items() if light_of(reason).colour == colour
            }
    # the spread reaches every reason (a 60-day window has every day below inside it)
    assert seen == set(REASONS) - ({"not_due"} if window == 60 else set()), seen


def test_it_gives_no_light_in_a_cycle_that_is_not_open(personas):
    p = personas
    _build(p)
    p.cycle.status = CLOSED
    p.cycle.save(update_fields=["status"])
    rows = lights.with_cycle_lights(WorkItem.objects.filter(plan=p.plan), p.cycle, today=DAYS[-1])
    assert set(rows.values_list("light_reason", flat=True)) == {None}
    assert set(workspace_items(p.admin, scope=None, today=DAYS[-1]).values_list("light_reason", flat=True)) == {None}
    assert _python(WorkItem.objects.filter(plan=p.plan).first(), p.cycle, DAYS[-1]) is None
    assert Assignment.objects.exists()
