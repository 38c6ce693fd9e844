"""The assignment workflow's web faces (督办): unit staff on the item page (签收, 退回分工, 延期申请), the office on
/console/workflow/ (decide requests, who has not acknowledged) and on the console's item view (销号, 重新打开).
Thin: every step is a call into services/workflow.py; a refused step shows the service's message."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from tasks_app import access
from tasks_app.capabilities import Capability
from tasks_app.models import WorkflowRequest, WorkItem
from tasks_app.permissions import requires
from tasks_app.selectors import workflow as workflow_reads
from tasks_app.services import workflow
from tasks_app.services.division import allowed_units
from tasks_app.services.errors import ServiceError


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _item_page(item_id: int) -> str:
    return reverse("item", args=[item_id]) + "#workflow"


# --- unit staff: the item page ---------------------------------------------------------------------


@requires(None, write=Capability.FILE_REPORTS)
@require_POST
def item_acknowledge(request: HttpRequest, item_id: int) -> HttpResponse:
    try:
        row = workflow.assignment_acknowledge(user=request.user, item=item_id, unit=_int(request.POST.get("unit")))
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{row.unit.name} 已签收该事项")
    return redirect(_item_page(item_id))


@requires(None, write=Capability.FILE_REPORTS)
@require_POST
def acknowledge_all(request: HttpRequest) -> HttpResponse:
    """待办's 全部签收: every new item of the user's units (or of the unit posted) acknowledged at once."""
    try:
        count = workflow.assignments_acknowledge_all(user=request.user, unit=_int(request.POST.get("unit")))
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已签收 {count} 项分工" if count else "没有待签收的分工")
    return redirect("home")


@requires(None, write=Capability.FILE_REPORTS)
@require_POST
def item_bounce(request: HttpRequest, item_id: int) -> HttpResponse:
    try:
        workflow.assignment_bounce(
            user=request.user, item=item_id, reason=request.POST.get("reason", ""), unit=_int(request.POST.get("unit"))
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "退回分工申请已提交,等待规划办处理")
    return redirect(_item_page(item_id))


@requires(None, write=Capability.FILE_REPORTS)
@require_POST
def item_extension(request: HttpRequest, item_id: int) -> HttpResponse:
    try:
        workflow.extension_request(
            user=request.user,
            item=item_id,
            reason=request.POST.get("reason", ""),
            proposed_deadline=_date(request.POST.get("proposed_deadline")),
            unit=_int(request.POST.get("unit")),
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "延期申请已提交,等待规划办处理")
    return redirect(_item_page(item_id))


# --- the office: /console/workflow/ and the console's item view --------------------------------------


@requires(Capability.VIEW_CONSOLE)
@require_GET
def workflow_page(request: HttpRequest) -> HttpResponse:
    plan_id = _int(request.GET.get("plan"))
    plan = access.visible_plans(request.user).filter(pk=plan_id).first() if plan_id else None
    pending = list(workflow_reads.pending_requests(request.user, plan=plan)[:200])
    for row in pending:
        if row.kind == WorkflowRequest.Kind.BOUNCE:
            allowed = {unit.pk for unit in allowed_units(row.item.plan)}
            row.choices = workflow_reads.reassign_choices(request.user, row, allowed)  # type: ignore[attr-defined]
    context = {
        "console_section": "console",
        "plans": list(access.visible_plans(request.user).order_by("title").only("pk", "title")),
        "plan": plan,
        "pending": pending,
        "unacknowledged": workflow_reads.unacknowledged(request.user, plan=plan),
    }
    return render(request, "tasks_app/console/workflow.html", context)


def _back(request: HttpRequest, default: str) -> str:
    back = request.POST.get("next", "")
    return back if back.startswith("/console/") else default


@requires(Capability.VIEW_CONSOLE, write=Capability.DECIDE_WORKFLOW)
@require_POST
def workflow_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    found: WorkflowRequest = access.workflow_request_or_404(request.user, request_id)
    accept = request.POST.get("decision") == "accept"
    reply = request.POST.get("reply", "")
    try:
        if found.kind == WorkflowRequest.Kind.BOUNCE:
            workflow.bounce_decide(
                user=request.user,
                request=found,
                accept=accept,
                reply=reply,
                reassign_to=_int(request.POST.get("reassign_to")),
            )
        else:
            workflow.extension_decide(user=request.user, request=found, accept=accept, reply=reply)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        verdict = "已同意" if accept else "已答复不同意"
        messages.success(request, f"{verdict}:{found.unit.name} 的{found.get_kind_display()}")
    return redirect(_back(request, reverse("console-workflow")))


def _item_closing(request: HttpRequest, item_id: int, change: Callable[..., WorkItem], done: str) -> HttpResponse:
    # 销号 and 重新打开 are the two forms of one control on the console's item view: the office's item (404
    # outside its plans), the service with the form's note, its message, back to the item view. Written once so
    # the pair cannot drift apart; each view keeps its own declaration (tests/test_console_routes.py).
    item = access.console_item_or_404(request.user, item_id)
    try:
        change(user=request.user, item=item, note=request.POST.get("note", ""))
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("console-division-item", item_id=item.pk)


@requires(Capability.VIEW_CONSOLE, write=Capability.DECIDE_WORKFLOW)
@require_POST
def item_close_view(request: HttpRequest, item_id: int) -> HttpResponse:
    return _item_closing(request, item_id, workflow.item_close, "已销号:该事项不再要求报送,也不再提醒")


@requires(Capability.VIEW_CONSOLE, write=Capability.DECIDE_WORKFLOW)
@require_POST
def item_reopen_view(request: HttpRequest, item_id: int) -> HttpResponse:
    return _item_closing(request, item_id, workflow.item_reopen, "已重新打开该事项")
