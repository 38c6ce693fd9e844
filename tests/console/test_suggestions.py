"""The division assistant in the console (issue 6): 004 葫芦岛市 arrives undivided, the assistant's
proposals are stored, reviewed one by one or accepted in bulk above a score, and the result exports
as a division table."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from tasks_app.models import Assignment, AuditEntry, Plan, SuggestedAssignment, Unit, WorkItem
from tasks_app.services.division import DivisionError
from tasks_app.services.suggestion_review import (
    suggestion_accept,
    suggestion_reject,
    suggestions_accept_above,
    suggestions_generate,
)
from tasks_app.services.suggestions import plan_by_file
from tests.personas import Personas, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def huludao(seeded_db, personas: Personas) -> Plan:
    return plan_by_file(prefix="004")


@pytest.fixture
def generated(huludao: Plan, personas: Personas) -> Plan:
    suggestions_generate(plan=huludao, user=personas.admin)
    return huludao


def _proposals(plan: Plan):
    return SuggestedAssignment.objects.filter(item__plan=plan, status="proposed")


def test_it_starts_from_an_undivided_plan(huludao):
    assert WorkItem.objects.filter(plan=huludao).count() > 400
    assert not Assignment.objects.filter(item__plan=huludao).exists()


def test_it_stores_ranked_proposals_with_their_reasons(huludao, personas):
    result = suggestions_generate(plan=huludao, user=personas.admin)
    items = WorkItem.objects.filter(plan=huludao, is_active=True).count()
    assert result.items == items and result.suggestions == _proposals(huludao).count()
    firsts = _proposals(huludao).filter(role="lead", rank=1)
    assert firsts.count() >= 0.9 * items  # nearly every item gets a lead proposal
    top = firsts.order_by("-score").first()
    assert top.explanation["neighbours"] and top.explanation["matched_terms"]
    assert {"item_id", "plan", "similarity", "text"} <= set(top.explanation["neighbours"][0])
    # units the city does not have yet are proposed for review, spelled the city's way
    assert "市发展改革委" in result.proposed_units
    assert Unit.objects.get(jurisdiction=huludao.jurisdiction, name="市发展改革委").needs_review
    # …while a name the unit registry knows there (the group 各县（市）区政府) is an ordinary unit
    group = Unit.objects.get(jurisdiction=huludao.jurisdiction, kind="group", name__startswith="各县")
    assert not group.needs_review and group.aliases.exists()
    assert group.name not in result.proposed_units
    assert AuditEntry.objects.filter(action="suggestion", object_type="plan", object_id=huludao.id).exists()


def test_it_regenerates_open_proposals_and_keeps_decisions(generated, personas):
    first = _proposals(generated).filter(role="lead", rank=1).order_by("item__order").first()
    suggestion_reject(suggestion=first, user=personas.admin)
    before = _proposals(generated).count()
    suggestions_generate(plan=generated, user=personas.admin)
    assert _proposals(generated).count() == before  # replaced, not duplicated
    first.refresh_from_db()
    assert first.status == "rejected"
    assert not _proposals(generated).filter(item=first.item, unit=first.unit, role="lead").exists()


def test_it_accepts_one_proposal_as_a_suggested_assignment(generated, personas):
    proposal = _proposals(generated).filter(role="lead", rank=1).order_by("item__order").first()
    assignment = suggestion_accept(suggestion=proposal, user=personas.admin)
    assert (assignment.item, assignment.unit, assignment.role) == (proposal.item, proposal.unit, "lead")
    assert assignment.origin == "suggested" and assignment.accepted_by == personas.admin and assignment.accepted_at
    proposal.refresh_from_db()
    assert proposal.status == "accepted" and proposal.decided_by == personas.admin
    entry = AuditEntry.objects.filter(action="suggestion", object_type="item", object_id=proposal.item_id).get()
    assert "采纳分工建议" in entry.summary
    with pytest.raises(DivisionError, match="已采纳"):
        suggestion_accept(suggestion=proposal, user=personas.admin)


def test_it_accepts_an_edited_proposal_with_another_unit_and_role(generated, personas):
    proposal = _proposals(generated).filter(role="lead", rank=1).order_by("item__order").first()
    other = Unit.objects.filter(jurisdiction=generated.jurisdiction).exclude(pk=proposal.unit_id).first()
    assignment = suggestion_accept(suggestion=proposal, user=personas.admin, unit=other, role="responsible")
    assert (assignment.unit, assignment.role, assignment.origin) == (other, "responsible", "suggested")
    assert "修改后采纳" in AuditEntry.objects.get(object_type="item", object_id=proposal.item_id).summary


def test_it_rejects_a_proposal_without_touching_the_division(generated, personas):
    proposal = _proposals(generated).first()
    suggestion_reject(suggestion=proposal, user=personas.admin)
    assert not Assignment.objects.filter(item=proposal.item).exists()
    assert SuggestedAssignment.objects.get(pk=proposal.pk).status == "rejected"


def test_it_accepts_in_bulk_above_a_score(generated, personas):
    threshold = 0.3
    expected = _proposals(generated).filter(score__gte=threshold, rank=1).count()
    created = suggestions_accept_above(plan=generated, min_score=threshold, max_rank=1, user=personas.admin)
    assert 0 < len(created) <= expected
    rows = Assignment.objects.filter(item__plan=generated)
    assert rows.count() == len(created)
    assert set(rows.values_list("origin", "accepted_by")) == {("suggested", personas.admin.id)}
    assert not rows.filter(role="lead", order__gt=0).exists()  # max_rank=1: one lead per item
    assert AuditEntry.objects.filter(action="suggestion", object_type="item").count() == len(
        {a.item_id for a in created}
    )


# --- the page (issue 6 Must show) ----------------------------------------------------------------


def test_it_divides_004_through_the_console_and_exports_the_division_table(client, generated, personas):
    """Imported undivided → assistant's proposals → bulk accept via the view → a division workbook."""
    from tasks_app.services.exports import export_build

    client.force_login(personas.admin)
    page = client.get(f"/console/suggestions/?plan={generated.id}")
    assert page.status_code == 200 and "依据" in page.content.decode()
    response = client.post(
        "/console/suggestions/", {"plan": generated.id, "action": "bulk", "min_score": "0.3", "max_rank": "1"}
    )
    assert response.status_code == 302
    leads = Assignment.objects.filter(item__plan=generated, role="lead")
    assert leads.count() > 100
    assert set(leads.values_list("origin", "accepted_by")) == {("suggested", personas.admin.id)}
    assert all(a.accepted_at for a in leads)

    out = BytesIO()
    export_build(plan=generated, report="division", path_or_stream=out)
    sheet = load_workbook(BytesIO(out.getvalue()), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[1])
    lead_column = header.index("牵头单位")
    exported = [row for row in rows[2:] if row[lead_column]]
    assert len(exported) == leads.values("item").distinct().count()
    some = leads.select_related("unit").first()
    assert any(some.unit.name in (row[lead_column] or "") for row in exported)


