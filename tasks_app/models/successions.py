"""Units through institutional reform: from a date, a unit's duties pass to one or more successors."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .org import Unit


class UnitSuccession(models.Model):
    """``predecessor`` is succeeded by ``successor`` from ``effective_on`` (one row per pair).

    Several rows with one predecessor are a split (the office picks the successor per item); several
    predecessors with one successor are a merge. ``applied_on`` is set once the predecessor's open items
    have been handed over (``services.successions.successions_apply``)."""

    class Kind(models.TextChoices):
        RENAME = "rename", "更名"
        MERGE = "merge", "合并"
        SPLIT = "split", "拆分"
        TRANSFER = "transfer", "职责划入"

    predecessor = models.ForeignKey(Unit, verbose_name="原单位", on_delete=models.CASCADE, related_name="successions")
    successor = models.ForeignKey(Unit, verbose_name="继任单位", on_delete=models.PROTECT, related_name="predecessions")
    effective_on = models.DateField("生效日期")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.RENAME)
    reform = models.CharField("所属改革", max_length=120, blank=True)
    source = models.CharField("依据", max_length=300, blank=True)
    applied_on = models.DateField("移交日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "单位沿革"
        ordering = ["effective_on", "predecessor__name"]
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="succession_unique_pair"),
            models.CheckConstraint(condition=~models.Q(predecessor=models.F("successor")), name="succession_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.effective_on})"
