"""待办 at the top of 我的任务, the action a report state calls for, and the context of the report forms.

``workspace_todo`` is the one selector of what a unit must act on now: reports the office or the unit head returned
(with the reason), reports waiting for the user's sign-off as the unit's head (待签发), items assigned to the unit and
not acknowledged yet (待签收, selectors.workflow.not_acknowledged), and open cycles due soon with items still to
submit. A constant number of queries (four, one more for many returns, up to two more for a head) whatever the unit
holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, OuterRef, Q, Subquery, Window

from tasks_app import access
from tasks_app.models import (
    Assignment,
    Contribution,
    IndicatorActual,
    Report,
    ReportingCycle,
    ReportVersion,
    WorkItem,
)
from tasks_app.rules.cycles import rows_accepting
from tasks_app.selectors.workflow import not_acknowledged
from tasks_app.selectors.workspace import CLOSED, NO_CYCLE, workspace_items

DUE_SOON_DAYS = 14  # an open cycle due within this many days is listed with its items still to submit
RETURNED_SHOWN = 5  # returned reports listed by name; the rest are counted and reached through the status filter
SIGN_OFF_SHOWN = 10  # reports waiting for the head listed by name; the rest are reached through the status filter
ACKNOWLEDGE_SHOWN = 5  # items waiting for 签收 listed by name (each item page has the 签收 button); the rest counted


# --- the action of a report state ------------------------------------------------------------------

ACTION_FILL = "填写"
ACTION_REVISE = "修改退回的报告"
ACTION_VIEW = "查看"
ACTION_SIGN_OFF = "审核签发"


def report_action(state: str | None, *, signs_off: bool = False) -> str:
    """What the item's report button does for the user's unit: 填写 (nothing yet, or a draft), 修改退回的报告
    (returned), 审核签发 (waiting for the head, when ``signs_off``: the user heads the unit), 查看 (waiting for the
    head, submitted or approved: read-only). Used by the 我的任务 rows and the item page."""
    if state == Report.Status.RETURNED:
        return ACTION_REVISE
    if state == Report.Status.PENDING_HEAD and signs_off:
        return ACTION_SIGN_OFF
    if state in Report.DONE_STATUSES or state == Report.Status.PENDING_HEAD:
        return ACTION_VIEW
    return ACTION_FILL


def contribution_action(state: str | None) -> str:
    """The same for a cooperating unit's 配合情况: 查看 once submitted (it is locked), else 填写."""
    return ACTION_VIEW if state == Contribution.Status.SUBMITTED else ACTION_FILL


CONTRIBUTION_STATE_LABELS = {
    None: "未填写配合情况",
    "": "未填写配合情况",
    Contribution.Status.DRAFT: "配合情况草稿",
    Contribution.Status.SUBMITTED: "配合情况已提交",
}


# --- 待办 -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueSoon:
    cycle_id: int
    plan_id: int
    plan_title: str
    due_date: date
    days_left: int
    pending: int  # items the user's units report on and have not submitted


@dataclass
class Todo:
    returned: list[Report] = field(default_factory=list)  # ``last_action`` head_return: the unit head returned it
    returned_total: int = 0
    due_soon: list[DueSoon] = field(default_factory=list)
    sign_off: list[Report] = field(default_factory=list)  # 待签发: staff's reports waiting for this head
    sign_off_total: int = 0
    to_acknowledge: list[Assignment] = field(default_factory=list)  # 待签收: the unit's new items, not acknowledged
    to_acknowledge_total: int = 0

    @property
    def empty(self) -> bool:
        return not (self.returned_total or self.due_soon or self.sign_off_total or self.to_acknowledge_total)

    @property
    def to_acknowledge_more(self) -> int:
        return self.to_acknowledge_total - len(self.to_acknowledge)

    @property
    def sign_off_more(self) -> int:
        return self.sign_off_total - len(self.sign_off)

    @property
    def returned_more(self) -> int:
        return self.returned_total - len(self.returned)


