"""/api/console/ division endpoints: every endpoint × persona, suggestions through the API for 004,
unit merge and an item's units with the stale check."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tasks_app.models import Assignment, AuditEntry, SuggestedAssignment, Unit, WorkItem
from tests.api.conftest import client_for
from tests.personas import Personas, make_user

pytestmark = pytest.mark.django_db


@dataclass
class Setup:
    p: Personas
    item: WorkItem
    suggestion: SuggestedAssignment
    spare: Unit  # a needs_review unit that can be merged away


@pytest.fixture
def setup(personas: Personas) -> Setup:
    p = personas
    item = WorkItem.objects.filter(plan=p.plan, assignments__unit=p.education, assignments__role="lead").first()
    undivided = WorkItem.objects.filter(plan=p.plan).exclude(assignments__role="lead").first()
    suggestion = SuggestedAssignment.objects.create(
        item=undivided, unit=p.forestry, role="lead", rank=1, score=0.8, explanation={"matched_terms": ["林"]}
    )
    spare = Unit.objects.create(jurisdiction=p.plan.jurisdiction, name="营口市林业局机关", needs_review=True)
    return Setup(p, item, suggestion, spare)


def _user(s: Setup, persona: str):
    if persona == "anonymous":
        return None
    if persona == "reviewer":
        return make_user("reviewer", office="reviewer")
    return getattr(s.p, persona)


PERSONAS = ("admin", "reviewer", "leader", "owner", "anonymous")
READ = {"admin": 200, "reviewer": 200, "leader": 200, "owner": 404, "anonymous": 401}
WRITE_DENIED = {"reviewer": 403, "leader": 403, "owner": 404, "anonymous": 401}


def _calls(s: Setup) -> list[tuple[str, str, str, dict | None, int]]:
    p = s.p
    return [
        ("list", "get", f"/api/console/suggestions/?plan={p.plan.id}", None, 200),
        ("item units", "get", f"/api/console/items/{s.item.id}/assignments/", None, 200),
        ("reject", "post", f"/api/console/suggestions/{s.suggestion.id}/reject/", {}, 200),
        ("merge", "post", f"/api/console/units/{s.spare.id}/merge/", {"target": p.forestry.id}, 200),
        (
            "set units",
            "put",
            f"/api/console/items/{s.item.id}/assignments/",
            {"lead": [p.education.id], "cooperating": [p.forestry.id]},
            200,
        ),
        ("accept above", "post", "/api/console/suggestions/accept-above/", {"plan": p.plan.id, "min_score": 5}, 200),
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_gives_each_persona_the_expected_status(setup, persona):
    client = client_for(_user(setup, persona))
    for name, method, url, body, admin_status in _calls(setup):
        response = getattr(client, method)(url, body, format="json") if body is not None else client.get(url)
        if method == "get":
            expected = READ[persona]
        else:
            expected = admin_status if persona == "admin" else WRITE_DENIED[persona]
        assert response.status_code == expected, (name, response.content.decode()[:300])
        if expected >= 400:
            assert response.json()["detail"]


def test_it_writes_nothing_for_refused_personas(setup):
    for persona in ("reviewer", "leader", "owner", "anonymous"):
        client = client_for(_user(setup, persona))
        client.post(f"/api/console/suggestions/{setup.suggestion.id}/accept/", {}, format="json")
        client.post(f"/api/console/units/{setup.spare.id}/merge/", {"target": setup.p.forestry.id}, format="json")
        client.put(f"/api/console/items/{setup.item.id}/assignments/", {"lead": []}, format="json")
    setup.suggestion.refresh_from_db()
    assert setup.suggestion.status == "proposed"
    assert Unit.objects.filter(pk=setup.spare.id).exists()
    assert setup.item.assignments.filter(role="lead").exists()


def test_it_accepts_a_suggestion_and_refuses_a_second_decision(setup):
    client = client_for(setup.p.admin)
    response = client.post(f"/api/console/suggestions/{setup.suggestion.id}/accept/", {}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["origin"] == "suggested" and body["accepted_by"] == "office" and body["unit"]["name"] == "市林业局"
    again = client.post(f"/api/console/suggestions/{setup.suggestion.id}/reject/", {}, format="json")
    assert again.status_code == 400 and "已采纳" in again.json()["detail"]


def test_it_sets_an_items_units_with_a_stale_check(setup):
    p = setup.p
    client = client_for(p.admin)
    current = client.get(f"/api/console/items/{setup.item.id}/assignments/").json()
    assert [u["name"] for u in current["lead"]] == ["市教育局"]
    body = {"lead": [p.forestry.id], "cooperating": [p.education.id], "updated_at": current["updated_at"]}
    response = client.put(f"/api/console/items/{setup.item.id}/assignments/", body, format="json")
    assert response.status_code == 200, response.content
    assert [u["name"] for u in response.json()["lead"]] == ["市林业局"]
    assert setup.item.assignments.get(unit=p.forestry).origin == "manual"
    stale = client.put(f"/api/console/items/{setup.item.id}/assignments/", body, format="json")
    assert stale.status_code == 409 and stale.json()["current"]["lead"][0]["name"] == "市林业局"
    bad = client.put(
        f"/api/console/items/{setup.item.id}/assignments/",
        {"lead": [p.education.id], "cooperating": [p.education.id]},
        format="json",
    )
    assert bad.status_code == 400 and "两种角色" in bad.json()["detail"]
    assert AuditEntry.objects.filter(action="assignments", object_id=setup.item.id).count() == 1


def test_it_merges_units_and_explains_a_refusal(setup):
    p = setup.p
    client = client_for(p.admin)
    response = client.post(f"/api/console/units/{setup.spare.id}/merge/", {"target": p.forestry.id}, format="json")
    assert response.status_code == 200 and response.json()["name"] == "市林业局"
    assert not Unit.objects.filter(pk=setup.spare.id).exists()
    same = client.post(f"/api/console/units/{p.forestry.id}/merge/", {"target": p.forestry.id}, format="json")
    assert same.status_code == 400 and same.json()["detail"]
    missing = client.post("/api/console/units/999999/merge/", {"target": p.forestry.id}, format="json")
    assert missing.status_code == 404


def test_it_lists_filters_and_pages_suggestions(setup):
    client = client_for(setup.p.leader)
    body = client.get(f"/api/console/suggestions/?plan={setup.p.plan.id}&min_score=0.5&page_size=1").json()
    assert body["count"] == 1 and body["results"][0]["unit"]["name"] == "市林业局"
    assert body["results"][0]["explanation"]["matched_terms"] == ["林"]
    assert client.get(f"/api/console/suggestions/?plan={setup.p.plan.id}&status=accepted").json()["count"] == 0
    assert client.get("/api/console/suggestions/").status_code == 400  # plan is required


def test_it_divides_004_through_the_api(seeded_db, personas):
    from tasks_app.services.suggestions import plan_by_file

    plan = plan_by_file(prefix="004")
    client = client_for(personas.admin)
    generated = client.post("/api/console/suggestions/generate/", {"plan": plan.id}, format="json")
    assert generated.status_code == 201 and generated.json()["suggestions"] > 400
    accepted = client.post(
        "/api/console/suggestions/accept-above/", {"plan": plan.id, "min_score": 0.3, "max_rank": 1}, format="json"
    ).json()
    assert accepted["accepted"] > 100
    rows = Assignment.objects.filter(item__plan=plan)
    assert rows.count() == accepted["accepted"] and set(rows.values_list("origin", flat=True)) == {"suggested"}


def test_it_documents_the_endpoints_in_the_schema(personas):
    schema = client_for(personas.admin).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in (
        "/api/console/suggestions/",
        "/api/console/suggestions/generate/",
        "/api/console/suggestions/accept-above/",
        "/api/console/suggestions/{id}/accept/",
        "/api/console/suggestions/{id}/reject/",
        "/api/console/units/{id}/merge/",
        "/api/console/items/{id}/assignments/",
    ):
        assert path in schema["paths"], path
