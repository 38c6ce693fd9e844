"""What changed in a resubmitted report since the office returned it: the flag of the review queue and the diff.

A report is a resubmission when it was returned before (a RETURN version exists) and is submitted again. The diff
compares the returned version's snapshot with the report as it is now, field by field; long texts are diffed by
character (Chinese has no spaces between words) with difflib and shown as kept / deleted / inserted runs.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from tasks_app.models import Evidence, Report, ReportVersion

# The fields a reviewer reads, in the order of the form; the snapshot keeps the same names.
DIFF_FIELDS = (
    ("progress_status", "进展情况"),
    ("progress", "工作进展"),
    ("problems", "存在问题"),
    ("next_steps", "下一步打算"),
    ("actual_value_text", "实际值"),
    ("actual_note", "指标说明"),
    ("evidence", "佐证材料"),
)
PROGRESS_LABELS = dict(Report.Progress.choices)


def with_resubmission_flag(reports: QuerySet[Report]) -> QuerySet[Report]:
    """Annotate ``was_returned``: the report has been returned at least once (one subquery, no extra query)."""
    returned = ReportVersion.objects.filter(report=OuterRef("pk"), action=ReportVersion.Action.RETURN)
    return reports.annotate(was_returned=Exists(returned))


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    before: str
    after: str
    runs: list[tuple[str, str]] = field(default_factory=list)  # ("equal" | "delete" | "insert", text)


@dataclass
class Resubmission:
    returned_version: int
    reason: str
    changes: list[FieldChange]

    @property
    def changed_names(self) -> list[str]:
        return [change.name for change in self.changes]


def text_runs(before: str, after: str) -> list[tuple[str, str]]:
    """before → after as runs of kept, deleted and inserted text (a replace is a delete then an insert)."""
    runs: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            runs.append(("equal", before[a1:a2]))
            continue
        if a2 > a1:
            runs.append(("delete", before[a1:a2]))
        if b2 > b1:
            runs.append(("insert", after[b1:b2]))
    return runs


def _shown(name: str, value: Any) -> str:
    if name == "evidence":
        return "、".join(value or [])
    if name == "progress_status":
        return PROGRESS_LABELS.get(value or "", value or "")
    return "" if value is None else str(value)


def snapshot_changes(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    changes = []
    for name, label in DIFF_FIELDS:
        old, new = _shown(name, before.get(name)), _shown(name, after.get(name))
        if old != new:
            changes.append(FieldChange(name=name, label=label, before=old, after=new, runs=text_runs(old, new)))
    return changes


def resubmissions(reports: Iterable[Report]) -> dict[int, Resubmission]:
    """The diff of every resubmitted report among ``reports`` against its latest returned version, by report id.

    Two queries for any number of reports: the returned versions and the evidence names."""
    candidates = [r for r in reports if getattr(r, "was_returned", True) and r.status == Report.Status.SUBMITTED]
    if not candidates:
        return {}
    latest: dict[int, ReportVersion] = {}
    rows = ReportVersion.objects.filter(
        report_id__in=[r.pk for r in candidates], action=ReportVersion.Action.RETURN
    ).order_by("report_id", "number", "id")
    for version in rows:
        latest[version.report_id] = version  # the last one wins: the latest return
    evidence = _evidence_names([r for r in candidates if r.pk in latest])
    result = {}
    for report in candidates:
        returned = latest.get(report.pk)
        if returned is None:
            continue
        now = {name: getattr(report, name, "") for name, _ in DIFF_FIELDS if name != "evidence"}
        now["evidence"] = evidence.get(report.pk, [])
        result[report.pk] = Resubmission(
            returned_version=returned.number, reason=returned.reason, changes=snapshot_changes(returned.snapshot, now)
        )
    return result


def _evidence_names(reports: list[Report]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    rows = Evidence.objects.filter(report_id__in=[r.pk for r in reports]).order_by("uploaded_at", "id")
    for report_id, name in rows.values_list("report_id", "original_name"):
        names.setdefault(report_id, []).append(name)
    return names
