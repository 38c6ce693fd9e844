"""The yearly report form and the cooperating units' contribution form.

GET shows the form to a user whose unit reports (or cooperates) on the item while its plan has an open
cycle, and a read-only view to everyone else who can see the item. POST by a user who can only read is
a 403; an item outside the user's scope is a 404 before anything else is looked at.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from tasks_app import access
from tasks_app.capabilities import Capability
from tasks_app.models import Contribution, Report, ReportingCycle, WorkItem
from tasks_app.permissions import requires
from tasks_app.rules.cycles import accepts_reports
from tasks_app.selectors import cycle_unlocks as unlocks
from tasks_app.selectors import workspace
from tasks_app.selectors import workspace_todo as todo
from tasks_app.services.errors import ServiceError, StaleEditError
from tasks_app.services.reports import (
    EVIDENCE_TYPES,
    contribution_save,
    evidence_attach,
    report_get_or_start,
    report_save,
    report_submit,
    submitted_status,
    unit_cycle_for,
)
from tasks_app.services.signoff import report_head_approve, report_head_return
from tasks_app.web.forms import ContributionForm, ReportForm

ALLOWED_SUFFIXES = sorted({suffix for suffix in EVIDENCE_TYPES if suffix != "jpeg"})


def _chosen_unit(request: HttpRequest, allowed: list[int]) -> int | None:
    raw = request.GET.get("unit")
    if raw is None:
        return allowed[0] if allowed else None
    try:
        unit_id = int(raw)
    except ValueError as exc:
        raise Http404("单位不存在") from exc
    if unit_id not in allowed:
        raise Http404("单位不存在或不在您的权限范围内")
    return unit_id


def _unit_page(
    request: HttpRequest, item_id: int, units_of: Callable[[Any, WorkItem], list[int]], *, refusal: str
) -> tuple[WorkItem, ReportingCycle | None, list[int]]:
    # The report page and the contribution page open by one rule (this module's docstring): the item in scope
    # (404 before anything else), the cycle the user's units write into, the user's units in the page's role
    # (``units_of``); a POST by a user with none of them is a 403 saying ``refusal``.
    item = access.item_or_404(request.user, item_id)
    cycle = unit_cycle_for(item, request.user)
    mine = units_of(request.user, item)
    if request.method == "POST" and not mine:
        raise PermissionDenied(refusal)
    return item, cycle, mine


def _here(name: str, item: WorkItem, unit_id: int | None) -> str:
    url = reverse(name, args=[item.pk])
    return f"{url}?unit={unit_id}" if unit_id else url


def _report_context(
    request: HttpRequest, item: WorkItem, cycle: ReportingCycle | None, unit_id: int | None, writer: bool
) -> dict[str, Any]:
    reporting = access.reporting_unit_ids(item)
    units = workspace.units_by_id(reporting)
    report = workspace.report_for(request.user, item=item, unit_id=unit_id, cycle=cycle) if unit_id else None
    accepts = bool(cycle and unit_id is not None and accepts_reports(cycle, unit_id))
    editable = bool(writer and accepts and (report is None or access.can_edit_report(request.user, report)))
    contributions = workspace.cycle_contributions(item, cycle)
    submitted = {c.unit_id for c in contributions if c.status == Contribution.Status.SUBMITTED}
    cooperating = access.cooperating_unit_ids(item)
    cooperating_units = workspace.units_by_id(cooperating)
    return {
        "item": item,
        "cycle": cycle,
        "unit_id": unit_id,
        "unit": units.get(unit_id) if unit_id is not None else None,
        "unit_choices": [units[u] for u in (access.my_reporting_units(request.user, item) if writer else reporting)],
        "report": report,
        "editable": editable,
        "writer": writer,
        "unlock": unlocks.unit_unlock(cycle, unit_id) if writer else None,
        "history": workspace.report_history(report),
        "evidence": list(report.evidence.all()) if report else [],
        "contributions": contributions,
        "not_contributed": [cooperating_units[u] for u in cooperating if u not in submitted and u in cooperating_units],
        "allowed_suffixes": ALLOWED_SUFFIXES,
        "accept": ",".join(f".{s}" for s in ALLOWED_SUFFIXES),
        "max_mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024),
        "conflict": None,
        "error": "",
        "indicator_context": todo.indicator_context(item, cycle),
        # the unit head's sign-off (services.signoff): the head's buttons, and who returned a returned report
        "can_sign_off": bool(
            report
            and report.status == Report.Status.PENDING_HEAD
            and report.unit_id in access.head_unit_ids(request.user)
        ),
        "returned_by_head": todo.returned_by_head(report),
        # where 提交 sends the report (services.reports.submitted_status): the form's wording follows it
        "to_head": bool(
            editable
            and unit_id is not None
            and submitted_status(Report(unit_id=unit_id), user=request.user) == Report.Status.PENDING_HEAD
        ),
    }


def _conflict_message(exc: StaleEditError) -> str:
    # The service's first sentence says who saved when; the form shows their text, so no reload is needed.
    first = str(exc).split("。")[0]
    return f"{first}。您填写的内容仍保留在下方表单中;上方显示了对方保存的最新内容,请合并后再次保存。"


def _bound(request: HttpRequest, item: WorkItem, version: int) -> ReportForm:
    data = request.POST.copy()
    data["version"] = str(version)
    return ReportForm(data, indicator=item.is_indicator)


@login_required
@require_http_methods(["GET", "POST"])
def report_page(request: HttpRequest, item_id: int) -> HttpResponse:
    user = request.user
    item, cycle, mine = _unit_page(
        request, item_id, access.my_reporting_units, refusal="您对该事项只有查看权限,不能填报"
    )
    writer = bool(mine)
    unit_id = _chosen_unit(request, mine if writer else access.reporting_unit_ids(item))
    context = _report_context(request, item, cycle, unit_id, writer)
    report = context["report"]
    if request.method == "GET":
        if context["editable"]:
            context["form"] = ReportForm.initial_from(report or Report(), indicator=item.is_indicator)
        return render(request, "tasks_app/report.html", context)

    assert unit_id is not None  # a POST without reporting units of mine was refused above
    form = ReportForm(request.POST, indicator=item.is_indicator)
    if request.POST.get("action") == "autosave":
        return _autosave(request, item, cycle, unit_id, form)
    context["form"] = form
    if cycle is None:
        context["error"] = "该规划当前没有开放的报送周期,不能填报"
        return render(request, "tasks_app/report.html", context, status=400)
    if not form.is_valid():
        context["error"] = "表单填写有误,请检查后重试"
        return render(request, "tasks_app/report.html", context, status=400)
    try:
        report = report_get_or_start(user=user, item=item, unit_id=unit_id, cycle=cycle)
        report = report_save(report=report, user=user, data=form.draft(), expected_version=form.cleaned_data["version"])
    except StaleEditError as exc:
        # Keep the user's text; show what the other person saved; the next save is a deliberate merge.
        latest = workspace.report_for(request.user, item=item, unit_id=unit_id, cycle=cycle)
        context.update(
            form=_bound(request, item, latest.version if latest else 0), conflict=latest, error=_conflict_message(exc)
        )
        return render(request, "tasks_app/report.html", context, status=409)
    except ServiceError as exc:
        context["error"] = str(exc)
        return render(request, "tasks_app/report.html", context, status=400)

    refused = []
    for upload in request.FILES.getlist("evidence"):
        try:
            evidence_attach(report=report, user=user, upload=upload)
        except ServiceError as exc:
            refused.append(f"{upload.name}:{exc}")
    if refused:
        context.update(_report_context(request, item, cycle, unit_id, writer))
        context["form"] = _bound(request, item, report.version)
        context["error"] = "文字内容已保存为草稿,但以下文件未上传(报告未提交):" + ";".join(refused)
        return render(request, "tasks_app/report.html", context, status=400)

    if request.POST.get("action") == "submit":
        try:
            report = report_submit(report=report, user=user, expected_version=report.version)
        except ServiceError as exc:
            context.update(_report_context(request, item, cycle, unit_id, writer))
            context["form"] = _bound(request, item, report.version)
            context["error"] = f"已保存为草稿,但未能提交:{exc}"
            return render(request, "tasks_app/report.html", context, status=400)
        if report.status == Report.Status.PENDING_HEAD:
            messages.success(request, "报告已提交单位负责人审核;负责人签发后报送规划办。")
        else:
            messages.success(request, "报告已提交。提交后不可修改,如需修改请联系规划办退回。")
    else:
        messages.success(request, "草稿已保存。")
    return redirect(_here("report", item, unit_id))


def _autosave(
    request: HttpRequest, item: WorkItem, cycle: ReportingCycle | None, unit_id: int, form: ReportForm
) -> JsonResponse:
    """The page's periodic draft save (workspace.js): the same service and the same optimistic lock as 保存草稿;
    a stale version is refused (409) and the page says so instead of overwriting. Files are never autosaved."""
    if cycle is None:
        return JsonResponse({"error": "该规划当前没有开放的报送周期,不能填报"}, status=400)
    if not form.is_valid():
        return JsonResponse({"error": "表单填写有误,未自动保存"}, status=400)
    try:
        report = report_get_or_start(user=request.user, item=item, unit_id=unit_id, cycle=cycle)
        report = report_save(
            report=report, user=request.user, data=form.draft(), expected_version=form.cleaned_data["version"]
        )
    except StaleEditError as exc:
        first = str(exc).split("。")[0]  # who saved when
        message = (
            f"自动保存已停止:{first}。您的内容仍在本页,没有覆盖对方的修改;点击“保存草稿”将显示对方的内容供您合并。"
        )
        return JsonResponse({"error": message}, status=409)
    except ServiceError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    saved = timezone.localtime(report.updated_at)
    return JsonResponse({"version": report.version, "saved_at": f"{saved:%H:%M:%S}"})


@login_required
@require_http_methods(["GET", "POST"])
def contribution_page(request: HttpRequest, item_id: int) -> HttpResponse:
    user = request.user
    item, cycle, mine = _unit_page(
        request, item_id, access.my_cooperating_units, refusal="您对该事项只有查看权限,不能填写配合情况"
    )
    unit_id = _chosen_unit(request, mine)
    units = workspace.units_by_id(mine)
    current = None
    if unit_id and cycle:
        current = workspace.contribution_for(item=item, unit_id=unit_id, cycle=cycle)
    context: dict[str, Any] = {
        "item": item,
        "cycle": cycle,
        "unit_id": unit_id,
        "unit": units.get(unit_id) if unit_id is not None else None,
        "unit_choices": [units[u] for u in mine],
        "current": current,
        "contributions": workspace.cycle_contributions(item, cycle),
        "editable": bool(
            unit_id is not None
            and cycle
            and accepts_reports(cycle, unit_id)
            and not (current and current.status == Contribution.Status.SUBMITTED)
        ),
        "unlock": unlocks.unit_unlock(cycle, unit_id),
        "conflict": None,
        "error": "",
        "leads": todo.lead_units(item),
        "lead_reports": workspace.cycle_reports(user, item, cycle),
    }
    if request.method == "GET":
        if context["editable"]:
            initial = {"text": current.text if current else "", "version": current.version if current else 0}
            context["form"] = ContributionForm(initial=initial)
        return render(request, "tasks_app/contribution.html", context)

    assert unit_id is not None  # a POST without cooperating units of mine was refused above
    if not context["editable"] and cycle is not None:
        submitted = current is not None and current.status == Contribution.Status.SUBMITTED
        context["error"] = (
            "配合情况已提交,不能再修改;如需补充请联系牵头单位。" if submitted else "该报送周期已关闭,不能填报"
        )
        return render(request, "tasks_app/contribution.html", context, status=400)
    form = ContributionForm(request.POST)
    context["form"] = form
    if cycle is None:
        context["error"] = "该规划当前没有开放的报送周期,不能填报"
        return render(request, "tasks_app/contribution.html", context, status=400)
    if not form.is_valid():
        context["error"] = "请填写配合情况"
        return render(request, "tasks_app/contribution.html", context, status=400)
    submit = request.POST.get("action") == "submit"
    try:
        contribution_save(
            user=user,
            item=item,
            unit_id=unit_id,
            cycle=cycle,
            text=form.cleaned_data["text"],
            expected_version=form.cleaned_data["version"],
            submit=submit,
        )
    except StaleEditError as exc:
        latest = workspace.contribution_for(item=item, unit_id=unit_id, cycle=cycle)
        data = request.POST.copy()
        data["version"] = str(latest.version if latest else 0)
        context.update(form=ContributionForm(data), conflict=latest, error=_conflict_message(exc))
        return render(request, "tasks_app/contribution.html", context, status=409)
    except ServiceError as exc:
        context["error"] = str(exc)
        return render(request, "tasks_app/contribution.html", context, status=400)
    messages.success(request, "配合情况已提交。" if submit else "配合情况已保存。")
    return redirect(_here("contribution", item, unit_id))


def _expected_version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST["version"])
    except (KeyError, ValueError):
        return None


@requires(None, write=Capability.SIGN_OFF_REPORTS)
@require_POST
def report_sign_off(request: HttpRequest, report_id: int, decision: str) -> HttpResponse:
    """The unit head's 签发 (approve to the office) or 退回 (return to the staff with a reason), from the report
    page; a report of a unit the user does not head is a 404 (services.signoff)."""
    report = access.report_or_404(request.user, report_id)
    back = _here("report", report.item, report.unit_id)
    try:
        if decision == "approve":
            report_head_approve(report=report, user=request.user, expected_version=_expected_version(request))
            messages.success(request, "已签发:报告已报送规划办。")
        else:
            reason = request.POST.get("reason", "")
            report_head_return(
                report=report, user=request.user, reason=reason, expected_version=_expected_version(request)
            )
            messages.success(request, "已退回填报人,并通知本单位修改后重新提交。")
    except ServiceError as exc:
        messages.error(request, str(exc))
    return redirect(back)
