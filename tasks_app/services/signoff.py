"""The unit head's sign-off (单位负责人审核): a staff member's submission in a unit with a head waits for the head
(``Report.Status.PENDING_HEAD``, routed by ``services.reports.report_submit``); the head approves it to the office
(→ submitted: it enters the review queue) or returns it to the staff with a reason (→ returned: editable again,
resubmitted the usual way, which brings it back to the head).

Every step writes a ReportVersion (who, when, the reason), the trail the office's review writes too, and is
guarded by the version the head read, like the office's review.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from tasks_app import access
from tasks_app.capabilities import Capability
from tasks_app.models import ReminderMessage, Report, ReportVersion
from tasks_app.selectors.unit_heads import user_heads_unit
from tasks_app.services.notifications import unit_notify
from tasks_app.services.reports import ReportStateError, report_locked, report_version_row
from tasks_app.services.review import return_reason

STALE = "操作失败:报告在您打开后已被修改,请刷新查看最新内容后再审核。"


def _locked_for_sign_off(report: Report, *, user: Any, expected_version: int | None) -> Report:
    if user is not None and not user_heads_unit(user=user, unit_id=report.unit_id):
        # Another unit's report (or one the user does not head) does not exist for them, like any out-of-scope row.
        raise Http404("报告不存在或不在您的权限范围内")
    current = report_locked(report=report, expected_version=expected_version, stale=lambda _current: STALE)
    if current.status != Report.Status.PENDING_HEAD:
        raise ReportStateError(f"只能审核待负责人审核的报告(当前状态:{current.get_status_display()})")
    return current


def _move(report: Report, *, user: Any, status: str, reason: str) -> Report:
    now = timezone.now()
    report.status = status
    report.review_reason = reason
    report.version = F("version") + 1
    report.updated_by = user
    fields = ["status", "review_reason", "version", "updated_by", "updated_at"]
    if status == Report.Status.SUBMITTED:
        report.submitted_at = now  # the office receives it now: on time or late is judged from here
        fields.append("submitted_at")
    else:
        report.reviewed_at = now
        fields.append("reviewed_at")
    report.save(update_fields=fields)
    report.refresh_from_db(fields=["version", "updated_at"])
    return report


def report_head_approve(*, report: Report, user: Any, expected_version: int | None = None) -> Report:
    """The head signs the report off to the office (→ submitted, in the office's queue)."""
    access.require(user, Capability.SIGN_OFF_REPORTS)
    with transaction.atomic():
        current = _locked_for_sign_off(report, user=user, expected_version=expected_version)
        _move(current, user=user, status=Report.Status.SUBMITTED, reason="")
        report_version_row(current, action=ReportVersion.Action.HEAD_APPROVE, user=user).save()
    return current


def report_head_return(*, report: Report, user: Any, reason: str, expected_version: int | None = None) -> Report:
    """The head returns the report to the unit's staff; the reason is required, shown to them and logged."""
    access.require(user, Capability.SIGN_OFF_REPORTS)
    reason = return_reason(reason)
    with transaction.atomic():
        current = _locked_for_sign_off(report, user=user, expected_version=expected_version)
        _move(current, user=user, status=Report.Status.RETURNED, reason=reason)
        report_version_row(current, action=ReportVersion.Action.HEAD_RETURN, user=user, reason=reason).save()
        unit_notify(
            unit=current.unit,
            kind=ReminderMessage.Kind.HEAD_RETURNED,
            item=current.item,
            report=current,
            reason=reason,
        )
    return current
