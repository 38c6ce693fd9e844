"""Documents brought in from the console: the upload, what the parser understood, the office's decision.

A job keeps its uploaded file (under MEDIA_ROOT/imports/) and its preview until the retention rule
(settings.IMPORT_RETENTION_DAYS) clears them; the row itself stays as the record of who imported what.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .plans import Plan


class ImportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        PARSING = "parsing", "解析中"
        READY = "ready", "待确认"
        FAILED = "failed", "失败"
        IMPORTED = "imported", "已导入"
        DISCARDED = "discarded", "已放弃"

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField("文件", upload_to="imports/", blank=True, max_length=255)
    original_name = models.CharField("原文件名", max_length=255)
    format = models.CharField("识别格式", max_length=10, blank=True)
    size = models.PositiveIntegerField("大小(字节)", default=0)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField("进度", default=0)
    error = models.CharField("错误", max_length=500, blank=True)
    preview = models.JSONField("解析预览", null=True, blank=True)
    diff = models.JSONField("与已有规划的差异", null=True, blank=True)
    unit_choices = models.JSONField("单位对应", default=dict, blank=True)
    plan = models.ForeignKey(
        Plan, verbose_name="规划", null=True, blank=True, on_delete=models.SET_NULL, related_name="import_jobs"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="确认/放弃人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True, help_text="导入、放弃或失败的时间")

    class Meta:
        verbose_name = verbose_name_plural = "文件导入"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "finished_at"])]

    def __str__(self) -> str:
        return f"{self.original_name} · {self.get_status_display()}"
