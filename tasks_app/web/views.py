"""Web views (zh-hans): 我的任务, plan overview, item page and evidence downloads.

Small function views; every scope decision is made by tasks_app.access. Status codes, consistently:
anonymous → redirect to the login page; another unit's object → 404 (never 403, so ids leak nothing);
a visible object the user may only read (leadership, office, a unit in another role) → 403 on POST.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from tasks_app import access
from tasks_app.models import Assignment
from tasks_app.rules.lights import COLOUR_LABELS
from tasks_app.rules.reporting import reporting_role
from tasks_app.rules.units import unit_display
from tasks_app.selectors import console as console_reads
from tasks_app.selectors import lights, monitoring, sources, workspace
from tasks_app.selectors import workflow as workflow_reads
from tasks_app.selectors import workspace_todo as todo
from tasks_app.services.reports import ReportError, evidence_remove, unit_cycle_for
from tasks_app.web.forms import WorkspaceFilterForm
from tasks_app.web.monitoring_views import monitoring_year

PAGE_SIZES = (20, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50


def _page_size(request: HttpRequest) -> int:
    try:
        size = int(request.GET.get("page_size", DEFAULT_PAGE_SIZE))
    except ValueError:
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


def _decorate(rows: list, scope: frozenset[int] | None, heads: frozenset[int] = frozenset()) -> None:
    """Per-row labels from prefetched assignments (no extra queries); ``heads``: the units the user heads."""
    signs_off = bool(scope and heads & scope)  # a head's 待负责人审核 rows offer 审核签发 (the page decides exactly)
    for row in rows:
        assignments = list(row.assignments.all())
        roles = {a.role for a in assignments if scope and a.unit_id in scope}
        row.my_roles = [label for role, label in workspace.ROLE_LABELS.items() if role in roles]
        role = reporting_role(assignments)
        reporting = [a for a in assignments if a.role == role and a.handed_over_on is None]
        row.reporting_role = workspace.ROLE_LABELS[role]
        row.reporting_names = [
            unit_display(a.unit.name, written=a.raw_name, succeeded=a.succeeds_id is not None) for a in reporting
        ]
        row.reporting_more = any(a.and_others for a in reporting)
        row.state_label = workspace.REPORT_STATE_LABELS.get(row.report_state, "未开启填报")
        row.cooperates_only = bool(getattr(row, "is_cooperating", False) and not getattr(row, "i_report", False))
        row.action = None
        row.light = lights.row_light(row)
        if row.report_state != workspace.NO_CYCLE:
            if row.cooperates_only:
                contribution = getattr(row, "my_contribution_state", None)
                row.state_label = todo.CONTRIBUTION_STATE_LABELS.get(contribution, row.state_label)
                row.contribution_state = contribution or "none"
                row.action = (todo.contribution_action(contribution), "contribution")
            elif getattr(row, "i_report", False):
                row.action = (todo.report_action(row.report_state, signs_off=signs_off), "report")


def _options(labels: dict, counts: dict) -> list[tuple[str, str, int]]:
    """(value, label, count) of a facet, with 0 where nothing matches (never an empty "()")."""
    return [(str(key), label, counts.get(key, 0)) for key, label in labels.items()]


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """我的任务: the items of the user's units (or everything for the office), filtered, counted, paginated."""
    form = WorkspaceFilterForm(request.GET)
    filters = form.filters()
    scope = workspace.workspace_scope_units(request.user, filters)
    if scope is None:  # the office without a unit filter: "my role" means nothing, so it is not applied
        filters = filters.without("role")
    today = timezone.localdate()
    items = workspace.workspace_items(request.user, scope=scope, today=today)
    page = Paginator(workspace.workspace_page_rows(workspace.workspace_filter(items, filters)), _page_size(request))
    page_obj = page.get_page(request.GET.get("page"))
    rows = list(page_obj.object_list)
    _decorate(rows, scope, access.head_unit_ids(request.user))
    query = request.GET.copy()
    query.pop("page", None)
    counts = workspace.workspace_counts(request.user, filters=filters, scope=scope, today=today)
    context = {
        "form": form,
        "filters": filters,
        "counts": counts,
        "state_options": _options(workspace.REPORT_STATE_LABELS, counts["states"]),
        "role_options": _options(workspace.ROLE_LABELS, counts["roles"]),
        "todo": todo.workspace_todo(request.user, today=today),
        "filtering": any(
            (filters.plan, filters.role, filters.status, filters.overdue, filters.q, filters.unit, filters.light)
        ),
        "light_options": list(COLOUR_LABELS.items()),
        "page_obj": page_obj,
        "rows": rows,
        "query": query.urlencode(),
        "role_labels": workspace.ROLE_LABELS,
        "state_labels": workspace.REPORT_STATE_LABELS,
        "office": access.sees_everything(request.user),
        "page_sizes": PAGE_SIZES,
        "page_size": page.per_page,
    }
    return render(request, "tasks_app/workspace.html", context)


