"""The reminder outbox: one row per (unit, cycle, step, channel); the row is the only source of truth for sending."""

from __future__ import annotations

from django.db import models

from .channels import Channel, recipients_shown
from .org import Unit
from .plans import ReportingCycle


class ReminderMessage(models.Model):
    class Kind(models.TextChoices):
        BEFORE = "before", "到期前提醒"
        OVERDUE = "overdue", "逾期催报"
        SUMMARY = "summary", "逾期汇总(规划办)"
        # Notices to a unit about one event it must act on (services/notifications.unit_notify), one row per
        # event and channel; more kinds (an extension decided, an item reassigned) are added here.
        RETURNED = "returned", "报告被退回"
        HEAD_RETURNED = "head_back", "报告被单位负责人退回"  # the unit head's sign-off sent it back to staff
        BOUNCE_DECIDED = "bounce", "退回分工已处理"
        EXTENSION_DECIDED = "extension", "延期申请已处理"
        REASSIGNED = "reassigned", "改派交办事项"

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENDING = "sending", "发送中"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"
        SKIPPED = "skipped", "无需发送"

    key = models.CharField("唯一键", max_length=100, unique=True)
    unit = models.ForeignKey(
        Unit, verbose_name="单位", null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    cycle = models.ForeignKey(
        ReportingCycle, verbose_name="报送周期", on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    channel = models.CharField("渠道", max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    days = models.PositiveSmallIntegerField("天数")
    step_date = models.DateField("提醒日")
    recipients = models.JSONField("收件人", default=list, help_text="邮件:收件地址;群机器人:写入时的机器人地址")
    subject = models.CharField("主题", max_length=300)
    body_text = models.TextField("正文")
    body_html = models.TextField("HTML 正文", blank=True)
    items = models.JSONField("待报事项", default=list)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.TextField("最近错误", blank=True)
    next_attempt_at = models.DateTimeField("下次尝试", db_index=True)
    not_before = models.DateTimeField(
        "免打扰顺延至", null=True, blank=True, help_text="到期时处于免打扰时段:不早于此时发送(顺延,不丢弃)"
    )
    level = models.PositiveSmallIntegerField(
        "催报级别", default=0, help_text="0 到期前;1 发单位;2 并抄送单位负责人;3 并向规划办发督办单(逾期汇总)"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    batch = models.CharField("生成批次", max_length=32, blank=True, db_index=True, help_text="写入该行的那次运行")
    claimed_at = models.DateTimeField("领取时间", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "提醒邮件"
        ordering = ["-created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "cycle", "kind", "days", "channel"],
                condition=models.Q(unit__isnull=False, kind__in=("before", "overdue")),
                name="reminder_unique_step",
            ),
            models.UniqueConstraint(
                fields=["cycle", "kind", "days", "channel"],
                condition=models.Q(unit__isnull=True),
                name="reminder_unique_summary_step",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return self.subject

    @property
    def recipients_display(self) -> str:
        return ", ".join(recipients_shown(self.channel, self.recipients))
