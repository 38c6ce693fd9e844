"""Periods lock (issue 13): the one rule whether a unit may write in a cycle, the unlock services, and who may use
the console page and API that unlock a closed cycle for one unit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tasks_app.access import CapabilityDenied
from tasks_app.models import AuditEntry, CycleUnlock, ReportingCycle, Unit
from tasks_app.rules.cycles import UNLOCK_MAX_DAYS, accepting_reports, accepts_reports, unit_cycle
from tasks_app.services.cycle_unlocks import UnlockError, cycle_unlock_for_unit, cycle_unlock_revoke
from tasks_app.services.cycles import cycle_close
from tests.api.conftest import client_for
from tests.personas import District, Personas


def _today():
    return timezone.localdate()


def _unlock(p: Personas, unit: Unit | None = None, *, days: int = 10, reason: str = "补报佐证材料") -> CycleUnlock:
    return cycle_unlock_for_unit(
        user=p.admin, cycle=p.cycle, unit_id=(unit or p.education).pk, until=_today() + timedelta(days=days),
        reason=reason,
    )  # fmt: skip


@pytest.fixture
def closed(personas: Personas) -> ReportingCycle:
    return cycle_close(cycle=personas.cycle, user=personas.admin)


def _accepting(p: Personas) -> set[str]:
    units = (p.education, p.forestry)
    by_rule = {u.name for u in units if accepts_reports(ReportingCycle.objects.get(pk=p.cycle.pk), u.pk)}
    by_sql = {u.name for u in units if ReportingCycle.objects.filter(accepting_reports([u.pk]), pk=p.cycle.pk).exists()}
    assert by_rule == by_sql, "the Python rule and its SQL form disagree"
    return by_rule


# --- the one rule --------------------------------------------------------------------------------------------


def test_it_accepts_every_unit_in_an_open_cycle(personas):
    assert _accepting(personas) == {"市教育局", "市林业局"}


def test_it_accepts_no_unit_in_a_closed_cycle(personas, closed):
    assert _accepting(personas) == set()
    assert unit_cycle(personas.plan.cycles.all(), {personas.education.pk}) is None


def test_it_accepts_only_the_unlocked_unit_in_a_closed_cycle(personas, closed):
    _unlock(personas)
    assert _accepting(personas) == {"市教育局"}
    cycles = personas.plan.cycles.all()
    assert unit_cycle(cycles, {personas.education.pk}) == personas.cycle
    assert unit_cycle(cycles, {personas.forestry.pk}) is None


def test_it_accepts_no_unit_once_the_unlock_expired_or_was_revoked(personas, closed):
    unlock = _unlock(personas)
    CycleUnlock.objects.filter(pk=unlock.pk).update(until=_today() - timedelta(days=1))
    assert _accepting(personas) == set()
    CycleUnlock.objects.filter(pk=unlock.pk).update(until=_today())
    assert _accepting(personas) == {"市教育局"}  # the last day still counts
    cycle_unlock_revoke(user=personas.admin, unlock=unlock)
    assert _accepting(personas) == set()


def test_it_ignores_an_unlock_row_on_a_cycle_never_opened(personas):
    draft = ReportingCycle.objects.create(plan=personas.plan, year=2021, due_date=_today(), status="closed")
    CycleUnlock.objects.create(cycle=draft, unit=personas.education, until=_today(), reason="x")
    assert not accepts_reports(draft, personas.education.pk)
    assert not ReportingCycle.objects.filter(accepting_reports([personas.education.pk]), pk=draft.pk).exists()


# --- the services --------------------------------------------------------------------------------------------


def test_it_unlocks_and_revokes_with_an_audit_trail(personas, closed):
    p = personas
    first = _unlock(p, days=5)
    second = _unlock(p, days=20, reason="再次补报")  # replaces the first
    first.refresh_from_db()
    assert first.revoked_at is not None and second.revoked_at is None and second.created_by == p.admin
    revoked = cycle_unlock_revoke(user=p.admin, unlock=second)
    assert revoked.revoked_at is not None and revoked.revoked_by == p.admin
    with pytest.raises(UnlockError, match="已撤销"):
        cycle_unlock_revoke(user=p.admin, unlock=second)
    summaries = list(
        AuditEntry.objects.filter(action=AuditEntry.Action.CYCLE, object_type="cycle_unlock")
        .order_by("pk")
        .values_list("summary", flat=True)
    )
    assert len(summaries) == 3 and "为市教育局解锁" in summaries[0] and "再次补报" in summaries[1]
    assert summaries[2].startswith("撤销市教育局")


@pytest.mark.parametrize(
    ("days", "reason", "message"),
    [
        (-1, "补报", "不能早于今天"),
        (UNLOCK_MAX_DAYS + 1, "补报", f"最多为 {UNLOCK_MAX_DAYS} 天"),
        (10, "   ", "请填写解锁理由"),
    ],
)
def test_it_refuses_a_bad_date_or_an_empty_reason(personas, closed, days, reason, message):
    with pytest.raises(UnlockError, match=message):
        _unlock(personas, days=days, reason=reason)
    assert not CycleUnlock.objects.exists()


def test_it_accepts_the_furthest_date_allowed(personas, closed):
    assert _unlock(personas, days=UNLOCK_MAX_DAYS).until == _today() + timedelta(days=UNLOCK_MAX_DAYS)


def test_it_refuses_a_unit_not_reporting_in_the_plan(personas, district, closed):
    with pytest.raises(UnlockError, match="不是本规划"):
        _unlock(personas, district.unit)


def test_it_refuses_an_open_or_draft_cycle(personas):
    with pytest.raises(UnlockError, match="只有已关闭"):
        _unlock(personas)  # still open
    draft = ReportingCycle.objects.create(plan=personas.plan, year=2021, due_date=_today())
    with pytest.raises(UnlockError, match="只有已关闭"):
        cycle_unlock_for_unit(
            user=personas.admin, cycle=draft, unit_id=personas.education.pk, until=_today(), reason="补报"
        )


def test_it_refuses_leadership(personas, closed):
    with pytest.raises(CapabilityDenied):
        cycle_unlock_for_unit(
            user=personas.leader, cycle=personas.cycle, unit_id=personas.education.pk, until=_today(), reason="补报"
        )


# --- the faces: who may -------------------------------------------------------------------------------------

PERSONAS = ("admin", "district_reviewer", "leader", "owner", "district_admin", "anonymous")
# persona → (web POST unlock, api GET list, api POST unlock, api POST revoke); district_reviewer acts on 站前区's cycle
STATUS = {
    "admin": (302, 200, 201, 200),
    "district_reviewer": (302, 200, 201, 200),
    "leader": (403, 200, 403, 403),
    "owner": (404, 404, 404, 404),
    "district_admin": (404, 404, 404, 404),  # 营口市's cycle is another jurisdiction's
    "anonymous": (302, 401, 401, 401),
}


def _target(p: Personas, d: District, persona: str) -> tuple[object, ReportingCycle, Unit]:
    if persona == "district_reviewer":
        return d.reviewer, cycle_close(cycle=d.cycle, user=d.admin), d.unit
    user = {"district_admin": d.admin, "anonymous": None}.get(persona, getattr(p, persona, None))
    return user, cycle_close(cycle=p.cycle, user=p.admin), p.education


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lets_only_the_office_unlock_and_revoke(personas, district, persona):
    user, cycle, unit = _target(personas, district, persona)
    web_status, list_status, create_status, revoke_status = STATUS[persona]
    until = (_today() + timedelta(days=7)).isoformat()
    form = {"unit": unit.pk, "until": until, "reason": "补报佐证材料"}
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.post(f"/console/cycles/{cycle.pk}/unlock/", form)
    assert response.status_code == web_status
    if persona == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
    made = CycleUnlock.objects.filter(cycle=cycle, unit=unit, revoked_at__isnull=True)
    assert made.exists() == (web_status == 302 and user is not None)
    CycleUnlock.objects.all().delete()
    api = client_for(user)
    assert api.get(f"/api/console/cycles/{cycle.pk}/unlock/").status_code == list_status
    created = api.post(f"/api/console/cycles/{cycle.pk}/unlock/", form, format="json")
    assert created.status_code == create_status, created.content
    existing = made.first() or CycleUnlock.objects.create(cycle=cycle, unit=unit, until=_today(), reason="已有")
    revoked = api.post(f"/api/console/cycles/{cycle.pk}/unlock/{existing.pk}/revoke/")
    assert revoked.status_code == revoke_status, revoked.content
    existing.refresh_from_db()
    assert (existing.revoked_at is not None) == (revoke_status == 200)
    if create_status == 201:
        assert created.json()["unit_name"] == unit.name
        listed = api.get(f"/api/console/cycles/{cycle.pk}/unlock/").json()
        assert listed == []  # the one unlock was revoked


def test_it_reports_a_refused_unlock_as_400(personas, closed):
    api = client_for(personas.admin)
    past = (_today() - timedelta(days=1)).isoformat()
    reply = api.post(
        f"/api/console/cycles/{closed.pk}/unlock/",
        {"unit": personas.education.pk, "until": past, "reason": "补报"},
        format="json",
    )
    assert reply.status_code == 400 and "不能早于今天" in reply.json()["detail"]


def test_it_shows_the_unlock_form_and_active_unlocks_on_the_cycles_page(personas, closed):
    unlock = _unlock(personas)
    client = Client()
    client.force_login(personas.admin)
    page = client.get("/console/cycles/").content.decode()
    assert "为单位解锁" in page and f'action="/console/cycles/{closed.pk}/unlock/"' in page
    assert "已为 <b>市教育局</b> 解锁" in page
    assert f'action="/console/cycles/{closed.pk}/unlock/{unlock.pk}/revoke/"' in page
    assert f'<option value="{personas.forestry.pk}">市林业局</option>' in page
