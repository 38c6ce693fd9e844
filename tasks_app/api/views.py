"""REST API (BRIEF §5). Scope comes from tasks_app.access, state changes from tasks_app.services.reports.

Objects outside the user's scope are 404; visible objects the user may not change are 403 (leadership,
office staff, units that do not report on the item); stale versions are 409 and change nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action, api_view, authentication_classes, permission_classes
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from tasks_app import access
from tasks_app.api import serializers
from tasks_app.api.common import (
    ERR_400,
    LIST_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    Pagination,
    pk_from,
    query_params,
)
from tasks_app.api.errors import conflict_shape
from tasks_app.capabilities import Capability
from tasks_app.models import Contribution, Report, ReportingCycle, WorkItem
from tasks_app.permissions import CapabilityPermission
from tasks_app.rules.cycles import accepts_reports
from tasks_app.selectors import api as api_reads
from tasks_app.services.accounts import FIRST_LOGIN_MESSAGE, password_change_required
from tasks_app.services.errors import StaleEditError
from tasks_app.services.reports import (
    REPORT_FIELDS,
    ReportDraft,
    ReportError,
    contribution_save,
    report_get_or_start,
    report_save,
    report_submit,
    unit_cycle_for,
)
from tasks_app.services.signoff import report_head_approve, report_head_return
from tasks_app.services.tokens import token_expires_at, token_issue, token_revoke_all, tokens_of

# --- token ---------------------------------------------------------------------------------------


@extend_schema(
    tags=["auth"],
    summary="用用户名和密码换取令牌",
    description="令牌在 expires 之前有效(过期后再次换取得到新令牌);修改密码或退出登录后作废。"
    "同一用户名或来源地址连续输错密码会被暂时锁定(429,见 Retry-After)。",
    request=serializers.TokenRequestSerializer,
    responses={
        200: serializers.TokenResponseSerializer,
        400: ERR_400,
        403: OpenApiResponse(description="初始密码尚未修改:请先在网页登录并修改密码"),
    },
    auth=[],
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
def token_obtain(request: Request) -> Response:
    form = serializers.TokenRequestSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    user = authenticate(
        request._request, username=form.validated_data["username"], password=form.validated_data["password"]
    )
    if user is None or not user.is_active:
        return Response({"detail": "用户名或密码错误,或账号已停用"}, status=status.HTTP_400_BAD_REQUEST)
    if password_change_required(user):
        return Response(
            {"detail": FIRST_LOGIN_MESSAGE, "code": "password_change_required"}, status=status.HTTP_403_FORBIDDEN
        )
    token = token_issue(user=user)
    return Response({"token": token.key, "expires": token_expires_at(token)})


@extend_schema(
    tags=["auth"], summary="我的令牌(只显示末四位)", responses={200: serializers.TokenRowSerializer(many=True)}
)
@extend_schema(tags=["auth"], summary="作废我的全部令牌", request=None, responses={204: None}, methods=["DELETE"])
@api_view(["GET", "DELETE"])
def tokens_mine(request: Request) -> Response:
    if request.method == "DELETE":
        token_revoke_all(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
    return Response(serializers.TokenRowSerializer(tokens_of(user=request.user), many=True).data)


# --- shared behaviour ----------------------------------------------------------------------------


class ScopedViewSet(viewsets.GenericViewSet):
    """Lists and lookups start from the user's scope; a row outside it is a 404 with a clear message."""

    permission_classes = [CapabilityPermission]
    permission = None  # every signed-in user reads; the scope decides what
    write_permission = Capability.FILE_REPORTS
    parser_classes = [JSONParser]
    pagination_class = Pagination
    lookup_value_regex = r"-?\d+"
    not_found = "不存在或不在您的权限范围内"
    filter_serializer: type[Serializer] | None = None

    def scoped(self) -> QuerySet:
        raise NotImplementedError

    def filtered(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        return queryset.filter(**params)

    def get_queryset(self) -> QuerySet:
        queryset = self.scoped()
        if self.action == "list" and self.filter_serializer is not None:
            queryset = self.filtered(queryset, query_params(self.filter_serializer, self.request))
        return queryset

    def get_object(self) -> Any:
        pk = pk_from(self.kwargs.get("pk"), message=self.not_found)
        # no ORDER BY for one row: the list's sort joined and planned for nothing (0.3 ms of PostgreSQL's 1.7)
        obj = next(iter(self.scoped().filter(pk=pk).order_by()[:1]), None)
        if obj is None:
            raise Http404(self.not_found)
        return obj


def _own_unit_or_403(user: Any, unit_id: int, message: str) -> None:
    # Visible but not theirs (office staff, another unit on a shared item): forbidden, not missing.
    if unit_id not in access.unit_ids(user):
        raise PermissionDenied(message)


def _cycle_for(item: WorkItem, cycle_id: int | None, user: Any) -> ReportingCycle:
    """The cycle a write names, else the one the user's units report into (services.reports.unit_cycle_for); it
    must accept reports from one of the user's units (rules.cycles.accepts_reports; the service checks the unit)."""
    cycle = api_reads.plan_cycle(item.plan, cycle_id) if cycle_id else unit_cycle_for(item, user)
    if cycle is None:
        raise ReportError("该规划没有开启中的报送周期" if not cycle_id else "报送周期不存在或不属于该事项的规划")
    if not any(accepts_reports(cycle, unit_id) for unit_id in access.unit_ids(user)):
        raise ReportError("该报送周期未开启或已关闭,只有开启中(或已为本单位解锁)的周期可以填报")
    return cycle


def _pick_unit(mine: list[int], unit_id: int | None, *, role_label: str) -> int:
    if unit_id is not None:
        if unit_id not in mine:
            raise PermissionDenied(f"该单位不是您在此事项中的{role_label}")
        return unit_id
    if not mine:
        raise PermissionDenied(f"您的单位不是该事项的{role_label}")
    if len(mine) > 1:
        raise ReportError(f"您有多个{role_label}单位在此事项中,请用 unit 指定")
    return mine[0]


def _create_target(
    request: Request, data: dict[str, Any], units_of: Callable[[Any, WorkItem], list[int]], *, role_label: str
) -> tuple[WorkItem, ReportingCycle, int]:
    # A report and a contribution are created the same way: the item in scope (404), its cycle, then which of
    # the user's units in ``role_label`` (``units_of``: access.my_reporting_units / my_cooperating_units) writes.
    # One order of checks for both, so the two endpoints refuse alike.
    item = access.item_or_404(request.user, data["item"])
    cycle = _cycle_for(item, data.get("cycle"), request.user)
    unit_id = _pick_unit(units_of(request.user, item), data.get("unit"), role_label=role_label)
    return item, cycle, unit_id


@conflict_shape(Report)
def _current_report(request: Request, report: Report) -> dict[str, Any]:
    return serializers.ReportSerializer(api_reads.api_reports(request.user).get(pk=report.pk)).data


@conflict_shape(Contribution)
def _current_contribution(request: Request, row: Contribution) -> dict[str, Any]:
    return serializers.ContributionSerializer(api_reads.api_contributions(request.user).get(pk=row.pk)).data


# --- tasks ---------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="我的任务(事项列表)",
        parameters=[serializers.TaskFilterSerializer],
        responses={200: serializers.TaskSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="事项详情", responses={200: serializers.TaskSerializer, **READ_ERRORS}),
)
class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = serializers.TaskSerializer
    filter_serializer = serializers.TaskFilterSerializer
    not_found = "事项不存在或不在您的权限范围内"

    def scoped(self) -> QuerySet:
        # a colour filter needs the light in SQL; otherwise only the page's rows are lit (items_lit)
        lit = self.action == "list" and bool(self.request.query_params.get("light"))
        return api_reads.api_items(self.request.user, lit=lit)

    def filtered(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        return api_reads.items_filtered(self.request.user, queryset, **params)

    def paginate_queryset(self, queryset: QuerySet | Sequence[Any]) -> list[Any] | None:
        page = super().paginate_queryset(queryset)
        return list(api_reads.items_lit(page)) if page is not None else None

    def get_object(self) -> Any:
        return api_reads.items_lit([super().get_object()])[0]


# --- cycles --------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="报送周期",
        parameters=[serializers.CycleFilterSerializer],
        responses={200: serializers.CycleSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="报送周期详情", responses={200: serializers.CycleSerializer, **READ_ERRORS}),
)
class CycleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = serializers.CycleSerializer
    filter_serializer = serializers.CycleFilterSerializer
    not_found = "报送周期不存在或不在您的权限范围内"

    def scoped(self) -> QuerySet:
        return api_reads.api_cycles(self.request.user)

    def filtered(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        return queryset.filter(**{("plan_id" if key == "plan" else key): value for key, value in params.items()})


# --- reports -------------------------------------------------------------------------------------

REPORT_WRITE_FORBIDDEN = "只有该报告的填报单位可以修改"


def _sign_off_schema(summary: str, description: str, request: type[Serializer]) -> Any:
    """The OpenAPI shape of the unit head's two actions (services.signoff): the report, or 409 when stale."""
    stale = OpenApiResponse(serializers.ReportConflictSerializer, description="报告已被修改:请刷新后再审核")
    return extend_schema(
        summary=summary,
        description=description,
        request=request,
        responses={200: serializers.ReportSerializer, 409: stale, **WRITE_ERRORS},
    )


@extend_schema_view(
    list=extend_schema(
        summary="年度进展报告",
        parameters=[serializers.ReportFilterSerializer],
        responses={200: serializers.ReportSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="报告详情", responses={200: serializers.ReportSerializer, **READ_ERRORS}),
    create=extend_schema(
        summary="开始填写报告(可同时保存草稿内容)",
        request=serializers.ReportCreateSerializer,
        responses={
            201: serializers.ReportSerializer,
            409: OpenApiResponse(serializers.ReportConflictSerializer, description="该报告已存在,请用 PATCH 修改"),
            **WRITE_ERRORS,
        },
    ),
    partial_update=extend_schema(
        summary="保存草稿(需带读取时的 version)",
        request=serializers.ReportUpdateSerializer,
        responses={
            200: serializers.ReportSerializer,
            409: OpenApiResponse(
                serializers.ReportConflictSerializer, description="他人已保存:您的内容未保存,请合并后重试"
            ),
            **WRITE_ERRORS,
        },
    ),
)
class ReportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedViewSet
):
    serializer_class = serializers.ReportSerializer
    filter_serializer = serializers.ReportFilterSerializer
    not_found = "报告不存在或不在您的权限范围内"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def scoped(self) -> QuerySet:
        return api_reads.api_reports(self.request.user)

    def filtered(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        return queryset.filter(**{(key if key == "status" else f"{key}_id"): value for key, value in params.items()})

    def _reply(self, report: Report, code: int = status.HTTP_200_OK) -> Response:
        return Response(_current_report(self.request, report), status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = serializers.ReportCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        item, cycle, unit_id = _create_target(request, data, access.my_reporting_units, role_label="填报单位")
        existing = api_reads.report_of(item=item, unit_id=unit_id, cycle=cycle)
        if existing is not None:
            raise StaleEditError("该事项本周期的报告已存在,请用 PATCH 修改", current=existing)
        report = report_get_or_start(user=request.user, item=item, unit_id=unit_id, cycle=cycle)
        if any(field in data for field in REPORT_FIELDS):
            draft = ReportDraft(**{field: data.get(field, "") for field in REPORT_FIELDS})
            report = report_save(report=report, user=request.user, data=draft, expected_version=report.version)
        return self._reply(report, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        report = self.get_object()
        _own_unit_or_403(request.user, report.unit_id, REPORT_WRITE_FORBIDDEN)
        form = serializers.ReportUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        # PATCH: fields not sent keep the text they had when this version was read.
        draft = ReportDraft(**{field: data.get(field, getattr(report, field)) for field in REPORT_FIELDS})
        saved = report_save(report=report, user=request.user, data=draft, expected_version=data["version"])
        # The reply is the row as the save wrote it (its item, unit and cycle loaded with the lock), with the
        # evidence just read: a save changes no evidence, so reading the report a third time adds nothing.
        setattr(saved, api_reads.EVIDENCE_ROWS, getattr(report, api_reads.EVIDENCE_ROWS))
        return Response(serializers.ReportSerializer(saved).data)

    @extend_schema(
        summary="提交报告(需带读取时的 version)",
        request=serializers.VersionSerializer,
        responses={
            200: serializers.ReportSerializer,
            409: OpenApiResponse(serializers.ReportConflictSerializer, description="他人已保存:请刷新后再提交"),
            **WRITE_ERRORS,
        },
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None, format: str | None = None) -> Response:
        report = self.get_object()
        _own_unit_or_403(request.user, report.unit_id, REPORT_WRITE_FORBIDDEN)
        form = serializers.VersionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        report = report_submit(report=report, user=request.user, expected_version=form.validated_data["version"])
        return self._reply(report)

    @_sign_off_schema(
        "单位负责人签发报告(报送规划办;需带读取时的 version)",
        "只有该报告所属单位的负责人可以签发;报告须为“待负责人审核”。签发后进入规划办审核队列。",
        serializers.VersionSerializer,
    )
    @action(detail=True, methods=["post"], url_path="head-approve")
    def head_approve(self, request: Request, pk: str | None = None, format: str | None = None) -> Response:
        report = self.get_object()
        form = serializers.VersionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        report = report_head_approve(report=report, user=request.user, expected_version=form.validated_data["version"])
        return self._reply(report)

    @_sign_off_schema(
        "单位负责人退回报告(必须填写理由;需带读取时的 version)",
        "退回给本单位填报人修改,修改后重新提交仍先由负责人审核。",
        serializers.HeadReturnSerializer,
    )
    @action(detail=True, methods=["post"], url_path="head-return")
    def head_return(self, request: Request, pk: str | None = None, format: str | None = None) -> Response:
        report = self.get_object()
        form = serializers.HeadReturnSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        report = report_head_return(
            report=report, user=request.user, reason=data["reason"], expected_version=data["version"]
        )
        return self._reply(report)


# --- contributions -------------------------------------------------------------------------------

CONTRIBUTION_WRITE_FORBIDDEN = "只有该配合单位可以修改其配合情况"


@extend_schema_view(
    list=extend_schema(
        summary="配合情况",
        parameters=[serializers.ContributionFilterSerializer],
        responses={200: serializers.ContributionSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="配合情况详情", responses={200: serializers.ContributionSerializer, **READ_ERRORS}),
    create=extend_schema(
        summary="填写配合情况",
        request=serializers.ContributionCreateSerializer,
        responses={
            201: serializers.ContributionSerializer,
            409: OpenApiResponse(serializers.ContributionConflictSerializer, description="已存在,请用 PATCH 修改"),
            **WRITE_ERRORS,
        },
    ),
    partial_update=extend_schema(
        summary="修改配合情况(需带读取时的 version)",
        request=serializers.ContributionUpdateSerializer,
        responses={
            200: serializers.ContributionSerializer,
            409: OpenApiResponse(serializers.ContributionConflictSerializer, description="他人已保存:您的内容未保存"),
            **WRITE_ERRORS,
        },
    ),
)
class ContributionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedViewSet
):
    serializer_class = serializers.ContributionSerializer
    filter_serializer = serializers.ContributionFilterSerializer
    not_found = "配合情况不存在或不在您的权限范围内"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def scoped(self) -> QuerySet:
        return api_reads.api_contributions(self.request.user)

    def filtered(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        return queryset.filter(**{f"{key}_id": value for key, value in params.items()})

    def _reply(self, row: Contribution, code: int = status.HTTP_200_OK) -> Response:
        return Response(_current_contribution(self.request, row), status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = serializers.ContributionCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        item, cycle, unit_id = _create_target(request, data, access.my_cooperating_units, role_label="配合单位")
        # expected version 0: a contribution that already exists is never overwritten by a create.
        row = contribution_save(
            user=request.user,
            item=item,
            unit_id=unit_id,
            cycle=cycle,
            text=data["text"],
            expected_version=0,
            submit=data["submit"],
        )
        return self._reply(row, code=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        row = self.get_object()
        _own_unit_or_403(request.user, row.unit_id, CONTRIBUTION_WRITE_FORBIDDEN)
        form = serializers.ContributionUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        saved = contribution_save(
            user=request.user,
            item=row.item,
            unit_id=row.unit_id,
            cycle=row.cycle,
            text=data["text"],
            expected_version=data["version"],
            submit=data["submit"],
        )
        return self._reply(saved)
