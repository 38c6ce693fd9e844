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
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from tasks_app import access
from tasks_app.models import Assignment
from tasks_app.rules.reporting import reporting_role
from tasks_app.selectors import console as console_reads
from tasks_app.selectors import sources, workspace
from tasks_app.services.reports import ReportError, evidence_remove, open_cycle_for
from tasks_app.web.forms import WorkspaceFilterForm

PAGE_SIZES = (20, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50


def _page_size(request: HttpRequest) -> int:
    try:
        size = int(request.GET.get("page_size", DEFAULT_PAGE_SIZE))
    except ValueError:
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


def _decorate(rows: list, scope: frozenset[int] | None) -> None:
    """Per-row labels from prefetched assignments (no extra queries)."""
    for row in rows:
        assignments = list(row.assignments.all())
        roles = {a.role for a in assignments if scope and a.unit_id in scope}
        row.my_roles = [label for role, label in workspace.ROLE_LABELS.items() if role in roles]
        role = reporting_role(assignments)
        reporting = [a for a in assignments if a.role == role]
        row.reporting_role = workspace.ROLE_LABELS[role]
        row.reporting_names = [a.unit.name for a in reporting]
        row.reporting_more = any(a.and_others for a in reporting)
        row.state_label = workspace.REPORT_STATE_LABELS.get(row.report_state, "未开启填报")


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
    _decorate(rows, scope)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "filters": filters,
        "counts": workspace.workspace_counts(request.user, filters=filters, scope=scope, today=today),
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
    return render(request, "tasks_app/home.html", {"plans": workspace.plan_overview()})


@login_required
@require_GET
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    user = request.user
    item = access.item_or_404(user, item_id)
    cycle = open_cycle_for(item)
    assignments = workspace.item_assignments(item)
    by_role = {role: [a for a in assignments if a.role == role] for role in Assignment.Role.values}
    source = sources.source_header(item.plan.source_id)
    reporting = set(access.reporting_unit_ids(item))
    context = {
        "item": item,
        "plan": item.plan,
        "source": source,
        "source_lines": sources.source_excerpt(source, item.line_start, item.line_end),
        "milestones": list(item.milestones.all()),
        "indicator": workspace.item_indicator(item),
        "by_role": [(Assignment.Role(role).label, rows) for role, rows in by_role.items() if rows],
        "reporting_names": [a.unit.name for a in assignments if a.unit_id in reporting],
        "cycle": cycle,
        "reports": workspace.cycle_reports(item, cycle),
        "contributions": workspace.cycle_contributions(item, cycle),
        "can_report": bool(cycle and access.my_reporting_units(user, item)),
        "can_contribute": bool(cycle and access.my_cooperating_units(user, item)),
    }
    history = console_reads.item_history_page(item, request.GET.get("history"))
    context.update(history=list(history.object_list), history_page=history)
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


@login_required
@require_POST
def evidence_delete(request: HttpRequest, evidence_id: int) -> HttpResponse:
    evidence = access.evidence_or_404(request.user, evidence_id)
    report = evidence.report
    try:
        evidence_remove(evidence=evidence, user=request.user)
    except ReportError as exc:
        raise PermissionDenied(str(exc)) from exc
    messages.success(request, f"已删除材料:{evidence.original_name}")
    return redirect(f"/items/{report.item_id}/report/?unit={report.unit_id}")
