"""Escalation of overdue reminders (reminders/calendar.py levels): the first overdue step to the unit, the next also
to the unit's head, the last also to the planning office with each late unit's 督办单; never twice."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from tasks_app.models import Membership, Unit
from tasks_app.reminders.calendar import HEAD, NONE, OFFICE, UNIT, escalation_levels, steps_for
from tasks_app.services.accounts import demo_users_create
from tasks_app.services.cycles import cycle_open
from tests.personas import import_yingkou
from tests.reminders.realparts import send_reminders

HEAD_EMAIL = "head@jt.example.org"


def test_it_levels_overdue_steps_first_unit_between_head_last_office():
    assert escalation_levels([1, 3, 7]) == {1: UNIT, 3: HEAD, 7: OFFICE}
    assert escalation_levels([7, 1]) == {1: UNIT, 7: OFFICE}  # the defaults: head and office together at 7
    assert escalation_levels([1, 3, 5, 10]) == {1: UNIT, 3: HEAD, 5: HEAD, 10: OFFICE}
    assert escalation_levels([2]) == {2: UNIT}  # one overdue step does not escalate
    steps = steps_for(due_date=date(2020, 2, 15), days_before=[7], days_after=[1, 3, 7])
    assert [(s.kind, s.days, s.level) for s in steps] == [
        ("before", 7, NONE),
        ("overdue", 1, UNIT),
        ("overdue", 3, HEAD),
        ("overdue", 7, OFFICE),
    ]
    assert steps[2].reaches_head and not steps[2].reaches_office and steps[3].reaches_head


@pytest.fixture
def escalating(settings, db):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    plan = import_yingkou()
    plan.reminder_days_after = [1, 3, 7]
    plan.save(update_fields=["reminder_days_after"])
    demo_users_create()
    cycle = cycle_open(plan=plan, year=2019)
    unit = Unit.objects.get(jurisdiction=plan.jurisdiction, name="市交通局")
    head = get_user_model().objects.create_user("jt-head", email=HEAD_EMAIL, password="x", first_name="张局长")
    Membership.objects.create(user=head, unit=unit, role=Membership.Role.HEAD)
    return cycle, unit


def _mine(run: dict, name: str) -> dict:
    return next(m for m in run["messages"] if m["department"] == name)


def test_it_reaches_the_unit_then_its_head_then_the_office_with_the_supervision_notice(escalating):
    cycle, unit = escalating
    first = send_reminders("--as-of", "2020-02-16")
    jt = _mine(first, unit.name)
    assert jt["level"] == UNIT and HEAD_EMAIL not in jt["recipients"]
    assert all(HEAD_EMAIL not in m.to for m in mail.outbox)
    assert first["summaries"][0]["level"] == UNIT and all(m["level"] == UNIT for m in first["messages"])
    assert not any("督办单" in m.subject for m in mail.outbox)

    sent_before = len(mail.outbox)
    second = send_reminders("--as-of", "2020-02-18")
    jt = _mine(second, unit.name)
    assert jt["level"] == HEAD and jt["recipients"] == [*unit.contact_emails, HEAD_EMAIL]
    to_head = [m for m in mail.outbox[sent_before:] if HEAD_EMAIL in m.to]
    assert len(to_head) == 1 and "已抄送单位负责人" in to_head[0].body and unit.name in to_head[0].subject
    office_mail = [m for m in mail.outbox[sent_before:] if m.subject.startswith("【逾期汇总】")]
    assert len(office_mail) == 1 and "督办单" not in office_mail[0].subject

    sent_before = len(mail.outbox)
    third = send_reminders("--as-of", "2020-02-22")
    assert _mine(third, unit.name)["level"] == OFFICE
    assert len([m for m in mail.outbox[sent_before:] if HEAD_EMAIL in m.to]) == 1
    (notice,) = [m for m in mail.outbox[sent_before:] if m.subject.startswith("【逾期汇总】")]
    assert "督办单已生成" in notice.subject and third["summaries"][0]["level"] == OFFICE
    assert f"督办单 · {unit.name}(" in notice.body
    assert f"/console/supervision/{cycle.pk}/{unit.pk}/" in notice.body
    assert "admin@demo.planner.local" in notice.to

    total = len(mail.outbox)
    again = send_reminders("--as-of", "2020-02-22")  # the next tick on the same day: nothing twice
    assert again["sent"] == 0 and again["summaries"] == [] and len(mail.outbox) == total
    assert sum(HEAD_EMAIL in m.to for m in mail.outbox) == 2  # steps 3 and 7, once each


def test_it_reads_the_heads_in_one_query_whatever_their_number(escalating):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tasks_app.reminders.planner import reminders_plan

    _cycle, unit = escalating
    with CaptureQueriesContext(connection) as one_head:
        planned = reminders_plan(as_of=date(2020, 2, 18))
    for i, other in enumerate(Unit.objects.filter(jurisdiction=unit.jurisdiction).exclude(pk=unit.pk)[:10]):
        head = get_user_model().objects.create_user(f"head-{i}", email=f"head{i}@example.org", password="x")
        Membership.objects.create(user=head, unit=other, role=Membership.Role.HEAD)
    with CaptureQueriesContext(connection) as many_heads:
        again = reminders_plan(as_of=date(2020, 2, 18))
    assert len(many_heads) == len(one_head)
    with_heads = [d for d in again.digests if d.unit and any(r.startswith("head") for r in d.recipients)]
    assert len(with_heads) > len([d for d in planned.digests if d.unit and HEAD_EMAIL in d.recipients])
