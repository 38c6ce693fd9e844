"""What colour an item's traffic light is in an open reporting cycle (BRIEF §4, issue 13 part 4: 序时进度).

- red: the cycle's due date has passed and a reporting unit has no done report (已逾期未报送), or the item's
  deadline has passed and no done report says 已完成 (已过完成时限未完成);
- yellow: the due date is within the warning window and a reporting unit has no done report (临近截止未报送), or
  the latest done report says 滞后 (报送称滞后);
- green otherwise (已完成 / 按序时推进 / 未到报送截止).
- no light: the cycle is not open (or the item's plan has none), or the item is closed (销号).

The light is computed, never stored: a red item whose units then submit (and whose deadline has not passed
undone) is green on the next read. "Done" is ``Report.DONE_STATUSES``; "the latest report" is the reporting
units' done report submitted last in the cycle; "completed" is a done report saying 已完成 in this cycle or an
earlier one of the plan.

The rule in both forms, side by side so they cannot drift apart (tests/test_rules_agreement.py checks):
- ``item_light(...)`` on values already loaded (the item page, tests);
- ``light_annotations(...)`` as SQL for a queryset of items (lists, the API filter, counts, the workbook).
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import reduce
from typing import Any

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    DateField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from tasks_app.models import Assignment, Report
from tasks_app.rules.reporting import ITEM_CLOSED

GREEN, YELLOW, RED = "green", "yellow", "red"
COLOURS = (RED, YELLOW, GREEN)
COLOUR_LABELS = {GREEN: "绿灯", YELLOW: "黄灯", RED: "红灯"}

# reason code -> (colour, Chinese reason); the order is the rule's precedence
REASONS: dict[str, tuple[str, str]] = {
    "deadline": (RED, "已过完成时限未完成"),
    "overdue": (RED, "已逾期未报送"),
    "due_soon": (YELLOW, "临近截止未报送"),
    "behind": (YELLOW, "报送称滞后"),
    "completed": (GREEN, "已完成"),
    "on_track": (GREEN, "按序时推进"),
    "not_due": (GREEN, "未到报送截止"),
}


@dataclass(frozen=True)
class Light:
    colour: str  # green / yellow / red (the API value and the CSS key)
    reason: str  # the reason code (REASONS)

    @property
    def label(self) -> str:
        return COLOUR_LABELS[self.colour]

    @property
    def reason_label(self) -> str:
        return REASONS[self.reason][1]

    @property
    def text(self) -> str:
        """What a face writes beside the dot, and the workbook's 灯号 cell: ``红灯 · 已逾期未报送``."""
        return f"{self.label} · {self.reason_label}"


def light_of(reason: str | None) -> Light | None:
    """The Light of a reason code the SQL form annotated (``light_reason``); None stays None."""
    return Light(REASONS[reason][0], reason) if reason else None


def warning_days(plan_window: int | None) -> int:
    """The plan's warning window (Plan.light_warning_days), else settings.TRAFFIC_LIGHT_WARNING_DAYS."""
    return settings.TRAFFIC_LIGHT_WARNING_DAYS if plan_window is None else plan_window


def item_light(
    *,
    today: date,
    cycle_open: bool,
    due_date: date | None,
    deadline: date | None,
    statuses: Iterable[str | None],
    progress: str | None,
    completed: bool,
    closed: bool,
    window: int,
) -> Light | None:
    """The light of one item in one cycle.

    ``statuses``: one per reporting unit (rules.reporting), its report's status in the cycle, None without one;
    ``progress``: the latest done report's progress_status (``latest_progress``); ``completed``: a done report
    says 已完成 in this cycle or an earlier one; ``closed``: the office closed the item (销号); ``window``: days.
    """
    if not cycle_open or due_date is None or closed:
        return None
    missing = any(status not in Report.DONE_STATUSES for status in statuses)
    if deadline is not None and deadline < today and not completed:
        return Light(RED, "deadline")
    if missing and due_date < today:
        return Light(RED, "overdue")
    if missing and (due_date - today).days <= window:
        return Light(YELLOW, "due_soon")
    if progress == Report.Progress.BEHIND:
        return Light(YELLOW, "behind")
    if completed:
        return Light(GREEN, "completed")
    return Light(GREEN, "not_due" if missing else "on_track")


# "Completed": a done report saying 已完成 (in this cycle or an earlier one of the plan), in both forms.
COMPLETED_REPORTS = Q(status__in=Report.DONE_STATUSES, progress_status=Report.Progress.DONE)


def says_completed(report: Any) -> bool:
    """Python form of ``COMPLETED_REPORTS`` for a loaded report."""
    return report.status in Report.DONE_STATUSES and report.progress_status == Report.Progress.DONE


