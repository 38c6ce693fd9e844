"""Unit annotations written in brackets after an item (tasks_app.parsing.inline_units)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tasks_app.parsing.inline_units import extract_inline_units, parse_annotation, split_labelled
from tasks_app.parsing.types import BINDING, COOPERATING, EXPECTED, LEAD, RESPONSIBLE


def test_it_reads_responsible_departments_label() -> None:
    found = extract_inline_units("提升城区宜居宜业功能。(责任部门:商务局、住建局、金融局)")
    assert found is not None
    assert found.unit_text == {RESPONSIBLE: ["商务局、住建局、金融局"]}
    assert found.text == "提升城区宜居宜业功能。"
    assert found.annotation == "(责任部门:商务局、住建局、金融局)"
    assert found.category is None


def test_it_reads_an_annotation_standing_alone_on_its_line() -> None:
    found = extract_inline_units("(责任单位:人力资源发展中心)")
    assert found is not None
    assert found.text == ""
    assert found.unit_text == {RESPONSIBLE: ["人力资源发展中心"]}


def test_it_reads_category_lead_and_responsible_labels() -> None:
    found = extract_inline_units("地区生产总值年均增长6%。(预期性指标,牵头单位:市发改委;责任单位:市统计局、市财政局)")
    assert found is not None
    assert found.category == EXPECTED
    assert found.unit_text == {LEAD: ["市发改委"], RESPONSIBLE: ["市统计局、市财政局"]}
    assert found.text == "地区生产总值年均增长6%。"


def test_it_reads_a_binding_category() -> None:
    found = extract_inline_units("能耗降低。(约束性指标,责任单位:市发改委)")
    assert found is not None and found.category == BINDING


def test_it_reads_lead_and_cooperating_labels_with_ascii_punctuation() -> None:
    found = extract_inline_units("推进改革(牵头单位:市发改委;配合单位:市财政局、市人社局)。")
    assert found is not None
    assert found.unit_text == {LEAD: ["市发改委"], COOPERATING: ["市财政局、市人社局"]}
    # The full stop after the bracket stays with the item text.
    assert found.text == "推进改革。"


def test_it_reads_trailing_lead_and_cooperating_clauses() -> None:
    found = extract_inline_units("1.实施制造业升级行动(市发改委牵头,市财政局、市人社局配合)。")
    assert found is not None
    assert found.unit_text == {LEAD: ["市发改委"], COOPERATING: ["市财政局、市人社局"]}
    assert found.text == "1.实施制造业升级行动。"


def test_it_reads_a_single_responsible_clause() -> None:
    found = extract_inline_units("优化机构编制资源配置(市编委办负责)")
    assert found is not None
    assert found.unit_text == {RESPONSIBLE: ["市编委办"]}


def test_it_reads_several_responsible_units() -> None:
    found = extract_inline_units("推进老旧小区改造(市发改委、市财政局负责)。")
    assert found is not None
    assert found.unit_text == {RESPONSIBLE: ["市发改委、市财政局"]}


def test_it_turns_units_working_by_their_duties_into_cooperating_under_a_lead() -> None:
    found = extract_inline_units("发展现代物流(市发改委牵头,各有关部门按职责分工负责)")
    assert found is not None
    assert found.unit_text == {LEAD: ["市发改委"], COOPERATING: ["各有关部门"]}


def test_it_keeps_units_working_by_their_duties_responsible_without_a_lead() -> None:
    found = extract_inline_units("抓好落实(各有关部门按职责分工负责)")
    assert found is not None
    assert found.unit_text == {RESPONSIBLE: ["各有关部门"]}


def test_it_reads_a_lead_working_together_with_others() -> None:
    found = extract_inline_units("实施城市更新行动(由市自然资源局会同市城管局负责)")
    assert found is not None
    assert found.unit_text == {LEAD: ["市自然资源局"], COOPERATING: ["市城管局"]}


def test_it_keeps_parenthesised_second_names_inside_units() -> None:
    found = extract_inline_units("扩大民航运输(市交通局(市机场办)牵头,市农委(市扶贫办)配合)")
    assert found is not None
    assert found.unit_text == {LEAD: ["市交通局(市机场办)"], COOPERATING: ["市农委(市扶贫办)"]}
    assert found.text == "扩大民航运输"


def test_it_does_not_split_unit_lists() -> None:
    found = extract_inline_units("任务(牵头单位:市发改委、市工信局;配合单位:市商务局、市农委等)")
    assert found is not None
    assert found.unit_text[LEAD] == ["市发改委、市工信局"]
    assert found.unit_text[COOPERATING] == ["市商务局、市农委等"]


@pytest.mark.parametrize(
    "text",
    [
        "细颗粒物(PM2.5)浓度下降",
        "各县(市)区政府要抓好落实",
        "研究与试验发展(R&D)经费投入强度达到1.3%",
        "《纲要》(以下简称规划)明确了目标",
        "加快推进(2021—2025年)重点工程",
        "没有括号的普通段落。",
        "",
    ],
)
def test_it_returns_none_without_a_role_word(text: str) -> None:
    assert extract_inline_units(text) is None


def test_it_ignores_prose_in_brackets_that_mentions_a_duty() -> None:
    assert extract_inline_units("建立责任制(各级党委要切实负起领导责任。)") is None


def test_it_picks_the_annotation_after_other_brackets() -> None:
    found = extract_inline_units("细颗粒物(PM2.5)浓度下降(市生态环境局负责)")
    assert found is not None
    assert found.text == "细颗粒物(PM2.5)浓度下降"
    assert found.annotation == "(市生态环境局负责)"


def test_it_returns_none_for_a_bracket_holding_only_a_category() -> None:
    assert parse_annotation("预期性指标") is None


def test_it_splits_a_line_with_several_labels() -> None:
    assert split_labelled("牵头单位:市发改委;配合单位:市财政局。") == [
        (LEAD, "市发改委"),
        (COOPERATING, "市财政局。"),
    ]


@given(st.text(alphabet="市局区委办(())《》,,、。;abc12 ", max_size=60))
def test_it_never_finds_units_in_text_without_role_words(text: str) -> None:
    assert extract_inline_units(text) is None
