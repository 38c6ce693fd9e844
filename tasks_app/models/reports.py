"""Yearly progress reports, cooperating units' contributions, evidence files and the audit trail."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from .org import Unit
from .plans import ReportingCycle, WorkItem


class Report(models.Model):
    """One reporting unit's report on one item for one cycle. ``version`` guards against stale saves."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PENDING_HEAD = "pending_head", "待负责人审核"
        SUBMITTED = "submitted", "已提交"
        RETURNED = "returned", "已退回"
        APPROVED = "approved", "已通过"

    # The statuses that count as done (the unit has reported to the office): submitted, or submitted and
    # approved. A report waiting for the unit head's sign-off (PENDING_HEAD) has not reached the office, so the
    # unit is still pending (and late after the due date); reminders say it waits for the head.
    DONE_STATUSES = (Status.SUBMITTED, Status.APPROVED)
    # Statuses only the unit itself sees: the office (queue, counts, API) never reads these reports.
    UNIT_ONLY_STATUSES = (Status.PENDING_HEAD,)

    class Progress(models.TextChoices):
        DONE = "done", "已完成"
        ON_TRACK = "on_track", "按计划推进"
        BEHIND = "behind", "滞后"
        NOT_STARTED = "not_started", "未启动"

    item = models.ForeignKey(WorkItem, verbose_name="事项", on_delete=models.PROTECT, related_name="reports")
    unit = models.ForeignKey(Unit, verbose_name="填报单位", on_delete=models.PROTECT, related_name="reports")
    cycle = models.ForeignKey(ReportingCycle, verbose_name="报送周期", on_delete=models.PROTECT, related_name="reports")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    progress_status = models.CharField("进展情况", max_length=20, choices=Progress.choices, blank=True)
    progress = models.TextField("工作进展", blank=True)
    problems = models.TextField("存在问题", blank=True)
    next_steps = models.TextField("下一步打算", blank=True)
    actual_value_text = models.CharField("指标实际值", max_length=200, blank=True)
    actual_value = models.FloatField("实际数值", null=True, blank=True)
    actual_note = models.TextField("指标说明", blank=True)  # the source and definition of the figure
    actual_unit = models.CharField("计量单位", max_length=50, blank=True)
    actual_numerator = models.FloatField("分子", null=True, blank=True)  # a percentage as a share
    actual_denominator = models.FloatField("分母", null=True, blank=True)
    review_reason = models.TextField("退回理由", blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "年度进展报告"
        ordering = ["cycle", "item__order"]
        constraints = [models.UniqueConstraint(fields=["item", "unit", "cycle"], name="report_unique")]
        indexes = [
            models.Index(fields=["cycle", "status"]),
            models.Index(fields=["unit", "cycle"]),
            # The review queue (status submitted, oldest first) reads a page of this small index, whatever
            # the number of approved reports years of cycles hold.
            models.Index(
                fields=["submitted_at", "id"], condition=models.Q(status="submitted"), name="report_queue_submitted"
            ),
            # An item's report in one cycle (workspace state, item page): an index-only probe on PostgreSQL.
            models.Index(fields=["item", "cycle"], include=["status"], name="report_item_cycle"),
            # The light's "a done report says 已完成" (rules.lights): PostgreSQL hashes these few rows once per
            # query; without the index it scanned every report of every cycle for them (20 ms a page).
            models.Index(
                fields=["item", "cycle"],
                condition=models.Q(progress_status="done", status__in=["submitted", "approved"]),
                name="report_completed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.item_id} · {self.cycle.year}"

    @property
    def is_editable_status(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)

    @property
    def is_done(self) -> bool:
        return self.status in self.DONE_STATUSES


class ReportVersion(models.Model):
    """Every save and every state change of a report: a snapshot plus who, when, what and why."""

    class Action(models.TextChoices):
        SAVE = "save", "保存草稿"
        SUBMIT = "submit", "提交"
        RETURN = "return", "退回"
        APPROVE = "approve", "通过"
        HEAD_APPROVE = "head_approve", "负责人签发"
        HEAD_RETURN = "head_return", "负责人退回"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    action = models.CharField("操作", max_length=20, choices=Action.choices)
    status = models.CharField("操作后状态", max_length=20, choices=Report.Status.choices)
    snapshot = models.JSONField("内容快照")
    reason = models.TextField("理由", blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "报告版本"
        ordering = ["report", "number", "id"]
        indexes = [
            # "returned before" on the review queue (selectors.review_diff.with_resubmission_flag): PostgreSQL
            # hashes the return rows once; without this it scanned all versions (594k at province scale, 30 ms)
            models.Index(fields=["report"], condition=models.Q(action="return"), name="reportversion_returns"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} v{self.number} {self.get_action_display()}"


class Contribution(models.Model):
    """A cooperating unit's 配合情况 on an item for a cycle."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交"

    item = models.ForeignKey(WorkItem, verbose_name="事项", on_delete=models.PROTECT, related_name="contributions")
    unit = models.ForeignKey(Unit, verbose_name="配合单位", on_delete=models.PROTECT, related_name="contributions")
    cycle = models.ForeignKey(
        ReportingCycle, verbose_name="报送周期", on_delete=models.PROTECT, related_name="contributions"
    )
    text = models.TextField("配合情况")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField("版本", default=1)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "配合情况"
        constraints = [models.UniqueConstraint(fields=["item", "unit", "cycle"], name="contribution_unique")]

    def __str__(self) -> str:
        return f"{self.unit} · {self.item_id} · {self.cycle.year}"


def evidence_path(instance: Evidence, filename: str) -> str:
    # Random names: the original name is kept in a field, never trusted as a path.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"evidence/{instance.report.cycle.year}/{uuid.uuid4().hex}.{suffix}"


class Evidence(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField("文件", upload_to=evidence_path, max_length=255)
    original_name = models.CharField("原文件名", max_length=255)
    size = models.PositiveIntegerField("大小")
    content_type = models.CharField("类型", max_length=100)
    # The file's content hash: the same file attached twice to one report is refused (services.reports).
    sha256 = models.CharField("内容校验值(SHA-256)", max_length=64, blank=True, db_index=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "佐证材料"
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name