def workspace_todo(user: access.AnyUser, *, today: date, units: frozenset[int] | None = None) -> Todo:
    """What the user's units (or ``units``, a subset of them) must act on now. The office has no 待办 here."""
    mine = access.unit_ids(user) if units is None else units & access.unit_ids(user)
    if access.sees_everything(user) or not mine:
        return Todo()
    returned = (
        access.visible_reports(user)
        .filter(rows_accepting(today), unit_id__in=mine, status=Report.Status.RETURNED)
        .select_related("item", "unit", "cycle")
        .only(
            "pk",
            "review_reason",
            "reviewed_at",
            "unit_id",
            "unit__name",
            "item_id",
            "item__title",
            "item__number",
            "cycle_id",
            "cycle__year",
            "cycle__due_date",
        )
        .annotate(last_action=_last_action())
        .order_by("-reviewed_at", "-pk")
    )
    rows: list[Report] = list(returned[: RETURNED_SHOWN + 1])
    total = len(rows) if len(rows) <= RETURNED_SHOWN else returned.count()
    soon = (
        workspace_items(user, scope=mine, today=today)
        .filter(i_report=True, open_cycle_due__gte=today, open_cycle_due__lte=today + timedelta(days=DUE_SOON_DAYS))
        .exclude(Q(report_state__in=(*Report.DONE_STATUSES, Report.Status.PENDING_HEAD, NO_CYCLE, CLOSED)))
        .order_by()
        .values("open_cycle_id", "open_cycle_due", "plan_id", "plan__title")
        .annotate(n=Count("pk"))
        .order_by("open_cycle_due", "plan_id")
    )
    due = [
        DueSoon(
            cycle_id=row["open_cycle_id"],
            plan_id=row["plan_id"],
            plan_title=row["plan__title"],
            due_date=row["open_cycle_due"],
            days_left=(row["open_cycle_due"] - today).days,
            pending=row["n"],
        )
        for row in soon
    ]
    signing, signing_total = head_sign_off(user, units=mine)
    waiting = (
        not_acknowledged()
        .filter(unit_id__in=mine)
        .select_related("item", "item__plan", "unit")
        .annotate(waiting_total=Window(Count("pk")))  # the total rides on each row: one query however many
        .order_by("item__plan_id", "item__order", "pk")
    )
    new_rows: list[Assignment] = list(waiting[:ACKNOWLEDGE_SHOWN])
    new_total = new_rows[0].waiting_total if new_rows else 0  # type: ignore[attr-defined]
    return Todo(
        returned=rows[:RETURNED_SHOWN],
        returned_total=total,
        due_soon=due,
        sign_off=signing,
        sign_off_total=signing_total,
        to_acknowledge=new_rows,
        to_acknowledge_total=new_total,
    )


def _last_action() -> Subquery:
    """The action of the report's latest version (``head_return``: the unit head sent it back, not the office)."""
    return Subquery(ReportVersion.objects.filter(report=OuterRef("pk")).order_by("-number", "-id").values("action")[:1])


def returned_by_head(report: Report | None) -> bool:
    """Whether a returned report was sent back by its unit head (not the office): the notice the staff read."""
    if report is None or report.pk is None or report.status != Report.Status.RETURNED:
        return False
    last = Report.objects.filter(pk=report.pk).annotate(last_action=_last_action()).values_list("last_action")
    return last.first() == (ReportVersion.Action.HEAD_RETURN,)


def head_sign_off(user: access.AnyUser, *, units: frozenset[int] | None = None) -> tuple[list[Report], int]:
    """待签发: the reports of the units the user heads that wait for the head's sign-off (oldest submission first)
    and how many there are: no query for a user who heads no unit, two at most."""
    heads = access.head_unit_ids(user) if units is None else access.head_unit_ids(user) & units
    if not heads:
        return [], 0
    waiting = (
        access.visible_reports(user)
        .filter(unit_id__in=heads, status=Report.Status.PENDING_HEAD)
        .select_related("item", "unit", "cycle", "updated_by")
        .order_by("submitted_at", "pk")
    )
    rows = list(waiting[: SIGN_OFF_SHOWN + 1])
    total = len(rows) if len(rows) <= SIGN_OFF_SHOWN else waiting.count()
    return rows[:SIGN_OFF_SHOWN], total


# --- context of the report and contribution forms ----------------------------------------------------


@dataclass(frozen=True)
class IndicatorContext:
    """What a unit needs beside 实际值: the target, the unit of measure, and the last actual before this cycle."""

    target_text: str
    target_year: int | None
    unit_of_measure: str
    cumulative: bool
    previous_text: str
    previous_year: int | None


def indicator_context(item: WorkItem, cycle: ReportingCycle | None) -> IndicatorContext | None:
    if not item.is_indicator:
        return None
    detail = getattr(item, "indicator", None)
    actuals = IndicatorActual.objects.filter(item=item)
    if cycle is not None:
        actuals = actuals.filter(year__lt=cycle.year)
    previous = actuals.order_by("-year").values_list("value_text", "year").first()
    return IndicatorContext(
        target_text=getattr(detail, "target_text", "") or "",
        target_year=getattr(detail, "target_year", None),
        unit_of_measure=getattr(detail, "unit_of_measure", "") or "",
        cumulative=bool(getattr(detail, "cumulative", False)),
        previous_text=previous[0] if previous else "",
        previous_year=previous[1] if previous else None,
    )


def lead_units(item: WorkItem) -> list[str]:
    """Names of the item's reporting units (its lead, else its responsible units), as the contribution form shows."""
    return list(
        Assignment.objects.reporting(item=item, closed=True)
        .select_related("unit")
        .order_by("order")
        .values_list("unit__name", flat=True)
    )
