"""The people every scope test talks about, named once (healthchecks style).

- owner: staff of 市教育局, a reporting unit of Yingkou's division
- colleague: a second staff member of 市教育局 (same scope as owner)
- outsider: staff of 市林业局 (another unit: sees none of 市教育局's items unless shared)
- cooperator: staff of 市科技局, cooperating on items that 市教育局 leads (when such items exist)
- admin: planning-office admin (sees and reviews everything)
- leader: leadership, read-only everywhere
Anonymous is simply the unauthenticated client.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model

from tasks_app.importing import document_import
from tasks_app.models import Membership, OfficeRole, Plan, ReportingCycle, Unit
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


def make_user(username: str, *, unit: Unit | None = None, office: str | None = None):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, first_name=username)
    if unit is not None:
        Membership.objects.create(user=user, unit=unit)
    if office is not None:
        OfficeRole.objects.create(user=user, role=office)
    return user


@pytest.fixture
def personas(db) -> Personas:
    plan = import_yingkou()
    cycle = cycle_open(plan=plan, year=OPEN_YEAR)
    education = Unit.objects.get(jurisdiction=plan.jurisdiction, name="市教育局")
    forestry = Unit.objects.get(jurisdiction=plan.jurisdiction, name="市林业局")
    return Personas(
        plan=plan,
        cycle=cycle,
        education=education,
        forestry=forestry,
        owner=make_user("owner", unit=education),
        colleague=make_user("colleague", unit=education),
        outsider=make_user("outsider", unit=forestry),
        admin=make_user("office", office=OfficeRole.Role.ADMIN),
        leader=make_user("leader", office=OfficeRole.Role.LEADERSHIP),
    )