def latest_progress(reports: Sequence[Any]) -> str | None:
    """Python form of "the latest done report's progress_status": among one item's reports in one cycle, the
    done one submitted last (then the highest id)."""
    done = [r for r in reports if r.status in Report.DONE_STATUSES]
    if not done:
        return None
    last = max(done, key=lambda r: (r.submitted_at is not None, r.submitted_at or 0, r.pk))
    return last.progress_status or None


# --- SQL -----------------------------------------------------------------------------------------


class _DaysUntil(Func):
    """``due - today`` in whole days, on SQLite and PostgreSQL."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


@dataclass(frozen=True)
class CycleRef:
    """Where an item query finds the cycle its light is about: field names on the item rows (the open cycle
    joined per plan, e.g. selectors.workspace's ``open_cycle``) or one cycle's values as constants."""

    pk: str | int | None
    due_date: str | date | None
    year: str | int | None
    is_open: str | bool  # a boolean field name, or a constant

    @classmethod
    def of(cls, cycle: Any) -> CycleRef:
        from tasks_app.rules.cycles import OPEN

        return cls(cycle.pk, cycle.due_date, cycle.year, cycle.status == OPEN)


def _ref(value: Any, depth: int) -> Any:
    """A field name seen from ``depth`` subqueries down (OuterRef nested), or a constant as it is."""
    if not isinstance(value, str):
        return value
    ref: Any = value
    for _ in range(depth):
        ref = OuterRef(ref)
    return ref if depth else F(value)


def light_annotations(*, cycle: CycleRef, today: date, closed: Q | None = None) -> dict[str, Any]:
    """SQL form of ``item_light`` for a WorkItem queryset: ``.annotate(**light_annotations(...))`` adds
    ``light_reason`` (a REASONS code, NULL for no light); ``light_in(colour)`` filters on a colour and
    ``light_of(code)`` turns a row's code into its Light. ``closed``: a condition on the item row (销号)."""
    if cycle.pk is None or cycle.due_date is None or cycle.is_open is False:
        return {"light_reason": Value(None, output_field=CharField())}
    done = Report.objects.filter(status__in=Report.DONE_STATUSES)
    unit_done = done.filter(item=OuterRef("item"), unit=OuterRef("unit"), cycle_id=_ref(cycle.pk, 2))
    missing = Q(Exists(Assignment.objects.reporting(item=OuterRef("pk")).filter(~Exists(unit_done))))
    progress = Subquery(
        done.filter(item=OuterRef("pk"), cycle_id=_ref(cycle.pk, 1))
        .order_by(F("submitted_at").desc(nulls_last=True), "-pk")
        .values("progress_status")[:1],
        output_field=CharField(),
    )
    completed = Q(
        Exists(Report.objects.filter(COMPLETED_REPORTS, item=OuterRef("pk"), cycle__year__lte=_ref(cycle.year, 1)))
    )
    window = Coalesce(F("plan__light_warning_days"), Value(settings.TRAFFIC_LIGHT_WARNING_DAYS))
    due = _ref(cycle.due_date, 0) if isinstance(cycle.due_date, str) else Value(cycle.due_date, DateField())
    absent: list[Q] = []  # conditions on the row under which it has no light
    if isinstance(cycle.pk, str):
        absent.append(Q(**{f"{cycle.pk}__isnull": True}))
    if isinstance(cycle.is_open, str):
        absent.append(~Q(**{cycle.is_open: True}))
    # a closed (销号) item has no light: the one closure rule (rules.reporting) unless the caller names another
    absent.append(ITEM_CLOSED if closed is None else closed)
    no_light = [When(reduce(operator.or_, absent), then=Value(None))] if absent else []
    # Each subquery appears once per branch, so a row evaluates ``missing`` and ``progress`` once (a flat list of
    # WHENs would run the EXISTS once per WHEN that names it: three times for a green row).
    behind = Q(_light_progress=Report.Progress.BEHIND)

    def after_reports(otherwise: str) -> Case:
        return Case(
            When(behind, then=Value("behind")),
            When(completed, then=Value("completed")),
            default=Value(otherwise),
            output_field=CharField(),
        )

    reason = Case(
        *no_light,
        When(Q(deadline__lt=today) & ~completed, then=Value("deadline")),
        When(
            missing,
            then=Case(
                When(_light_due__lt=today, then=Value("overdue")),
                When(_light_days__lte=window, then=Value("due_soon")),
                default=after_reports("not_due"),
                output_field=CharField(),
            ),
        ),
        default=after_reports("on_track"),
        output_field=CharField(),
    )
    return {
        "_light_due": due,
        "_light_days": _DaysUntil(due, Value(today, DateField())),
        "_light_progress": progress,
        "light_reason": reason,
    }


def light_in(colour: str) -> Q:
    """Rows of an annotated queryset (``light_annotations``) whose light has ``colour``."""
    return Q(light_reason__in=[code for code, (c, _) in REASONS.items() if c == colour])
