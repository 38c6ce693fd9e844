"""What the office adds to monitor indicators against the five-year path, and its edits of the Word reports."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .plans import Plan, WorkItem


class MonitoringSettings(models.Model):
    """Per plan: the band of 基本符合预期 (±``tolerance_percent`` % of the baseline→target step)."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="monitoring")
    tolerance_percent = models.FloatField("基本符合预期容差(%)", default=5.0)

    class Meta:
        verbose_name = verbose_name_plural = "监测设置"

    def __str__(self) -> str:
        return f"{self.plan_id} ±{self.tolerance_percent}%"


class IndicatorTarget(models.Model):
    """A yearly target (年度目标) the office sets for an indicator: it replaces the path's value that year."""

    item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="yearly_targets")
    year = models.PositiveSmallIntegerField("年度")
    value = models.FloatField("年度目标值")
    note = models.CharField("说明", max_length=300, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    set_at = models.DateTimeField("设置时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "指标年度目标"
        ordering = ["item", "year"]
        constraints = [models.UniqueConstraint(fields=["item", "year"], name="indicator_target_unique_year")]

    def __str__(self) -> str:
        return f"{self.item_id} · {self.year}: {self.value}"


class EvaluationText(models.Model):
    """A section of a generated Word report as the office edited it (per plan, report kind and year)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="evaluation_texts")
    report = models.CharField("报告", max_length=20)
    year = models.PositiveSmallIntegerField("年度")
    section = models.CharField("段落", max_length=40)
    text = models.TextField("内容")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "评估报告修改稿"
        constraints = [
            models.UniqueConstraint(fields=["plan", "report", "year", "section"], name="evaluation_text_unique")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.report} {self.year} {self.section}"
