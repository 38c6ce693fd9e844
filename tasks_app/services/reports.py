"""State changes of yearly reports and contributions. Views, the API and tasks all call these."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from tasks_app import access
from tasks_app.evidence_files import EVIDENCE_TYPES, EvidenceRejected, evidence_judge  # noqa: F401 (the form reads it here)
from tasks_app.models import (
    Contribution,
    Evidence,
    IndicatorDetail,
    Report,
    ReportingCycle,
    ReportVersion,
    WorkItem,
)
from tasks_app.rules.cycles import accepts_reports, open_cycles, unit_cycle
from tasks_app.rules.indicators import ActualEntryError, entered_actual
from tasks_app.rules.text import number_from_text, plain_number
from tasks_app.selectors.unit_heads import unit_has_head, user_heads_unit
from tasks_app.services.errors import InvalidTransition, ServiceError, StaleEditError

REPORT_FIELDS = (
    "progress_status",
    "progress",
    "problems",
    "next_steps",
    "actual_value_text",
    "actual_note",
    "actual_unit",
)


class ReportError(ServiceError):
    """A refused change of a report, contribution or evidence file."""


class DuplicateEvidence(ReportError):
    """The same file (by content) is already attached to this report; ``existing`` is that row."""

    def __init__(self, message: str, *, existing: Evidence) -> None:
        super().__init__(message)
        self.existing = existing


class ReportStateError(ReportError, InvalidTransition):
    """The report's status does not allow the change (edit a submitted report, review a draft…)."""


@dataclass
class ReportDraft:
    progress_status: str = ""
    progress: str = ""
    problems: str = ""
    next_steps: str = ""
    actual_value_text: str = ""
    actual_note: str = ""
    actual_unit: str = ""
    actual_numerator: str = ""  # a percentage may be entered as numerator / denominator
    actual_denominator: str = ""


def open_cycle_for(item: WorkItem) -> ReportingCycle | None:
    """The item's open cycle (rules.cycles.open_cycles), or None: what the office and readers look at."""
    return open_cycles(item.plan.cycles.all()).first()


def unit_cycle_for(item: WorkItem, user: Any) -> ReportingCycle | None:
    """The cycle the user's units report (or contribute) into on this item: the open one, else a closed one the
    office unlocked for one of them (rules.cycles.unit_cycle); a user with no unit on the item gets the open one."""
    mine = set(access.my_reporting_units(user, item)) | set(access.my_cooperating_units(user, item))
    return unit_cycle(item.plan.cycles.all(), mine)


def report_get_or_start(*, user: Any, item: WorkItem, unit_id: int, cycle: ReportingCycle) -> Report:
    """The report a reporting unit writes on an item for a cycle, created empty on first visit."""
    if unit_id not in access.my_reporting_units(user, item):
        raise PermissionDenied("您的单位不是该事项的填报单位")
    if cycle.plan_id != item.plan_id:
        raise ReportError("报送周期与事项不属于同一规划")
    if not accepts_reports(cycle, unit_id):
        existing = Report.objects.filter(item=item, unit_id=unit_id, cycle=cycle).first()
        if existing is None:
            raise ReportError("该报送周期未开启或已关闭,不能填报")
        return existing
    report, _ = Report.objects.get_or_create(item=item, unit_id=unit_id, cycle=cycle)
    return report


def report_snapshot(report: Report) -> dict[str, Any]:
    """What a version keeps of a report; evidence names come from a prefetch when there is one."""
    data = {field: getattr(report, field) for field in REPORT_FIELDS}
    data["actual_value"] = report.actual_value
    data["actual_numerator"] = report.actual_numerator
    data["actual_denominator"] = report.actual_denominator
    data["evidence"] = [e.original_name for e in report.evidence.all()] if report.pk else []
    return data


def report_version_row(report: Report, *, action: str, user: Any, reason: str = "") -> ReportVersion:
    """An unsaved ReportVersion: the audit trail entry of one save or state change (callers may bulk-create)."""
    return ReportVersion(
        report=report,
        number=report.version,
        action=action,
        status=report.status,
        snapshot=report_snapshot(report),
        reason=reason,
        actor=user if getattr(user, "is_authenticated", False) else None,
    )


def _record(report: Report, *, action: str, user: Any, reason: str = "") -> None:
    report_version_row(report, action=action, user=user, reason=reason).save()


