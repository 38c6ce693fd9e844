"""The people every scope test talks about, named once (healthchecks style).

- owner: staff of 市教育局, a reporting unit of Yingkou's division
- colleague: a second staff member of 市教育局 (same scope as owner)
- outsider: staff of 市林业局 (another unit: sees none of 市教育局's items unless shared)
- cooperator: staff of 市科技局, cooperating on items that 市教育局 leads (when such items exist)
- admin: planning-office admin (sees and reviews everything)
- leader: leadership, read-only everywhere
(admin and leader are whole-install offices: their office role names no jurisdiction.)
Anonymous is simply the unauthenticated client.

Offices scoped to a jurisdiction come with the ``district`` fixture (``District``): 站前区, a district of 营口市
with its own plan, its office (admin, reviewer, leadership), 营口市's office (which also sees 站前区) and the
office of another city (葫芦岛市) that sees neither.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tasks_app import access
from tasks_app.importing import document_import
from tasks_app.models import (
    Assignment,
    Jurisdiction,
    Membership,
    OfficeRole,
    Plan,
    Report,
    ReportingCycle,
    Unit,
    WorkItem,
)
from tasks_app.parsing.document import parse_text
from tasks_app.services.cycles import cycle_open
from tests.conftest import YINGKOU, analyze_if_postgres

PASSWORD = "correct-horse-battery-staple"
OPEN_YEAR = 2020  # the open cycle in these tests; it is due 2021-02-15


@dataclass
class Personas:
    plan: Plan
    cycle: ReportingCycle
    education: Unit
    forestry: Unit
    owner: object
    colleague: object
    outsider: object
    admin: object
    leader: object


_PARSED: dict = {}


def import_yingkou() -> Plan:
    text = YINGKOU.read_text(encoding="utf-8")
    if "doc" not in _PARSED:  # parsing is pure: parse once per test session, import per test
        _PARSED["doc"] = parse_text(text, filename=YINGKOU.name)
    plan = document_import(parsed=_PARSED["doc"], file_name=YINGKOU.name, text=text).plan
    analyze_if_postgres()
    return plan


def make_user(
    username: str,
    *,
    unit: Unit | None = None,
    office: str | None = None,
    jurisdiction: Jurisdiction | None = None,
    head: bool = False,
):
    """A user with a unit membership (``head``: as the unit's 单位负责人) and/or an office role (of
    ``jurisdiction``; None: the whole install)."""
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, first_name=username)
    if unit is not None:
        role = Membership.Role.HEAD if head else Membership.Role.STAFF
        Membership.objects.create(user=user, unit=unit, role=role)
    if office is not None:
        OfficeRole.objects.create(user=user, role=office, jurisdiction=jurisdiction)
    return user


def _personas_build() -> dict[str, int]:
    """Import Yingkou, open the 2020 cycle and create the people; returns their primary keys."""
    plan = import_yingkou()
    cycle = cycle_open(plan=plan, year=OPEN_YEAR)
    education = Unit.objects.get(jurisdiction=plan.jurisdiction, name="市教育局")
    forestry = Unit.objects.get(jurisdiction=plan.jurisdiction, name="市林业局")
    return {
        "plan": plan.pk,
        "cycle": cycle.pk,
        "education": education.pk,
        "forestry": forestry.pk,
        "owner": make_user("owner", unit=education).pk,
        "colleague": make_user("colleague", unit=education).pk,
        "outsider": make_user("outsider", unit=forestry).pk,
        "admin": make_user("office", office=OfficeRole.Role.ADMIN).pk,
        "leader": make_user("leader", office=OfficeRole.Role.LEADERSHIP).pk,
    }


def _personas_load(ids: dict[str, int]) -> Personas:
    """Fresh objects for every test, so no cached attribute or in-memory edit leaks from one test to the next."""
    users = get_user_model().objects.in_bulk([ids[name] for name in PEOPLE])
    return Personas(
        plan=Plan.objects.get(pk=ids["plan"]),
        cycle=ReportingCycle.objects.get(pk=ids["cycle"]),
        education=Unit.objects.get(pk=ids["education"]),
        forestry=Unit.objects.get(pk=ids["forestry"]),
        **{name: users[ids[name]] for name in PEOPLE},
    )


PEOPLE = ("owner", "colleague", "outsider", "admin", "leader")


@dataclass
class District:
    """A second jurisdiction beside the personas' 营口市: 站前区 (one of its districts) with its own plan."""

    plan: Plan
    cycle: ReportingCycle  # the open cycle of 站前区's plan
    unit: Unit  # a 站前区 unit that reports on ``item``
    item: WorkItem  # an item ``unit`` reports on
    staff: object  # staff of ``unit``
    admin: object  # 站前区's office admin: sees 站前区 only
    reviewer: object  # 站前区's office reviewer
    leader: object  # 站前区's leadership (read-only)
    city_admin: object  # 营口市's office admin: sees 营口市 and 站前区
    sibling_admin: object  # 葫芦岛市's office admin: sees neither


DISTRICT_OPEN_YEAR = 2021


def import_zhanqian() -> Plan:
    from tests.conftest import ZHANQIAN

    text = ZHANQIAN.read_text(encoding="utf-8")
    if "zhanqian" not in _PARSED:
        _PARSED["zhanqian"] = parse_text(text, filename=ZHANQIAN.name)
    plan = document_import(parsed=_PARSED["zhanqian"], file_name=ZHANQIAN.name, text=text).plan
    analyze_if_postgres()
    return plan


