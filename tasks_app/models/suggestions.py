"""The division assistant's proposals, kept so the office can accept or reject them one by one or in bulk."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SuggestedAssignment(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", "牵头单位"
        COOPERATING = "cooperating", "配合单位"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "建议"
        ACCEPTED = "accepted", "已采纳"
        REJECTED = "rejected", "已否决"

    item = models.ForeignKey("tasks_app.WorkItem", on_delete=models.CASCADE, related_name="suggestions")
    unit = models.ForeignKey("tasks_app.Unit", on_delete=models.CASCADE, related_name="suggestions")
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    rank = models.PositiveSmallIntegerField("名次")
    score = models.FloatField("得分")
    # {"neighbours": [{"item_id", "plan", "similarity"}], "words": [...], "matched_terms": [...]}
    explanation = models.JSONField("依据", default=dict)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PROPOSED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "分工建议"
        ordering = ["item", "role", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["item", "unit", "role"], name="suggestion_unique"),
        ]
        indexes = [models.Index(fields=["item", "status"])]

    def __str__(self) -> str:
        return f"{self.unit} ({self.get_role_display()}, {self.score:.2f})"