def test_it_generates_accepts_and_rejects_from_the_page(client, huludao, personas):
    client.force_login(personas.admin)
    response = client.post("/console/suggestions/", {"plan": huludao.id, "action": "generate"})
    assert response.status_code == 302 and _proposals(huludao).exists()
    first, second = _proposals(huludao).filter(role="lead").order_by("item__order", "rank")[:2]
    client.post("/console/suggestions/", {"plan": huludao.id, "action": "accept", "suggestion": first.id})
    client.post("/console/suggestions/", {"plan": huludao.id, "action": "reject", "suggestion": second.id})
    assert Assignment.objects.get(item=first.item, unit=first.unit).origin == "suggested"
    assert SuggestedAssignment.objects.get(pk=second.pk).status == "rejected"
    third = _proposals(huludao).filter(role="cooperating").first()
    other = Unit.objects.filter(jurisdiction=huludao.jurisdiction).exclude(pk=third.unit_id).first()
    client.post(
        "/console/suggestions/",
        {
            "plan": huludao.id,
            "action": "accept",
            "suggestion": third.id,
            "unit_name": other.name,
            "role": "cooperating",
        },
    )
    assert Assignment.objects.filter(item=third.item, unit=other, role="cooperating").exists()
    response = client.post(
        "/console/suggestions/",
        {
            "plan": huludao.id,
            "action": "accept",
            "suggestion": _proposals(huludao).first().id,
            "unit_name": "市不存在局",
        },
        follow=True,
    )
    assert "不在葫芦岛市的单位名录中" in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "read", "write"), [("leader", 200, 403), ("reviewer", 200, 403), ("owner", 404, 404)]
)
def test_it_lets_only_admins_decide(client, generated, personas, persona, read, write):
    user = make_user("reviewer", office="reviewer") if persona == "reviewer" else getattr(personas, persona)
    client.force_login(user)
    assert client.get(f"/console/suggestions/?plan={generated.id}").status_code == read
    response = client.post("/console/suggestions/", {"plan": generated.id, "action": "bulk", "min_score": "0"})
    assert response.status_code == write
    assert not Assignment.objects.filter(item__plan=generated).exists()


def test_it_sends_anonymous_users_to_the_login_page(client, huludao):
    response = client.get(f"/console/suggestions/?plan={huludao.id}")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_lists_proposals_in_constant_queries(client, generated, personas):
    client.force_login(personas.admin)

    def count(size: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/console/suggestions/?plan={generated.id}&page_size={size}").status_code == 200
        return len(ctx.captured_queries)

    count(20)  # the first view fills the office snapshots (tasks_app.snapshots)
    assert count(20) == count(100)
