"""List endpoints run the same number of queries for a page of 10 rows and a page of 200 (BRIEF §6)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks_app.models import Contribution, Evidence, Report, WorkItem
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


def _queries(client, url: str, page_size: int) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"page_size": page_size})
    assert response.status_code == 200
    return len(captured.captured_queries), len(response.json()["results"])


def _one_row_per_item(p, model, **extra):
    items = WorkItem.objects.filter(plan=p.plan).prefetch_related("assignments")
    return model.objects.bulk_create(
        model(item=item, unit_id=item.assignments.all()[0].unit_id, cycle=p.cycle, **extra)
        for item in items
        if item.assignments.all()
    )


def _assert_constant(client, url: str) -> int:
    _queries(client, url, 10)  # an office list's count is a snapshot (api.common): read it warm both times
    small, small_rows = _queries(client, url, 10)
    large, large_rows = _queries(client, url, 200)
    assert (small_rows, large_rows) == (10, 200)
    assert small == large, f"{url}: {small} queries for 10 rows, {large} for 200"
    return large


@pytest.mark.parametrize("persona", ["admin", "owner_of_many"])
def test_it_lists_tasks_in_a_constant_number_of_queries(personas, persona):
    p = personas
    user = p.admin
    if persona == "owner_of_many":
        # unit staff go through the scope subquery; give them enough items for a 200-row page
        from tasks_app.models import Membership

        for unit_id in set(WorkItem.objects.filter(plan=p.plan).values_list("assignments__unit", flat=True)):
            if unit_id:
                Membership.objects.get_or_create(user=p.owner, unit_id=unit_id)
        user = p.owner
    count = _assert_constant(client_for(user), "/api/tasks/")
    # token, role, scope, count, page, plans, assignments, units, milestones, the page's reports (lights)
    assert count <= 11


def test_it_lists_reports_in_a_constant_number_of_queries(personas):
    p = personas
    reports = _one_row_per_item(p, Report, progress="进展")
    for report in reports[:30]:  # some rows carry evidence, so the prefetch has work to do
        Evidence.objects.create(report=report, file="evidence/x.pdf", original_name="x.pdf", size=1, content_type="a")
    assert _assert_constant(client_for(p.admin), "/api/reports/") <= 6


def test_it_lists_contributions_in_a_constant_number_of_queries(personas):
    p = personas
    _one_row_per_item(p, Contribution, text="配合")
    assert _assert_constant(client_for(p.admin), "/api/contributions/") <= 5
