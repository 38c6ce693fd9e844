"""Console pages for the division: items and their units, the unit directory, merges, the review queue
of unrecognised names, contacts upload, the division assistant's proposals and the audit log.

Who: planning-office admins change things; reviewers and leadership read; unit staff get 404; anonymous
users go to the login page. Every change goes through tasks_app.services.division / suggestion_review.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from tasks_app import access
from tasks_app.capabilities import Capability
from tasks_app.models import AuditEntry, Plan, SuggestedAssignment, Unit, WorkItem
from tasks_app.permissions import requires
from tasks_app.rules.units import UnitNames
from tasks_app.selectors import division as division_reads
from tasks_app.selectors import lights as light_reads
from tasks_app.selectors.defaults import default_plan_for
from tasks_app.selectors.paging import office_paginator
from tasks_app.selectors.workflow import plan_unacknowledged_count
from tasks_app.services.contacts import contacts_import_xlsx
from tasks_app.services.division import (
    DivisionError,
    allowed_units,
    assignments_set,
    emails_clean,
    item_token,
    item_update,
    unit_confirm,
    unit_merge,
    unit_update,
)
from tasks_app.services.errors import ServiceError, StaleEditError
from tasks_app.services.suggestion_review import (
    suggestion_accept,
    suggestion_reject,
    suggestions_accept_above,
    suggestions_generate,
)
from tasks_app.web.division_forms import (
    AcceptForm,
    BulkAcceptForm,
    ContactsForm,
    ItemForm,
    MergeForm,
    UnitForm,
)

PAGE_SIZES = (20, 50, 100, 200)
TEMPLATES = "tasks_app/console/"


def _int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def _page(request: HttpRequest, rows: Any, default: int = 50, *, kept: bool = False):
    """A page of ``rows``; ``kept``: the count is a snapshot of the plans' data (selectors.paging), for rows whose
    filters read only plan data."""
    size = _int(request.GET.get("page_size"))
    per_page = size if size in PAGE_SIZES else default
    paginator = office_paginator(request.user, rows, per_page) if kept else Paginator(rows, per_page)
    return paginator.get_page(request.GET.get("page"))


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _plan(request: HttpRequest) -> Plan | None:
    pk = _int(request.GET.get("plan") or request.POST.get("plan"))
    return division_reads.console_plan(request.user, pk) if pk else None


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {"console_section": "division", **extra}


# --- division ------------------------------------------------------------------------------------


@requires(Capability.VIEW_CONSOLE)
def division(request: HttpRequest) -> HttpResponse:
    plans = list(division_reads.plans_for_console(request.user))
    work = default_plan_for(request.user)  # selectors.defaults: the plan the office works on
    plan = _plan(request) or next((p for p in plans if work and p.pk == work.pk), plans[0] if plans else None)
    q = request.GET.get("q", "").strip()[:100]
    undivided = request.GET.get("undivided") == "1"
    items = division_reads.division_items(plan=plan, q=q, undivided=undivided) if plan else None
    page_obj = _page(request, items, kept=True) if items is not None else None
    rows = (
        [
            (
                item,
                {**division_reads.units_by_role(item), "unacknowledged": division_reads.unacknowledged_rows(item)},
                light_reads.row_light(item),
            )
            for item in page_obj
        ]
        if page_obj
        else []
    )
    return render(
        request,
        TEMPLATES + "division.html",
        _context(
            request,
            plans=plans,
            plan=plan,
            q=q,
            undivided=undivided,
            page_obj=page_obj,
            rows=rows,
            query=_query(request),
            unacknowledged_count=plan_unacknowledged_count(plan) if plan else None,
        ),
    )


def _item_initial(item: WorkItem) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "title": item.title,
        "text": item.text,
        "deadline": item.deadline,
        "deadline_text": item.deadline_text,
        "token": item_token(item),
    }
    for role in ("lead", "cooperating", "responsible"):
        initial[role] = [a.unit_id for a in item.assignments.order_by("order") if a.role == role]
    return initial


def _item_units(item: WorkItem) -> list[Unit]:
    units = {unit.pk: unit for unit in allowed_units(item.plan)}
    for assignment in item.assignments.select_related("unit__jurisdiction"):
        units.setdefault(assignment.unit_id, assignment.unit)
    for unit in units.values():
        # a display-only flag read by division_forms (getattr with a default), not a model field
        unit._foreign = unit.jurisdiction_id != item.plan.jurisdiction_id  # type: ignore[attr-defined]
    return list(units.values())


@requires(Capability.VIEW_CONSOLE, write=Capability.EDIT_DIVISION)
def division_item(request: HttpRequest, item_id: int) -> HttpResponse:
    item = access.console_item_or_404(request.user, item_id)
    units = _item_units(item)
    status = 200
    if request.method == "POST":
        form = ItemForm(request.POST, units=units)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    item_update(
                        item=item,
                        user=request.user,
                        title=data["title"],
                        text=data["text"],
                        deadline=data["deadline"],
                        deadline_text=data["deadline_text"],
                        expected_updated_at=data["token"],
                    )
                    assignments_set(
                        item=item,
                        user=request.user,
                        lead=data["lead"],
                        cooperating=data["cooperating"],
                        responsible=data["responsible"],
                    )
            except StaleEditError as exc:
                form.add_error(None, str(exc))
                status = 409
            except ServiceError as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                messages.success(request, "已保存")
                return redirect("console-division-item", item_id=item.pk)
        else:
            status = 400
    else:
        form = ItemForm(initial=_item_initial(item), units=units)
    context = _context(
        request,
        item=item,
        form=form,
        roles=division_reads.units_by_role(division_reads.item_with_units(item.pk)),
        history=division_reads.object_history(request.user, "item", item.pk),
    )
    return render(request, TEMPLATES + "division_item.html", context, status=status)


# --- units ---------------------------------------------------------------------------------------


@requires(Capability.VIEW_CONSOLE)
def units(request: HttpRequest) -> HttpResponse:
    jurisdiction_id = _int(request.GET.get("jurisdiction"))
    review = {"1": True, "0": False}.get(request.GET.get("needs_review", ""))
    q = request.GET.get("q", "").strip()[:100]
    page_obj = _page(
        request, division_reads.unit_directory(request.user, jurisdiction_id=jurisdiction_id, needs_review=review, q=q)
    )
    context = _context(
        request,
        console_section="units",
        jurisdictions=division_reads.jurisdictions(request.user),
        jurisdiction_id=jurisdiction_id,
        needs_review=request.GET.get("needs_review", ""),
        q=q,
        page_obj=page_obj,
        query=_query(request),
    )
    return render(request, TEMPLATES + "units.html", context)


def _unit_or_404(request: HttpRequest, unit_id: int) -> Unit:
    unit = division_reads.unit_directory(request.user).filter(pk=unit_id).first()
    if unit is None:
        raise Http404("单位不存在")
    return unit


@requires(Capability.VIEW_CONSOLE, write=Capability.MANAGE_UNITS)
def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _unit_or_404(request, unit_id)
    targets = list(division_reads.merge_targets(request.user, unit))
    status = 200
    form = UnitForm(
        initial={
            "name": unit.name,
            "kind": unit.kind,
            "contact_emails": "\n".join(unit.contact_emails),
            "webhook_url": unit.webhook_url,
            "webhook_kind": unit.webhook_kind,
        }
    )
    merge_form = MergeForm(units=targets)
    if request.method == "POST" and request.POST.get("action") == "merge":
        merge_form = MergeForm(request.POST, units=targets)
        if merge_form.is_valid():
            return _merge(request, unit, merge_form.cleaned_data["target"], back=request.path)
        status = 400
    elif request.method == "POST":
        form = UnitForm(request.POST)
        if form.is_valid():
            try:
                emails = emails_clean([form.cleaned_data["contact_emails"]])
                unit_update(
                    unit=unit,
                    user=request.user,
                    name=form.cleaned_data["name"],
                    kind=form.cleaned_data["kind"],
                    contact_emails=emails,
                    webhook_url=form.cleaned_data["webhook_url"],
                    webhook_kind=form.cleaned_data["webhook_kind"] or None,
                )
            except DivisionError as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                messages.success(request, "单位信息已保存")
                return redirect("console-unit", unit_id=unit.pk)
        else:
            status = 400
    context = _context(
        request,
        console_section="units",
        unit=unit,
        form=form,
        merge_form=merge_form,
        items=division_reads.unit_items(request.user, unit),
        history=division_reads.object_history(request.user, "unit", unit.pk),
    )
    return render(request, TEMPLATES + "unit.html", context, status=status)


def _merge(request: HttpRequest, source: Unit, target_id: int, *, back: str) -> HttpResponse:
    target = division_reads.unit_by_id(request.user, target_id)
    if target is None:
        raise Http404("目标单位不存在")
    try:
        unit_merge(source=source, target=target, user=request.user)
    except DivisionError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    messages.success(request, f"已将 {source.name} 合并到 {target.name}")
    return redirect("console-unit", unit_id=target.pk)


@requires(Capability.VIEW_CONSOLE, write=Capability.MANAGE_UNITS)
def units_review(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        unit = get_object_or_404(
            access.visible_units(request.user), pk=_int(request.POST.get("unit")) or 0, needs_review=True
        )
        if request.POST.get("action") == "confirm":
            unit_confirm(unit=unit, user=request.user)
            messages.success(request, f"已确认 {unit.name} 为新单位")
        elif request.POST.get("action") == "merge" and _int(request.POST.get("target")):
            return _merge(request, unit, _int(request.POST.get("target")) or 0, back=reverse("console-units-review"))
        else:
            messages.error(request, "请选择要合并到的单位")
        return redirect(reverse("console-units-review") + (f"?{request.GET.urlencode()}" if request.GET else ""))
    jurisdiction_id = _int(request.GET.get("jurisdiction"))
    page_obj = _page(
        request, division_reads.unit_directory(request.user, jurisdiction_id=jurisdiction_id, needs_review=True)
    )
    places = {unit.jurisdiction_id for unit in page_obj}
    targets: dict[int, list[Unit]] = {place: [] for place in places}
    for unit in division_reads.units_in(request.user, places):
        targets[unit.jurisdiction_id].append(unit)
    rows = [(unit, targets[unit.jurisdiction_id]) for unit in page_obj]
    context = _context(
        request,
        console_section="units",
        rows=rows,
        page_obj=page_obj,
        jurisdictions=division_reads.jurisdictions(request.user),
        jurisdiction_id=jurisdiction_id,
        query=_query(request),
    )
    return render(request, TEMPLATES + "units_review.html", context)


@requires(Capability.VIEW_CONSOLE, write=Capability.MANAGE_UNITS)
def units_contacts(request: HttpRequest) -> HttpResponse:
    result, status = None, 200
    form = ContactsForm()
    if request.method == "POST":
        form = ContactsForm(request.POST, request.FILES)
    places = cast(forms.ModelChoiceField, form.fields["jurisdiction"])
    places.queryset = division_reads.jurisdictions(request.user)
    if request.method == "POST":
        if form.is_valid():
            try:
                result = contacts_import_xlsx(
                    data=form.cleaned_data["file"].read(),
                    jurisdiction=form.cleaned_data["jurisdiction"],
                    user=request.user,
                    replace=form.cleaned_data["replace"],
                )
            except DivisionError as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                messages.success(
                    request, f"已导入 {result.rows} 行:{result.units} 个单位,新增邮箱 {result.emails_added} 个"
                )
        else:
            status = 400
    context = _context(request, console_section="units", form=form, result=result)
    return render(request, TEMPLATES + "units_contacts.html", context, status=status)


# --- suggestions ---------------------------------------------------------------------------------


@requires(Capability.VIEW_CONSOLE, write=Capability.EDIT_DIVISION)
def suggestions(request: HttpRequest) -> HttpResponse:
    plans = list(division_reads.plans_for_console(request.user))
    plan = _plan(request)
    if request.method == "POST":
        return _suggestions_post(request, plan)
    status = request.GET.get("status", "proposed")
    status = status if status in SuggestedAssignment.Status.values or status == "" else "proposed"
    page_obj = _page(request, division_reads.suggestion_items(plan=plan, status=status), default=20) if plan else None
    units = list(division_reads.units_in(request.user, {plan.jurisdiction_id})) if plan else []
    context = _context(
        request,
        console_section="suggestions",
        plans=plans,
        plan=plan,
        status=status,
        page_obj=page_obj,
        counts=division_reads.suggestion_counts(plan=plan) if plan else {},
        bulk_form=BulkAcceptForm(),
        units=units,
        role_choices=cast(forms.ChoiceField, AcceptForm.base_fields["role"]).choices,
        query=_query(request),
    )
    return render(request, TEMPLATES + "suggestions.html", context)


def _suggestions_post(request: HttpRequest, plan: Plan | None) -> HttpResponse:
    if plan is None:
        raise Http404("规划不存在")
    back = reverse("console-suggestions") + f"?plan={plan.pk}"
    action = request.POST.get("action")
    if action == "generate":
        result = suggestions_generate(plan=plan, user=request.user)
        messages.success(
            request,
            f"已为 {result.items} 个事项生成 {result.suggestions} 条建议;"
            f"新增待确认单位 {len(result.proposed_units)} 个",
        )
    elif action == "bulk":
        form = BulkAcceptForm(request.POST)
        if not form.is_valid():
            messages.error(request, "请填写 0 以上的得分")
            return redirect(back)
        rows = suggestions_accept_above(
            plan=plan,
            min_score=form.cleaned_data["min_score"],
            max_rank=form.cleaned_data["max_rank"] or None,
            user=request.user,
        )
        messages.success(request, f"已采纳 {len(rows)} 条建议(得分≥{form.cleaned_data['min_score']:g})")
    elif action in ("accept", "reject"):
        suggestion = get_object_or_404(
            SuggestedAssignment, pk=_int(request.POST.get("suggestion")) or 0, item__plan=plan
        )
        try:
            if action == "reject":
                suggestion_reject(suggestion=suggestion, user=request.user)
                messages.success(request, f"已否决:{suggestion.unit.name}")
            else:
                accept_form = AcceptForm(request.POST)
                if not accept_form.is_valid():
                    raise DivisionError("所选角色无效")
                unit = _unit_named(plan, accept_form.cleaned_data["unit_name"])
                role = accept_form.cleaned_data["role"] or None
                row = suggestion_accept(suggestion=suggestion, user=request.user, unit=unit, role=role)
                messages.success(request, f"已采纳:{row.get_role_display()} {row.unit.name}")
        except DivisionError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, "未知操作")
    page = _int(request.POST.get("page"))
    return redirect(back + (f"&page={page}" if page else ""))


def _unit_named(plan: Plan, name: str) -> Unit | None:
    """The unit typed in an edited acceptance: a canonical name or alias of the plan's units."""
    name = name.strip()
    if not name:
        return None
    unit = UnitNames(allowed_units(plan)).find(name)
    if unit is None:
        raise DivisionError(f"单位“{name}”不在{plan.jurisdiction.name}的单位名录中,请先在单位名录中添加或从列表中选择")
    return unit


# --- audit ---------------------------------------------------------------------------------------


@requires(Capability.VIEW_AUDIT)
def audit(request: HttpRequest) -> HttpResponse:
    filters: dict[str, Any] = {
        "action": request.GET.get("action", "") if request.GET.get("action") in AuditEntry.Action.values else "",
        "plan_id": _int(request.GET.get("plan")),
        "object_type": request.GET.get("object_type", "")[:30],
        "object_id": _int(request.GET.get("object_id")),
        "actor": request.GET.get("actor", "")[:150],
    }
    page_obj = _page(request, division_reads.audit_entries(request.user, **filters))
    context = _context(
        request,
        console_section="audit",
        page_obj=page_obj,
        filters=filters,
        actions=AuditEntry.Action.choices,
        object_types=[("item", "事项"), ("unit", "单位"), ("plan", "规划"), ("report", "报告"), ("cycle", "报送周期")],
        plans=access.visible_plans(request.user),
        query=_query(request),
    )
    return render(request, TEMPLATES + "audit.html", context)
