"""The console's indicator monitoring: the plan's indicators against the five-year path, tasks on schedule,
and one indicator's path with the office's figures (corrected actuals, 年度目标, the province's figure)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tasks_app import access
from tasks_app.capabilities import Capability
from tasks_app.exporters.evaluation_content import REPORTS, SECTIONS, default_year, evaluation_build
from tasks_app.models import Plan, ReportingCycle, WorkItem
from tasks_app.permissions import requires
from tasks_app.rules.cycles import default_cycle
from tasks_app.rules.text import plain_number
from tasks_app.selectors import monitoring as reads
from tasks_app.selectors.console import plan_chapters
from tasks_app.selectors.indicators import plan_tolerance
from tasks_app.services.errors import ServiceError
from tasks_app.services.monitoring import (
    evaluation_text_save,
    indicator_actual_correct,
    indicator_province_target_set,
    indicator_target_set,
    monitoring_tolerance_set,
)
from tasks_app.web.charts import line_chart, status_segments


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def monitoring_year(plan: Plan, asked: int | None) -> int:
    """The year a monitoring page shows: the one asked for (clamped to the period), else the plan's default
    cycle (rules.cycles), else last year within the period."""
    if asked is not None:
        return min(max(asked, plan.period_start), plan.period_end)
    cycle = default_cycle(ReportingCycle.objects.filter(plan=plan))
    year = cycle.year if cycle else timezone.localdate().year - 1
    return min(max(year, plan.period_start), plan.period_end)


def _plan(request: HttpRequest, params: QueryDict | None = None) -> Plan | None:
    """The visible plan ``params`` (default: the query string) name, else the newest with indicators."""
    plans = access.visible_plans(request.user)
    asked = _int((params if params is not None else request.GET).get("plan"))
    if asked is not None:
        plan = plans.filter(pk=asked).first()
        if plan is None:
            raise Http404("规划不存在")
        return plan
    with_indicators = plans.filter(items__kind__in=WorkItem.INDICATOR_KINDS, items__is_active=True)
    return with_indicators.order_by("-pk").distinct().first()


@requires(Capability.VIEW_CONSOLE)
def monitoring(request: HttpRequest) -> HttpResponse:
    plan = _plan(request)
    context: dict = {"plans": access.visible_plans(request.user).order_by("-pk"), "plan": plan}
    if plan is not None:
        year = monitoring_year(plan, _int(request.GET.get("year")))
        chapters = plan_chapters(plan.pk)
        indicators = reads.plan_indicators(plan, year, chapters=chapters)
        context.update(
            year=year,
            years=list(range(plan.period_start, plan.period_end + 1)),
            indicators=reads.at_risk_first(indicators),
            segments=status_segments(reads.status_counts(indicators)),
            chapters=[(c.label, status_segments(c.counts)) for c in reads.chapter_statuses(indicators)],
            schedule=reads.task_schedule(plan, year, chapters=chapters),
            tolerance=round(plan_tolerance(plan) * 100, 2),
        )
    return render(request, "tasks_app/console/monitoring.html", context)


@requires(Capability.VIEW_CONSOLE)
def monitoring_indicator(request: HttpRequest, item_id: int) -> HttpResponse:
    item = access.console_item_or_404(request.user, item_id)
    if not item.is_indicator:
        raise Http404("该事项不是指标")
    year = monitoring_year(item.plan, _int(request.GET.get("year")))
    found = reads.plan_indicators(item.plan, year, item=item.pk)[0]
    context = {
        "item": item,
        "plan": item.plan,
        "year": year,
        "m": found,
        "chart": line_chart(found.track),
        "points": [(p, found.actual_text(p.year)) for p in found.track.points],
        "years": list(range(item.plan.period_start - 1, item.plan.period_end + 1)),
    }
    return render(request, "tasks_app/console/monitoring_indicator.html", context)


def _back_to(item: WorkItem, request: HttpRequest) -> HttpResponse:
    year = _int(request.POST.get("view_year"))
    url = reverse("console-monitoring-indicator", args=[item.pk])
    return redirect(f"{url}?year={year}" if year else url)


def _number(text: str | None) -> float | None:
    value = plain_number((text or "").strip())
    return float(value) if value is not None else None


@requires(Capability.VIEW_CONSOLE, write=Capability.REVIEW)
@require_POST
def monitoring_actual(request: HttpRequest, item_id: int) -> HttpResponse:
    item = access.console_item_or_404(request.user, item_id)
    year = _int(request.POST.get("year"))
    try:
        if year is None:
            raise ServiceError("请选择年度")
        indicator_actual_correct(
            user=request.user,
            item=item,
            year=year,
            value_text=request.POST.get("value_text", ""),
            reason=request.POST.get("reason", ""),
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已记录 {year} 年实际值")
    return _back_to(item, request)


@requires(Capability.VIEW_CONSOLE, write=Capability.EDIT_DIVISION)
@require_POST
def monitoring_target(request: HttpRequest, item_id: int) -> HttpResponse:
    item = access.console_item_or_404(request.user, item_id)
    year = _int(request.POST.get("year"))
    raw = request.POST.get("value", "").strip()
    value = _number(raw)
    try:
        if year is None or (raw and value is None):
            raise ServiceError("请填写年度和数值(留空即清除年度目标)")
        if request.POST.get("kind") == "province":
            indicator_province_target_set(user=request.user, item=item, value=value)
        else:
            indicator_target_set(user=request.user, item=item, year=year, value=value)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "目标已保存")
    return _back_to(item, request)


@requires(Capability.VIEW_CONSOLE, write=Capability.EDIT_DIVISION)
@require_POST
def monitoring_tolerance(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access.visible_plans(request.user).filter(pk=plan_id).first()
    if plan is None:
        raise Http404("规划不存在")
    percent = _number(request.POST.get("tolerance"))
    try:
        if percent is None:
            raise ServiceError("容差须为数字")
        monitoring_tolerance_set(user=request.user, plan=plan, percent=percent)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"基本符合预期容差已设为 ±{percent:g}%")
    return redirect(f"{reverse('console-monitoring')}?plan={plan.pk}")


# --- the Word reports' text ------------------------------------------------------------------------


@requires(Capability.VIEW_CONSOLE, write=Capability.EXPORT)
def evaluation_text(request: HttpRequest) -> HttpResponse:
    """The generated text of a Word report, section by section, for the office to edit before the export
    job builds the file (an empty or unchanged section keeps the generated text)."""
    plan = _plan(request, request.POST if request.method == "POST" else request.GET)
    if plan is None:
        raise Http404("规划不存在")
    report = request.GET.get("report") or request.POST.get("report") or "annual"
    if report not in REPORTS:
        raise Http404("报告类型无效")
    asked = _int(request.GET.get("year") or request.POST.get("year"))
    year = monitoring_year(plan, asked) if asked else default_year(plan, report)
    evaluation = evaluation_build(plan=plan, report=report, year=year)
    generated = evaluation.generated()
    if request.method == "POST":
        try:
            for key, _ in SECTIONS:
                text = request.POST.get(key, "").strip()
                lines = [line.strip() for line in text.splitlines() if line.strip()]
                same = lines == generated[key] or not lines  # unchanged or emptied: stays generated
                evaluation_text_save(
                    user=request.user, plan=plan, report=report, year=year, section=key, text="" if same else text
                )
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "报告文字已保存;生成 Word 文件时使用修改后的文字")
        return redirect(f"{reverse('console-evaluation-text')}?plan={plan.pk}&report={report}&year={year}")
    context = {
        "plan": plan,
        "plans": access.visible_plans(request.user).order_by("-pk"),
        "report": report,
        "reports": REPORTS,
        "year": year,
        "years": list(range(plan.period_start, plan.period_end + 1)),
        "sections": [
            (key, heading, "\n".join(paragraphs), key in evaluation.edited)
            for key, heading, paragraphs in evaluation.sections()
        ],
    }
    return render(request, "tasks_app/console/evaluation_text.html", context)
