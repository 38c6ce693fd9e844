"""Persona × capability: who may do what, the gate rule, and the services refusing what their user may not.

The matrix below is the specification written out by hand (not derived from the role table), so a
change to tasks_app/capabilities.py that gives or takes a capability fails here until it is meant.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from tasks_app import access
from tasks_app.capabilities import Capability as C
from tasks_app.models import AuditEntry, ExportJob, ReportingCycle, Unit, WorkItem
from tasks_app.services.accounts import staff_account_create
from tasks_app.services.contacts import contacts_import_xlsx
from tasks_app.services.cycles import cycle_close, cycle_open, cycle_set_due_date
from tasks_app.services.division import assignments_set, item_update, unit_confirm, unit_merge, unit_update
from tasks_app.services.export_jobs import export_job_start
from tasks_app.services.review import report_approve, report_return, reports_bulk_approve
from tasks_app.services.signoff import report_head_approve, report_head_return
from tasks_app.services.suggestion_review import suggestions_accept_above, suggestions_generate
from tests.personas import Personas, make_user

ALL = list(C)
#            capability            admin reviewer leader owner  nobody superuser head
MATRIX = {
    C.VIEW_CONSOLE: (True, True, True, False, False, True, False),
    C.VIEW_AUDIT: (True, True, True, False, False, True, False),
    C.REVIEW: (True, True, False, False, False, True, False),
    C.MANAGE_CYCLES: (True, True, False, False, False, True, False),
    C.EXPORT: (True, True, False, False, False, True, False),
    C.MANAGE_OUTBOX: (True, True, False, False, False, True, False),
    C.EDIT_DIVISION: (True, False, False, False, False, True, False),
    C.MANAGE_UNITS: (True, False, False, False, False, True, False),
    C.IMPORT_DOCUMENTS: (True, False, False, False, False, True, False),
    C.MANAGE_ACCOUNTS: (True, False, False, False, False, True, False),
    C.DECIDE_WORKFLOW: (True, True, False, False, False, True, False),
    C.FILE_REPORTS: (False, False, False, True, False, False, True),
    C.SIGN_OFF_REPORTS: (False, False, False, False, False, False, True),
}
COLUMNS = ("admin", "reviewer", "leader", "owner", "nobody", "superuser", "head")


def test_it_covers_every_capability_in_the_matrix():
    assert set(MATRIX) == set(C)


@pytest.fixture
def people(personas: Personas) -> dict:
    superuser = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    return {
        "admin": personas.admin,
        "reviewer": make_user("reviewer", office="reviewer"),
        "leader": personas.leader,
        "owner": personas.owner,
        "nobody": make_user("nobody"),  # signed in, neither office nor unit
        "superuser": superuser,
        "head": make_user("head", unit=personas.education, head=True),  # 单位负责人: files and signs off
    }


@pytest.mark.parametrize("column", range(len(COLUMNS)), ids=COLUMNS)
def test_it_gives_each_persona_exactly_its_capabilities(people, column):
    user = people[COLUMNS[column]]
    expected = {capability for capability, row in MATRIX.items() if row[column]}
    assert access.capabilities(user) == expected
    for capability in ALL:
        assert access.has(user, capability) is (capability in expected), capability


def test_it_gives_anonymous_users_nothing():
    assert access.capabilities(AnonymousUser()) == frozenset()


def test_it_marks_only_leadership_read_only(people):
    assert [name for name, user in people.items() if access.is_read_only(user)] == ["leader"]


# --- the gate rule -------------------------------------------------------------------------------


def _refusal(user, method: str, read, write=None):
    return access.request_refusal(user, method=method, read=read, write=write)


def test_it_hides_the_console_from_unit_staff_and_forbids_the_rest(people):
    owner, leader, reviewer, admin = people["owner"], people["leader"], people["reviewer"], people["admin"]
    assert _refusal(owner, "GET", C.VIEW_CONSOLE).hidden
    assert _refusal(owner, "POST", C.VIEW_CONSOLE, C.REVIEW).hidden
    assert _refusal(people["nobody"], "GET", C.VIEW_AUDIT).hidden
    assert _refusal(leader, "GET", C.VIEW_CONSOLE, C.REVIEW) is None
    refused = _refusal(leader, "POST", C.VIEW_CONSOLE, C.REVIEW)
    assert not refused.hidden and "只读" in refused.message
    refused = _refusal(reviewer, "PUT", C.VIEW_CONSOLE, C.EDIT_DIVISION)
    assert not refused.hidden and "管理员" in refused.message
    assert _refusal(admin, "DELETE", C.VIEW_CONSOLE, C.EDIT_DIVISION) is None


def test_it_refuses_every_write_to_a_view_that_declares_none(people):
    for user in (people["admin"], people["leader"]):
        assert _refusal(user, "GET", C.VIEW_CONSOLE) is None
        assert not _refusal(user, "POST", C.VIEW_CONSOLE).hidden


def test_it_lets_any_signed_in_user_read_a_view_without_a_read_capability(people):
    for user in people.values():
        assert _refusal(user, "GET", None, C.FILE_REPORTS) is None
    assert _refusal(people["owner"], "POST", None, C.FILE_REPORTS) is None
    assert "只读" in _refusal(people["leader"], "PATCH", None, C.FILE_REPORTS).message
    assert not _refusal(people["admin"], "POST", None, C.FILE_REPORTS).hidden


# --- services check what their user may do ------------------------------------------------------


def _calls(p: Personas) -> dict:
    item = WorkItem.objects.filter(plan=p.plan).first()
    unit, other = Unit.objects.filter(jurisdiction=p.plan.jurisdiction)[:2]
    return {
        C.MANAGE_CYCLES: [
            lambda user: cycle_open(plan=p.plan, year=2019, user=user),
            lambda user: cycle_close(cycle=p.cycle, user=user),
            lambda user: cycle_set_due_date(cycle=p.cycle, due_date=p.cycle.due_date.replace(day=1), user=user),
        ],
        C.EXPORT: [lambda user: export_job_start(plan=p.plan, report="division", year=None, user=user)],
        C.REVIEW: [
            lambda user: reports_bulk_approve(user=user, report_ids=[1]),
            lambda user: report_return(report=None, user=user, reason="x"),
            lambda user: report_approve(report=None, user=user),
        ],
        C.SIGN_OFF_REPORTS: [
            lambda user: report_head_approve(report=None, user=user),
            lambda user: report_head_return(report=None, user=user, reason="x"),
        ],
        C.EDIT_DIVISION: [
            lambda user: item_update(item=item, user=user, title="改"),
            lambda user: assignments_set(item=item, user=user, lead=[], cooperating=[], responsible=[]),
            lambda user: suggestions_generate(plan=p.plan, user=user),
            lambda user: suggestions_accept_above(plan=p.plan, min_score=0, user=user),
        ],
        C.MANAGE_UNITS: [
            lambda user: unit_update(unit=unit, user=user, name="改名"),
            lambda user: unit_confirm(unit=unit, user=user),
            lambda user: unit_merge(source=unit, target=other, user=user),
            lambda user: contacts_import_xlsx(data=b"", jurisdiction=p.plan.jurisdiction, user=user),
        ],
        C.MANAGE_ACCOUNTS: [
            lambda user: staff_account_create(
                actor=user, unit=unit, username="new-staff", full_name="新人", role="staff", first_password="x"
            ),
        ],
    }


def _state(p: Personas) -> tuple:
    cycles = tuple(ReportingCycle.objects.order_by("pk").values_list("status", "due_date"))
    units = tuple(Unit.objects.order_by("pk").values_list("name", "needs_review"))
    items = tuple(WorkItem.objects.order_by("pk").values_list("title"))
    return cycles, units, items, ExportJob.objects.count(), AuditEntry.objects.count()


def test_it_refuses_service_calls_without_the_capability_and_writes_nothing(personas, people):
    before = _state(personas)
    refused = 0
    for capability, calls in _calls(personas).items():
        for user in people.values():
            if access.has(user, capability):
                continue
            for call in calls:
                with pytest.raises(access.CapabilityDenied):
                    call(user)
                refused += 1
    assert refused > 40
    assert _state(personas) == before


def test_it_lets_the_system_itself_call_services(personas):
    """Commands and the scheduler act without a user (user=None), e.g. ``open_cycle``."""
    cycle = cycle_open(plan=personas.plan, year=2019)
    assert cycle.status == ReportingCycle.Status.OPEN


# --- templates ask the same capabilities ---------------------------------------------------------


def test_it_answers_can_in_templates_and_fails_a_misspelt_name(people, rf):
    from django.core.exceptions import ImproperlyConfigured
    from django.template import engines

    engine = engines["django"]
    request = rf.get("/")
    request.user = people["reviewer"]
    page = engine.from_string("{% if can.review %}R{% endif %}{% if can.edit_division %}E{% endif %}")
    assert page.render({}, request) == "R"
    with pytest.raises(ImproperlyConfigured):
        engine.from_string("{% if can.reveiw %}R{% endif %}").render({}, request)
