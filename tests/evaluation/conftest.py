"""站前区 (000) imported inside the test's transaction, with the yearly actuals of zhanqian_actuals.json; and
with a 2023 cycle whose task reports say done / on schedule / behind (with 问题 and 下一步) or nothing, slot by
slot, so every class of the task schedule occurs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.utils import timezone

from tasks_app.models import Assignment, IndicatorActual, Plan, Report, WorkItem
from tasks_app.selectors.monitoring import TASK_KINDS
from tasks_app.services.cycles import cycle_open
from tests.conftest import ZHANQIAN
from tests.evaluation.docx_helpers import NEXT_STEP, PATTERN, PROBLEM, YEAR
from tests.exporters.conftest import _import

ACTUALS = json.loads((Path(__file__).with_name("zhanqian_actuals.json")).read_text(encoding="utf-8"))["actuals"]
YEARS = (2021, 2022, 2023)


@pytest.fixture
def zhanqian_monitored(db) -> Plan:
    plan = _import(ZHANQIAN)
    items = {item.title: item for item in WorkItem.objects.filter(plan=plan, kind__in=WorkItem.INDICATOR_KINDS)}
    assert sorted(items) == sorted(ACTUALS)  # the 16 indicators of 表2-1
    IndicatorActual.objects.bulk_create(
        IndicatorActual(item=items[title], year=year, value_text=f"{value:g}", value=float(value))
        for title, values in ACTUALS.items()
        for year, value in zip(YEARS, values, strict=True)
    )
    return plan


@pytest.fixture
def zhanqian_reported(zhanqian_monitored) -> Plan:
    plan = zhanqian_monitored
    cycle = cycle_open(plan=plan, year=YEAR)
    slots = (
        Assignment.objects.reporting()
        .filter(item__plan=plan, item__kind__in=TASK_KINDS, item__is_active=True)
        .order_by("item__order", "unit_id")
        .values_list("item_id", "unit_id")
        .distinct()
    )
    reports = []
    for n, (item_id, unit_id) in enumerate(slots):
        status, progress = PATTERN[n % 4]
        behind = progress == Report.Progress.BEHIND
        reports.append(
            Report(
                item_id=item_id,
                unit_id=unit_id,
                cycle=cycle,
                status=status,
                progress_status=progress,
                progress="推进中",
                problems=PROBLEM if behind else "",
                next_steps=NEXT_STEP if behind else "",
                submitted_at=timezone.now() if status != Report.Status.DRAFT else None,
            )
        )
    Report.objects.bulk_create(reports)
    return plan
