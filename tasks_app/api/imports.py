"""Console API for document import (/api/console/imports/): upload, poll, confirm or discard.

The same path as the console pages, through tasks_app.services.import_jobs: planning-office admins upload
and decide; reviewers and leadership may read a job (403 on writes); department staff get 404; anonymous
401. A refused upload is 400 with ``detail`` and stores nothing; a file that cannot be parsed ends as
``failed`` with a one-line ``error``; a confirm that the job's state does not allow is 409.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view, parser_classes
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from tasks_app import access
from tasks_app.api.common import ERR_400, READ_ERRORS, WRITE_ERRORS, pk_from
from tasks_app.capabilities import Capability
from tasks_app.models import ImportJob
from tasks_app.permissions import requires
from tasks_app.services import import_jobs as jobs

ERR_409 = OpenApiResponse(
    OpenApiTypes.OBJECT, description="任务状态不允许该操作(已确认、解析中、已放弃…):detail 说明原因"
)


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True,  # the service refuses it with the same one line as the console
        help_text="分工文件:.txt .docx .doc .pdf .html .xlsx .xls(以内容判断类型)",
    )


class ImportCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ImportJob.Status.choices)


class ImportJobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ImportJob.Status.choices)
    progress = serializers.IntegerField(min_value=0, max_value=100)
    error = serializers.CharField(allow_null=True, help_text="失败原因(一行);未失败为 null")
    preview = serializers.JSONField(
        allow_null=True, help_text="解析结果,即 import_document --dry-run --json 的对象;解析完成前为 null"
    )
    plan_id = serializers.IntegerField(allow_null=True, help_text="确认导入后写入的规划 id")


class ImportConfirmSerializer(serializers.Serializer):
    units = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text='登记表中没有的单位名称 → 已有单位 id,或 "new"(作为新单位登记);省略的名称作为新单位',
    )


class PlanIdSerializer(serializers.Serializer):
    plan_id = serializers.IntegerField()


def _job(request: Request, pk: str) -> ImportJob:
    return access.import_job_or_404(request.user, pk_from(pk, message="导入任务不存在"))


@extend_schema(
    tags=["console"],
    summary="上传分工文件(检查大小和内容类型后在后台解析;返回 201 与任务,轮询任务状态)",
    request={"multipart/form-data": ImportUploadSerializer},
    responses={201: ImportCreatedSerializer, 400: ERR_400, **WRITE_ERRORS},
)
@requires(Capability.VIEW_CONSOLE, write=Capability.IMPORT_DOCUMENTS)
@api_view(["POST"])
@parser_classes([MultiPartParser, FormParser])
def import_jobs(request: Request) -> Response:
    form = ImportUploadSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    try:
        job = jobs.import_job_create(upload=form.validated_data["file"], user=request.user)
    except jobs.ImportJobError as exc:
        return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    job.refresh_from_db(fields=["status"])  # an eager worker may already have parsed it
    headers = {"Location": f"/api/console/imports/{job.pk}/"}
    return Response({"id": job.pk, "status": job.status}, status=status.HTTP_201_CREATED, headers=headers)


@extend_schema(
    tags=["console"], summary="导入任务的状态、进度和解析结果", responses={200: ImportJobSerializer, **READ_ERRORS}
)
@requires(Capability.VIEW_CONSOLE, write=Capability.IMPORT_DOCUMENTS)
@api_view(["GET"])
def import_job(request: Request, pk: str) -> Response:
    return Response(jobs.import_job_state(_job(request, pk)))


@extend_schema(
    tags=["console"],
    summary="确认导入(一次事务写入规划;只能确认一次,且只能在“待确认”状态)",
    request=ImportConfirmSerializer,
    responses={200: PlanIdSerializer, 400: ERR_400, 409: ERR_409, **WRITE_ERRORS},
)
@requires(Capability.VIEW_CONSOLE, write=Capability.IMPORT_DOCUMENTS)
@api_view(["POST"])
@parser_classes([JSONParser, FormParser, MultiPartParser])
def import_job_confirm(request: Request, pk: str) -> Response:
    job = _job(request, pk)
    if not isinstance(request.data, dict):  # a JSON list or string is no set of choices
        return Response({"detail": '请求体应为 JSON 对象,如 {"units": {…}}'}, status=status.HTTP_400_BAD_REQUEST)
    form = ImportConfirmSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    try:
        job = jobs.import_job_confirm(job_id=job.pk, user=request.user, unit_choices=form.validated_data.get("units"))
    except jobs.ImportJobConflict as exc:
        return Response({"detail": str(exc), "status": _job(request, pk).status}, status=status.HTTP_409_CONFLICT)
    except jobs.ImportJobError as exc:
        return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    return Response({"plan_id": job.plan_id})


@extend_schema(
    tags=["console"],
    summary="放弃导入(不写入任何数据)",
    request=None,
    responses={200: ImportCreatedSerializer, 409: ERR_409, **WRITE_ERRORS},
)
@requires(Capability.VIEW_CONSOLE, write=Capability.IMPORT_DOCUMENTS)
@api_view(["POST"])
def import_job_discard(request: Request, pk: str) -> Response:
    job = _job(request, pk)
    try:
        job = jobs.import_job_discard(job_id=job.pk, user=request.user)
    except jobs.ImportJobConflict as exc:
        return Response({"detail": str(exc), "status": job.status}, status=status.HTTP_409_CONFLICT)
    return Response({"id": job.pk, "status": job.status})
