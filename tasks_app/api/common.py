"""Pagination, error replies and query-parameter parsing shared by the API views."""

from __future__ import annotations

import functools
from typing import Any

from django.core.paginator import Paginator as DjangoPaginator
from django.db.models import QuerySet
from django.http import Http404
from django.utils.functional import cached_property
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

from tasks_app import access
from tasks_app.api.serializers import MAX_ID, ErrorSerializer
from tasks_app.models import Report, WorkItem
from tasks_app.snapshots import plan_snapshot, snapshots_enabled

# Lists whose count a snapshot of the plans' data may keep: tasks_app.snapshots renews the plans' tokens on every
# change these rows are filtered by (an item's fields, its assignments, a report's place and, once done, content).
_KEPT_COUNT_MODELS = (WorkItem, Report)


class _KeptCountPaginator(DjangoPaginator):
    """``count`` read from a snapshot of the visible plans' data (``plan_ids``), keyed by the page query's own SQL
    (scope, filters and today's date are in it): an office list over years of reports counted 46,000 rows on
    every page (57 ms for a closed cycle at province scale), though its rows change far less often than it is
    paged. ``plan_ids=None``: counted every time."""

    def __init__(self, object_list: Any, per_page: int, *, plan_ids: list[int] | None) -> None:
        super().__init__(object_list, per_page)
        self.kept: tuple[QuerySet, list[int]] | None = (
            (object_list, plan_ids) if plan_ids is not None and isinstance(object_list, QuerySet) else None
        )

    @cached_property
    def count(self) -> int:
        if self.kept is None:
            return super().count
        rows, plan_ids = self.kept
        sql, params = rows.query.sql_with_params()
        return plan_snapshot("api-list-count", plan_ids=plan_ids, key=(sql, params), compute=rows.count)


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    page_size_query_description = "每页条数(默认 50,最大 500;超过按 500)"

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        kept = isinstance(queryset, QuerySet) and issubclass(queryset.model, _KEPT_COUNT_MODELS)
        # unit staff lists are small (their units' items); an office list spans whole plans
        plan_ids = (
            sorted(access.visible_plans(request.user).values_list("pk", flat=True))
            if kept and snapshots_enabled() and access.sees_everything(request.user)
            else None
        )
        self.django_paginator_class = functools.partial(_KeptCountPaginator, plan_ids=plan_ids)  # type: ignore[assignment]
        return super().paginate_queryset(queryset, request, view)


def pk_from(value: Any, *, message: str) -> int:
    """The integer id in a URL, or a 404 when it cannot name any row."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404(message) from None
    if not 1 <= pk <= MAX_ID:
        raise Http404(message)
    return pk


def query_params(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    """Validated query parameters (invalid ones → 400 with the field named)."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return {key: value for key, value in serializer.validated_data.items() if value not in (None, "")}


ERR_400 = OpenApiResponse(OpenApiTypes.OBJECT, description="请求参数有误(字段名 → 错误信息,或 detail)")
ERR_401 = OpenApiResponse(ErrorSerializer, description="未登录或令牌无效")
ERR_403 = OpenApiResponse(ErrorSerializer, description="无权执行该操作(例如只读账号、非填报单位)")
ERR_404 = OpenApiResponse(ErrorSerializer, description="不存在或不在您的权限范围内")
READ_ERRORS = {401: ERR_401, 403: ERR_403, 404: ERR_404}
LIST_ERRORS = {400: ERR_400, **READ_ERRORS}
WRITE_ERRORS = {400: ERR_400, **READ_ERRORS}
