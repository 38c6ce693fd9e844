"""The Django layer and the commands, over the five seeded documents."""

from __future__ import annotations

import pytest

from tasks_app.models import Plan, Unit
from tasks_app.services.suggestions import (
    plan_by_file,
    plan_suggestions_build,
    proposed_units_create,
    training_examples_load,
)
from tests.conftest import run_json


@pytest.fixture
def plans(seeded_db, django_db_blocker) -> dict[str, Plan]:
    with django_db_blocker.unblock():
        return {prefix: plan_by_file(prefix=prefix) for prefix in ("000", "002", "004")}


@pytest.mark.django_db
def test_it_learns_from_every_divided_item_of_both_levels(plans):
    examples = training_examples_load()
    by_plan = {str(plans[p].id): [e for e in examples if e.plan == str(plans[p].id)] for p in ("000", "002")}
    assert len(by_plan[str(plans["002"].id)]) == 220
    assert len(by_plan[str(plans["000"].id)]) == 61
    city = {key for e in by_plan[str(plans["002"].id)] for key in e.lead}
    assert "科技局" in city and "市科技局" not in city  # concept keys, prefix stripped
    assert any(key.endswith("@营口市") for e in examples for key in (*e.lead, *e.cooperating))


@pytest.mark.django_db
def test_it_suggests_units_of_the_plans_own_jurisdiction(plans):
    payload = plan_suggestions_build(plan=plans["000"], limit=5)
    district = set(Unit.objects.filter(jurisdiction__name="站前区").values_list("name", flat=True))
    for row in payload["items"]:
        assert row["lead"], row
        for unit in row["lead"]:
            assert unit["known"] == (unit["unit"] in district)
            assert not unit["unit"].startswith("市")


@pytest.mark.django_db
def test_it_proposes_city_spelled_units_for_an_undivided_city_plan(plans):
    payload = plan_suggestions_build(plan=plans["004"], limit=40)
    leads = {unit["unit"] for row in payload["items"] for unit in row["lead"]}
    assert "市发展改革委" in leads
    assert not any(name.endswith("@营口市") or name in ("盖州市政府", "营口港务集团") for name in leads)
    assert all(row["neighbours"] and row["matched_terms"] for row in payload["items"][:10])


@pytest.mark.django_db
def test_it_prints_the_json_of_the_brief_without_writing(plans):
    units_before = Unit.objects.count()
    payload = run_json("suggest_division", "--plan", str(plans["004"].id), "--limit", "3")
    assert payload["plan_id"] == plans["004"].id
    row = payload["items"][0]
    assert {"item_id", "title", "lead", "cooperating", "neighbours", "matched_terms"} <= set(row)
    assert {"unit", "score", "known"} <= set(row["lead"][0])
    assert {"item_id", "plan", "similarity", "text"} <= set(row["neighbours"][0])
    assert Unit.objects.count() == units_before


@pytest.mark.django_db
def test_it_creates_proposed_units_for_review_once(plans):
    created = proposed_units_create(plan=plans["004"], names=["市发展改革委", "市发展改革委"])
    assert [unit.name for unit in created] == ["市发展改革委"]
    assert created[0].needs_review and created[0].jurisdiction.name == "葫芦岛市"
    assert proposed_units_create(plan=plans["004"], names=["市发展改革委"]) == []
