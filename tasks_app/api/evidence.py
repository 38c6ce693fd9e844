"""Evidence files over the API: ``POST /api/reports/{id}/evidence/`` (multipart ``file``).

The same service as the report form (``services.reports.evidence_attach``): the content decides, the allowed
types come from ``evidence_files.EVIDENCE_TYPES``, the same file twice on one report is 409 with the row
already there. The body size is refused before it is read (``middleware.UploadSizeLimitMiddleware``).
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view, parser_classes
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from tasks_app.api.common import WRITE_ERRORS, pk_from
from tasks_app.api.serializers import EvidenceSerializer
from tasks_app.api.views import REPORT_WRITE_FORBIDDEN, _own_unit_or_403
from tasks_app.capabilities import Capability
from tasks_app.evidence_files import SHOWN_SUFFIXES
from tasks_app.permissions import requires
from tasks_app.selectors import api as api_reads
from tasks_app.services.reports import DuplicateEvidence, ReportError, evidence_attach

NOT_FOUND = "报告不存在或不在您的权限范围内"
UPLOAD_SCHEMA = {
    "multipart/form-data": {
        "type": "object",
        "properties": {"file": {"type": "string", "format": "binary"}},
        "required": ["file"],
    }
}


@extend_schema(
    tags=["reports"],
    summary="上传佐证材料",
    description=(
        f"允许的类型:{'、'.join(SHOWN_SUFFIXES)}(按文件内容判断,不看扩展名);单个文件上限 "
        f"{settings.EVIDENCE_MAX_BYTES // (1024 * 1024)} MB,请求体过大直接 413。"
        "同一报告再次上传内容相同的文件 → 409,existing 为已有的那份。"
    ),
    request=UPLOAD_SCHEMA,
    responses={
        201: EvidenceSerializer,
        409: OpenApiResponse(description="该文件已上传过:{detail, existing}"),
        413: OpenApiResponse(description="请求体超过上限,未读取"),
        **WRITE_ERRORS,
    },
)
@requires(None, write=Capability.FILE_REPORTS)
@api_view(["POST"])
@parser_classes([MultiPartParser])
def report_evidence(request: Request, pk: str) -> Response:
    report_id = pk_from(pk, message=NOT_FOUND)
    report = api_reads.api_reports(request.user).filter(pk=report_id).first()
    if report is None:
        raise Http404(NOT_FOUND)
    _own_unit_or_403(request.user, report.unit_id, REPORT_WRITE_FORBIDDEN)
    uploads = request.FILES.getlist("file")
    if len(uploads) != 1:
        raise ReportError("请用 multipart 字段 file 上传一个文件")
    try:
        evidence = evidence_attach(report=report, user=request.user, upload=uploads[0])
    except DuplicateEvidence as exc:
        body = {"detail": str(exc), "existing": EvidenceSerializer(exc.existing).data}
        return Response(body, status=status.HTTP_409_CONFLICT)
    return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)
