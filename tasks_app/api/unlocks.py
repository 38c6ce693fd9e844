"""Console API of cycle unlocks (issue 13, periods lock), mounted at /api/console/ (planner/urls.py): a closed cycle
unlocked for one unit until a date, and revoked. Same scope as the console: unit staff 404, another jurisdiction's
cycle 404, leadership reads and gets 403 on writes, anonymous 401. The work is services/cycle_unlocks.py."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from tasks_app.api.common import ERR_400, READ_ERRORS, WRITE_ERRORS, pk_from
from tasks_app.api.review import _cycle  # the console's cycle lookup (404 outside the scope), as scoring.py
from tasks_app.api.serializers import id_field
from tasks_app.capabilities import Capability
from tasks_app.models import CycleUnlock
from tasks_app.permissions import requires
from tasks_app.selectors.cycle_unlocks import active_unlocks, cycle_unlock_or_404
from tasks_app.services.cycle_unlocks import cycle_unlock_for_unit, cycle_unlock_revoke


class UnlockCreateSerializer(serializers.Serializer):
    unit = id_field(help_text="解锁的单位 id(本规划的填报或配合单位)")
    until = serializers.DateField(help_text="可修改至 YYYY-MM-DD(含当天;最多 60 天之后)")
    reason = serializers.CharField(max_length=2000, help_text="解锁理由")


class UnlockSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = CycleUnlock
        fields = ["id", "cycle", "unit", "unit_name", "until", "reason", "created_at", "revoked_at"]


@extend_schema(
    methods=["GET"],
    tags=["console"],
    summary="报送周期当前有效的单位解锁",
    responses={200: UnlockSerializer(many=True), **READ_ERRORS},
)
@extend_schema(
    methods=["POST"],
    tags=["console"],
    summary="为单位解锁已关闭的报送周期",
    request=UnlockCreateSerializer,
    responses={201: UnlockSerializer, 400: ERR_400, **WRITE_ERRORS},
)
@requires(Capability.VIEW_CONSOLE, write=Capability.MANAGE_CYCLES)
@api_view(["GET", "POST"])
def cycle_unlocks_api(request: Request, pk: str) -> Response:
    cycle = _cycle(request, pk)
    if request.method == "GET":
        return Response(UnlockSerializer(active_unlocks([cycle.pk]).get(cycle.pk, []), many=True).data)
    form = UnlockCreateSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    data = form.validated_data
    unlock = cycle_unlock_for_unit(
        user=request.user, cycle=cycle, unit_id=data["unit"], until=data["until"], reason=data["reason"]
    )
    return Response(UnlockSerializer(unlock).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["console"],
    summary="撤销单位解锁",
    request=None,
    responses={200: UnlockSerializer, **WRITE_ERRORS},
)
@requires(Capability.VIEW_CONSOLE, write=Capability.MANAGE_CYCLES)
@api_view(["POST"])
def cycle_unlock_revoke_api(request: Request, pk: str, unlock_pk: str) -> Response:
    cycle = _cycle(request, pk)
    unlock = cycle_unlock_or_404(cycle, pk_from(unlock_pk, message="解锁记录不存在"))
    return Response(UnlockSerializer(cycle_unlock_revoke(user=request.user, unlock=unlock)).data)
