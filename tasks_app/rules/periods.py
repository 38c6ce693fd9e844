"""Reporting periods of any cadence (BRIEF §4): labels, spans and due dates. Pure: no Django.

A plan reports yearly, half-yearly, quarterly or monthly; each period is one reporting cycle labelled
``2022``, ``2022H1``, ``2022Q3`` or ``2022-07`` (the labels ``parsing.reporting.period_labels`` gives).
``period_due`` is the one place a period's due date comes from: a yearly period keeps the plan's yearly day
(BRIEF §4: in Y+1 for 上年度 rules or days in the first half-year), a shorter one the document's due
point for it (``每季度最后一个月25日前`` → 25 Mar/Jun/Sep/Dec), else the 10th of the month after it ends
(季度/月度结束后10日内, what offices ask when the text names no day).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from tasks_app.parsing.reporting import period_due_date, period_labels
from tasks_app.parsing.types import HALF_YEARLY, MONTHLY, QUARTERLY, YEARLY, DuePoint

FREQUENCIES = (YEARLY, HALF_YEARLY, QUARTERLY, MONTHLY)
MONTHS = {YEARLY: 12, HALF_YEARLY: 6, QUARTERLY: 3, MONTHLY: 1}
_LABEL = re.compile(r"(?P<year>\d{4})(?:H(?P<h>[12])|Q(?P<q>[1-4])|-(?P<m>0[1-9]|1[0-2]))?")
_QUARTERS = "一二三四"
DEFAULT_DAY_AFTER = 10  # "结束后10日内" when the document sets no day for a short period


class PeriodError(ValueError):
    """A label that names no period (the message is shown as it is)."""


@dataclass(frozen=True)
class Period:
    label: str
    year: int
    frequency: str
    first_month: int

    @property
    def months(self) -> int:
        return MONTHS[self.frequency]

    @property
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        last_month = self.first_month + self.months - 1
        return date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def display(self) -> str:
        """What people call it: 2022年度, 2022年上半年, 2022年第三季度, 2022年7月."""
        if self.frequency == HALF_YEARLY:
            return f"{self.year}年{'上' if self.first_month == 1 else '下'}半年"
        if self.frequency == QUARTERLY:
            return f"{self.year}年第{_QUARTERS[(self.first_month - 1) // 3]}季度"
        if self.frequency == MONTHLY:
            return f"{self.year}年{self.first_month}月"
        return f"{self.year}年度"


def period_of(label: str) -> Period:
    """The period a label names; PeriodError for anything else ("2022Q5", "22Q1", "2022-13")."""
    match = _LABEL.fullmatch(label.strip()) if isinstance(label, str) else None
    if match is None:
        raise PeriodError(f"无法识别的报送期:{label}(应为 2022、2022H1、2022Q3 或 2022-07)")
    year = int(match.group("year"))
    if match.group("h"):
        return Period(match.group(0), year, HALF_YEARLY, 1 + 6 * (int(match.group("h")) - 1))
    if match.group("q"):
        return Period(match.group(0), year, QUARTERLY, 1 + 3 * (int(match.group("q")) - 1))
    if match.group("m"):
        return Period(match.group(0), year, MONTHLY, int(match.group("m")))
    return Period(match.group(0), year, YEARLY, 1)


def periods_of(frequency: str, years: range | list[int]) -> list[Period]:
    """Every period of the cadence in the given years, in order."""
    if frequency not in MONTHS:
        raise PeriodError(f"未知的报送频次:{frequency}")
    return [period_of(label) for year in years for label in period_labels(frequency, year)]


def period_due(period: Period, *, yearly_due: date, rule_frequency: str, due_points: list[DuePoint]) -> date:
    """When the report on ``period`` is due. ``yearly_due``: the plan's yearly cycle day for this year
    (rules.cycles.yearly_due_date); ``rule_frequency``/``due_points``: the parsed rule (Plan.reporting_rule),
    used when it was written for this cadence (a monthly rule's day is no quarter's day)."""
    if period.frequency == YEARLY:
        return yearly_due
    if rule_frequency == period.frequency and due_points:
        return period_due_date(period.label, due_points)
    return period_due_date(period.label, [DuePoint(period.months, DEFAULT_DAY_AFTER)])


def reminder_days_before(frequency: str, days: list[int]) -> list[int]:
    """The before-due steps that fit the cadence: a monthly period cannot use "30 days before" (the period
    has hardly begun). Steps at or beyond half the period's length are dropped; none left → [1]."""
    limit = {YEARLY: 366, HALF_YEARLY: 60, QUARTERLY: 30, MONTHLY: 10}.get(frequency, 366)
    kept = [d for d in days if 0 < d <= limit]
    return kept or [1]


# The before-due reminder steps a plan starts with, per cadence (editable per plan).
DAYS_BEFORE_BY_CADENCE = {
    YEARLY: [30, 14, 7, 3, 1],
    HALF_YEARLY: [30, 14, 7, 3, 1],
    QUARTERLY: [14, 7, 3, 1],
    MONTHLY: [7, 3, 1],
}
