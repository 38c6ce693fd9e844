"""站前区 (000) imported inside the test's transaction, with the yearly actuals of zhanqian_actuals.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tasks_app.models import IndicatorActual, Plan, WorkItem
from tests.conftest import ZHANQIAN
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
