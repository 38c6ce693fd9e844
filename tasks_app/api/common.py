"""Pagination, error replies and query-parameter parsing shared by the API views."""

from __future__ import annotations

import functools
from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

from tasks_app.api.serializers import MAX_ID, ErrorSerializer
from tasks_app.selectors.paging import office_paginator


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    page_size_query_description = "每页条数(默认 50,最大 500;超过按 500)"

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        # an office list's count is kept as a snapshot of the plans' data (selectors.paging); the API's item and
        # report filters read only plan data the snapshots watch
        self.django_paginator_class = functools.partial(office_paginator, request.user)  # type: ignore[assignment]
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
