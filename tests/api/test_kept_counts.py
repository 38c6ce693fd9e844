"""An office list's count is kept as a snapshot of the plans' data (tasks_app.api.common): it is never stale,
and never shared across scopes."""

from __future__ import annotations

import re

import pytest

from tasks_app.models import Assignment, Report, WorkItem
from tasks_app.snapshots import plans_changed
from tests.api.conftest import client_for, education_reports_on
from tests.personas import District, Personas, district_submitted_report

pytestmark = pytest.mark.django_db


def _count(user, url: str, **params) -> int:
    response = client_for(user).get(url, params)
    assert response.status_code == 200
    return response.json()["count"]


def _truth_reports(**filters) -> int:
    return Report.objects.filter(item__is_active=True, **filters).exclude(status=Report.Status.PENDING_HEAD).count()


def test_it_counts_a_new_report_and_a_deactivated_item_at_once(personas: Personas, district: District):
    p, d = personas, district
    url = "/api/reports/"
    assert _count(d.city_admin, url) == _count(d.city_admin, url) == _truth_reports()
    report = district_submitted_report(d)
    assert _count(d.city_admin, url) == _truth_reports() > 0
    assert _count(d.city_admin, url, status="submitted") == _truth_reports(status="submitted")
    items = _count(d.city_admin, "/api/tasks/", plan=d.plan.pk)
    WorkItem.objects.filter(pk=report.item_id).update(is_active=False)  # a bulk write renews the plan itself:
    plans_changed(plan_ids=[d.plan.pk])
    assert _count(d.city_admin, "/api/tasks/", plan=d.plan.pk) == items - 1
    assert _count(d.city_admin, url) == _truth_reports()
    # a model save renews it too: a new assignment of 市林业局 (the signal, no call of its own)
    named = {"plan": p.plan.pk, "unit": p.forestry.name}
    before = _count(p.admin, "/api/tasks/", **named)
    spare = WorkItem.objects.filter(plan=p.plan, is_active=True).exclude(assignments__unit=p.forestry).first()
    Assignment.objects.create(item=spare, unit=p.forestry, role=Assignment.Role.COOPERATING, order=9)
    assert _count(p.admin, "/api/tasks/", **named) == before + 1


def test_it_keeps_each_scope_its_own_count(personas: Personas, district: District):
    p, d = personas, district
    district_submitted_report(d)
    Report.objects.create(  # and one in 营口市's own plan
        item=education_reports_on(p), unit=p.education, cycle=p.cycle, status=Report.Status.SUBMITTED
    )
    # the same list for three office scopes: the district's, the city's (city + district), another city's
    seen = {who: _count(getattr(d, who), "/api/reports/") for who in ("admin", "city_admin", "sibling_admin")}
    assert seen["sibling_admin"] == 0
    assert seen["admin"] == _truth_reports(item__plan=d.plan) < seen["city_admin"] == _truth_reports()
    assert {who: _count(getattr(d, who), "/api/reports/") for who in seen} == seen  # read again, kept
    # unit staff count their own rows, never through the office's snapshot
    assert _count(d.staff, "/api/reports/") == Report.objects.filter(unit=d.unit).count()


def test_it_shows_the_division_page_total_afresh_after_an_item_change(personas: Personas):
    from django.test import Client

    p = personas
    client = Client()
    client.force_login(p.admin)

    def total(**params) -> int:
        page = client.get("/console/division/", {"plan": p.plan.pk, **params}).content.decode()
        shown = re.search(r"共 (\d+) 条", page)  # an empty list shows no pager
        return int(shown.group(1)) if shown else 0

    active = WorkItem.objects.filter(plan=p.plan, is_active=True)
    assert total() == total() == active.count()  # the second read comes from the snapshot
    undivided = total(undivided="1")
    item = active.exclude(assignments__isnull=True).first()
    item.assignments.all().delete()
    plans_changed(plan_ids=[p.plan.pk])  # the queryset delete sends no per-row signal that renews
    assert total(undivided="1") == undivided + 1
    item.is_active = False
    item.save(update_fields=["is_active"])  # a model save renews by its signal
    assert total() == active.count()
