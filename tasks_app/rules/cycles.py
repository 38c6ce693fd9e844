"""Reporting cycles: what state a cycle is in, and which cycle a read or a report is about when the user
names none."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from tasks_app.parsing.reporting import due_points
from tasks_app.rules.periods import Period, period_due, period_of

if TYPE_CHECKING:
    from tasks_app.models import Plan, ReportingCycle

DEFAULT_REPORTING = (2, 15)  # "2月中旬前" when a document states no rule of its own

# ReportingCycle.Status values (strings: this module is imported by the model itself).
OPEN = "open"
CLOSED = "closed"


class CycleState(StrEnum):
    """What a cycle is, as the office and the units see it. The value is the CSS/API key."""

    NOT_OPENED = "not_opened"
    OPEN = "open"
    PAST_DUE = "past_due"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS = {
    CycleState.NOT_OPENED: "未开启",
    CycleState.OPEN: "填报中",
    CycleState.PAST_DUE: "已截止",
    CycleState.CLOSED: "已关闭",
}


def cycle_state(*, status: str, opened_at: datetime | None, due_date: date, today: date | None = None) -> CycleState:
    """The one rule for a cycle's state.

    - 未开启: never opened. A cycle created closed because it was already past when its plan was imported
      (importing history never sends mail) was never opened either: it is 未开启, not 已关闭.
    - 填报中: open and the due date not passed (the due date itself still counts).
    - 已截止: still open (late reports are accepted, the overdue reminders run) but past its due date.
    - 已关闭: closed after it had been opened.
    """
    today = today or timezone.localdate()
    if status == OPEN:
        return CycleState.PAST_DUE if due_date < today else CycleState.OPEN
    if status == CLOSED and opened_at is not None:
        return CycleState.CLOSED
    return CycleState.NOT_OPENED


def state_of(cycle: ReportingCycle, today: date | None = None) -> CycleState:
    return cycle_state(status=cycle.status, opened_at=cycle.opened_at, due_date=cycle.due_date, today=today)


def past_due(due_date: date, today: date | None = None) -> bool:
    """Opening a cycle whose due date has passed: the office is told and offered to move the date."""
    return due_date < (today or timezone.localdate())


def open_cycles(cycles: QuerySet[ReportingCycle]) -> QuerySet[ReportingCycle]:
    """The open ones among ``cycles``, latest first: units report into the first one of their item's plan."""
    return cycles.filter(status=OPEN).order_by("-year", "-pk")


UNLOCK_MAX_DAYS = 60  # how far ahead the office may unlock a closed cycle for a unit (services.cycle_unlocks)


def active_unlock(today: date | None = None) -> Q:
    """An unlock (models.CycleUnlock) in force: not revoked, and ``until`` not passed (the day itself counts)."""
    return Q(revoked_at__isnull=True, until__gte=today or timezone.localdate())


def accepts_reports(cycle: ReportingCycle, unit_id: int, today: date | None = None) -> bool:
    """THE rule whether a unit may write (save, submit, attach files to) its report or contribution in a cycle:
    an open cycle accepts every reporting unit; a closed one (已关闭: it had been opened) accepts none, except
    the unit the office unlocked it for, until the unlock's date (services.cycle_unlocks); a cycle never opened
    accepts nobody. Whether the unit reports on the item at all is access's question, not this one."""
    if cycle.status == OPEN:
        return True
    if state_of(cycle, today) != CycleState.CLOSED:
        return False
    return cycle.unlocks.filter(active_unlock(today), unit_id=unit_id).exists()


def accepting_reports(unit_ids: Iterable[int], today: date | None = None) -> Q:
    """``accepts_reports`` as a filter on ReportingCycle rows, for any of ``unit_ids``."""
    from tasks_app.models import CycleUnlock  # this module is imported by the models

    unlocked = CycleUnlock.objects.filter(active_unlock(today), cycle=OuterRef("pk"), unit_id__in=sorted(unit_ids))
    return Q(status=OPEN) | (Q(status=CLOSED, opened_at__isnull=False) & Q(Exists(unlocked)))


def rows_accepting(today: date | None = None) -> Q:
    """``accepts_reports`` as a filter on rows carrying ``cycle`` and ``unit`` (reports, contributions): the rows
    their unit may still write in their cycle."""
    from tasks_app.models import CycleUnlock

    unlocked = CycleUnlock.objects.filter(active_unlock(today), cycle=OuterRef("cycle_id"), unit=OuterRef("unit_id"))
    return Q(cycle__status=OPEN) | (Q(cycle__status=CLOSED, cycle__opened_at__isnull=False) & Q(Exists(unlocked)))


def unit_cycle(
    cycles: QuerySet[ReportingCycle], unit_ids: Iterable[int], today: date | None = None
) -> ReportingCycle | None:
    """The cycle ``unit_ids``' units report into among one plan's ``cycles``: the open one (``open_cycles``);
    else the latest closed one the office unlocked for one of them."""
    found = open_cycles(cycles).first()
    unit_ids = set(unit_ids)
    if found is not None or not unit_ids:
        return found
    return cycles.filter(accepting_reports(unit_ids, today)).order_by("-year", "-pk").first()


def _latest_cycle(cycles: QuerySet[ReportingCycle]) -> ReportingCycle | None:
    """``default_cycle``'s last resort: the latest open one; else the latest one that holds reports; else the
    latest one. Latest = highest year, then the newest row."""
    newest = cycles.order_by("-year", "-pk")
    return open_cycles(cycles).first() or newest.exclude(reports=None).first() or newest.first()


def default_cycle(cycles: QuerySet[ReportingCycle], today: date | None = None) -> ReportingCycle | None:
    """The one rule for the cycle a read is about when the user names none, among ``cycles`` (one plan's, or
    every visible plan's): the cycle the office works on now. The open one due soonest (an open cycle past its
    due date first: it is the one being chased); else the next one due that is not open yet; else the latest
    open one, else the latest holding reports, else the latest. Two to four queries whatever the number of
    cycles. Used by the console choosers (selectors.defaults), exports without a year (web, API, command) and
    the monitoring pages."""
    today = today or timezone.localdate()
    current = cycles.filter(status=OPEN).order_by("due_date", "-year", "-pk").first()
    upcoming = cycles.exclude(status=OPEN).filter(due_date__gte=today, opened_at__isnull=True)
    return current or upcoming.order_by("due_date", "year", "pk").first() or _latest_cycle(cycles)


def yearly_due_date(plan: Plan, year: int) -> date:
    """BRIEF §4: the cycle on year Y is due in Y+1 for 上年度 rules or days in the first half-year."""
    month, day = (
        (plan.reporting_month, plan.reporting_day) if plan.reporting_month and plan.reporting_day else DEFAULT_REPORTING
    )
    due_year = year + 1 if plan.reporting_previous_year or month <= 6 else year
    while True:
        try:
            return date(due_year, month, day)
        except ValueError:
            day -= 1  # 31 in a 30-day month, 29 Feb in a common year


def period_due_for(plan: Plan, period: Period | str) -> date:
    """The due date of one of the plan's periods (the one place: import, opening, the console, the API)."""
    period = period_of(period) if isinstance(period, str) else period
    rule = plan.reporting_rule or {}
    return period_due(
        period,
        yearly_due=yearly_due_date(plan, period.year),
        rule_frequency=str(rule.get("frequency", "")),
        due_points=due_points(rule),
    )
