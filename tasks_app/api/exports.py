"""Console API for Excel exports (/api/console/exports/): start a background job, poll it, download the file.

Same scope rules as the web console: admins and reviewers start jobs (202 with the job); leadership
reads jobs and downloads their files but may not start one (403); unit staff get 404; anonymous 401.
Jobs run through tasks_app.services.export_jobs, the same code the console page calls.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from tasks_app import access
from tasks_app.api.common import ERR_400, LIST_ERRORS, READ_ERRORS, WRITE_ERRORS, Pagination, pk_from
from tasks_app.api.serializers import PlanRefSerializer, id_field
from tasks_app.capabilities import Capability
from tasks_app.exporters import registry
from tasks_app.models import ExportJob, Plan
from tasks_app.permissions import requires
from tasks_app.services import export_jobs as jobs
from tasks_app.services.exports import (
    MAX_YEAR,
    MIN_YEAR,
    export_content_type,
    export_file_name,
    export_year_help,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ERR_409 = OpenApiResponse(OpenApiTypes.OBJECT, description="任务尚未完成(排队中、生成中)或已失败:detail 说明原因")


class ExportJobSerializer(serializers.ModelSerializer):
    plan = PlanRefSerializer(read_only=True)
    report_label = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    percent = serializers.SerializerMethodField(help_text="进度百分比(完成为 100)")
    created_by = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField(help_text="完成后下载文件的地址;未完成为 null")

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "plan",
            "report",
            "report_label",
            "year",
            "period",
            "status",
            "status_label",
            "progress",
            "total",
            "percent",
            "error",
            "created_by",
            "created_at",
            "finished_at",
            "download_url",
        ]

    def get_report_label(self, job: ExportJob) -> str:
        return registry.label(job.report)

    def get_percent(self, job: ExportJob) -> int:
        return jobs.export_job_percent(job)

    def get_created_by(self, job: ExportJob) -> str | None:
        user = job.created_by
        return (user.get_full_name() or user.get_username()) if user else None

    def get_download_url(self, job: ExportJob) -> str | None:
        if job.status != ExportJob.Status.DONE or not job.file:
            return None
        return reverse("api-console-export-download", args=[job.pk])


class ExportStartSerializer(serializers.Serializer):
    plan = id_field(help_text="规划 id")
    report = serializers.ChoiceField(choices=[])  # the registry's reports, read per instance in __init__
    year = serializers.IntegerField(required=False, allow_null=True, min_value=MIN_YEAR, max_value=MAX_YEAR)
    period = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=10,
        help_text="只导出一个报送期(2022Q3、2022H1、2022-07;按季度、半年或月报送的规划);留空按年度",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        report: serializers.ChoiceField = self.fields["report"]  # type: ignore[assignment]
        report.choices = registry.choices()
        self.fields["year"].help_text = f"报送周期年度。{export_year_help()}"

    def validate_plan(self, value: int) -> Plan:
        request = self.context.get("request")
        user = request.user if request is not None else None
        plan = access.visible_plans(user).filter(pk=value).first() if user is not None else None
        if plan is None:
            raise serializers.ValidationError("规划不存在")
        return plan


def _job(request: Request, pk: str | int) -> ExportJob:
    return access.export_job_or_404(request.user, pk_from(pk, message="导出任务不存在"))


@extend_schema(
    tags=["console"],
    methods=["GET"],
    summary="导出任务列表(新→旧)",
    responses={200: ExportJobSerializer(many=True), **LIST_ERRORS},
)
@extend_schema(
    tags=["console"],
    methods=["POST"],
    summary="开始导出 Excel(后台生成;返回 202 与任务,轮询任务状态后下载)",
    request=ExportStartSerializer,
    responses={202: ExportJobSerializer, 400: ERR_400, **WRITE_ERRORS},
)
@requires(Capability.VIEW_CONSOLE, write=Capability.EXPORT)
@api_view(["GET", "POST"])
def export_jobs(request: Request) -> Response:
    if request.method == "GET":
        paginator = Pagination()
        page = paginator.paginate_queryset(
            access.visible_export_jobs(request.user)
            .select_related("plan", "created_by")
            .order_by("-created_at", "-pk"),
            request,
        )
        return paginator.get_paginated_response(ExportJobSerializer(page, many=True).data)
    form = ExportStartSerializer(data=request.data, context={"request": request})
    form.is_valid(raise_exception=True)
    data = form.validated_data
    job = jobs.export_job_start(
        plan=data["plan"],
        report=data["report"],
        year=data.get("year"),
        period=data.get("period", ""),
        user=request.user,
    )
    url = reverse("api-console-export", args=[job.pk])
    return Response(
        ExportJobSerializer(_job(request, job.pk)).data, status=status.HTTP_202_ACCEPTED, headers={"Location": url}
    )


@extend_schema(tags=["console"], summary="导出任务状态与进度", responses={200: ExportJobSerializer, **READ_ERRORS})
@requires(Capability.VIEW_CONSOLE)
@api_view(["GET"])
def export_job(request: Request, pk: str) -> Response:
    return Response(ExportJobSerializer(_job(request, pk)).data)


@extend_schema(
    tags=["console"],
    summary="下载导出的文件(Excel .xlsx;评估报告为 Word .docx)",
    responses={(200, XLSX): OpenApiTypes.BINARY, (200, DOCX): OpenApiTypes.BINARY, 409: ERR_409, **READ_ERRORS},
)
@requires(Capability.VIEW_CONSOLE)
@api_view(["GET"])
def export_download(request: Request, pk: str) -> Response | FileResponse:
    job = _job(request, pk)
    if job.status != ExportJob.Status.DONE:
        detail = f"导出失败:{job.error}" if job.status == ExportJob.Status.FAILED else "文件尚未生成,请稍后再试"
        return Response({"detail": detail, "status": job.status}, status=status.HTTP_409_CONFLICT)
    if not job.file:
        raise Http404("文件已不存在,请重新生成")
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404("文件已不存在,请重新生成") from None
    name = export_file_name(plan=job.plan, report=job.report, year=job.year, period=job.period)
    return FileResponse(handle, as_attachment=True, filename=name, content_type=export_content_type(report=job.report))
