"""Reporting cycles in the console: open, close, move the due date (audited), per-unit status at a glance."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks_app.models import AuditEntry, ReportingCycle
from tasks_app.selectors.console import console_cycles, open_cycle_summaries
from tasks_app.services.cycles import CycleError, cycle_set_due_date
from tests.console.review_fixtures import Review, submitted_report
from tests.personas import Personas, web_client

pytestmark = pytest.mark.django_db


def _cycle(p: Personas, year: int) -> ReportingCycle:
    return ReportingCycle.objects.get(plan=p.plan, year=year)


@pytest.mark.parametrize(
    ("persona", "expected"), [("admin", 200), ("leader", 200), ("owner", 404), ("outsider", 404), ("anonymous", 302)]
)
def test_it_gives_each_persona_the_expected_cycles_page(personas: Personas, persona: str, expected: int):
    response = web_client(personas, persona).get("/console/cycles/")
    assert response.status_code == expected
    if persona == "anonymous":
        assert response["Location"].startswith("/accounts/login/")


def test_it_shows_every_cycle_and_the_units_of_the_open_one(review: Review):
    page = web_client(review.p, "admin").get("/console/cycles/").content.decode()
    assert review.p.plan.title in page
    for year in range(2016, 2021):
        assert f"<b>{year}年度</b>" in page
    assert "市教育局" in page and "市林业局" in page  # per-unit glance of the open 2020 cycle
    assert page.count('action="/console/cycles/') >= 5  # open/close and due-date forms


def test_it_shows_the_leader_no_cycle_buttons(personas: Personas):
    page = web_client(personas, "leader").get("/console/cycles/").content.decode()
    assert 'action="/console/cycles/' not in page and "只读" in page


def test_it_opens_and_closes_a_cycle_and_audits_both(personas: Personas):
    p = personas
    client = web_client(p, "admin")
    old = _cycle(p, 2019)
    assert old.status == ReportingCycle.Status.CLOSED
    # past its due date: a bare POST only asks (tests/console/test_cycle_states.py); keep_due opens as it is
    assert client.post(f"/console/cycles/{old.pk}/open/", {"keep_due": "1"}).status_code == 302
    old.refresh_from_db()
    assert old.status == ReportingCycle.Status.OPEN and old.opened_by == p.admin
    assert client.post(f"/console/cycles/{old.pk}/close/").status_code == 302
    old.refresh_from_db()
    assert old.status == ReportingCycle.Status.CLOSED
    audit = list(AuditEntry.objects.filter(object_type="cycle", object_id=old.pk).order_by("id"))
    assert [(a.actor, a.after["status"]) for a in audit] == [(p.admin, "open"), (p.admin, "closed")]


def test_it_moves_the_due_date_and_refuses_a_bad_one(personas: Personas):
    p = personas
    client = web_client(p, "admin")
    assert client.post(f"/console/cycles/{p.cycle.pk}/due/", {"due_date": "2021-02-20"}).status_code == 302
    p.cycle.refresh_from_db()
    assert p.cycle.due_date == date(2021, 2, 20)
    entry = AuditEntry.objects.get(object_type="cycle", object_id=p.cycle.pk, after__due_date="2021-02-20")
    assert entry.before == {"due_date": "2021-02-15"} and entry.actor == p.admin

    for bad in ("", "not-a-date", "2030-01-01"):
        response = client.post(f"/console/cycles/{p.cycle.pk}/due/", {"due_date": bad}, follow=True)
        assert response.status_code == 200
        p.cycle.refresh_from_db()
        assert p.cycle.due_date == date(2021, 2, 20)
    with pytest.raises(CycleError):
        cycle_set_due_date(cycle=p.cycle, due_date=date(2019, 1, 1), user=p.admin)


@pytest.mark.parametrize(("persona", "expected"), [("leader", 403), ("owner", 404), ("outsider", 404)])
def test_it_refuses_cycle_changes_from_everyone_but_the_office(personas: Personas, persona: str, expected: int):
    p = personas
    client = web_client(p, persona)
    audited = AuditEntry.objects.filter(object_type="cycle", object_id=p.cycle.pk)
    before = (p.cycle.status, p.cycle.due_date, audited.count())
    for action, data in (("close", {}), ("due", {"due_date": "2021-03-01"}), ("open", {})):
        assert client.post(f"/console/cycles/{p.cycle.pk}/{action}/", data).status_code == expected
    p.cycle.refresh_from_db()
    assert (p.cycle.status, p.cycle.due_date, audited.count()) == before


def test_it_counts_the_open_cycles_in_a_constant_number_of_queries(review: Review):
    p = review.p
    cycles = console_cycles(p.admin)
    with CaptureQueriesContext(connection) as few:
        open_cycle_summaries(cycles)
    for item in review.others[:3]:
        submitted_report(p, item)
    ReportingCycle.objects.filter(plan=p.plan, year=2019).update(status=ReportingCycle.Status.OPEN)
    cycles = console_cycles(p.admin)
    with CaptureQueriesContext(connection) as more:
        summaries = open_cycle_summaries(cycles)
    assert len(few) == len(more) == 2
    education = next(u for u in summaries[p.cycle.pk].units if u.unit_id == p.education.pk)
    assert education.late == 4 and education.missing == education.expected - 4  # due 2021-02-15: late
