"""Excel exports in the console (/console/exports/): start a background job, watch it, download the kept file.

Same rules as the rest of the console (tasks_app.permissions.requires): unit staff get 404, anonymous the
login page. Admins and reviewers start jobs; leadership is read-only: it sees the jobs and downloads
their files and may take a direct download of a small plan (a read: nothing is stored), but starting
a job (a POST that records a job and a file) is 403.
"""

from __future__ import annotations

import tempfile
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from tasks_app import access
from tasks_app.capabilities import Capability
from tasks_app.exporters import registry
from tasks_app.models import ExportJob, Plan
from tasks_app.permissions import requires
from tasks_app.selectors import exports as export_reads
from tasks_app.selectors.defaults import default_cycle_for, default_plan_for
from tasks_app.services import export_jobs as jobs
from tasks_app.services.exports import (
    MAX_YEAR,
    MIN_YEAR,
    ExportError,
    export_build,
    export_content_type,
    export_file_name,
    export_request_check,
    export_year_help,
)


class ExportForm(forms.Form):
    plan = forms.ModelChoiceField(label="规划", queryset=Plan.objects.none(), empty_label=None)
    report = forms.ChoiceField(label="报表", choices=registry.choices)  # read when the form is built
    year = forms.IntegerField(label="年度", required=False, min_value=MIN_YEAR, max_value=MAX_YEAR)
    period = forms.CharField(
        label="报送期",
        required=False,
        max_length=10,
        help_text="按季度、半年或月报送的规划可只导出一期:填 2022Q3、2022H1 或 2022-07(年度可留空);留空按年度。",
    )

    def __init__(self, *args: Any, user: access.AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["plan"]).queryset = export_reads.export_plans(user)
        self.fields["year"].help_text = export_year_help()


def _form_defaults(user: access.AnyUser) -> dict[str, Any]:
    """The plan and year the office works on (selectors.defaults): a progress report that exports."""
    cycle = default_cycle_for(user)
    plan = default_plan_for(user)
    return {"plan": plan.pk if plan else None, "report": "progress", "year": cycle.year if cycle else None}


def _job_view(job: ExportJob) -> ExportJob:
    """Decorate a job with what the templates show."""
    # Display-only attributes the templates read (setattr: they are not fields of the model).
    setattr(job, "label", jobs.export_job_label(job))  # noqa: B010
    setattr(job, "percent", jobs.export_job_percent(job))  # noqa: B010
    setattr(job, "finished", job.status in (ExportJob.Status.DONE, ExportJob.Status.FAILED))  # noqa: B010
    return job


BANNERS = {
    ExportJob.Status.QUEUED: "已加入后台队列,等待生成。",
    ExportJob.Status.RUNNING: "正在生成…",
    ExportJob.Status.DONE: "已生成,可以下载。",
    ExportJob.Status.FAILED: "生成失败,未生成文件。",
}


def _status(job: ExportJob) -> dict[str, Any]:
    done = job.status == ExportJob.Status.DONE and bool(job.file)
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": job.get_status_display(),
        "progress": job.progress,
        "total": job.total,
        "percent": jobs.export_job_percent(job),
        "error": job.error,
        "download_url": reverse("console-export-download", args=[job.pk]) if done else None,
    }


@requires(Capability.VIEW_CONSOLE, write=Capability.EXPORT)
@require_http_methods(["GET", "POST"])
def exports(request: HttpRequest) -> HttpResponseBase:
    if request.method == "POST":
        form = ExportForm(request.POST, user=request.user)
        if form.is_valid() and request.POST.get("direct"):
            return _direct(request, form.cleaned_data)
        if form.is_valid():
            data = form.cleaned_data
            try:
                job = jobs.export_job_start(
                    plan=data["plan"],
                    report=data["report"],
                    year=data["year"],
                    period=data["period"],
                    user=request.user,
                )
            except ExportError as exc:
                form.add_error(None, str(exc))
            else:
                # no flash message: the job page's banner tells its state as it goes (a failed job is no "已开始")
                return redirect("console-export-job", job_id=job.pk)
    else:
        # a link from another page (考核 → its 通报) may name the report, plan and year to start on
        asked = {key: request.GET[key] for key in ("plan", "report", "year", "period") if request.GET.get(key)}
        form = ExportForm(initial={**_form_defaults(request.user), **asked}, user=request.user)
    context = {
        "form": form,
        "jobs": [_job_view(job) for job in jobs.export_jobs_recent(user=request.user)],
        "direct_max": jobs.DIRECT_MAX_ITEMS,
        "exporters": list(registry),
        "years": export_reads.export_years(request.user),
        "periods": export_reads.export_periods(request.user),
    }
    return render(request, "tasks_app/console/exports.html", context)


def _direct(request: HttpRequest, data: dict[str, Any]) -> HttpResponseBase:
    """A small plan's workbook built on the spot and streamed back (no job, nothing kept)."""
    plan = data["plan"]
    if not jobs.export_direct_allowed(plan=plan):
        messages.error(request, f"该规划事项超过 {jobs.DIRECT_MAX_ITEMS} 项,请使用“后台生成”,完成后在列表中下载")
        return redirect("console-exports")
    try:
        checked = export_request_check(plan=plan, report=data["report"], year=data["year"], period=data["period"])
        stream = tempfile.TemporaryFile()
        try:
            export_build(
                plan=plan, report=checked.report, year=checked.year, period=checked.period, path_or_stream=stream
            )
        except BaseException:
            stream.close()
            raise
    except ExportError as exc:
        messages.error(request, str(exc))
        return redirect("console-exports")
    stream.seek(0)
    name = export_file_name(plan=plan, report=checked.report, year=checked.year, period=checked.period)
    return FileResponse(
        stream, as_attachment=True, filename=name, content_type=export_content_type(report=checked.report)
    )


@requires(Capability.VIEW_CONSOLE)
@require_GET
def export_direct(request: HttpRequest) -> HttpResponseBase:
    """The direct download as a GET (leadership's form: a read that stores nothing)."""
    form = ExportForm(request.GET, user=request.user)
    if not form.is_valid():
        messages.error(request, "请选择规划和报表;年度须为有效年份,报送期如 2022Q3")
        return redirect("console-exports")
    return _direct(request, form.cleaned_data)


@requires(Capability.VIEW_CONSOLE)
@require_GET
def export_job(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job_view(access.export_job_or_404(request.user, job_id))
    context = {"job": job, "status": _status(job), "banner": BANNERS[ExportJob.Status(job.status)], "banners": BANNERS}
    return render(request, "tasks_app/console/exports_job.html", context)


@requires(Capability.VIEW_CONSOLE)
@require_GET
def export_job_status(request: HttpRequest, job_id: int) -> JsonResponse:
    response = JsonResponse(_status(access.export_job_or_404(request.user, job_id)))
    response["Cache-Control"] = "no-store"
    return response


@requires(Capability.VIEW_CONSOLE)
@require_GET
def export_job_download(request: HttpRequest, job_id: int) -> FileResponse:
    job = access.export_job_or_404(request.user, job_id)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404("文件尚未生成")
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404("文件已不存在,请重新生成") from None
    name = export_file_name(plan=job.plan, report=job.report, year=job.year, period=job.period)
    return FileResponse(handle, as_attachment=True, filename=name, content_type=export_content_type(report=job.report))
