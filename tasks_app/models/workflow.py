"""The assignment workflow (督办, issue 13): a unit's request about one of its items, decided by the office.

- 退回分工 (``bounce``): the unit believes the item is not its own; the office accepts (reassigns it to a unit
  it picks, the old assignment kept as history) or refuses (the unit keeps it, with the office's reply);
- 延期申请 (``extension``): the unit asks for a later deadline; the office approves (the item's deadline
  changes; ``previous_deadline`` keeps the old one) or refuses.
State changes live in services/workflow.py; 签收 and 销号 are fields on Assignment and WorkItem.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .org import Unit
from .plans import Assignment, WorkItem


class WorkflowRequest(models.Model):
    class Kind(models.TextChoices):
        BOUNCE = "bounce", "退回分工"
        EXTENSION = "extension", "延期申请"

    class Status(models.TextChoices):
        PENDING = "pending", "待处理"
        ACCEPTED = "accepted", "已同意"
        REFUSED = "refused", "未同意"

    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    item = models.ForeignKey(WorkItem, verbose_name="事项", on_delete=models.CASCADE, related_name="workflow_requests")
    assignment = models.ForeignKey(
        Assignment, verbose_name="分工", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit = models.ForeignKey(Unit, verbose_name="申请单位", on_delete=models.PROTECT, related_name="workflow_requests")
    reason = models.TextField("理由")
    proposed_deadline = models.DateField("申请延期至", null=True, blank=True)
    previous_deadline = models.DateField("原完成时限", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    reply = models.TextField("规划办答复", blank=True)
    reassigned_to = models.ForeignKey(
        Unit, verbose_name="改派单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "督办申请"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "unit", "kind"],
                condition=models.Q(status="pending"),
                name="workflow_one_pending",
            )
        ]
        indexes = [models.Index(fields=["status", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.unit} · {self.item_id}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING
