"""The office's audit trail of division edits and unit merges."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .org import Jurisdiction
from .plans import Plan


class AuditEntry(models.Model):
    """Who changed what in the division, when, from what to what."""

    class Action(models.TextChoices):
        ITEM_EDIT = "item_edit", "修改事项"
        ASSIGNMENTS = "assignments", "调整分工"
        UNIT_MERGE = "unit_merge", "合并单位"
        UNIT_CONFIRM = "unit_confirm", "确认新单位"
        UNIT_EDIT = "unit_edit", "修改单位"
        CONTACTS_IMPORT = "contacts_import", "导入联系人"
        CYCLE = "cycle", "报送周期"
        SUGGESTION = "suggestion", "分工建议"
        SUCCESSION = "succession", "单位沿革"
        ACCOUNT_CREATE = "account_create", "创建账号"
        ACCOUNT_PASSWORD = "account_password", "修改初始密码"
        INDICATOR = "indicator", "指标监测数据"
        SCORING = "scoring", "考核计分规则"
        ACKNOWLEDGE = "acknowledge", "签收"
        BOUNCE = "bounce", "退回分工"
        EXTENSION = "extension", "延期申请"
        ITEM_CLOSE = "item_close", "销号"
        ITEM_REOPEN = "item_reopen", "重新打开"

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)
    action = models.CharField("操作", max_length=30, choices=Action.choices)
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries")
    # Whose record this is (the plan's, the unit's): offices read the rows of their jurisdictions only.
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name="行政区划", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_type = models.CharField("对象类型", max_length=30)
    object_id = models.PositiveBigIntegerField("对象ID")
    summary = models.CharField("摘要", max_length=500)
    before = models.JSONField("修改前", default=dict, blank=True)
    after = models.JSONField("修改后", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "操作日志"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return self.summary
