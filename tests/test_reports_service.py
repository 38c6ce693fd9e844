from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from tasks_app import access
from tasks_app.models import Assignment, Report, ReportVersion
from tasks_app.services.reports import (
    ReportDraft,
    ReportError,
    StaleEditError,
    report_get_or_start,
    report_save,
    report_submit,
)
from tests.personas import items_of

pytestmark = pytest.mark.django_db


def _education_item(p):
    return items_of(p, relation="reports")[0]


def test_it_refuses_the_second_of_two_stale_saves_and_keeps_the_first(personas):
    p = personas
    item = _education_item(p)
    report = report_get_or_start(user=p.owner, item=item, unit_id=p.education.id, cycle=p.cycle)
    loaded_version = report.version
    first = report_save(
        report=report, user=p.owner, data=ReportDraft(progress="甲的进展"), expected_version=loaded_version
    )
    with pytest.raises(StaleEditError) as exc:
        report_save(
            report=report, user=p.colleague, data=ReportDraft(progress="乙的进展"), expected_version=loaded_version
        )
    assert "已被" in str(exc.value)
    report.refresh_from_db()
    assert report.progress == "甲的进展" and report.version == first.version
    assert ReportVersion.objects.filter(report=report).count() == 1


def test_it_makes_a_submitted_report_read_only(personas):
    p = personas
    item = _education_item(p)
    report = report_get_or_start(user=p.owner, item=item, unit_id=p.education.id, cycle=p.cycle)
    data = ReportDraft(progress_status="on_track", progress="推进中", actual_value_text="11.3")
    submitted = report_submit(report=report, user=p.owner, expected_version=report.version, data=data)
    assert submitted.status == Report.Status.SUBMITTED
    with pytest.raises(ReportError):
        report_save(report=submitted, user=p.owner, data=ReportDraft(progress="改"), expected_version=submitted.version)
    actions = list(ReportVersion.objects.filter(report=report).values_list("action", flat=True))
    assert actions == ["save", "submit"]


def test_it_refuses_a_submit_without_the_required_fields(personas):
    p = personas
    report = report_get_or_start(user=p.owner, item=_education_item(p), unit_id=p.education.id, cycle=p.cycle)
    with pytest.raises(ReportError):
        report_submit(report=report, user=p.owner, expected_version=report.version)


def test_it_refuses_an_outsider_and_a_closed_cycle(personas):
    p = personas
    item = _education_item(p)
    with pytest.raises(PermissionDenied):
        report_get_or_start(user=p.outsider, item=item, unit_id=p.education.id, cycle=p.cycle)
    report = report_get_or_start(user=p.owner, item=item, unit_id=p.education.id, cycle=p.cycle)
    p.cycle.status = "closed"
    p.cycle.save()
    with pytest.raises(ReportError):
        report_save(report=report, user=p.owner, data=ReportDraft(progress="x"), expected_version=report.version)


def test_it_scopes_items_to_the_users_units(personas):
    p = personas
    mine = set(access.visible_items(p.owner).values_list("id", flat=True))
    expected = set(Assignment.objects.filter(unit=p.education, item__is_active=True).values_list("item_id", flat=True))
    assert mine == expected and mine
    assert not mine & set(access.visible_items(p.outsider).values_list("id", flat=True)) - expected
    assert access.visible_items(p.admin).count() == access.visible_items(p.leader).count() == p.plan.items.count()