def district_build(p: Personas) -> District:
    """站前区's plan and offices, inside the calling test's transaction (needs the personas' 营口市 first)."""
    plan = import_zhanqian()
    assert plan.jurisdiction.parent_id == p.plan.jurisdiction_id, "站前区 is a district of 营口市"
    cycle = cycle_open(plan=plan, year=DISTRICT_OPEN_YEAR)
    assignment = (
        Assignment.objects.filter(item__plan=plan, item__is_active=True, role=Assignment.Role.RESPONSIBLE)
        .select_related("item", "unit")
        .order_by("item__order", "pk")
        .first()
    )
    assert assignment is not None
    province = p.plan.jurisdiction.parent
    sibling, _ = Jurisdiction.objects.get_or_create(name="葫芦岛市", defaults={"level": "city", "parent": province})
    office = OfficeRole.Role
    return District(
        plan=plan,
        cycle=cycle,
        unit=assignment.unit,
        item=assignment.item,
        staff=make_user("district-staff", unit=assignment.unit),
        admin=make_user("district-admin", office=office.ADMIN, jurisdiction=plan.jurisdiction),
        reviewer=make_user("district-reviewer", office=office.REVIEWER, jurisdiction=plan.jurisdiction),
        leader=make_user("district-leader", office=office.LEADERSHIP, jurisdiction=plan.jurisdiction),
        city_admin=make_user("city-admin", office=office.ADMIN, jurisdiction=p.plan.jurisdiction),
        sibling_admin=make_user("sibling-admin", office=office.ADMIN, jurisdiction=sibling),
    )


def district_submitted_report(d: District, *, progress: str = "全年完成既定任务") -> Report:
    """``d.unit``'s report on ``d.item`` in the open cycle, submitted to the office."""
    from tasks_app.services.reports import ReportDraft, report_get_or_start, report_save, report_submit

    report = report_get_or_start(user=d.staff, item=d.item, unit_id=d.unit.pk, cycle=d.cycle)
    draft = ReportDraft(progress_status=Report.Progress.ON_TRACK, progress=progress)
    report = report_save(report=report, user=d.staff, data=draft, expected_version=report.version)
    return report_submit(report=report, user=d.staff, expected_version=report.version)


@pytest.fixture
def district(personas: Personas) -> District:
    return district_build(personas)


def _is_transactional(request: pytest.FixtureRequest) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or (len(marker.args) > 0 and marker.args[0])):
        return True
    return bool({"transactional_db", "live_server"} & set(request.fixturenames))


@pytest.fixture(scope="module")
def _module_personas(django_db_setup, django_db_blocker):
    """The Yingkou division and the people, committed once per test module (about 0.45 s saved per test).

    Every test still runs in its own transaction that is rolled back, so each one starts from exactly this
    state; the data is flushed when the module ends, so other modules never see it. A transactional test
    flushes the database when it ends, so the next test of the module builds the data again (see personas).
    """
    from django.core.management import call_command
    from django.db import connection

    with django_db_blocker.unblock():
        ids = _personas_build() if not connection.in_atomic_block else {}
        try:
            yield ids
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def personas(_module_personas: dict[str, int], db: None, request: pytest.FixtureRequest) -> Personas:
    # ``db`` is declared (not looked up) so pytest-django sets up the test database for modules that name no
    # marker; module-scoped fixtures are set up before it, and it is transactional where the test says so.
    if not _module_personas or not Plan.objects.filter(pk=_module_personas["plan"]).exists():
        # Emptied by a transactional test's flush: rebuild. In a transactional test the rebuilt data is
        # committed and serves the tests that follow; in an ordinary test it rolls back with the test.
        built = _personas_build()
        if _is_transactional(request):
            _module_personas.update(built)
        return _personas_load(built)
    return _personas_load(_module_personas)


def items_of(
    p: Personas,
    *,
    unit: Unit | None = None,
    role: str | tuple[str, ...] | None = None,
    relation: str | None = None,
    kind: str | None = None,
    without: Unit | None = None,
) -> list[WorkItem]:
    """The one picker for "an item unit X reports on" (default unit: 市教育局; never one naming 市林业局).

    role: the unit's assignment role(s); relation: "reports" (the unit is a reporting unit by the one rule)
    or "cooperates"; kind: the item's kind. Items come in document order.
    """
    unit = unit or p.education
    without = without or p.forestry
    roles = (role,) if isinstance(role, str) else role
    rows = Assignment.objects.filter(unit=unit, item__plan=p.plan)
    if roles:
        rows = rows.filter(role__in=roles)
    if kind:
        rows = rows.filter(item__kind=kind)
    picked: list[WorkItem] = []
    for assignment in rows.select_related("item").order_by("item__order", "pk"):
        item = assignment.item
        if item in picked or item.assignments.filter(unit=without).exists():
            continue
        if relation == "reports" and unit.id not in access.reporting_unit_ids(item):
            continue
        if relation == "cooperates" and unit.id not in access.cooperating_unit_ids(item):
            continue
        picked.append(item)
    return picked


def web_client(p: Personas, persona: str) -> Client:
    """A browser session logged in as one of the named personas ("anonymous": not logged in)."""
    client = Client()
    if persona != "anonymous":
        client.force_login(getattr(p, persona))
    return client
