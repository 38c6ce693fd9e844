"""The assignment workflow in the API (督办): staff act on a task (签收, 退回分工, 延期申请); the office lists pending
requests and who has not acknowledged, decides requests, closes and reopens items. Every call goes into
services/workflow.py, the same functions the web faces call; refused steps are 400 with ``detail``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from tasks_app import access
from tasks_app.api.common import LIST_ERRORS, WRITE_ERRORS, pk_from, query_params
from tasks_app.api.serializers import id_field
from tasks_app.capabilities import Capability
from tasks_app.models import WorkflowRequest, WorkItem
from tasks_app.permissions import requires
from tasks_app.selectors import workflow as workflow_reads
from tasks_app.services import workflow
from tasks_app.services.workflow import REASON_MAX

# --- shapes --------------------------------------------------------------------------------------


class UnitChoiceSerializer(serializers.Serializer):
    unit = id_field(required=False, help_text="以哪个单位办理(用户属于该事项的多个填报单位时必填)")


class BounceSerializer(UnitChoiceSerializer):
    reason = serializers.CharField(max_length=REASON_MAX, allow_blank=True, help_text="退回理由(必填)")


class ExtensionSerializer(UnitChoiceSerializer):
    reason = serializers.CharField(max_length=REASON_MAX, allow_blank=True, help_text="延期理由(必填)")
    proposed_deadline = serializers.DateField(help_text="申请延期到的日期,须晚于当前完成时限")


class DecideSerializer(serializers.Serializer):
    accept = serializers.BooleanField(help_text="true 同意,false 不同意")
    reply = serializers.CharField(
        max_length=REASON_MAX, required=False, allow_blank=True, help_text="答复(不同意时必填)"
    )
    reassign_to = id_field(required=False, help_text="同意退回分工时改派的单位 id")


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, help_text="说明(可选)")


class AcknowledgementSerializer(serializers.Serializer):
    item = serializers.IntegerField(source="item_id")
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField(source="unit.name")
    role = serializers.CharField()
    acknowledged_at = serializers.DateTimeField()


class WorkflowRequestSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    item_title = serializers.CharField(source="item.title", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = WorkflowRequest
        fields = [
            "id",
            "kind",
            "kind_label",
            "item",
            "item_title",
            "unit",
            "unit_name",
            "reason",
            "proposed_deadline",
            "previous_deadline",
            "status",
            "status_label",
            "reply",
            "reassigned_to",
            "created_at",
            "decided_at",
        ]


class ItemClosureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    closed = serializers.SerializerMethodField()
    closed_at = serializers.DateTimeField(allow_null=True)
    close_note = serializers.CharField()

    def get_closed(self, item: WorkItem) -> bool:
        return item.is_closed


class UnacknowledgedSerializer(serializers.Serializer):
    plan = serializers.IntegerField(source="item__plan_id")
    plan_title = serializers.CharField(source="item__plan__title")
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField(source="unit__name")
    items = serializers.IntegerField(source="n", help_text="未签收的事项数")


class WorkflowOverviewSerializer(serializers.Serializer):
    pending = WorkflowRequestSerializer(many=True)
    unacknowledged = UnacknowledgedSerializer(many=True)


class PlanFilterSerializer(serializers.Serializer):
    plan = id_field(required=False, help_text="规划 id")


def _valid(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    form = serializer_class(data=request.data)
    form.is_valid(raise_exception=True)
    return dict(form.validated_data)


def _item_id(pk: Any) -> int:
    return pk_from(pk, message="事项不存在或不在您的权限范围内")


# --- unit staff ------------------------------------------------------------------------------------


@extend_schema(
    tags=["workflow"],
    summary="签收事项",
    request=UnitChoiceSerializer,
    responses={200: AcknowledgementSerializer, **WRITE_ERRORS},
)
@requires(None, write=Capability.FILE_REPORTS)
@api_view(["POST"])
def task_acknowledge(request: Request, pk: str) -> Response:
    data = _valid(UnitChoiceSerializer, request)
    row = workflow.assignment_acknowledge(user=request.user, item=_item_id(pk), unit=data.get("unit"))
    return Response(AcknowledgementSerializer(row).data)


class AcknowledgedCountSerializer(serializers.Serializer):
    acknowledged = serializers.IntegerField(help_text="本次签收的分工条数")


@extend_schema(
    tags=["workflow"],
    summary="全部签收:本单位(或指定单位)所有待签收的分工",
    operation_id="tasks_acknowledge_all",
    request=UnitChoiceSerializer,
    responses={200: AcknowledgedCountSerializer, **WRITE_ERRORS},
)
@requires(None, write=Capability.FILE_REPORTS)
@api_view(["POST"])
def tasks_acknowledge_all(request: Request) -> Response:
    data = _valid(UnitChoiceSerializer, request)
    count = workflow.assignments_acknowledge_all(user=request.user, unit=data.get("unit"))
    return Response({"acknowledged": count})


@extend_schema(
    tags=["workflow"],
    summary="退回分工(理由必填)",
    request=BounceSerializer,
    responses={201: WorkflowRequestSerializer, **WRITE_ERRORS},
)
@requires(None, write=Capability.FILE_REPORTS)
@api_view(["POST"])
def task_bounce(request: Request, pk: str) -> Response:
    data = _valid(BounceSerializer, request)
    row = workflow.assignment_bounce(user=request.user, item=_item_id(pk), reason=data["reason"], unit=data.get("unit"))
    return Response(WorkflowRequestSerializer(row).data, status=201)


@extend_schema(
    tags=["workflow"],
    summary="延期申请(理由与日期必填)",
    request=ExtensionSerializer,
    responses={201: WorkflowRequestSerializer, **WRITE_ERRORS},
)
@requires(None, write=Capability.FILE_REPORTS)
@api_view(["POST"])
def task_extension(request: Request, pk: str) -> Response:
    data = _valid(ExtensionSerializer, request)
    row = workflow.extension_request(
        user=request.user,
        item=_item_id(pk),
        reason=data["reason"],
        proposed_deadline=data["proposed_deadline"],
        unit=data.get("unit"),
    )
    return Response(WorkflowRequestSerializer(row).data, status=201)


# --- the office ------------------------------------------------------------------------------------


@extend_schema(
    tags=["console"],
    summary="督办:待处理的退回分工与延期申请、未签收单位",
    parameters=[PlanFilterSerializer],
    responses={200: WorkflowOverviewSerializer, **LIST_ERRORS},
)
@requires(Capability.VIEW_CONSOLE)
@api_view(["GET"])
def console_workflow(request: Request) -> Response:
    params = query_params(PlanFilterSerializer, request)
    plan = access.visible_plans(request.user).filter(pk=params["plan"]).first() if "plan" in params else None
    data = {
        "pending": list(workflow_reads.pending_requests(request.user, plan=plan)[:500]),
        "unacknowledged": workflow_reads.unacknowledged(request.user, plan=plan),
    }
    return Response(WorkflowOverviewSerializer(data).data)


@extend_schema(
    tags=["console"],
    summary="处理退回分工或延期申请",
    request=DecideSerializer,
    responses={200: WorkflowRequestSerializer, **WRITE_ERRORS},
)
@requires(Capability.VIEW_CONSOLE, write=Capability.DECIDE_WORKFLOW)
@api_view(["POST"])
def console_workflow_decide(request: Request, pk: str) -> Response:
    found = access.workflow_request_or_404(request.user, pk_from(pk, message="申请不存在"))
    data = _valid(DecideSerializer, request)
    if found.kind == WorkflowRequest.Kind.BOUNCE:
        row = workflow.bounce_decide(
            user=request.user,
            request=found,
            accept=data["accept"],
            reply=data.get("reply", ""),
            reassign_to=data.get("reassign_to"),
        )
    else:
        row = workflow.extension_decide(
            user=request.user, request=found, accept=data["accept"], reply=data.get("reply", "")
        )
    return Response(WorkflowRequestSerializer(row).data)


@extend_schema(
    tags=["console"], summary="销号", request=NoteSerializer, responses={200: ItemClosureSerializer, **WRITE_ERRORS}
)
@requires(Capability.VIEW_CONSOLE, write=Capability.DECIDE_WORKFLOW)
@api_view(["POST"])
def console_item_close(request: Request, pk: str) -> Response:
    data = _valid(NoteSerializer, request)
    item = workflow.item_close(user=request.user, item=_item_id(pk), note=data.get("note", ""))
    return Response(ItemClosureSerializer(item).data)


@extend_schema(
    tags=["console"],
    summary="重新打开已销号事项",
    request=NoteSerializer,
    responses={200: ItemClosureSerializer, **WRITE_ERRORS},
)
@requires(Capability.VIEW_CONSOLE, write=Capability.DECIDE_WORKFLOW)
@api_view(["POST"])
def console_item_reopen(request: Request, pk: str) -> Response:
    data = _valid(NoteSerializer, request)
    item = workflow.item_reopen(user=request.user, item=_item_id(pk), note=data.get("note", ""))
    return Response(ItemClosureSerializer(item).data)
