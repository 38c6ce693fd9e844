"""Division editing: item text/deadline with a stale check, units per role, merges, the audit trail,
and the console pages /console/division/ and /console/division/items/<id>/ for every persona."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks_app.models import Assignment, AuditEntry, Contribution, Membership, Report, Unit, UnitAlias, WorkItem
from tasks_app.services.division import (
    DivisionError,
    assignments_set,
    item_token,
    item_update,
    unit_merge,
)
from tasks_app.services.errors import StaleEditError
from tests.personas import Personas, items_of, make_user

pytestmark = pytest.mark.django_db


def _unit(p: Personas, name: str) -> Unit:
    return Unit.objects.get(jurisdiction=p.plan.jurisdiction, name=name)


def _lead_item(p: Personas) -> WorkItem:
    return items_of(p, role="lead", kind="task")[0]


def _roles(item: WorkItem) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"lead": [], "cooperating": [], "responsible": []}
    for a in item.assignments.select_related("unit").order_by("role", "order"):
        out[a.role].append(a.unit.name)
    return out


# --- item_update ---------------------------------------------------------------------------------


def test_it_edits_text_and_deadline_and_audits_before_and_after(personas):
    p = personas
    item = _lead_item(p)
    old_text = item.text
    updated = item_update(
        item=item, user=p.admin, text="新的任务表述", deadline=date(2019, 6, 30), expected_updated_at=item_token(item)
    )
    assert (updated.text, updated.deadline, updated.deadline_defaulted) == ("新的任务表述", date(2019, 6, 30), False)
    entry = AuditEntry.objects.get(action="item_edit", object_id=item.id)
    assert entry.actor == p.admin and entry.plan == p.plan and entry.object_type == "item"
    assert entry.before["text"] == old_text
    assert entry.after["text"] == "新的任务表述" and entry.after["deadline"] == "2019-06-30"


def test_it_refuses_a_stale_edit_and_writes_nothing(personas):
    p = personas
    item = _lead_item(p)
    token = item_token(item)
    item_update(item=item, user=p.admin, title="先到的修改", expected_updated_at=token)
    with pytest.raises(StaleEditError, match="已被他人修改"):
        item_update(item=item, user=p.admin, title="后到的修改", expected_updated_at=token)
    item.refresh_from_db()
    assert item.title == "先到的修改"
    assert AuditEntry.objects.filter(object_id=item.id).count() == 1


def test_it_refuses_a_stale_edit_by_snapshot(personas):
    p = personas
    item = _lead_item(p)
    with pytest.raises(StaleEditError):
        item_update(item=item, user=p.admin, title="x", expected={"title": "别人看到的旧标题"})


def test_it_refuses_an_empty_title(personas):
    with pytest.raises(DivisionError, match="标题不能为空"):
        item_update(item=_lead_item(personas), user=personas.admin, title="  ")


# --- assignments_set -----------------------------------------------------------------------------


def test_it_sets_units_per_role_marking_new_rows_manual(personas):
    p = personas
    item = _lead_item(p)
    finance = _unit(p, "市财政局")
    kept = item.assignments.get(unit=p.education, role="lead")
    assignments_set(
        item=item, user=p.admin, lead=[p.education.id, p.forestry.id], cooperating=[finance.id], responsible=[]
    )
    assert _roles(item) == {"lead": ["市教育局", "市林业局"], "cooperating": ["市财政局"], "responsible": []}
    assert Assignment.objects.get(pk=kept.pk).origin == "imported"  # untouched rows keep their origin
    assert item.assignments.get(unit=p.forestry).origin == "manual"
    entry = AuditEntry.objects.get(action="assignments", object_id=item.id)
    assert entry.after["lead"] == ["市教育局", "市林业局"] and "市林业局" not in entry.before["lead"]


def test_it_moves_the_items_token_when_units_change(personas):
    p = personas
    item = _lead_item(p)
    token = item_token(item)
    assignments_set(item=item, user=p.admin, lead=[p.forestry.id], cooperating=[], responsible=[])
    with pytest.raises(StaleEditError):
        item_update(item=item, user=p.admin, title="x", expected_updated_at=token)


def test_it_refuses_one_unit_in_two_roles_and_foreign_units(personas):
    p = personas
    item = _lead_item(p)
    with pytest.raises(DivisionError, match="两种角色"):
        assignments_set(item=item, user=p.admin, lead=[p.education.id], cooperating=[p.education.id], responsible=[])
    district = Unit.objects.create(
        jurisdiction=p.plan.jurisdiction.children.create(name="测试区", level="district"), name="区教育局"
    )
    with pytest.raises(DivisionError, match="不属于"):
        assignments_set(item=item, user=p.admin, lead=[district.id], cooperating=[], responsible=[])
    assert _roles(item)["lead"] == ["市教育局"]


# --- unit_merge ----------------------------------------------------------------------------------


def test_it_merges_a_unit_moving_assignments_aliases_members_and_emails(personas):
    p = personas
    target = p.education
    source = Unit.objects.create(
        jurisdiction=p.plan.jurisdiction, name="市教育委员会", needs_review=True, contact_emails=["jw@example.cn"]
    )
    UnitAlias.objects.create(unit=source, jurisdiction=p.plan.jurisdiction, name="市教委")
    target.contact_emails = ["jy@example.cn"]
    target.save()
    item = _lead_item(p)
    other = WorkItem.objects.filter(plan=p.plan).exclude(assignments__unit=target).order_by("order").first()
    Assignment.objects.create(item=item, unit=source, role="cooperating")  # target leads: dropped
    Assignment.objects.create(item=other, unit=source, role="lead", and_others=True)  # moves
    staff = make_user("jw_staff", unit=source)
    Membership.objects.create(user=p.owner, unit=source)  # owner already in target: deduplicated
    unit_merge(source=source, target=target, user=p.admin)
    assert not Unit.objects.filter(pk=source.pk).exists()
    assert list(item.assignments.filter(unit=target).values_list("role", flat=True)) == ["lead"]
    moved = other.assignments.get(unit=target)
    assert moved.role == "lead" and moved.and_others
    assert set(UnitAlias.objects.filter(unit=target).values_list("name", flat=True)) >= {"市教育委员会", "市教委"}
    assert set(Membership.objects.filter(unit=target).values_list("user__username", flat=True)) >= {
        "owner",
        staff.username,
    }
    target.refresh_from_db()
    assert target.contact_emails == ["jy@example.cn", "jw@example.cn"]
    entry = AuditEntry.objects.get(action="unit_merge")
    assert entry.object_id == target.id and entry.before["source"]["name"] == "市教育委员会"


def test_it_refuses_to_merge_units_that_both_reported_on_the_same_item_and_cycle(personas):
    p = personas
    item = _lead_item(p)
    Assignment.objects.create(item=item, unit=p.forestry, role="lead")
    Report.objects.create(item=item, unit=p.education, cycle=p.cycle, progress="甲")
    Report.objects.create(item=item, unit=p.forestry, cycle=p.cycle, progress="乙")
    with pytest.raises(DivisionError, match="不能合并"):
        unit_merge(source=p.forestry, target=p.education, user=p.admin)
    assert Unit.objects.filter(pk=p.forestry.pk).exists()
    assert Report.objects.filter(unit=p.forestry).count() == 1
    assert not AuditEntry.objects.filter(action="unit_merge").exists()


def test_it_moves_reports_and_contributions_when_they_do_not_clash(personas):
    p = personas
    item = _lead_item(p)
    Report.objects.create(item=item, unit=p.forestry, cycle=p.cycle, progress="乙")
    Contribution.objects.create(item=item, unit=p.forestry, cycle=p.cycle, text="配合")
    unit_merge(source=p.forestry, target=p.education, user=p.admin)
    assert Report.objects.get(item=item, cycle=p.cycle).unit == p.education
    assert Contribution.objects.get(item=item).unit == p.education


def test_it_refuses_merging_a_unit_into_itself_or_across_jurisdictions(personas):
    p = personas
    with pytest.raises(DivisionError):
        unit_merge(source=p.education, target=p.education, user=p.admin)
    elsewhere = Unit.objects.exclude(jurisdiction=p.plan.jurisdiction).first() or Unit.objects.create(
        jurisdiction=p.plan.jurisdiction.children.create(name="测试区", level="district"), name="区教育局"
    )
    district_office = make_user("district-office", office="admin", jurisdiction=elsewhere.jurisdiction)
    for user in (district_office, None):  # a scope that covers only one of them, or the system itself
        with pytest.raises(DivisionError, match="同一行政区划"):
            unit_merge(source=elsewhere, target=p.education, user=user)


# --- pages ---------------------------------------------------------------------------------------

EXPECTED_GET = {"admin": 200, "leader": 200, "owner": 404, "outsider": 404}


@pytest.mark.parametrize("persona", [*EXPECTED_GET, "anonymous"])
def test_it_shows_the_division_pages_by_persona(client, personas, persona):
    p = personas
    item = _lead_item(p)
    if persona != "anonymous":
        client.force_login(getattr(p, persona))
    for url in (f"/console/division/?plan={p.plan.id}", f"/console/division/items/{item.id}/"):
        response = client.get(url)
        if persona == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            assert response.status_code == EXPECTED_GET[persona], url


def test_it_lets_a_reviewer_read_but_not_write(client, personas):
    p = personas
    reviewer = make_user("reviewer", office="reviewer")
    item = _lead_item(p)
    client.force_login(reviewer)
    assert client.get(f"/console/division/items/{item.id}/").status_code == 200
    response = client.post(f"/console/division/items/{item.id}/", {"title": "改", "token": item_token(item)})
    assert response.status_code == 403


def test_it_saves_the_item_form_and_shows_the_history(client, personas):
    p = personas
    item = _lead_item(p)
    finance = _unit(p, "市财政局")
    client.force_login(p.admin)
    page = client.get(f"/console/division/items/{item.id}/").content.decode()
    assert "市教育局" in page
    assert f'value="{item.deadline:%Y-%m-%d}"' in page  # what <input type="date"> accepts: saving keeps it
    response = client.post(
        f"/console/division/items/{item.id}/",
        {
            "title": item.title,
            "text": "改过的正文",
            "deadline": "2020-12-31",
            "lead": [str(p.education.id)],
            "cooperating": [str(finance.id)],
            "responsible": [],
            "token": item_token(item),
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.text == "改过的正文" and item.deadline == date(2020, 12, 31)
    assert _roles(item)["cooperating"] == ["市财政局"]
    page = client.get(f"/console/division/items/{item.id}/").content.decode()
    assert "调整分工" in page and "修改事项" in page


def test_it_changes_nothing_when_the_form_is_saved_unchanged(client, personas):
    p = personas
    item = _lead_item(p)
    client.force_login(p.admin)
    page = client.get(f"/console/division/items/{item.id}/")
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data["deadline"] = item.deadline.isoformat()
    response = client.post(f"/console/division/items/{item.id}/", {k: v for k, v in data.items() if v is not None})
    assert response.status_code == 302
    assert not AuditEntry.objects.filter(object_type="item", object_id=item.id).exists()
    fresh = WorkItem.objects.get(pk=item.pk)
    assert (fresh.deadline, fresh.deadline_text, fresh.text) == (item.deadline, item.deadline_text, item.text)


def test_it_refuses_a_stale_form_with_a_message(client, personas):
    p = personas
    item = _lead_item(p)
    token = item_token(item)
    item_update(item=item, user=p.admin, title="别人先改了")
    client.force_login(p.admin)
    response = client.post(
        f"/console/division/items/{item.id}/",
        {"title": "我的修改", "text": item.text, "lead": [str(p.education.id)], "token": token},
    )
    assert response.status_code == 409
    assert "已被他人修改" in response.content.decode()
    item.refresh_from_db()
    assert item.title == "别人先改了"


def test_it_searches_the_division_list_in_constant_queries(client, personas):
    p = personas
    client.force_login(p.admin)
    response = client.get(f"/console/division/?plan={p.plan.id}&q=学前教育")
    body = response.content.decode()
    assert "学前教育" in body and "市教育局" in body

    def count(size: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/console/division/?plan={p.plan.id}&page_size={size}").status_code == 200
        return len(ctx.captured_queries)

    count(20)  # the first view fills the office snapshots (selectors.paging keeps the count)
    assert count(20) == count(100)


def test_it_keeps_one_role_per_item_when_merged_units_overlap(personas):
    p = personas
    item = WorkItem.objects.filter(plan=p.plan).exclude(assignments__unit__in=[p.education, p.forestry]).first()
    source = Unit.objects.create(jurisdiction=p.plan.jurisdiction, name="市林业局(旧)")
    Assignment.objects.create(item=item, unit=source, role="lead", and_others=True)
    Assignment.objects.create(item=item, unit=source, role="cooperating")
    Assignment.objects.create(item=item, unit=p.forestry, role="cooperating")
    unit_merge(source=source, target=p.forestry, user=p.admin)
    rows = list(item.assignments.filter(unit=p.forestry).values_list("role", "and_others"))
    assert rows == [("lead", True)]
