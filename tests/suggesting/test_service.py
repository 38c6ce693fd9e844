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


@pytest.mark.django_db
def test_it_names_no_unit_of_004_that_a_reform_retired_before_2021(plans):
    from datetime import date

    from tasks_app.parsing.reforms import reform_table
    from tasks_app.services.suggestion_dates import plan_date

    payload = plan_suggestions_build(plan=plans["004"])
    named = {unit["unit"] for row in payload["items"] for unit in (*row["lead"], *row["cooperating"])}
    table = reform_table()
    retired = {
        name
        for name in named
        if (on := table.retired_on(name, jurisdiction="葫芦岛市", level="city")) and on < date(2021, 1, 1)
    }
    assert plan_date(plans["004"]).year == 2021
    assert not retired, retired
    assert {"市卫生健康委", "市生态环境局", "市农业农村局"} <= named  # what 市卫计委/市环保局/市农委 learnt counts
    assert not {"市卫计委", "市环保局", "市国土资源局", "市农委", "市工商局"} & named


@pytest.mark.django_db
def test_it_keeps_2016_names_for_the_2016_notice(plans):
    from tasks_app.services.suggestion_dates import ValidNames, plan_date

    valid = ValidNames.load(jurisdiction=plans["002"].jurisdiction, on=plan_date(plans["002"]))
    assert valid.current("市卫计委") == "市卫计委"
    assert valid.current("市卫生健康委") == "市卫计委"  # not created until 2019
    assert valid.current("市自然资源局") == "市国土资源局"


@pytest.mark.django_db
def test_it_reports_every_direction_with_the_invalid_date_share(plans):
    from tasks_app.services.suggestion_evaluation import suggester_evaluate

    report = suggester_evaluate(timed=None)
    names = [row["name"] for row in report["results"]]
    assert len(names) == 7 and "60 hand-labelled" in names[-1]
    assert all(row["invalid_date_share"] == 0 for row in report["results"])
    assert report["results"][-1]["lead_top3"] >= 0.9
    loo = report["results"][0]
    assert len(loo["weights"]) == 5 and "heading_weight" in loo["weights"][0]  # one tuning per outer fold
    assert all(len(row["weights"]) == 1 for row in report["results"][4:])  # transfer: tuned on the source
    for row in report["results"]:  # what a figure can mean: recall under its ceiling, coverage a share
        if row["cooperating_gold"]:
            assert row["cooperating_recall_at5"] <= row["cooperating_ceiling_at5"] < 1
            assert 0 < row["cooperating_gold_in_training"] <= 1
        else:
            assert row["cooperating_ceiling_at5"] is None and row["cooperating_gold_in_training"] is None
        assert 0 < row["lead_gold_in_training"] <= 1
    district_to_city = report["results"][5]
    assert district_to_city["cooperating_gold_in_training"] < loo["cooperating_gold_in_training"]  # 000 names few


@pytest.mark.django_db
def test_it_tunes_the_weights_once_for_the_same_divided_items(plans, monkeypatch):
    from tasks_app.services import suggestions

    calls: list[int] = []
    real = suggestions.settings_tune

    def counted(**kwargs):
        calls.append(len(kwargs["positions"]))
        return real(**kwargs)

    monkeypatch.setattr(suggestions, "settings_tune", counted)
    suggestions._TUNED.clear()
    first = plan_suggestions_build(plan=plans["004"], limit=2)
    second = plan_suggestions_build(plan=plans["004"], limit=2)
    assert calls == [281]  # every divided item of 002 and 000, once
    assert first == second
