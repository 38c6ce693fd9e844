"""The office's monitoring figures: corrected actuals, 年度目标, the province's figure for a pending target, the
plan's tolerance, and its edits of the Word reports' text. Every change is audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from tasks_app import access
from tasks_app.capabilities import Capability
from tasks_app.models import (
    AuditEntry,
    EvaluationText,
    IndicatorActual,
    IndicatorDetail,
    IndicatorTarget,
    MonitoringSettings,
    Plan,
    WorkItem,
)
from tasks_app.rules.text import number_from_text
from tasks_app.services.errors import ServiceError

REPORT_KINDS = ("annual", "midterm", "final")


class MonitoringError(ServiceError):
    """A refused monitoring change (bad year, no reason, not an indicator…)."""


def _actor(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _audit(user: Any, item: WorkItem, summary: str, before: dict, after: dict) -> None:
    AuditEntry.objects.create(
        actor=_actor(user),
        action=AuditEntry.Action.INDICATOR,
        plan_id=item.plan_id,
        object_type="indicator",
        object_id=item.pk,
        summary=summary[:500],
        before=before,
        after=after,
    )


def _indicator_year(item: WorkItem, year: int) -> None:
    if not item.is_indicator:
        raise MonitoringError("该事项不是指标")
    plan = item.plan
    if not plan.period_start - 1 <= year <= plan.period_end:
        raise MonitoringError(f"{year} 年不在规划期 {plan.period_start - 1}(基期)—{plan.period_end} 年内")


def indicator_actual_correct(*, user: Any, item: WorkItem, year: int, value_text: str, reason: str) -> IndicatorActual:
    """The office records or corrects the official actual of ``year`` (it then wins over the units' reports);
    a reason is required and kept in the audit log with the value before and after."""
    access.require(user, Capability.REVIEW)
    _indicator_year(item, year)
    value_text, reason = (value_text or "").strip(), (reason or "").strip()
    if not value_text:
        raise MonitoringError("请填写实际值")
    if not reason:
        raise MonitoringError("修正实际值须填写理由")
    with transaction.atomic():
        row = IndicatorActual.objects.select_for_update().filter(item=item, year=year).first()
        before = {"value_text": row.value_text, "value": row.value} if row else {}
        if row is None:
            row = IndicatorActual(item=item, year=year)
        row.value_text = value_text[:200]
        row.value = number_from_text(value_text)
        row.note = reason
        row.save()
        after = {"value_text": row.value_text, "value": row.value, "reason": reason}
        _audit(user, item, f"{item.title} {year}年实际值 → {row.value_text}(理由:{reason})", before, after)
    return row


def indicator_target_set(*, user: Any, item: WorkItem, year: int, value: float | None, note: str = "") -> None:
    """Set (or clear, with None) the 年度目标 of ``year``: it replaces the path's expected value that year."""
    access.require(user, Capability.EDIT_DIVISION)
    _indicator_year(item, year)
    with transaction.atomic():
        row = IndicatorTarget.objects.select_for_update().filter(item=item, year=year).first()
        before = {"value": row.value} if row else {}
        if value is None:
            if row is not None:
                row.delete()
        else:
            IndicatorTarget.objects.update_or_create(
                item=item, year=year, defaults={"value": value, "note": note[:300], "set_by": _actor(user)}
            )
        _audit(
            user,
            item,
            f"{item.title} {year}年度目标 → {value if value is not None else '清除'}",
            before,
            {"value": value},
        )


def indicator_province_target_set(*, user: Any, item: WorkItem, value: float | None) -> None:
    """The province's figure for a pending (* / 等待省下达) target; None takes it back."""
    access.require(user, Capability.EDIT_DIVISION)
    detail = IndicatorDetail.objects.filter(item=item).first()
    if detail is None or not detail.pending:
        raise MonitoringError("该指标的目标不是待省下达")
    before = {"province_target_value": detail.province_target_value}
    detail.province_target_value = value
    detail.save(update_fields=["province_target_value"])
    _audit(user, item, f"{item.title} 省下达目标值 → {value}", before, {"province_target_value": value})


def monitoring_tolerance_set(*, user: Any, plan: Plan, percent: float) -> MonitoringSettings:
    """The band of 基本符合预期 for the plan, in percent of the baseline→target step (0–50)."""
    access.require(user, Capability.EDIT_DIVISION)
    if not 0 <= percent <= 50:
        raise MonitoringError("容差应在 0 到 50(%)之间")
    settings_row, _ = MonitoringSettings.objects.get_or_create(plan=plan)
    before = settings_row.tolerance_percent
    settings_row.tolerance_percent = percent
    settings_row.save()
    AuditEntry.objects.create(
        actor=_actor(user),
        action=AuditEntry.Action.INDICATOR,
        plan=plan,
        object_type="plan",
        object_id=plan.pk,
        summary=f"基本符合预期容差 {before:g}% → {percent:g}%",
        before={"tolerance_percent": before},
        after={"tolerance_percent": percent},
    )
    return settings_row


def evaluation_text_save(*, user: Any, plan: Plan, report: str, year: int, section: str, text: str) -> None:
    """Keep the office's wording of one section of a Word report; an empty text restores the generated one."""
    access.require(user, Capability.EXPORT)
    if report not in REPORT_KINDS:
        raise MonitoringError("报告类型无效")
    if not text.strip():
        EvaluationText.objects.filter(plan=plan, report=report, year=year, section=section).delete()
        return
    EvaluationText.objects.update_or_create(
        plan=plan, report=report, year=year, section=section, defaults={"text": text, "updated_by": _actor(user)}
    )
