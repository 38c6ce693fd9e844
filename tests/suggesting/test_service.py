"""The Django layer and the commands, over the five seeded documents."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

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


YEARLY_2025 = [
    ("一、推进乡村全面振兴", None),
    ("1.巩固拓展脱贫攻坚成果,落实防止返贫动态监测和帮扶机制,守住不发生规模性返贫底线。", "市农业农村局"),
    ("二、持续改善生态环境", None),
    ("2.深入打好蓝天保卫战,细颗粒物(PM2.5)平均浓度完成省下达目标。", "市生态环境局"),
    ("三、保障和改善民生", None),
    ("3.加强食品安全监管,6月底前完成校园食堂专项检查,食品抽检合格率保持在98%以上。", "市市场监督管理局"),
    ("4.开展安全生产治本攻坚三年行动,坚决遏制重特大生产安全事故。", "市应急管理局"),
    ("5.推进紧密型县域医疗卫生共同体建设,提升基层医疗卫生服务能力。", "市卫生健康委"),
]


@pytest.mark.django_db
def test_it_divides_a_yearly_notice_that_arrived_without_units_with_the_units_of_its_year(plans, tmp_path):
    from docx import Document

    from tasks_app.services.suggestion_dates import ValidNames, plan_date

    document = Document()
    for line in ("营口市人民政府办公室关于印发营口市2025年重点工作任务的通知", "各县(市)区人民政府,市政府各部门:",
                 "请认真抓好落实,每季度末将进展情况报市发展改革委。", "2025年2月18日"):  # fmt: skip
        document.add_paragraph(line)
    for text, _ in YEARLY_2025:
        document.add_paragraph(text)
    path = tmp_path / "yearly_2025.docx"
    document.save(path)

    preview = run_json("import_document", str(path), "--dry-run", "--json")
    assert len(preview["tasks"]) == 5 and not any(task["lead"] or task["responsible"] for task in preview["tasks"])
    assert any("没有识别出任何单位" in warning for warning in preview["warnings"])
    food = next(task for task in preview["tasks"] if "食品" in task["text"])
    assert food["deadline"] == "2025-06-30"
    call_command("import_document", str(path), stdout=StringIO())
    plan = Plan.objects.get(title__contains="2025年重点工作任务")
    assert (plan.period_start, plan.period_end) == (2025, 2025) and not plan.items.filter(assignments__isnull=False)

    payload = plan_suggestions_build(plan=plan)
    valid = ValidNames.load(jurisdiction=plan.jurisdiction, on=plan_date(plan))
    named = [unit["unit"] for row in payload["items"] for unit in (*row["lead"], *row["cooperating"])]
    assert named and not [name for name in named if valid.invalid(name)]
    assert not {"市扶贫办", "市乡村振兴局", "市卫计委", "市安监局", "市食药监局"} & set(named)
    for row in payload["items"]:
        wanted = next(unit for text, unit in YEARLY_2025 if unit and row["title"] in text)
        assert wanted in [unit["unit"] for unit in row["lead"][:3]], (row["title"], row["lead"][:3])


@pytest.mark.django_db
def test_it_learns_what_a_combined_district_bureau_did_for_the_city_unit_of_that_function(plans):
    from tasks_app.services.suggestion_dates import ValidNames, plan_date
    from tasks_app.services.suggestions import target_units_build
    from tasks_app.suggesting.concepts import concept_key, functions_of

    examples = training_examples_load(plan_ids=[plans["000"].id])
    keys = {key for example in examples for key in (*example.lead, *example.cooperating) if key.startswith("教文旅局")}
    assert {"教文旅局·教育", "教文旅局·文化体育"} <= keys  # 站前区's 教文旅局, item by item
    city, district = plans["002"].jurisdiction, plans["000"].jurisdiction
    valid = ValidNames.load(jurisdiction=city, on=plan_date(plans["002"]))
    to_city = target_units_build(jurisdiction=city, keys=keys, examples=examples, valid=valid)
    assert to_city("教文旅局·教育") == "市教育局"
    culture = to_city("教文旅局·文化体育")  # the 2016 city's culture bureau, not 市教育局
    assert culture and "文化体育" in functions_of(key=concept_key(name=culture, jurisdiction=city.name))
    at_home = target_units_build(jurisdiction=district, keys=keys, examples=examples)
    assert {at_home(key) for key in keys} == {"教文旅局"}
