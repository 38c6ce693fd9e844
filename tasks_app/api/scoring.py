"""Console API for 考核: a cycle's unit ranking (``GET /api/console/cycles/{id}/scores/``) and a plan's
points rule (``GET/PUT /api/console/cycles/{id}/scoring-rule/``, the rule of the cycle's plan).

Same gates as the web page (selectors.scoring and services.scoring are the one read and the one change)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from tasks_app.api.common import ERR_400, READ_ERRORS, WRITE_ERRORS
from tasks_app.api.review import _cycle
from tasks_app.api.serializers import CycleSerializer
from tasks_app.capabilities import Capability
from tasks_app.permissions import requires
from tasks_app.rules.scoring import LIMIT, PRESETS, Outcome
from tasks_app.selectors.scoring import cycle_scores
from tasks_app.services.scoring import plan_scoring_rule_set


def _points(help_text: str, *, required: bool = False, allow_null: bool = False) -> serializers.FloatField:
    return serializers.FloatField(
        required=required, allow_null=allow_null, min_value=-LIMIT, max_value=LIMIT, help_text=help_text
    )


class ScoringRuleSerializer(serializers.Serializer):
    base = _points("基础分")
    on_time = _points("按时报送每项")
    late = _points("逾期报送每项")
    missing = _points("未报送每项")
    returned = _points("退回修改每次")
    floor = _points("最低分(null: 不设)", allow_null=True)


class ScoringRuleInputSerializer(ScoringRuleSerializer):
    preset = serializers.ChoiceField(
        choices=list(PRESETS), required=False, allow_blank=True, help_text="预设方案;给出时忽略分值"
    )


class ScoreRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    unit_id = serializers.IntegerField()
    unit = serializers.CharField(source="name")
    score = serializers.FloatField(source="score.score")
    on_time_rate = serializers.FloatField(
        source="score.on_time_rate", allow_null=True, help_text="按时报送率 0–1;无到期事项时为 null"
    )
    on_time = serializers.IntegerField(source=f"score.outcomes.{Outcome.ON_TIME}")
    late = serializers.IntegerField(source=f"score.outcomes.{Outcome.LATE}")
    missing = serializers.IntegerField(source=f"score.outcomes.{Outcome.MISSING}")
    pending = serializers.IntegerField(source=f"score.outcomes.{Outcome.PENDING}", help_text="未到期未报送")
    returns = serializers.IntegerField(source="score.returns", help_text="规划办退回次数")
    reasons = serializers.ListField(child=serializers.CharField(), help_text="计分说明")


class ScoreBoardSerializer(serializers.Serializer):
    cycle = CycleSerializer()
    due_passed = serializers.BooleanField(help_text="截止日期已过(之前未报送不扣分)")
    rule = ScoringRuleSerializer()
    units = ScoreRowSerializer(many=True, source="rows")


@extend_schema(tags=["console"], summary="单位考核排名", responses={200: ScoreBoardSerializer, **READ_ERRORS})
@requires(Capability.VIEW_CONSOLE)
@api_view(["GET"])
def cycle_scores_api(request: Request, pk: str) -> Response:
    return Response(ScoreBoardSerializer(cycle_scores(_cycle(request, pk))).data)


@extend_schema(
    tags=["console"],
    summary="周期所属规划的考核计分规则:读取或修改",
    request=ScoringRuleInputSerializer,
    responses={200: ScoringRuleSerializer, 400: ERR_400, **WRITE_ERRORS},
)
@requires(Capability.VIEW_CONSOLE, write=Capability.MANAGE_CYCLES)
@api_view(["GET", "PUT"])
def scoring_rule_api(request: Request, pk: str) -> Response:
    cycle = _cycle(request, pk)
    if request.method == "GET":
        return Response(ScoringRuleSerializer(cycle_scores(cycle).rule).data)
    form = ScoringRuleInputSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    values = dict(form.validated_data)
    preset = values.pop("preset", "")
    rule = plan_scoring_rule_set(plan=cycle.plan, user=request.user, preset=preset, values=values)
    return Response(ScoringRuleSerializer(rule).data)
