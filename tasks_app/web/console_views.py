"""The planning office's console (/console/): reporting cycles, the review queue, the dashboard.

Who gets what, consistently: anonymous → login redirect; unit staff → 404 on every console URL (the
console does not exist for them); leadership → every page read-only, without action buttons, and 403 on
any POST; admins and reviewers → everything. State changes go through tasks_app.services.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tasks_app import access
from tasks_app.capabilities import Capability
from tasks_app.models import Plan, Report, ReportingCycle
from tasks_app.permissions import requires
from tasks_app.rules.cycles import CycleState, past_due
from tasks_app.rules.text import date_from_text
from tasks_app.selectors import console as console_reads
from tasks_app.selectors import cycle_unlocks as unlocks
from tasks_app.selectors import lights as light_reads
from tasks_app.selectors import review_diff, sources
from tasks_app.selectors.defaults import default_cycle_for
from tasks_app.selectors.paging import office_paginator
from tasks_app.selectors.plan_board import PlanFilters, plan_board
from tasks_app.selectors.scoring import cycle_scores
from tasks_app.services.cycles import (
    CycleError,
    cycle_close,
    cycle_due_date_range,
    cycle_open,
    cycle_set_due_date,
    plan_cadence_set,
    plan_light_window_set,
)
from tasks_app.services.reports import ReportError, StaleEditError
from tasks_app.services.review import report_approve, report_return, reports_bulk_approve

QUEUE_PAGE_SIZE = 50
QUEUE_STATUSES = [
    ("submitted", "待审核"),
    ("returned", "已退回"),
    ("approved", "已通过"),
    ("draft", "草稿"),
    ("", "全部"),
]


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _cycle_or_404(request: HttpRequest, cycle_id: int) -> ReportingCycle:
    cycle = console_reads.console_cycle(request.user, cycle_id)
    if cycle is None:
        raise Http404("报送周期不存在")
    return cycle


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next", "")
    return target if target.startswith("/console/") else fallback


# --- home and cycles -----------------------------------------------------------------------------


@requires(Capability.VIEW_CONSOLE)
@require_GET
def console_home(request: HttpRequest) -> HttpResponse:
    return redirect("console-cycles")


PLANS_PER_PAGE = 20
PAST_DUE_GRACE = timedelta(days=14)  # the new due date the console offers for a cycle opened late


def _plan_filters(request: HttpRequest) -> PlanFilters:
    kind = request.GET.get("kind", "")
    state = request.GET.get("state", "")
    return PlanFilters(
        jurisdiction=_int(request.GET.get("jurisdiction")),
        kind=kind if kind in Plan.Kind.values else "",
        state=state if state in CycleState.__members__.values() else "",
        q=request.GET.get("q", "").strip()[:100],
    )


@requires(Capability.VIEW_CONSOLE)
@require_GET
def cycles(request: HttpRequest) -> HttpResponse:
    filters = _plan_filters(request)
    board = plan_board(request.user, filters)
    page = Paginator(board.cards, PLANS_PER_PAGE).get_page(request.GET.get("page"))
    unlocks.with_unlock_choices([cycle for card in page.object_list for cycle in card.cycles])
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "board": board,
        "filters": filters,
        "page_obj": page,
        "plans": list(page.object_list),
        "open_count": board.open_count,
        "query": query.urlencode(),
        "here": request.get_full_path(),
        "today": timezone.localdate(),
        "frequencies": Plan.ReportingFrequency.choices,
        "light_default": settings.TRAFFIC_LIGHT_WARNING_DAYS,
    }
    return render(request, "tasks_app/console/cycles.html", context)


@requires(Capability.VIEW_CONSOLE, write=Capability.MANAGE_CYCLES)
@require_POST
def plan_light_window_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    """黄灯提前天数: the plan's traffic-light warning window (empty: the installation's default)."""
    plan = access.visible_plans(request.user).filter(pk=plan_id).first()
    if plan is None:
        raise Http404("规划不存在")
    raw = request.POST.get("days", "").strip()
    try:
        days = int(raw) if raw else None
        plan_light_window_set(plan=plan, days=days, user=request.user)
    except ValueError:
        messages.error(request, "黄灯提前天数应为整数")
    except CycleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"黄灯提前天数已设为{days if days is not None else '默认'}:{plan.title}")
    return redirect(_back(request, reverse("console-cycles")))


@requires(Capability.VIEW_CONSOLE, write=Capability.MANAGE_CYCLES)
@require_POST
def plan_cadence_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    """报送频次: the office sets how often the plan's units report; the new cadence's periods are created."""
    plan = access.visible_plans(request.user).filter(pk=plan_id).first()
    if plan is None:
        raise Http404("规划不存在")
    try:
        created = plan_cadence_set(plan=plan, frequency=request.POST.get("frequency", ""), user=request.user)
    except CycleError as exc:
        messages.error(request, str(exc))
    else:
        label = plan.get_reporting_frequency_display()
        messages.success(request, f"报送频次已设为{label},新建 {created} 个报送期:{plan.title}")
    return redirect(_back(request, reverse("console-cycles")))


def _offered_due_date(cycle: ReportingCycle) -> date | None:
    """For a cycle opened after its due date: a date two weeks ahead, if the cycle may be moved that far."""
    first, last = cycle_due_date_range(cycle)
    offered = max(timezone.localdate() + PAST_DUE_GRACE, first)
    return min(offered, last) if last >= timezone.localdate() else None


@requires(Capability.VIEW_CONSOLE, write=Capability.MANAGE_CYCLES)
@require_http_methods(["GET", "POST"])
def cycle_open_view(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """开启. A cycle already past its due date is not opened blindly: the office is told, offered a new due
    date (moved and opened in one service call, both audited) or may keep the old one knowingly."""
    cycle = _cycle_or_404(request, cycle_id)
    late = past_due(cycle.due_date) and cycle.status != ReportingCycle.Status.OPEN
    due = None
    if request.method == "POST" and request.POST.get("move_due"):
        due = date_from_text(request.POST.get("due_date", ""))
        if due is None:
            messages.error(request, "请填写有效的截止日期(年-月-日)")
            return redirect("console-cycle-open", cycle_id=cycle.pk)
    elif request.method == "GET" or (late and not request.POST.get("keep_due")):
        context = {"cycle": cycle, "late": late, "offered": _offered_due_date(cycle), "next": _back(request, "")}
        return render(request, "tasks_app/console/cycle_open.html", context)
    try:
        opened = cycle_open(plan=cycle.plan, period=cycle.period, user=request.user, due_date=due)
    except CycleError as exc:
        messages.error(request, str(exc))
        return redirect("console-cycle-open", cycle_id=cycle.pk) if due else redirect(reverse("console-cycles"))
    moved = f",截止日期改为 {opened.due_date:%Y-%m-%d}" if due else ""
    messages.success(request, f"已开启{cycle.label}报送周期{moved}:{cycle.plan.title}")
    return redirect(_back(request, reverse("console-cycles")))


@requires(Capability.VIEW_CONSOLE, write=Capability.MANAGE_CYCLES)
@require_POST
def cycle_close_view(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _cycle_or_404(request, cycle_id)
    cycle_close(cycle=cycle, user=request.user)
    messages.success(request, f"已关闭{cycle.label}报送周期:{cycle.plan.title}")
    return redirect(_back(request, reverse("console-cycles")))


@requires(Capability.VIEW_CONSOLE, write=Capability.MANAGE_CYCLES)
@require_POST
def cycle_due_view(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _cycle_or_404(request, cycle_id)
    due = date_from_text(request.POST.get("due_date", ""))
    if due is None:
        messages.error(request, "请填写有效的截止日期(年-月-日)")
    else:
        try:
            cycle_set_due_date(cycle=cycle, due_date=due, user=request.user)
        except CycleError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{cycle.label}报送截止日期已改为 {due.year}年{due.month}月{due.day}日")
    return redirect(_back(request, reverse("console-cycles")))


# --- review queue --------------------------------------------------------------------------------


def _queue_filters(request: HttpRequest) -> console_reads.QueueFilters:
    status = request.GET.get("status", "submitted")
    allowed = {value for value, _ in QUEUE_STATUSES}
    if "cycle" in request.GET:  # chosen, possibly 全部周期 (empty)
        cycle = _int(request.GET.get("cycle"))
    else:  # the queue opens on the cycle the office works on (selectors.defaults)
        default = default_cycle_for(request.user)
        cycle = default.pk if default else None
    return console_reads.QueueFilters(
        cycle=cycle,
        unit=_int(request.GET.get("unit")),
        section=_int(request.GET.get("section")),
        status=status if status in allowed else "submitted",
    )


@requires(Capability.VIEW_CONSOLE)
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    filters = _queue_filters(request)
    cycle = _cycle_or_404(request, filters.cycle) if filters.cycle else None
    chapters = console_reads.plan_chapters(cycle.plan_id) if cycle else None
    queue = review_diff.with_resubmission_flag(console_reads.review_queue(request.user, filters, chapters=chapters))
    page = office_paginator(request.user, queue, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    changes = review_diff.resubmissions(rows)  # two queries for the page
    for row in rows:
        row.resubmission = changes.get(row.pk)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filters": filters,
        "cycle": cycle,
        "cycles": console_reads.console_cycles(request.user),
        "units": console_reads.queue_units(request.user, filters.cycle),
        "chapters": chapters.choices() if chapters else [],
        "statuses": QUEUE_STATUSES,
        "page_obj": page,
        "rows": rows,
        "query": query.urlencode(),
        "here": request.get_full_path(),
    }
    return render(request, "tasks_app/console/queue.html", context)


@requires(Capability.VIEW_CONSOLE, write=Capability.REVIEW)
@require_POST
def review_bulk_approve(request: HttpRequest) -> HttpResponse:
    ids = [pk for pk in (_int(v) for v in request.POST.getlist("report")) if pk]
    cycle_id = _int(request.POST.get("cycle"))
    cycle = _cycle_or_404(request, cycle_id) if cycle_id else None
    if not ids:
        messages.error(request, "请先勾选要通过的报告")
    else:
        result = reports_bulk_approve(user=request.user, report_ids=ids, cycle=cycle)
        messages.success(request, f"已通过 {len(result.approved)} 份报告")
        if result.skipped:
            messages.warning(request, f"{len(result.skipped)} 份报告不是待审核状态或不在所选周期内,未处理")
    return redirect(_back(request, reverse("console-review")))


# --- one report ----------------------------------------------------------------------------------


def _report_or_404(request: HttpRequest, report_id: int) -> Report:
    report = console_reads.review_report(request.user, report_id)
    if report is None:
        raise Http404("报告不存在")
    return report


def _review_context(request: HttpRequest, report: Report, **extra: Any) -> dict[str, Any]:
    item = report.item
    source = item.plan.source
    history_page = console_reads.item_history_page(item, request.GET.get("history"), user=request.user)
    context = {
        "report": report,
        "item": item,
        "cycle": report.cycle,
        "evidence": list(report.evidence.all()),
        "contributions": console_reads.report_contributions(report),
        "source": source,
        "source_lines": sources.source_excerpt(source, item.line_start, item.line_end),
        "history_page": history_page,
        "history": list(history_page.object_list),
        "reviewable": report.status == Report.Status.SUBMITTED,
        "resubmission": review_diff.resubmissions([report]).get(report.pk),
        "error": "",
        "reason": "",
    }
    context.update(extra)
    return context


@requires(Capability.VIEW_CONSOLE)
@require_GET
def review_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report_or_404(request, report_id)
    return render(request, "tasks_app/console/review.html", _review_context(request, report))


def _refused(request: HttpRequest, report: Report, exc: Exception, *, reason: str = "") -> HttpResponse:
    code = 409 if isinstance(exc, StaleEditError) else 400
    fresh = _report_or_404(request, report.pk)
    context = _review_context(request, fresh, error=str(exc), reason=reason)
    return render(request, "tasks_app/console/review.html", context, status=code)


@requires(Capability.VIEW_CONSOLE, write=Capability.REVIEW)
@require_POST
def review_approve(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report_or_404(request, report_id)
    try:
        report_approve(report=report, user=request.user, expected_version=_int(request.POST.get("version")))
    except ReportError as exc:
        return _refused(request, report, exc)
    messages.success(request, f"已通过:{report.unit.name} · {report.item.title[:30]}")
    return redirect(_back(request, reverse("console-review-detail", args=[report.pk])))


@requires(Capability.VIEW_CONSOLE, write=Capability.REVIEW)
@require_POST
def review_return(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report_or_404(request, report_id)
    reason = request.POST.get("reason", "")
    try:
        report_return(
            report=report, user=request.user, reason=reason, expected_version=_int(request.POST.get("version"))
        )
    except ReportError as exc:
        return _refused(request, report, exc, reason=reason)
    messages.success(request, f"已退回:{report.unit.name} · {report.item.title[:30]}(单位将看到退回理由)")
    return redirect(_back(request, reverse("console-review-detail", args=[report.pk])))


# --- dashboard -----------------------------------------------------------------------------------

SORT_COLUMNS = [
    ("name", "单位"),
    ("expected", "应报"),
    ("on_time", "按时"),
    ("late", "逾期"),
    ("missing", "未交"),
    ("approved", "通过"),
    ("returned", "退回"),
    ("rate", "完成率"),
]
DASHBOARD_ROWS = (
    50  # unit and indicator rows shown before "显示全部" (?all=1): rendering 300 rows cost more than counting
)


def _first_rows(rows: list, show_all: bool) -> tuple[list, int]:
    """The rows the page renders, and how many it leaves out."""
    shown = rows if show_all else rows[:DASHBOARD_ROWS]
    return shown, len(rows) - len(shown)


@requires(Capability.VIEW_CONSOLE)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    cycle_id = _int(request.GET.get("cycle"))
    cycle = _cycle_or_404(request, cycle_id) if cycle_id else default_cycle_for(request.user)
    board = console_reads.cycle_dashboard(cycle, sort=request.GET.get("sort")) if cycle else None
    sort = board.sort if board else console_reads.DEFAULT_SORT
    show_all = request.GET.get("all") == "1"
    columns = []
    for key, label in SORT_COLUMNS:
        # clicking the current column flips it; a new column starts with the largest first (names A→Z)
        if sort.lstrip("-") == key:
            target = key if sort.startswith("-") else f"-{key}"
        else:
            target = key if key == "name" else f"-{key}"
        arrow = ("▼" if sort.startswith("-") else "▲") if sort.lstrip("-") == key else ""
        href = (
            "?" + urlencode({"cycle": cycle.pk, "sort": target, **({"all": 1} if show_all else {})}) if cycle else "?"
        )
        columns.append({"key": key, "label": label, "href": href, "arrow": arrow})
    units, units_hidden = _first_rows(board.units if board else [], show_all)
    indicators, indicators_hidden = _first_rows(board.indicators if board else [], show_all)
    context = {
        "cycle": cycle,
        "board": board,
        "lights": light_reads.dashboard_lights(cycle, today=timezone.localdate()) if cycle else None,
        "units": units,
        "units_hidden": units_hidden,
        "indicators": indicators,
        "indicators_hidden": indicators_hidden,
        "all_href": "?" + urlencode({"cycle": cycle.pk, "sort": sort, "all": 1}) if cycle else "",
        "cycles": console_reads.console_cycles(request.user),
        "columns": columns,
        "plans_without_cycles": not cycle and access.visible_plans(request.user).exists(),
        # the 考核 ranking from the tallies the board already holds (one more query: the returns)
        "scores": cycle_scores(cycle, tallies={row.unit_id: row for row in board.units}) if board and cycle else None,
    }
    return render(request, "tasks_app/console/dashboard.html", context)
