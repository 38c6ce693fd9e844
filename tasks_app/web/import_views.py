"""Document import in the console (/console/imports/): upload, watch the parsing, check the preview, decide.

Capability IMPORT_DOCUMENTS (planning-office admins) uploads, confirms and
discards; reviewers and leadership see the list and the previews read-only (403 on any POST); unit staff
get 404; anonymous users the login page. Every change goes through tasks_app.services.import_jobs.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tasks_app import access
from tasks_app.capabilities import Capability
from tasks_app.import_units import candidate_by_label, candidate_label, candidates, unknown_units
from tasks_app.models import ImportJob
from tasks_app.permissions import requires
from tasks_app.services import import_jobs as jobs

T = "tasks_app/console/"
ROLES = (("lead", "牵头单位"), ("cooperating", "配合单位"), ("responsible", "责任单位"))
FREQUENCY_LABELS = {"yearly": "每年", "half-yearly": "每半年", "quarterly": "每季度", "monthly": "每月"}
ACCEPT = ".txt,.docx,.doc,.pdf,.html,.htm,.xlsx,.xls"
ITEMS_PER_PAGE = 100  # a 2,000-item document previews in pages; the unit choices stay on every page
OTHER = "other"  # the choice "another existing unit", typed into the shared pick list


class UploadForm(forms.Form):
    file = forms.FileField(
        label="分工文件",
        allow_empty_file=True,  # the service says "文件为空" the same way for every face
        help_text="支持 .txt、.docx、.doc、.pdf、.html、.xlsx、.xls;以文件内容判断类型",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )


def _status(job: ImportJob) -> dict[str, Any]:
    """What the progress bar polls: the API's state without the (large) preview, plus a label."""
    state = jobs.import_job_state(job)
    del state["preview"]
    return {**state, "status_label": job.get_status_display()}


@requires(Capability.VIEW_CONSOLE, write=Capability.IMPORT_DOCUMENTS)
@require_http_methods(["GET", "POST"])
def imports(request: HttpRequest) -> HttpResponse:
    can_edit = access.has(request.user, Capability.IMPORT_DOCUMENTS)
    status = 200
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = jobs.import_job_create(upload=form.cleaned_data["file"], user=request.user)
            except jobs.ImportJobError as exc:
                form.add_error("file", str(exc))
            else:
                messages.success(request, f"已上传 {job.original_name},正在解析")
                return redirect("console-import", job_id=job.pk)
        status = 400
    else:
        form = UploadForm()
    rows = list(jobs.import_jobs_recent(user=request.user))
    for job in rows:
        job.percent = jobs.import_job_percent(job)
        job.format_label = jobs.FORMAT_LABELS.get(job.format, job.format)
    context = {"form": form, "jobs": rows, "can_edit": can_edit, "max_mib": _max_mib()}
    return render(request, T + "imports.html", context, status=status)


def _max_mib() -> str:
    from django.conf import settings

    return f"{settings.IMPORT_MAX_BYTES / 1024 / 1024:g}"


def _items(preview: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for kind, label in (("indicators", "指标"), ("tasks", "任务")):
        for item in preview.get(kind, []):
            roles = [(role_label, item.get(role) or []) for role, role_label in ROLES if item.get(role)]
            rows.append({**item, "kind_label": label, "roles": roles})
    return rows


def _reporting(preview: dict[str, Any]) -> str | None:
    rule = preview.get("reporting")
    if not rule:
        return None
    parts = [FREQUENCY_LABELS.get(rule.get("frequency") or "yearly", "每年")]
    if rule.get("month") and rule.get("day"):
        parts.append(f"{rule['month']}月{rule['day']}日前")
    if rule.get("recipient"):
        parts.append(f"报送{rule['recipient']}")
    return " ".join(parts)


@requires(Capability.VIEW_CONSOLE, write=Capability.IMPORT_DOCUMENTS)
@require_GET
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    job = access.import_job_or_404(request.user, job_id)
    preview = job.preview or {}
    context: dict[str, Any] = {
        "job": job,
        "status": _status(job),
        "can_edit": access.has(request.user, Capability.IMPORT_DOCUMENTS),
        "format_label": jobs.FORMAT_LABELS.get(job.format, job.format),
        "finished": job.status != ImportJob.Status.QUEUED and job.status != ImportJob.Status.PARSING,
    }
    if job.preview is not None:
        jurisdiction = preview.get("jurisdiction") or ""
        unknown = unknown_units(preview=preview, choices=job.unit_choices)
        pool = candidates(jurisdiction=jurisdiction) if unknown else []
        items = Paginator(_items(preview), ITEMS_PER_PAGE).get_page(request.GET.get("page"))
        context.update(
            preview=preview,
            items=items,
            item_count=items.paginator.count,
            reporting=_reporting(preview),
            unknown=unknown,
            unit_labels=[candidate_label(c, jurisdiction) for c in pool],
            diff=job.diff,
            known_units=[unit for unit in preview.get("units", []) if unit.get("known")],
        )
    return render(request, T + "import_job.html", context)


@requires(Capability.VIEW_CONSOLE, write=Capability.IMPORT_DOCUMENTS)
@require_GET
def import_job_status(request: HttpRequest, job_id: int) -> JsonResponse:
    response = JsonResponse(_status(access.import_job_or_404(request.user, job_id)))
    response["Cache-Control"] = "no-store"
    return response


def _posted_choices(request: HttpRequest, job: ImportJob) -> dict[str, str]:
    """unit-<n>-name / unit-<n> (/ unit-<n>-other) of the preview form → {unknown name: "new" or unit id}."""
    choices: dict[str, str] = {}
    pool = None
    jurisdiction = (job.preview or {}).get("jurisdiction") or ""
    for key, name in request.POST.items():
        if not (key.startswith("unit-") and key.endswith("-name")):
            continue
        field = key.removesuffix("-name")
        value = str(request.POST.get(field, jobs.NEW_UNIT))
        if value == OTHER:
            typed = request.POST.get(f"{field}-other", "")
            pool = pool if pool is not None else candidates(jurisdiction=jurisdiction)
            found = candidate_by_label(pool, typed, jurisdiction)
            if found is None:
                raise jobs.ImportJobError(f"“{name}”:找不到已有单位“{typed.strip()}”,请从列表中选择")
            value = str(found.id)
        choices[str(name)] = value
    return choices


@requires(Capability.VIEW_CONSOLE, write=Capability.IMPORT_DOCUMENTS)
@require_POST
def import_job_confirm_view(request: HttpRequest, job_id: int) -> HttpResponse:
    job = access.import_job_or_404(request.user, job_id)
    try:
        choices = _posted_choices(request, job)
        job = jobs.import_job_confirm(job_id=job.pk, user=request.user, unit_choices=choices)
    except jobs.ImportJobError as exc:
        messages.error(request, str(exc))
    else:
        url = reverse("console-division") + f"?plan={job.plan_id}"
        messages.success(request, f"已导入:{job.plan.title if job.plan else job.original_name}")
        return redirect(url)
    return redirect("console-import", job_id=job.pk)


@requires(Capability.VIEW_CONSOLE, write=Capability.IMPORT_DOCUMENTS)
@require_POST
def import_job_discard_view(request: HttpRequest, job_id: int) -> HttpResponse:
    job = access.import_job_or_404(request.user, job_id)
    try:
        jobs.import_job_discard(job_id=job.pk, user=request.user)
    except jobs.ImportJobError as exc:
        messages.error(request, str(exc))
        return redirect("console-import", job_id=job.pk)
    messages.success(request, f"已放弃导入 {job.original_name},没有写入任何数据")
    return redirect("console-imports")
