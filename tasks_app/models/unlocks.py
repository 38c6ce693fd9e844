"""Periods lock (issue 13): a closed reporting cycle refuses edits; the office may unlock it for one unit until a
date (services/cycle_unlocks.py). Whether a unit may write in a cycle is one rule: rules.cycles.accepts_reports."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .org import Unit
from .plans import ReportingCycle


class CycleUnlock(models.Model):
    cycle = models.ForeignKey(ReportingCycle, verbose_name="报送周期", on_delete=models.CASCADE, related_name="unlocks")
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.CASCADE, related_name="cycle_unlocks")
    until = models.DateField("可修改至")  # inclusive: the unit may still write on that day
    reason = models.TextField("理由")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("解锁时间", auto_now_add=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "报送周期解锁"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["cycle", "unit", "until"], name="cycle_unlock_lookup")]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.unit} · 至 {self.until}"