def report_locked(*, report: Report, expected_version: int | None, stale: Callable[[Report], str]) -> Report:
    """The report row locked for this transaction, checked against the version the caller read: a newer
    version raises ``StaleEditError(stale(current))`` and nothing is changed. Saves and reviews both lock here."""
    current = (
        Report.objects.select_for_update(of=("self",))
        .select_related("cycle", "item", "unit")
        .filter(pk=report.pk, item__is_active=True)
        .first()
    )
    if current is None:
        raise ReportError("报告不存在或事项已失效")
    if expected_version is not None and current.version != expected_version:
        raise StaleEditError(stale(current), current=current)
    return current


def _saved_since(current: Report) -> str:
    who = current.updated_by.get_full_name() or current.updated_by.username if current.updated_by else "其他人"
    return (
        f"保存失败:该报告已被{who}于{timezone.localtime(current.updated_at):%Y-%m-%d %H:%M}修改。"
        "您的修改没有覆盖对方的内容;请对照最新版本合并后再保存。"
    )


def _locked_for_edit(report: Report, *, user: Any, expected_version: int) -> Report:
    current = report_locked(report=report, expected_version=expected_version, stale=_saved_since)
    if not access.can_edit_report(user, current):
        if not accepts_reports(current.cycle, current.unit_id):
            raise ReportError("该报送周期未开启或已关闭,不能填报")
        if not current.is_editable_status:
            raise ReportStateError(f"报告{current.get_status_display()},不能修改;如需修改请联系规划办退回")
        raise PermissionDenied("您无权修改该报告")
    return current


def report_save(*, report: Report, user: Any, data: ReportDraft, expected_version: int) -> Report:
    """Save a draft. A stale ``expected_version`` is refused and nothing is overwritten."""
    if data.progress_status and data.progress_status not in Report.Progress.values:
        raise ReportError("进展情况取值无效")
    with transaction.atomic():
        current = _locked_for_edit(report, user=user, expected_version=expected_version)
        for field in REPORT_FIELDS:
            setattr(current, field, getattr(data, field) or "")
        current.actual_value = number_from_text(current.actual_value_text)
        if current.item.is_indicator:
            _check_actual(current, data)
        # The row is locked for this transaction (report_locked), so the increment needs no F() and no re-read
        current.version += 1
        current.updated_by = user
        current.save()
        _record(current, action=ReportVersion.Action.SAVE, user=user)
    return current


def _figure(text: str | float | None, label: str) -> float | None:
    if text is None or str(text).strip() == "":
        return None
    value = plain_number(str(text).strip())
    if value is None:
        raise ReportError(f"{label}须为数字")
    return float(value)


def _check_actual(report: Report, data: ReportDraft) -> None:
    """The indicator's actual as entered (rules.indicators.entered_actual: unit of measure, numerator /
    denominator); a refused entry raises and the save rolls back."""
    detail = IndicatorDetail.objects.filter(item_id=report.item_id).first()
    numerator = _figure(data.actual_numerator, "分子")
    denominator = _figure(data.actual_denominator, "分母")
    if not report.actual_value_text and numerator is None and denominator is None:
        report.actual_numerator = report.actual_denominator = None
        return
    try:
        text, value, unit = entered_actual(
            text=report.actual_value_text,
            unit=report.actual_unit,
            numerator=numerator,
            denominator=denominator,
            indicator_unit=detail.unit_of_measure if detail else "",
        )
    except ActualEntryError as exc:
        raise ReportError(str(exc)) from exc
    report.actual_value_text, report.actual_value, report.actual_unit = text[:200], value, unit[:50]
    report.actual_numerator, report.actual_denominator = numerator, denominator


def submitted_status(report: Report, *, user: Any) -> str:
    """Where a submission goes: to the unit head first (待负责人审核) when the unit has one and the submitter is not
    a head of it (a head's own submission is signed by submitting), else straight to the office."""
    if unit_has_head(unit_id=report.unit_id) and not user_heads_unit(user=user, unit_id=report.unit_id):
        return Report.Status.PENDING_HEAD
    return Report.Status.SUBMITTED


def report_submit(*, report: Report, user: Any, expected_version: int, data: ReportDraft | None = None) -> Report:
    """Submit (optionally saving the given text first). Submitted reports are read-only until returned; in a unit
    with a head the submission waits for the head's sign-off (services.signoff) before it reaches the office."""
    with transaction.atomic():
        if data is not None:
            report = report_save(report=report, user=user, data=data, expected_version=expected_version)
            expected_version = report.version
        current = _locked_for_edit(report, user=user, expected_version=expected_version)
        missing = [
            label
            for field, label in (("progress_status", "进展情况"), ("progress", "工作进展"))
            if not getattr(current, field)
        ]
        if current.item.is_indicator and not current.actual_value_text:
            missing.append("指标实际值")
        if missing:
            raise ReportError("提交前请填写:" + "、".join(missing))
        current.status = submitted_status(current, user=user)
        current.submitted_at = timezone.now()
        current.version = F("version") + 1
        current.updated_by = user
        current.save()
        current.refresh_from_db()
        _record(current, action=ReportVersion.Action.SUBMIT, user=user)
    return current


