"""Console API (/api/console/): the review queue and review actions, cycles and the cycle dashboard.

Same scope rules as the web console: unit staff get 404 (the console is not theirs), leadership reads
and gets 403 on every write, anonymous gets 401. State changes go through tasks_app.services (the same
functions the web console calls); a refused change is 400 with ``detail``, a stale version 409.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from tasks_app import access
from tasks_app.api.common import ERR_400, LIST_ERRORS, READ_ERRORS, WRITE_ERRORS, Pagination, pk_from, query_params
from tasks_app.api.serializers import CycleSerializer, ReportSerializer, id_field
from tasks_app.capabilities import Capability
from tasks_app.models import Report, ReportingCycle, ReportVersion
from tasks_app.models.plans import ReportingFrequency
from tasks_app.permissions import requires
from tasks_app.selectors import console as console_reads
from tasks_app.selectors import lights as light_reads
from tasks_app.selectors.api import api_reports
from tasks_app.selectors.review_diff import resubmissions, with_resubmission_flag
from tasks_app.services.cycles import cycle_close, cycle_open, cycle_set_due_date, plan_cadence_set
from tasks_app.services.review import REASON_MAX, report_approve, report_return, reports_bulk_approve

ERR_409 = OpenApiResponse(ReportSerializer, description="报告在读取后已被修改:未做任何改动,返回 detail 与 current")


# --- shapes --------------------------------------------------------------------------------------


class QueueFilterSerializer(serializers.Serializer):
    cycle = id_field(required=False, help_text="报送周期 id")
    unit = id_field(required=False, help_text="填报单位 id")
    section = serializers.IntegerField(required=False, min_value=0, help_text="章 id(与 cycle 同用;0 = 未分章节)")
    status = serializers.ChoiceField(
        choices=[
            ("", "全部"),
            *((value, label) for value, label in Report.Status.choices if value not in Report.UNIT_ONLY_STATUSES),
        ],
        required=False,
        default="submitted",
        allow_blank=True,
    )
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1)


class QueueRowSerializer(ReportSerializer):
    """A queue row: the report plus whether it is a resubmission and which fields changed since its return."""

    resubmitted = serializers.BooleanField(
        source="was_returned", read_only=True, help_text="退回后重新提交(此前至少被退回过一次)"
    )
    changed_fields = serializers.SerializerMethodField(help_text="重新提交的报告与退回版本相比修改的字段")

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "resubmitted", "changed_fields"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_changed_fields(self, report: Report) -> list[str]:
        change = self.context.get("resubmissions", {}).get(report.pk)
        return change.changed_names if change else []


class ApproveSerializer(serializers.Serializer):
    version = id_field(required=False, help_text="读取时的版本号;他人已修改时返回 409")


class ReturnSerializer(ApproveSerializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=REASON_MAX, help_text="退回理由(必填,单位将看到)"
    )


class BulkApproveSerializer(serializers.Serializer):
    reports = serializers.ListField(child=id_field(), max_length=2000, allow_empty=False, help_text="报告 id")
    cycle = id_field(required=False, help_text="只处理该周期内的报告")


class BulkResultSerializer(serializers.Serializer):
    approved = serializers.ListField(child=serializers.IntegerField())
    skipped = serializers.ListField(child=serializers.IntegerField(), help_text="非待审核状态或不在所选周期,未处理")


class VersionRowSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    action_label = serializers.CharField(source="get_action_display", read_only=True)

    class Meta:
        model = ReportVersion
        fields = ["number", "action", "action_label", "status", "reason", "actor", "created_at"]

    def get_actor(self, row: ReportVersion) -> str | None:
        user = row.actor
        return (user.get_full_name() or user.get_username()) if user else None


class DueDateSerializer(serializers.Serializer):
    due_date = serializers.DateField(help_text="新的报送截止日期 YYYY-MM-DD")


class CadenceSerializer(serializers.Serializer):
    frequency = serializers.ChoiceField(choices=ReportingFrequency.choices, help_text="报送频次")


class CadenceResultSerializer(CadenceSerializer):
    created = serializers.IntegerField(help_text="新建的报送期个数")
    cycles = CycleSerializer(many=True, help_text="该规划的全部报送周期")


class TallySerializer(serializers.Serializer):
    expected = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    missing = serializers.IntegerField()
    approved = serializers.IntegerField()
    returned = serializers.IntegerField()
    pending = serializers.IntegerField()
    rate = serializers.FloatField(help_text="已提交(按时+逾期)占应报的百分比")


class UnitTallySerializer(TallySerializer):
    unit_id = serializers.IntegerField()
    name = serializers.CharField()


class ChapterTallySerializer(TallySerializer):
    section_id = serializers.IntegerField(help_text="章 id;0 = 未分章节")
    # DRF's metaclass moves declared fields off the class, so this never shadows Field.label at runtime
    label = serializers.CharField()  # type: ignore[assignment]


class IndicatorStatusSerializer(serializers.Serializer):
    item_id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField()
    binding = serializers.BooleanField()
    target_text = serializers.CharField()
    actual_text = serializers.CharField()
    actual_year = serializers.IntegerField(allow_null=True)
    status = serializers.ChoiceField(choices=["达标", "未达标", "待定", "无统计"])
    off_track = serializers.BooleanField(help_text="约束性指标未达标")
    path_status = serializers.ChoiceField(
        choices=["提前实现", "快于预期", "基本符合预期", "滞后", "待定", "无统计"], help_text="对照五年序时进度"
    )
    path_expected = serializers.FloatField(allow_null=True, help_text="按序时进度(或年度目标)本年应达值")
    at_risk = serializers.BooleanField(help_text="约束性指标滞后或预计难以完成")
    trend_likely = serializers.BooleanField(allow_null=True, source="pace.likely", help_text="预计能否完成目标")
    rate_needed = serializers.FloatField(allow_null=True, source="pace.needed", help_text="完成目标尚需的年均进度")
    rate_achieved = serializers.FloatField(allow_null=True, source="pace.achieved", help_text="已实现的年均进度")


class LightCountsSerializer(serializers.Serializer):
    red = serializers.IntegerField(help_text="红灯事项数")
    yellow = serializers.IntegerField(help_text="黄灯事项数")
    green = serializers.IntegerField(help_text="绿灯事项数")


class DashboardSerializer(serializers.Serializer):
    cycle = CycleSerializer()
    totals = TallySerializer()
    lights = LightCountsSerializer(allow_null=True, help_text="序时进度灯号(rules.lights);周期未开启为 null")
    units = UnitTallySerializer(many=True)
    chapters = ChapterTallySerializer(many=True)
    indicators = IndicatorStatusSerializer(many=True)


# --- helpers -------------------------------------------------------------------------------------


def _report(request: Request, pk: Any) -> Report:
    report = console_reads.review_report(request.user, pk_from(pk, message="报告不存在"))
    if report is None:
        raise Http404("报告不存在")
    return report


def _cycle(request: Request, pk: Any) -> ReportingCycle:
    cycle = console_reads.console_cycle(request.user, pk_from(pk, message="报送周期不存在"))
    if cycle is None:
        raise Http404("报送周期不存在")
    return cycle


def _reply(request: Request, report: Report) -> Response:
    return Response(ReportSerializer(api_reports(request.user).get(pk=report.pk)).data)


# --- review --------------------------------------------------------------------------------------


@extend_schema(
    tags=["console"],
    summary="审核队列(默认:待审核报告)",
    parameters=[QueueFilterSerializer],
    responses={200: QueueRowSerializer(many=True), **LIST_ERRORS},
)
@requires(Capability.VIEW_CONSOLE)
@api_view(["GET"])
def review_queue(request: Request) -> Response:
    params = query_params(QueueFilterSerializer, request)
    status_value = request.query_params.get("status", "submitted")
    filters = console_reads.QueueFilters(
        cycle=params.get("cycle"), unit=params.get("unit"), section=params.get("section"), status=status_value
    )
    chapters = console_reads.plan_chapters(_cycle(request, filters.cycle).plan_id) if filters.cycle else None
    rows = with_resubmission_flag(console_reads.queue_filter(api_reports(request.user), filters, chapters=chapters))
    paginator = Pagination()
    page = paginator.paginate_queryset(rows, request) or []
    context = {"request": request, "resubmissions": resubmissions(page)}
    return paginator.get_paginated_response(QueueRowSerializer(page, many=True, context=context).data)


@extend_schema(
    tags=["console"],
    summary="通过报告(只能审核已提交的报告)",
    request=ApproveSerializer,
    responses={200: ReportSerializer, 409: ERR_409, **WRITE_ERRORS},
)
@requires(Capability.VIEW_CONSOLE, write=Capability.REVIEW)
@api_view(["POST"])
def approve(request: Request, pk: str) -> Response:
    report = _report(request, pk)
    form = ApproveSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    report_approve(report=report, user=request.user, expected_version=form.validated_data.get("version"))
    return _reply(request, report)


@extend_schema(
    tags=["console"],
    summary="退回报告(必须填写理由;单位可修改后重新提交)",
    request=ReturnSerializer,
    responses={200: ReportSerializer, 409: ERR_409, **WRITE_ERRORS},
)
@requires(Capability.VIEW_CONSOLE, write=Capability.REVIEW)
@api_view(["POST"])
def return_(request: Request, pk: str) -> Response:
    report = _report(request, pk)
    form = ReturnSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    data = form.validated_data
    report_return(report=report, user=request.user, reason=data.get("reason", ""), expected_version=data.get("version"))
    return _reply(request, report)


@extend_schema(
    tags=["console"],
    summary="批量通过(只处理待审核的报告,其余列入 skipped)",
    request=BulkApproveSerializer,
    responses={200: BulkResultSerializer, **WRITE_ERRORS},
)
@requires(Capability.VIEW_CONSOLE, write=Capability.REVIEW)
@api_view(["POST"])
def bulk_approve(request: Request) -> Response:
    form = BulkApproveSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    data = form.validated_data
    cycle = _cycle(request, data["cycle"]) if data.get("cycle") else None
    result = reports_bulk_approve(user=request.user, report_ids=data["reports"], cycle=cycle)
    return Response({"approved": result.approved, "skipped": result.skipped})


@extend_schema(
    tags=["console"],
    summary="报告的全部版本与审核记录(新→旧)",
    responses={200: VersionRowSerializer(many=True), **READ_ERRORS},
)
@requires(Capability.VIEW_CONSOLE)
@api_view(["GET"])
def history(request: Request, pk: str) -> Response:
    report = _report(request, pk)
    versions = console_reads.item_history(report.item_id, report=report)
    return Response(VersionRowSerializer(versions, many=True).data)


# --- cycles --------------------------------------------------------------------------------------


@extend_schema(
    tags=["console"],
    summary="开启报送周期",
    request=None,
    responses={200: CycleSerializer, **WRITE_ERRORS},
)
@requires(Capability.VIEW_CONSOLE, write=Capability.MANAGE_CYCLES)
@api_view(["POST"])
def cycle_open_api(request: Request, pk: str) -> Response:
    cycle = _cycle(request, pk)
    cycle = cycle_open(plan=cycle.plan, period=cycle.period, user=request.user)
    return Response(CycleSerializer(_cycle(request, cycle.pk)).data)


@extend_schema(
    tags=["console"],
    summary="设置规划的报送频次(按新频次建立各报送期)",
    request=CadenceSerializer,
    responses={200: CadenceResultSerializer, 400: ERR_400, **WRITE_ERRORS},
)
@requires(Capability.VIEW_CONSOLE, write=Capability.MANAGE_CYCLES)
@api_view(["POST"])
def plan_cadence_api(request: Request, pk: str) -> Response:
    plan = access.visible_plans(request.user).filter(pk=pk_from(pk, message="规划不存在")).first()
    if plan is None:
        raise Http404("规划不存在")
    form = CadenceSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    created = plan_cadence_set(plan=plan, frequency=form.validated_data["frequency"], user=request.user)
    cycles = plan.cycles.select_related("plan").order_by("year", "period")
    data = {"frequency": plan.reporting_frequency, "created": created, "cycles": cycles}
    return Response(CadenceResultSerializer(data).data)


@extend_schema(tags=["console"], summary="关闭报送周期", request=None, responses={200: CycleSerializer, **WRITE_ERRORS})
@requires(Capability.VIEW_CONSOLE, write=Capability.MANAGE_CYCLES)
@api_view(["POST"])
def cycle_close_api(request: Request, pk: str) -> Response:
    cycle = cycle_close(cycle=_cycle(request, pk), user=request.user)
    return Response(CycleSerializer(cycle).data)


@extend_schema(
    tags=["console"],
    summary="修改报送截止日期",
    request=DueDateSerializer,
    responses={200: CycleSerializer, 400: ERR_400, **WRITE_ERRORS},
)
@requires(Capability.VIEW_CONSOLE, write=Capability.MANAGE_CYCLES)
@api_view(["POST"])
def cycle_due_api(request: Request, pk: str) -> Response:
    cycle = _cycle(request, pk)
    form = DueDateSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    cycle = cycle_set_due_date(cycle=cycle, due_date=form.validated_data["due_date"], user=request.user)
    return Response(CycleSerializer(cycle).data)


@extend_schema(
    tags=["console"],
    summary="周期看板:按单位、按章、指标状态",
    responses={200: DashboardSerializer, **READ_ERRORS},
)
@requires(Capability.VIEW_CONSOLE)
@api_view(["GET"])
def cycle_dashboard(request: Request, pk: str) -> Response:
    board = console_reads.cycle_dashboard(_cycle(request, pk), sort=request.query_params.get("sort"))
    lights = light_reads.dashboard_lights(board.cycle, today=timezone.localdate())
    data = {
        "cycle": board.cycle,
        "totals": board.totals,
        "lights": lights.totals if lights else None,
        "units": board.units,
        "chapters": board.chapters,
        "indicators": board.indicators,
    }
    return Response(DashboardSerializer(data).data)
