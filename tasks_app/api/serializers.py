"""API representations. Rows read only what the selectors already joined or prefetched (no per-row queries)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tasks_app.api.representation import DirectModelSerializer
from tasks_app.models import (
    Assignment,
    Contribution,
    Evidence,
    IndicatorDetail,
    Milestone,
    Plan,
    Report,
    ReportingCycle,
    Section,
    Unit,
    WorkItem,
)
from tasks_app.models.plans import ReportingFrequency
from tasks_app.rules.cycles import CycleState
from tasks_app.rules.lights import COLOUR_LABELS, light_of
from tasks_app.selectors.api import ASSIGNMENT_ROWS, EVIDENCE_ROWS, MILESTONE_ROWS

MAX_ID = 2**31 - 1  # larger ids cannot exist; refusing them early keeps SQLite from overflowing


def id_field(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


# --- small nested shapes -------------------------------------------------------------------------


class PlanRefSerializer(DirectModelSerializer):
    class Meta:
        model = Plan
        fields = ["id", "title"]


class SectionRefSerializer(DirectModelSerializer):
    class Meta:
        model = Section
        fields = ["id", "number", "title"]


class UnitRefSerializer(DirectModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name"]


class ItemRefSerializer(DirectModelSerializer):
    class Meta:
        model = WorkItem
        fields = ["id", "number", "title", "kind"]


class CycleStateFields(DirectModelSerializer):
    """``state`` / ``state_label``: 未开启 / 填报中 / 已截止 / 已关闭 by rules.cycles (``status`` stays the stored value)."""

    state = serializers.ChoiceField(choices=[(s.value, s.label) for s in CycleState], read_only=True)
    state_label = serializers.CharField(source="state.label", read_only=True)
    period_label = serializers.CharField(
        source="label", read_only=True, help_text="报送期名称:2022年度、2022年第三季度、2022年7月"
    )
    frequency = serializers.ChoiceField(choices=ReportingFrequency.choices, read_only=True, help_text="报送频次")


class CycleRefSerializer(CycleStateFields):
    class Meta:
        model = ReportingCycle
        fields = ["id", "year", "period", "period_label", "frequency", "status", "due_date", "state", "state_label"]


class MilestoneSerializer(DirectModelSerializer):
    class Meta:
        model = Milestone
        fields = ["date", "text"]


class IndicatorSerializer(DirectModelSerializer):
    class Meta:
        model = IndicatorDetail
        fields = [
            "domain",
            "unit_of_measure",
            "baseline_text",
            "baseline_year",
            "baseline_value",
            "target_text",
            "target_year",
            "target_value",
            "growth_text",
            "cumulative",
            "pending",
        ]


class SourceSerializer(serializers.Serializer):
    file = serializers.CharField()
    lines = serializers.ListField(child=serializers.IntegerField(), min_length=2, max_length=2)


_INDICATOR_ROWS = IndicatorSerializer()


# --- tasks ---------------------------------------------------------------------------------------


class TaskSerializer(DirectModelSerializer):
    plan = PlanRefSerializer(read_only=True)
    section = SectionRefSerializer(read_only=True, allow_null=True)
    milestones = MilestoneSerializer(many=True, read_only=True, source=MILESTONE_ROWS)
    indicator = serializers.SerializerMethodField()
    # DRF's metaclass moves declared fields off the class, so this never shadows Field.source at runtime
    source = serializers.SerializerMethodField()  # type: ignore[assignment]
    lead = serializers.SerializerMethodField()
    cooperating = serializers.SerializerMethodField()
    responsible = serializers.SerializerMethodField()
    light = serializers.SerializerMethodField()
    light_reason = serializers.SerializerMethodField()

    class Meta:
        model = WorkItem
        fields = [
            "id",
            "plan",
            "section",
            "kind",
            "number",
            "title",
            "text",
            "deadline",
            "deadline_text",
            "deadline_defaulted",
            "closed_at",
            "and_others",
            "source",
            "milestones",
            "indicator",
            "lead",
            "cooperating",
            "responsible",
            "light",
            "light_reason",
        ]

    @extend_schema_field(IndicatorSerializer(allow_null=True))
    def get_indicator(self, item: WorkItem) -> dict[str, Any] | None:
        try:
            detail = item.indicator
        except ObjectDoesNotExist:  # tasks have no indicator row (select_related cached the absence)
            return None
        # One serializer for every row: building one per row (DRF copies its fields each time) was 60% of
        # a 500-row page.
        return _INDICATOR_ROWS.to_representation(detail)

    @extend_schema_field(SourceSerializer)
    def get_source(self, item: WorkItem) -> dict[str, Any]:
        return {"file": item.plan.source.file_name, "lines": [item.line_start, item.line_end]}

    def _names(self, item: WorkItem, role: str) -> list[str]:
        rows = getattr(item, ASSIGNMENT_ROWS)  # selectors.api.api_items loaded them
        return [a.unit.name for a in rows if a.role == role and a.handed_over_on is None]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_lead(self, item: WorkItem) -> list[str]:
        return self._names(item, Assignment.Role.LEAD)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_cooperating(self, item: WorkItem) -> list[str]:
        return self._names(item, Assignment.Role.COOPERATING)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_responsible(self, item: WorkItem) -> list[str]:
        return self._names(item, Assignment.Role.RESPONSIBLE)

    @extend_schema_field(
        serializers.ChoiceField(
            choices=list(COLOUR_LABELS.items()),
            allow_null=True,
            help_text="开启中报送周期的灯号(red 红灯 / yellow 黄灯 / green 绿灯);无开启周期为 null",
        )
    )
    def get_light(self, item: WorkItem) -> str | None:
        light = light_of(getattr(item, "light_reason", None))
        return light.colour if light else None

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="灯号原因,如“已逾期未报送”"))
    def get_light_reason(self, item: WorkItem) -> str | None:
        light = light_of(getattr(item, "light_reason", None))
        return light.reason_label if light else None


# --- cycles --------------------------------------------------------------------------------------


class CycleSerializer(CycleStateFields):
    plan = PlanRefSerializer(read_only=True)

    class Meta:
        model = ReportingCycle
        fields = [
            "id",
            "plan",
            "year",
            "period",
            "period_label",
            "frequency",
            "due_date",
            "status",
            "opened_at",
            "state",
            "state_label",
        ]


# --- reports -------------------------------------------------------------------------------------


class EvidenceSerializer(DirectModelSerializer):
    name = serializers.CharField(source="original_name", read_only=True)

    class Meta:
        model = Evidence
        fields = ["id", "name", "size", "content_type", "sha256", "uploaded_at"]


class ReportSerializer(DirectModelSerializer):
    item = ItemRefSerializer(read_only=True)
    unit = UnitRefSerializer(read_only=True)
    cycle = CycleRefSerializer(read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True, source=EVIDENCE_ROWS)  # selectors.api.api_reports
    updated_by = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id",
            "item",
            "unit",
            "cycle",
            "status",
            "progress_status",
            "progress",
            "problems",
            "next_steps",
            "actual_value_text",
            "actual_value",
            "actual_note",
            "actual_unit",
            "actual_numerator",
            "actual_denominator",
            "review_reason",
            "version",
            "updated_at",
            "updated_by",
            "submitted_at",
            "evidence",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_updated_by(self, report: Report) -> str | None:
        user = report.updated_by
        return (user.get_full_name() or user.get_username()) if user else None


class ReportFieldsSerializer(serializers.Serializer):
    """The text of a report; every field optional so a PATCH may send only what changed."""

    progress_status = serializers.ChoiceField(choices=Report.Progress.choices, required=False, allow_blank=True)
    progress = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    problems = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    next_steps = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    actual_value_text = serializers.CharField(required=False, allow_blank=True, max_length=200)
    actual_note = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    actual_unit = serializers.CharField(
        required=False, allow_blank=True, max_length=50, help_text="计量单位,须与指标一致(空 = 指标的单位)"
    )


class ReportCreateSerializer(ReportFieldsSerializer):
    item = id_field(help_text="事项 id")
    unit = id_field(required=False, help_text="填报单位 id;您在该事项只有一个填报单位时可省略")
    cycle = id_field(required=False, help_text="报送周期 id;省略时为该规划开启中的周期")


class ReportUpdateSerializer(ReportFieldsSerializer):
    version = id_field(help_text="读取时的版本号;他人已保存时返回 409,不覆盖")


class VersionSerializer(serializers.Serializer):
    version = id_field(help_text="读取时的版本号")


class HeadReturnSerializer(VersionSerializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True, help_text="退回理由(必填,填报人将看到)")


# --- contributions -------------------------------------------------------------------------------


class ContributionSerializer(DirectModelSerializer):
    item = ItemRefSerializer(read_only=True)
    unit = UnitRefSerializer(read_only=True)
    cycle = CycleRefSerializer(read_only=True)

    class Meta:
        model = Contribution
        fields = ["id", "item", "unit", "cycle", "text", "status", "version", "updated_at"]


class ContributionCreateSerializer(serializers.Serializer):
    item = id_field(help_text="事项 id")
    unit = id_field(required=False, help_text="配合单位 id;您在该事项只有一个配合单位时可省略")
    cycle = id_field(required=False, help_text="报送周期 id;省略时为该规划开启中的周期")
    text = serializers.CharField(max_length=20000, help_text="配合情况")
    submit = serializers.BooleanField(required=False, default=False, help_text="同时提交")


class ContributionUpdateSerializer(serializers.Serializer):
    version = id_field(help_text="读取时的版本号;他人已保存时返回 409,不覆盖")
    text = serializers.CharField(max_length=20000, help_text="配合情况")
    submit = serializers.BooleanField(required=False, default=False, help_text="同时提交")


# --- auth and errors -----------------------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires = serializers.DateTimeField(help_text="令牌失效时间;之后请重新换取")


class TokenRowSerializer(serializers.Serializer):
    key_hint = serializers.CharField(help_text="令牌末四位")
    created = serializers.DateTimeField()
    expires = serializers.DateTimeField()
    expired = serializers.BooleanField()


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ReportConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current = ReportSerializer(help_text="服务器上的最新内容,供合并;您提交的内容未保存")


class ContributionConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current = ContributionSerializer(allow_null=True, help_text="服务器上的最新内容,供合并;您提交的内容未保存")


# --- query parameters (validated; documented in the schema through these serializers) ------------


class TaskFilterSerializer(serializers.Serializer):
    plan = id_field(required=False, help_text="规划 id")
    kind = serializers.ChoiceField(choices=WorkItem.Kind.choices, required=False, help_text="事项类型")
    role = serializers.ChoiceField(
        choices=Assignment.Role.choices,
        required=False,
        help_text="本人单位(或 unit 指定的单位)在事项中的角色",
    )
    unit = serializers.CharField(required=False, max_length=160, help_text="单位 id 或名称(含简称)")
    q = serializers.CharField(required=False, max_length=200, help_text="在编号、标题和全文中搜索")
    overdue = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="true:开启中的报送周期已过截止日期且本单位尚未提交"
    )
    light = serializers.ChoiceField(
        choices=list(COLOUR_LABELS.items()), required=False, help_text="灯号:red 红灯 / yellow 黄灯 / green 绿灯"
    )


class ReportFilterSerializer(serializers.Serializer):
    item = id_field(required=False, help_text="事项 id")
    cycle = id_field(required=False, help_text="报送周期 id")
    unit = id_field(required=False, help_text="填报单位 id")
    status = serializers.ChoiceField(choices=Report.Status.choices, required=False, help_text="报告状态")


class ContributionFilterSerializer(serializers.Serializer):
    item = id_field(required=False, help_text="事项 id")
    cycle = id_field(required=False, help_text="报送周期 id")
    unit = id_field(required=False, help_text="配合单位 id")


class CycleFilterSerializer(serializers.Serializer):
    plan = id_field(required=False, help_text="规划 id")
    status = serializers.ChoiceField(choices=ReportingCycle.Status.choices, required=False, help_text="周期状态")
    period = serializers.RegexField(
        r"^\d{4}(H[12]|Q[1-4]|-(0[1-9]|1[0-2]))?$", required=False, help_text="报送期:2022、2022H1、2022Q3、2022-07"
    )