def evidence_attach(*, report: Report, user: Any, upload: UploadedFile) -> Evidence:
    """Judge the file by its content (``evidence_files.evidence_judge``: the type table, sniffing, the
    structural checks) before anything is stored; the same content attached to the same report again is
    refused with ``DuplicateEvidence`` naming the file already there."""
    if not access.can_edit_report(user, report):
        raise ReportError("报告当前不可修改,不能上传材料")
    name = PurePath(upload.name or "file").name or "file"
    if upload.size is not None and upload.size > settings.EVIDENCE_MAX_BYTES:  # before reading anything
        raise ReportError(f"文件过大:上限 {settings.EVIDENCE_MAX_BYTES // (1024 * 1024)} MB")
    try:
        judged = evidence_judge(name=name, stream=upload, max_bytes=settings.EVIDENCE_MAX_BYTES)
    except EvidenceRejected as exc:
        raise ReportError(str(exc)) from exc
    with transaction.atomic():
        Report.objects.select_for_update().filter(pk=report.pk).first()  # one attach per report at a time
        existing = Evidence.objects.filter(report=report, sha256=judged.sha256).first()
        if existing is not None:
            raise DuplicateEvidence(
                f"该文件已上传过(内容与“{existing.original_name}”相同),未重复保存", existing=existing
            )
        upload.seek(0)
        return Evidence.objects.create(
            report=report,
            file=upload,
            original_name=name[:255],
            size=judged.size,
            content_type=judged.content_type,
            sha256=judged.sha256,
            uploaded_by=user,
        )


def contribution_save(
    *,
    user: Any,
    item: WorkItem,
    unit_id: int,
    cycle: ReportingCycle,
    text: str,
    expected_version: int | None,
    submit: bool = False,
) -> Contribution:
    """A cooperating unit writes its 配合情况; same optimistic locking as reports."""
    if unit_id not in access.my_cooperating_units(user, item):
        raise PermissionDenied("您的单位不是该事项的配合单位")
    if cycle.plan_id != item.plan_id or not accepts_reports(cycle, unit_id):
        raise ReportError("该报送周期未开启或已关闭,不能填报")
    if not text.strip():
        raise ReportError("请填写配合情况")
    with transaction.atomic():
        row = Contribution.objects.select_for_update().filter(item=item, unit_id=unit_id, cycle=cycle).first()
        if row is None:
            if expected_version not in (None, 0):
                raise StaleEditError("保存失败:配合情况已被删除或不存在,请刷新页面")
            try:
                with transaction.atomic():
                    row = Contribution.objects.create(
                        item=item, unit_id=unit_id, cycle=cycle, text=text, updated_by=user
                    )
            except IntegrityError as exc:  # a concurrent first save won the unique constraint
                winner = Contribution.objects.filter(item=item, unit_id=unit_id, cycle=cycle).first()
                raise StaleEditError(
                    "保存失败:其他人刚刚提交了配合情况;请对照最新内容合并后再保存", current=winner
                ) from exc
        else:
            if expected_version is not None and row.version != expected_version:
                raise StaleEditError("保存失败:配合情况已被其他人修改;请对照最新内容合并后再保存。", current=row)
            if row.status == Contribution.Status.SUBMITTED:  # submitted is final, like a report
                raise ReportStateError("配合情况已提交,不能再修改;如需补充请联系牵头单位。")
            row.text = text
            row.version = F("version") + 1
            row.updated_by = user
        if submit:
            row.status = Contribution.Status.SUBMITTED
        row.save()
        row.refresh_from_db()
    return row


def evidence_remove(*, evidence: Evidence, user: Any) -> None:
    """Remove a file from a report the user may still edit; the version history keeps its name."""
    report = Report.objects.select_related("cycle").get(pk=evidence.report_id)
    if not access.can_edit_report(user, report):
        raise ReportError("报告当前不可修改,不能删除材料")
    with transaction.atomic():
        evidence.delete()
        transaction.on_commit(lambda: evidence.file.delete(save=False))
