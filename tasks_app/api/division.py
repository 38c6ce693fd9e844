"""Console API for the division (/api/console/): the assistant's proposals (list, generate, accept,
reject, accept above a score), unit merges and an item's units.

Same rules as the web console: planning-office admins write; reviewers and leadership read (403 on
writes); unit staff get 404; anonymous 401. Changes go through tasks_app.services.division and
suggestion_review; a refused change is 400 with ``detail``, a stale edit 409 with the current state.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.db.models import Model, QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from tasks_app import access
from tasks_app.api.common import LIST_ERRORS, READ_ERRORS, WRITE_ERRORS, Pagination, pk_from, query_params
from tasks_app.api.errors import conflict_shape
from tasks_app.api.serializers import ItemRefSerializer, id_field
from tasks_app.capabilities import Capability
from tasks_app.models import Assignment, Plan, SuggestedAssignment, Unit, WorkItem
from tasks_app.permissions import requires
from tasks_app.selectors import division as division_reads
from tasks_app.services.division import assignments_set, item_token, unit_merge
from tasks_app.services.suggestion_review import (
    suggestion_accept,
    suggestion_reject,
    suggestions_accept_above,
    suggestions_generate,
)

_M = TypeVar("_M", bound=Model)

# --- shapes --------------------------------------------------------------------------------------


class UnitBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name", "needs_review"]


class SuggestionSerializer(serializers.ModelSerializer):
    item = ItemRefSerializer()
    unit = UnitBriefSerializer()
    decided_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(slug_field="username", read_only=True)
    role = serializers.CharField(read_only=True, help_text="lead 牵头单位 | cooperating 配合单位")
    status = serializers.CharField(read_only=True, help_text="proposed 建议 | accepted 已采纳 | rejected 已否决")

    class Meta:
        model = SuggestedAssignment
        fields = ["id", "item", "unit", "role", "rank", "score", "status", "explanation", "decided_by", "decided_at"]


class SuggestionFilterSerializer(serializers.Serializer):
    plan = id_field(help_text="规划 id")
    item = id_field(required=False, help_text="事项 id")
    status = serializers.ChoiceField(
        choices=[("", "全部"), *SuggestedAssignment.Status.choices],
        required=False,
        default="proposed",
        allow_blank=True,
    )
    min_score = serializers.FloatField(required=False, min_value=0)
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1)


class PlanRequestSerializer(serializers.Serializer):
    plan = id_field(help_text="规划 id")


class GenerateResultSerializer(serializers.Serializer):
    items = serializers.IntegerField()
    suggestions = serializers.IntegerField()
    proposed_units = serializers.ListField(child=serializers.CharField(), help_text="新增的待确认单位")


class AcceptAboveSerializer(PlanRequestSerializer):
    min_score = serializers.FloatField(min_value=0, help_text="采纳得分不低于该值的建议")
    max_rank = serializers.IntegerField(required=False, min_value=1, help_text="每项每种角色只采纳前 N 名")


class AcceptAboveResultSerializer(serializers.Serializer):
    accepted = serializers.IntegerField()
    items = serializers.IntegerField()


class AcceptSerializer(serializers.Serializer):
    unit = id_field(required=False, help_text="改为该单位(修改后采纳)")
    role = serializers.ChoiceField(choices=Assignment.Role.choices, required=False, help_text="改为该角色")


class AssignmentSerializer(serializers.ModelSerializer):
    unit = UnitBriefSerializer()
    accepted_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = Assignment
        fields = ["id", "item_id", "unit", "role", "order", "origin", "accepted_by", "accepted_at"]


class MergeSerializer(serializers.Serializer):
    target = id_field(help_text="保留的单位 id(同一行政区划)")


class ItemUnitsSerializer(serializers.Serializer):
    item = serializers.IntegerField(read_only=True)
    updated_at = serializers.CharField(read_only=True, help_text="乐观锁令牌:修改时原样传回")
    lead = UnitBriefSerializer(many=True, read_only=True)
    cooperating = UnitBriefSerializer(many=True, read_only=True)
    responsible = UnitBriefSerializer(many=True, read_only=True)


class ItemUnitsUpdateSerializer(serializers.Serializer):
    lead = serializers.ListField(child=id_field(), required=False, default=list, max_length=100)
    cooperating = serializers.ListField(child=id_field(), required=False, default=list, max_length=100)
    responsible = serializers.ListField(child=id_field(), required=False, default=list, max_length=100)
    updated_at = serializers.CharField(required=False, help_text="读取时的 updated_at;他人已修改时返回 409")


ERR_409 = OpenApiResponse(ItemUnitsSerializer, description="事项在读取后已被修改:未做任何改动,返回 detail 与 current")


# --- helpers -------------------------------------------------------------------------------------


def _plan(request: Request, pk: Any) -> Plan:
    plan = division_reads.console_plan(request.user, pk_from(pk, message="规划不存在"))
    if plan is None:
        raise Http404("规划不存在")
    return plan


def _one(rows: QuerySet[_M], pk: Any, message: str) -> _M:
    row = rows.filter(pk=pk_from(pk, message=message)).first()
    if row is None:
        raise Http404(message)
    return row


def _item_units(item: WorkItem) -> dict[str, Any]:
    item.refresh_from_db(fields=["updated_at"])
    out: dict[str, Any] = {
        "item": item.pk,
        "updated_at": item_token(item),
        "lead": [],
        "cooperating": [],
        "responsible": [],
    }
    for row in division_reads.item_assignments(item):
        out[row.role].append(UnitBriefSerializer(row.unit).data)
    return out


@conflict_shape(WorkItem)
def _current_item_units(request: Request, item: WorkItem) -> dict[str, Any]:
    return _item_units(item)


# --- suggestions ---------------------------------------------------------------------------------


@extend_schema(
    tags=["console"],
    summary="分工建议列表(默认:待处理)",
    parameters=[SuggestionFilterSerializer],
    responses={200: SuggestionSerializer(many=True), **LIST_ERRORS},
)
@requires(Capability.VIEW_CONSOLE)
@api_view(["GET"])
def suggestions_list(request: Request) -> Response:
    params = query_params(SuggestionFilterSerializer, request)
    rows = division_reads.suggestion_rows(
        request.user,
        plan_id=params["plan"],
        status=request.query_params.get("status", "proposed"),
        item_id=params.get("item"),
        min_score=params.get("min_score"),
    )
    paginator = Pagination()
    page = paginator.paginate_queryset(rows, request)
    return paginator.get_paginated_response(SuggestionSerializer(page, many=True).data)


@extend_schema(
    tags=["console"],
    summary="生成(或重新生成)规划的分工建议",
    request=PlanRequestSerializer,
    responses={201: GenerateResultSerializer, **WRITE_ERRORS},
)
@requires(Capability.VIEW_CONSOLE, write=Capability.EDIT_DIVISION)
@api_view(["POST"])
def suggestions_generate_api(request: Request) -> Response:
    form = PlanRequestSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    plan = _plan(request, form.validated_data["plan"])
    result = suggestions_generate(plan=plan, user=request.user)
    return Response(GenerateResultSerializer(result).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["console"],
    summary="批量采纳得分不低于阈值的建议",
    request=AcceptAboveSerializer,
    responses={200: AcceptAboveResultSerializer, **WRITE_ERRORS},
)
@requires(Capability.VIEW_CONSOLE, write=Capability.EDIT_DIVISION)
@api_view(["POST"])
def suggestions_accept_above_api(request: Request) -> Response:
    form = AcceptAboveSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    plan = _plan(request, form.validated_data["plan"])
    created = suggestions_accept_above(
        plan=plan,
        min_score=form.validated_data["min_score"],
        max_rank=form.validated_data.get("max_rank"),
        user=request.user,
    )
    return Response({"accepted": len(created), "items": len({a.item_id for a in created})})


@extend_schema(
    tags=["console"],
    summary="采纳一条建议(可改单位或角色)",
    request=AcceptSerializer,
    responses={201: AssignmentSerializer, **WRITE_ERRORS},
)
@requires(Capability.VIEW_CONSOLE, write=Capability.EDIT_DIVISION)
@api_view(["POST"])
def suggestion_accept_api(request: Request, pk: str) -> Response:
    suggestion = _one(access.visible_suggestions(request.user), pk, "分工建议不存在")
    form = AcceptSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    unit = None
    if "unit" in form.validated_data:
        unit = division_reads.plan_unit_by_id(suggestion.item.plan, form.validated_data["unit"])
        if unit is None:
            raise serializers.ValidationError({"unit": ["单位不存在"]})
    assignment = suggestion_accept(
        suggestion=suggestion, user=request.user, unit=unit, role=form.validated_data.get("role")
    )
    return Response(AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["console"], summary="否决一条建议", request=None, responses={200: SuggestionSerializer, **WRITE_ERRORS}
)
@requires(Capability.VIEW_CONSOLE, write=Capability.EDIT_DIVISION)
@api_view(["POST"])
def suggestion_reject_api(request: Request, pk: str) -> Response:
    suggestion = _one(access.visible_suggestions(request.user), pk, "分工建议不存在")
    suggestion = suggestion_reject(suggestion=suggestion, user=request.user)
    return Response(SuggestionSerializer(suggestion).data)


# --- units and items -----------------------------------------------------------------------------


@extend_schema(
    tags=["console"],
    summary="把单位合并到另一单位(分工、报告、账号、别名随之转移,本单位删除)",
    request=MergeSerializer,
    responses={200: UnitBriefSerializer, **WRITE_ERRORS},
)
@requires(Capability.VIEW_CONSOLE, write=Capability.MANAGE_UNITS)
@api_view(["POST"])
def unit_merge_api(request: Request, pk: str) -> Response:
    source = access.unit_or_404(request.user, pk_from(pk, message="单位不存在"))
    form = MergeSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    target = division_reads.unit_by_id(request.user, form.validated_data["target"])
    if target is None:
        raise serializers.ValidationError({"target": ["目标单位不存在"]})
    target = unit_merge(source=source, target=target, user=request.user)
    return Response(UnitBriefSerializer(target).data)


@extend_schema(
    tags=["console"],
    summary="事项的牵头/配合/责任单位",
    responses={200: ItemUnitsSerializer, **READ_ERRORS},
    methods=["GET"],
)
@extend_schema(
    tags=["console"],
    summary="设置事项的牵头/配合/责任单位(整体替换)",
    request=ItemUnitsUpdateSerializer,
    responses={200: ItemUnitsSerializer, 409: ERR_409, **WRITE_ERRORS},
    methods=["PUT"],
)
@requires(Capability.VIEW_CONSOLE, write=Capability.EDIT_DIVISION)
@api_view(["GET", "PUT"])
def item_assignments_api(request: Request, pk: str) -> Response:
    item = access.console_item_or_404(request.user, pk_from(pk, message="事项不存在"))
    if request.method == "GET":
        return Response(_item_units(item))
    form = ItemUnitsUpdateSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    data = form.validated_data
    assignments_set(
        item=item,
        user=request.user,
        lead=data["lead"],
        cooperating=data["cooperating"],
        responsible=data["responsible"],
        expected_updated_at=data.get("updated_at"),
    )
    return Response(_item_units(item))
