"""The planning office's console (/console/): reporting cycles, the review queue, the dashboard.

Who gets what, consistently: anonymous → login redirect; unit staff → 404 on every console URL (the
console does not exist for them); leadership → every page read-only, without action buttons, and 403 on
any POST; admins and reviewers → everything. State changes go through tasks_app.services.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from tasks_app import access
from tasks_app.capabilities import Capability
from tasks_app.models import Report, ReportingCycle
from tasks_app.permissions import requires
from tasks_app.rules.text import date_from_text
from tasks_app.selectors import console as console_reads
from tasks_app.selectors import sources
from tasks_app.services.cycles import CycleError, cycle_close, cycle_open, cycle_set_due_date
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
    target = request.POST.get("next", "")
    return target if target.startswith("/console/") else fallback


# --- home and cycles -----------------------------------------------------------------------------


@requires(Capability.VIEW_CONSOLE)
@require_GET
def console_home(request: HttpRequest) -> HttpResponse:
    return redirect("console-cycles")


@requires(Capability.VIEW_CONSOLE)
@require_GET
def cycles(request: HttpRequest) -> HttpResponse:
    rows = console_reads.console_cycles(request.user)
    summaries = console_reads.open_cycle_summaries(rows)
    plans: dict[int, dict[str, Any]] = {}
    for cycle in rows:
        group = plans.setdefault(cycle.plan_id, {"plan": cycle.plan, "cycles": []})
        cycle.summary = summaries.get(cycle.pk)  # type: ignore[attr-defined]  # for the template only, not a field
        group["cycles"].append(cycle)
    context = {
        "plans": list(plans.values()),
        "open_count": len(summaries),
    }
    return render(request, "tasks_app/console/cycles.html", context)


@requires(Capability.VIEW_CONSOLE, write=Capability.MANAGE_CYCLES)
@require_POST
def cycle_open_view(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _cycle_or_404(request, cycle_id)
    try:
        cycle_open(plan=cycle.plan, year=cycle.year, user=request.user)
    except CycleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已开启{cycle.year}年度报送周期:{cycle.plan.title}")
    return redirect(_back(request, reverse("console-cycles")))


@requires(Capability.VIEW_CONSOLE, write=Capability.MANAGE_CYCLES)
@require_POST
def cycle_close_view(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _cycle_or_404(request, cycle_id)
    cycle_close(cycle=cycle, user=request.user)
    messages.success(request, f"已关闭{cycle.year}年度报送周期:{cycle.plan.title}")
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
            messages.success(request, f"{cycle.year}年度报送截止日期已改为 {due.year}年{due.month}月{due.day}日")
    return redirect(_back(request, reverse("console-cycles")))


# --- review queue --------------------------------------------------------------------------------


def _queue_filters(request: HttpRequest) -> console_reads.QueueFilters:
    status = request.GET.get("status", "submitted")
    allowed = {value for value, _ in QUEUE_STATUSES}
    return console_reads.QueueFilters(
        cycle=_int(request.GET.get("cycle")),
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
    page = Paginator(console_reads.review_queue(request.user, filters, chapters=chapters), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
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
        "rows": list(page.object_list),
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
    history_page = console_reads.item_history_page(item, request.GET.get("history"))
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


@requires(Capability.VIEW_CONSOLE)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    cycle_id = _int(request.GET.get("cycle"))
    cycle = _cycle_or_404(request, cycle_id) if cycle_id else console_reads.dashboard_default_cycle(request.user)
    board = console_reads.cycle_dashboard(cycle, sort=request.GET.get("sort")) if cycle else None
    sort = board.sort if board else console_reads.DEFAULT_SORT
    columns = []
    for key, label in SORT_COLUMNS:
        # clicking the current column flips it; a new column starts with the largest first (names A→Z)
        if sort.lstrip("-") == key:
            target = key if sort.startswith("-") else f"-{key}"
        else:
            target = key if key == "name" else f"-{key}"
        arrow = ("▼" if sort.startswith("-") else "▲") if sort.lstrip("-") == key else ""
        href = "?" + urlencode({"cycle": cycle.pk, "sort": target}) if cycle else "?"
        columns.append({"key": key, "label": label, "href": href, "arrow": arrow})
    context = {
        "cycle": cycle,
        "board": board,
        "cycles": console_reads.console_cycles(request.user),
        "columns": columns,
        "plans_without_cycles": not cycle and access.visible_plans(request.user).exists(),
    }
    return render(request, "tasks_app/console/dashboard.html", context)
