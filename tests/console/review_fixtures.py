"""Fixtures of the console tests: the shared personas plus reports at each stage of review."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tasks_app.models import Report, WorkItem
from tasks_app.services.reports import ReportDraft, report_get_or_start, report_save, report_submit
from tests.personas import Personas, items_of

DONE = ReportDraft(progress_status=Report.Progress.ON_TRACK, progress="全年完成既定任务")


def education_task_items(p: Personas) -> list[WorkItem]:
    """Tasks (not indicators) 市教育局 reports on and 市林业局 has nothing to do with, in document order."""
    return items_of(p, relation="reports", kind=WorkItem.Kind.TASK)


def submitted_report(p: Personas, item: WorkItem, *, user=None) -> Report:
    user = user or p.owner
    report = report_get_or_start(user=user, item=item, unit_id=p.education.id, cycle=p.cycle)
    report = report_save(report=report, user=user, data=DONE, expected_version=report.version)
    return report_submit(report=report, user=user, expected_version=report.version)


@dataclass
class Review:
    p: Personas
    item: WorkItem
    report: Report  # 市教育局's submitted report on ``item``
    others: list[WorkItem]  # more items 市教育局 reports on (no report yet)


@pytest.fixture(name="review")
def review_fixture(personas: Personas) -> Review:
    items = education_task_items(personas)
    assert len(items) >= 4
    report = submitted_report(personas, items[0])
    return Review(p=personas, item=items[0], report=report, others=items[1:])
