"""The planning office's review of submitted reports: approve, return with a reason, bulk approve.

Every transition writes a ReportVersion (who, when, what, the reason, the status after it), the same
audit trail the units' saves and submissions write. Only submitted reports can be reviewed; a returned
report is editable again for its unit (Report.is_editable_status) and is resubmitted the usual way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F, Prefetch
from django.utils import timezone

from tasks_app import access
from tasks_app.capabilities import Capability
from tasks_app.models import Evidence, IndicatorActual, ReminderMessage, Report, ReportingCycle, ReportVersion
from tasks_app.services.notifications import unit_notify
from tasks_app.services.reports import ReportError, ReportStateError, report_locked, report_version_row
from tasks_app.snapshots import plans_changed

REASON_REQUIRED = "退回必须填写理由"
REASON_MAX = 2000


@dataclass
class BulkResult:
    approved: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)


def _locked_for_review(report: Report, *, expected_version: int | None) -> Report:
    current = report_locked(
        report=report,
        expected_version=expected_version,
        stale=lambda _current: "审核失败:报告在您打开后已被修改,请刷新查看最新内容后再审核。",
    )
    if current.status != Report.Status.SUBMITTED:
        raise ReportStateError(f"只能审核已提交的报告(当前状态:{current.get_status_display()})")
    return current


def _record_actual(report: Report) -> None:
    """An approved indicator report's actual value becomes the indicator's actual for the cycle year."""
    if not report.item.is_indicator or not report.actual_value_text:
        return
    IndicatorActual.objects.update_or_create(
        item_id=report.item_id,
        year=report.cycle.year,
        defaults={"value_text": report.actual_value_text, "value": report.actual_value, "note": report.actual_note},
    )


def _transition(report: Report, *, user: Any, status: str, reason: str) -> Report:
    report.status = status
    report.review_reason = reason
    report.reviewed_at = timezone.now()
    report.version = F("version") + 1
    report.updated_by = user
    report.save(update_fields=["status", "review_reason", "reviewed_at", "version", "updated_by", "updated_at"])
    report.refresh_from_db(fields=["version", "updated_at"])
    return report


def report_approve(*, report: Report, user: Any, expected_version: int | None = None) -> Report:
    """Approve a submitted report. A stale ``expected_version`` is refused and nothing changes."""
    access.require(user, Capability.REVIEW)
    with transaction.atomic():
        current = _locked_for_review(report, expected_version=expected_version)
        _transition(current, user=user, status=Report.Status.APPROVED, reason="")
        report_version_row(current, action=ReportVersion.Action.APPROVE, user=user).save()
        _record_actual(current)
    return current


def return_reason(reason: str | None) -> str:
    """The reason of a return (the office's or the unit head's), stripped; required and at most REASON_MAX long."""
    reason = (reason or "").strip()
    if not reason:
        raise ReportError(REASON_REQUIRED)
    if len(reason) > REASON_MAX:
        raise ReportError(f"退回理由不能超过 {REASON_MAX} 字")
    return reason


def report_return(*, report: Report, user: Any, reason: str, expected_version: int | None = None) -> Report:
    """Return a submitted report to its unit; the reason is required, shown to the unit and logged."""
    access.require(user, Capability.REVIEW)
    reason = return_reason(reason)
    with transaction.atomic():
        current = _locked_for_review(report, expected_version=expected_version)
        _transition(current, user=user, status=Report.Status.RETURNED, reason=reason)
        report_version_row(current, action=ReportVersion.Action.RETURN, user=user, reason=reason).save()
        # In this transaction: the unit hears of the return exactly when it happened, never of one rolled back.
        unit_notify(
            unit=current.unit, kind=ReminderMessage.Kind.RETURNED, item=current.item, report=current, reason=reason
        )
    return current


def reports_bulk_approve(*, user: Any, report_ids: Iterable[int], cycle: ReportingCycle | None = None) -> BulkResult:
    """Approve the given reports that are submitted (and in ``cycle`` when given); skip the rest.

    Reports in any other state, of inactive items or of another cycle are left untouched and listed in
    ``skipped``. One transaction; a constant number of queries plus one per approved indicator report.
    """
    access.require(user, Capability.REVIEW)
    wanted = sorted({int(pk) for pk in report_ids})
    result = BulkResult()
    with transaction.atomic():
        # Only reports the reviewer's office sees (another jurisdiction's are skipped like missing ones).
        scope = Report.objects.all() if user is None else access.visible_console_reports(user)
        candidates = scope.filter(pk__in=wanted, status=Report.Status.SUBMITTED, item__is_active=True)
        if cycle is not None:
            candidates = candidates.filter(cycle=cycle)
        locked = list(
            candidates.select_for_update(of=("self",))
            .select_related("item", "cycle")
            .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "id")))
            .order_by("pk")
        )
        ids = [r.pk for r in locked]
        now = timezone.now()
        Report.objects.filter(pk__in=ids).update(
            status=Report.Status.APPROVED,
            review_reason="",
            reviewed_at=now,
            version=F("version") + 1,
            updated_by=user,
            updated_at=now,
        )
        rows = []
        for report in locked:
            report.status = Report.Status.APPROVED
            report.version += 1
            rows.append(report_version_row(report, action=ReportVersion.Action.APPROVE, user=user))
            _record_actual(report)
        ReportVersion.objects.bulk_create(rows)
        plans_changed(plan_ids={report.cycle.plan_id for report in locked})  # the update() sent no signals
    result.approved = ids
    result.skipped = [pk for pk in wanted if pk not in set(ids)]
    return result
