"""Source documents, plans, their section tree, work items, assignments and reporting cycles."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from tasks_app.parsing.types import YEARLY
from tasks_app.rules import reporting
from tasks_app.rules.cycles import CycleState, state_of
from tasks_app.rules.periods import DAYS_BEFORE_BY_CADENCE, period_of

from .channels import robot_kind_field, robot_url_field
from .org import Jurisdiction, Unit

DEFAULT_DAYS_BEFORE = DAYS_BEFORE_BY_CADENCE[YEARLY]
DEFAULT_DAYS_AFTER = [1, 7]


def default_days_before() -> list[int]:
    return list(DEFAULT_DAYS_BEFORE)


def default_days_after() -> list[int]:
    return list(DEFAULT_DAYS_AFTER)


class SourceDocument(models.Model):
    """One imported version of a document, kept verbatim so every record can point at its lines."""

    file_name = models.CharField("文件名", max_length=255)
    title = models.CharField("标题", max_length=300)
    doc_number = models.CharField("文号", max_length=100, blank=True)
    issuer = models.CharField("发文机关", max_length=100, blank=True)
    issued = models.DateField("发布日期", null=True, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, unique=True)
    layout = models.CharField("版式", max_length=30, blank=True)
    text = models.TextField("全文")
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "来源文件"
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return self.title

    def lines(self, first: int, last: int) -> list[tuple[int, str]]:
        all_lines = self.text.splitlines()
        return [(n, all_lines[n - 1]) for n in range(max(first, 1), min(last, len(all_lines)) + 1)]


class ReportingFrequency(models.TextChoices):
    YEARLY = "yearly", "每年"
    HALF_YEARLY = "half-yearly", "每半年"
    QUARTERLY = "quarterly", "每季度"
    MONTHLY = "monthly", "每月"


class Plan(models.Model):
    ReportingFrequency = ReportingFrequency

    class Kind(models.TextChoices):
        NOTICE = "notice", "分工通知"
        PLAN = "plan", "规划纲要"

    title = models.CharField("标题", max_length=300)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name="行政区划", on_delete=models.PROTECT)
    period_start = models.PositiveSmallIntegerField("起始年")
    period_end = models.PositiveSmallIntegerField("截止年")
    source = models.ForeignKey(SourceDocument, verbose_name="来源文件", on_delete=models.PROTECT, related_name="plans")
    reporting_month = models.PositiveSmallIntegerField("报送月", null=True, blank=True)
    reporting_day = models.PositiveSmallIntegerField("报送日", null=True, blank=True)
    reporting_previous_year = models.BooleanField("报送上年度情况", default=True)
    reporting_recipient = models.ForeignKey(
        Unit, verbose_name="报送对象", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reporting_text = models.TextField("报送要求原文", blank=True)
    reporting_frequency = models.CharField(
        "报送周期", max_length=12, choices=ReportingFrequency.choices, default=ReportingFrequency.YEARLY
    )
    # The parsed rule, so period due dates can be computed without re-reading the text:
    # {"frequency", "month", "day", "previous_year", "due": [{"period", "month_offset", "day"}]};
    # tasks_app.parsing.reporting.period_due_date(label, due) turns it into a date. {} = no rule stated.
    reporting_rule = models.JSONField("报送规则", default=dict, blank=True)
    reminder_days_before = models.JSONField("提前提醒天数", default=default_days_before)
    reminder_days_after = models.JSONField("逾期提醒天数", default=default_days_after)
    remind_cooperating = models.BooleanField("同时提醒配合单位", default=False)
    # The 考核 points rule (rules.scoring.scoring_rule_from); empty: the default 计分制.
    scoring_rule = models.JSONField("考核计分规则", default=dict, blank=True)
    office_webhook_url = robot_url_field("规划办群机器人地址", "逾期汇总(未报送单位名单)同时推送到该群")
    office_webhook_kind = robot_kind_field()
    light_warning_days = models.PositiveSmallIntegerField(
        "黄灯预警天数",
        null=True,
        blank=True,
        help_text="截止日前多少天内未报送亮黄灯;留空取系统设置 TRAFFIC_LIGHT_WARNING_DAYS",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "规划"
        ordering = ["jurisdiction__name", "-period_start"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "title"], name="plan_unique_title")]

    def __str__(self) -> str:
        return self.title


class Section(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sections")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    key = models.CharField("键", max_length=120)
    level = models.PositiveSmallIntegerField("层级")
    number = models.CharField("编号", max_length=30, blank=True)
    title = models.CharField("标题", max_length=300)
    order = models.PositiveIntegerField("顺序")
    line_start = models.PositiveIntegerField("起始行")
    line_end = models.PositiveIntegerField("结束行")

    class Meta:
        verbose_name = verbose_name_plural = "章节"
        ordering = ["plan", "order"]
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="section_unique_key")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()


class WorkItem(models.Model):
    class Kind(models.TextChoices):
        BINDING = "binding", "约束性指标"
        EXPECTED = "expected", "预期性指标"
        INDICATOR = "indicator", "指标"
        TASK = "task", "重点任务"
        PROJECT = "project", "专栏项目"

    # The kinds that are indicators (with target and actuals); every other kind is a task.
    INDICATOR_KINDS = (Kind.BINDING, Kind.EXPECTED, Kind.INDICATOR)

    plan = models.ForeignKey(Plan, verbose_name="规划", on_delete=models.CASCADE, related_name="items")
    section = models.ForeignKey(
        Section, verbose_name="章节", null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    number = models.CharField("序号", max_length=30, blank=True)
    title = models.CharField("标题", max_length=300)
    text = models.TextField("全文")
    deadline = models.DateField("完成时限", null=True, blank=True)
    deadline_text = models.CharField("时限原文", max_length=200, blank=True)
    deadline_defaulted = models.BooleanField("默认时限", default=False, help_text="文中无时间表述,取规划期末")
    and_others = models.BooleanField("含“等”", default=False)
    line_start = models.PositiveIntegerField("起始行")
    line_end = models.PositiveIntegerField("结束行")
    order = models.PositiveIntegerField("顺序")
    fingerprint = models.CharField("内容指纹", max_length=64, db_index=True)
    is_active = models.BooleanField("有效", default=True, help_text="新版文件中已删除的事项保留历史,标记为无效")
    # 销号 (services.workflow.item_close): a closed item asks for no reports and gets no reminders
    # (rules.reporting.OPEN_ITEM); it stays visible, read-only. Reopening clears these.
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="销号人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    close_note = models.CharField("销号说明", max_length=500, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "指标与任务"
        ordering = ["plan", "order"]
        indexes = [
            models.Index(fields=["plan", "kind", "is_active"]),
            # Lists page items in document order: the first page of 50,000 is an index range, not a sort.
            models.Index(fields=["plan", "order", "id"], name="workitem_plan_order"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}" if self.number else self.title

    @property
    def is_indicator(self) -> bool:
        return self.kind in self.INDICATOR_KINDS

    @property
    def is_closed(self) -> bool:
        """销号 (rules.reporting.item_open is the rule; this is its shorthand for templates)."""
        return not reporting.item_open(self)


class Milestone(models.Model):
    item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="milestones")
    date = models.DateField("日期")
    text = models.CharField("原文", max_length=200)

    class Meta:
        verbose_name = verbose_name_plural = "时间节点"
        ordering = ["item", "date"]

    def __str__(self) -> str:
        return f"{self.date} {self.text}"


class IndicatorDetail(models.Model):
    item = models.OneToOneField(WorkItem, on_delete=models.CASCADE, related_name="indicator")
    domain = models.CharField("领域", max_length=100, blank=True)
    unit_of_measure = models.CharField("计量单位", max_length=50, blank=True)
    baseline_text = models.CharField("基期值", max_length=100, blank=True)
    baseline_year = models.PositiveSmallIntegerField("基期年", null=True, blank=True)
    baseline_value = models.FloatField("基期数值", null=True, blank=True)
    target_text = models.CharField("目标值", max_length=300, blank=True)
    target_year = models.PositiveSmallIntegerField("目标年", null=True, blank=True)
    target_value = models.FloatField("目标数值", null=True, blank=True)
    growth_text = models.CharField("年均增速", max_length=100, blank=True)
    cumulative = models.BooleanField("五年累计", default=False)
    pending = models.BooleanField("待省下达", default=False)
    # Entered by the office once the province sets a pending (*) target; the judgement then uses it.
    province_target_value = models.FloatField("省下达目标值", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "指标详情"

    def __str__(self) -> str:
        return f"{self.item.title}: {self.target_text}"


class IndicatorActual(models.Model):
    """A yearly actual value of an indicator, as reported."""

    item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="actuals")
    year = models.PositiveSmallIntegerField("年度")
    value_text = models.CharField("实际值", max_length=200)
    value = models.FloatField("实际数值", null=True, blank=True)
    note = models.TextField("说明", blank=True)
    recorded_at = models.DateTimeField("记录时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "指标年度实际值"
        constraints = [models.UniqueConstraint(fields=["item", "year"], name="actual_unique_year")]

    def __str__(self) -> str:
        return f"{self.item_id} · {self.year}: {self.value_text}"


class Evaluation(models.Model):
    """A row of the previous plan's completion table (000 表1-1, 004 表1)."""

    class Status(models.TextChoices):
        DONE = "完成", "完成"
        NOT_DONE = "未完成", "未完成"
        NO_DATA = "无统计", "无统计"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="evaluations")
    name = models.CharField("指标", max_length=200)
    category = models.CharField("属性", max_length=20, blank=True)
    domain = models.CharField("领域", max_length=100, blank=True)
    unit_of_measure = models.CharField("单位", max_length=50, blank=True)
    baseline_text = models.CharField("基期值", max_length=100, blank=True)
    target_text = models.CharField("目标值", max_length=200, blank=True)
    actual_text = models.CharField("实际值", max_length=200, blank=True)
    status = models.CharField("完成情况", max_length=10, choices=Status.choices)
    order = models.PositiveIntegerField("顺序")
    line_start = models.PositiveIntegerField("起始行", default=0)
    line_end = models.PositiveIntegerField("结束行", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "上期规划指标完成情况"
        ordering = ["plan", "order"]

    def __str__(self) -> str:
        return f"{self.name}: {self.status}"


class AssignmentQuerySet(models.QuerySet["Assignment"]):
    def reporting(self, item: object = None, *, closed: bool = False) -> AssignmentQuerySet:
        """The rows whose unit is asked to report on its item (rules.reporting: leads, else responsible units,
        on an item not closed); ``item`` (e.g. ``OuterRef("pk")``) ties them to an outer item query;
        ``closed=True`` keeps closed (销号) items: who reports there, not who is asked to."""
        return self.filter(reporting.reporting_condition(self.model, item, closed=closed))

    def asking(self) -> AssignmentQuerySet:
        """The rows of items still asking for reports (rules.reporting.OPEN_ITEM: not closed), any role."""
        return self.filter(reporting.OPEN_ITEM)

    def current(self) -> AssignmentQuerySet:
        """The rows that answer for their item today (rules.reporting.CURRENT: not handed over)."""
        return self.filter(reporting.CURRENT)


class Assignment(models.Model):
    class Role(models.TextChoices):
        LEAD = reporting.LEAD, "牵头单位"
        COOPERATING = reporting.COOPERATING, "配合单位"
        RESPONSIBLE = reporting.RESPONSIBLE, "责任单位"

    class Origin(models.TextChoices):
        IMPORTED = "imported", "文件导入"
        MANUAL = "manual", "手工调整"
        SUGGESTED = "suggested", "分工建议采纳"
        SUCCESSION = "succession", "机构改革承接"
        REASSIGNED = "reassigned", "退回分工改派"

    item = models.ForeignKey(WorkItem, verbose_name="事项", on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    raw_name = models.CharField("原文名称", max_length=160, blank=True)
    and_others = models.BooleanField("“等”", default=False)
    order = models.PositiveSmallIntegerField("顺序", default=0)
    origin = models.CharField(
        "来源",
        max_length=20,
        choices=Origin.choices,
        default=Origin.IMPORTED,
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField("采纳时间", null=True, blank=True)
    # Institutional reform (models.successions): the row stays as history from the day its unit handed the
    # item to a successor; the successor's row points back at it (and so at the name as written).
    handed_over_on = models.DateField("移交日期", null=True, blank=True)
    succeeds = models.ForeignKey(
        "self", verbose_name="承接自", null=True, blank=True, on_delete=models.SET_NULL, related_name="successors"
    )
    # 签收 (services.workflow.assignment_acknowledge): the reporting unit has taken the item on.
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签收人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "分工"
        ordering = ["item", "role", "order"]
        constraints = [models.UniqueConstraint(fields=["item", "unit", "role"], name="assignment_unique")]
        indexes = [models.Index(fields=["unit", "role"])]

    def __str__(self) -> str:
        return f"{self.unit} ({self.get_role_display()})"


class ReportingCycle(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "未开启"
        OPEN = "open", "填报中"
        CLOSED = "closed", "已关闭"

    plan = models.ForeignKey(Plan, verbose_name="规划", on_delete=models.CASCADE, related_name="cycles")
    year = models.PositiveSmallIntegerField("报告年度")  # the year the period lies in
    # The period's label (rules.periods): 2022, 2022H1, 2022Q3, 2022-07; one cycle per plan and period.
    period = models.CharField("报送期", max_length=10)
    due_date = models.DateField("截止日期")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    opened_at = models.DateTimeField("开启时间", null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "报送周期"
        ordering = ["plan", "year", "period"]
        constraints = [models.UniqueConstraint(fields=["plan", "period"], name="cycle_unique_period")]

    def __str__(self) -> str:
        return f"{self.plan} · {self.label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.period:  # a cycle made by year alone is that year's yearly period
            self.period = str(self.year)
        super().save(*args, **kwargs)

    @property
    def label(self) -> str:
        """2022年度, 2022年第三季度, 2022年7月: how pages, mail and files name the cycle."""
        return period_of(self.period).display if self.period else f"{self.year}年度"

    @property
    def frequency(self) -> str:
        return period_of(self.period).frequency if self.period else YEARLY

    @property
    def state(self) -> CycleState:
        """未开启 / 填报中 / 已截止 / 已关闭 (rules.cycles.cycle_state, the one rule)."""
        return state_of(self)