@login_required
@require_GET
def plans(request: HttpRequest) -> HttpResponse:
    return render(request, "tasks_app/home.html", {"plans": workspace.plan_overview(request.user)})


@login_required
@require_GET
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    user = request.user
    item = access.item_or_404(user, item_id)
    cycle = unit_cycle_for(item, user)
    assignments = workspace.item_assignments(item)
    labels = {
        a.pk: unit_display(a.unit.name, written=a.raw_name, succeeded=a.succeeds_id is not None) for a in assignments
    }
    for a in assignments:
        a.label = labels[a.pk]  # type: ignore[attr-defined]  # shown by the template
    current = [a for a in assignments if a.handed_over_on is None]
    by_role = {role: [a for a in current if a.role == role] for role in Assignment.Role.values}
    source = sources.source_header(item.plan.source_id)
    reporting = set(access.reporting_unit_ids(item))
    reports = workspace.cycle_reports(request.user, item, cycle)
    contributions = workspace.cycle_contributions(item, cycle)
    mine = access.unit_ids(user)
    my_report = next((r for r in reports if r.unit_id in mine and r.unit_id in reporting), None)
    my_contribution = next((c for c in contributions if c.unit_id in mine), None)
    light = lights.item_page_light(item, cycle=cycle, reports=reports, reporting=reporting, today=timezone.localdate())
    context = {
        "item": item,
        "plan": item.plan,
        "source": source,
        "source_lines": sources.source_excerpt(source, item.line_start, item.line_end),
        "milestones": list(item.milestones.all()),
        "indicator": workspace.item_indicator(item),
        "by_role": [(Assignment.Role(role).label, rows) for role, rows in by_role.items() if rows],
        "handed_over": [a for a in assignments if a.handed_over_on is not None],
        "reporting_names": [labels[a.pk] for a in current if a.unit_id in reporting],
        "cycle": cycle,
        "reports": reports,
        "contributions": contributions,
        "can_report": bool(cycle and access.my_reporting_units(user, item)),
        "can_contribute": bool(cycle and access.my_cooperating_units(user, item)),
        "report_action": todo.report_action(
            my_report.status if my_report else None,
            signs_off=bool(my_report and my_report.unit_id in access.head_unit_ids(user)),
        ),
        "contribution_action": todo.contribution_action(my_contribution.status if my_contribution else None),
        "my_report": my_report,
        "light": light,
    }
    if item.is_indicator:  # against the five-year path, as the console's 指标监测 judges it (issue 14)
        year = cycle.year if cycle else monitoring_year(item.plan, None)
        found = next(iter(monitoring.plan_indicators(item.plan, year, item=item.pk)), None)
        context.update(indicator_track=found.track if found else None, track_year=year)
    history = console_reads.item_history_page(item, request.GET.get("history"), user=request.user)
    context.update(history=list(history.object_list), history_page=history)
    requests = workflow_reads.item_requests(item)
    context.update(
        requests=requests,
        staff_flow=workflow_reads.staff_workflow(user, item, requests),
        workflow_history=workflow_reads.item_workflow_history(item),
    )
    return render(request, "tasks_app/item.html", context)


@login_required
@require_GET
def evidence_download(request: HttpRequest, evidence_id: int) -> FileResponse:
    """Evidence is served only through this scoped view, as an attachment (never from MEDIA_URL)."""
    evidence = access.evidence_or_404(request.user, evidence_id)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("文件已丢失,请联系规划办") from exc
    return FileResponse(handle, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type)


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("Accept", "").startswith("application/json")


@login_required
@require_POST
def evidence_delete(request: HttpRequest, evidence_id: int) -> HttpResponse:
    """Remove a file. workspace.js asks for JSON and removes the line in place, so typed text stays on the page;
    without JavaScript the form posts and the page reloads (the fallback)."""
    evidence = access.evidence_or_404(request.user, evidence_id)
    report = evidence.report
    try:
        evidence_remove(evidence=evidence, user=request.user)
    except ReportError as exc:
        if _wants_json(request):
            return JsonResponse({"error": str(exc)}, status=403)
        raise PermissionDenied(str(exc)) from exc
    if _wants_json(request):
        return JsonResponse({"deleted": evidence_id, "message": f"已删除材料:{evidence.original_name}"})
    messages.success(request, f"已删除材料:{evidence.original_name}")
    return redirect(f"/items/{report.item_id}/report/?unit={report.unit_id}")
