"""Background export jobs: a workbook built by a worker, kept under MEDIA_ROOT/exports/ for download."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .plans import Plan


class ExportJob(models.Model):
    """A workbook built in the background; the file is kept for download."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="export_jobs")
    report = models.CharField("报表", max_length=20)
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    period = models.CharField("报送期", max_length=10, blank=True)  # one period (2022Q3); "" = by the year
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveIntegerField("已处理行数", default=0)
    total = models.PositiveIntegerField("总行数", default=0)
    file = models.FileField("文件", upload_to="exports/", blank=True, max_length=255)
    error = models.TextField("错误", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "导出任务"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.report} {self.get_status_display()}"
