"""API test helpers: token clients for the named personas and the items each scope test talks about."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tasks_app.models import Assignment, Contribution, Report, WorkItem
from tests.personas import Personas, items_of


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _units_of(item: WorkItem) -> set[int]:
    return {a.unit_id for a in item.assignments.all()}


def education_reports_on(p: Personas, nth: int = 0) -> WorkItem:
    """An item 市教育局 reports on and 市林业局 has nothing to do with."""
    return items_of(p, relation="reports")[nth]


def education_cooperates_on(p: Personas, nth: int = 0) -> WorkItem:
    """An item where 市教育局 only cooperates and 市林业局 is not named."""
    return items_of(p, relation="cooperates")[nth]


def forestry_only(p: Personas) -> WorkItem:
    """An item of 市林业局 that does not name 市教育局."""
    item = (
        WorkItem.objects.filter(plan=p.plan, assignments__unit=p.forestry)
        .exclude(assignments__unit=p.education)
        .order_by("order")
        .first()
    )
    assert item is not None
    return item


@dataclass
class World:
    """The personas plus one object of each kind that belongs to 市教育局 (the owner's unit)."""

    p: Personas
    report_item: WorkItem
    cooperating_item: WorkItem
    report: Report
    contribution: Contribution
    fresh_report_item: WorkItem  # 市教育局 reports on it; no report yet
    fresh_cooperating_item: WorkItem  # 市教育局 cooperates on it; no contribution yet


@pytest.fixture
def world(personas) -> World:
    p = personas
    report_item = education_reports_on(p)
    cooperating_item = education_cooperates_on(p)
    # complete enough to be submitted
    report = Report.objects.create(
        item=report_item,
        unit=p.education,
        cycle=p.cycle,
        progress_status=Report.Progress.ON_TRACK,
        progress="已有进展",
        actual_value_text="95" if report_item.is_indicator else "",
    )
    contribution = Contribution.objects.create(
        item=cooperating_item, unit=p.education, cycle=p.cycle, text="已有配合情况"
    )
    return World(
        p,
        report_item,
        cooperating_item,
        report,
        contribution,
        fresh_report_item=education_reports_on(p, 1),
        fresh_cooperating_item=education_cooperates_on(p, 1),
    )


def assignment_item_ids(p: Personas, unit) -> set[int]:
    return set(
        Assignment.objects.filter(item__plan=p.plan, item__is_active=True, unit=unit).values_list("item_id", flat=True)
    )
