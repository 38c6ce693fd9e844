"""Indicator tables: flattened one-cell-per-line (000) and pipe rows (004), plus synthetic tables."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tasks_app.parsing.tables import build_columns, parse_tables
from tasks_app.parsing.types import BINDING, DONE, EXPECTED, INDICATOR, NO_DATA, NOT_DONE, StructureResult

DOCS = Path(__file__).resolve().parents[2] / "fixtures" / "documents"


def _lines(name: str) -> list[str]:
    path = next(DOCS.glob(f"{name}_*.txt"))
    return path.read_text(encoding="utf-8").splitlines()


@cache
def _parsed(name: str) -> StructureResult:
    return parse_tables(_lines(name))


def _item(result: StructureResult, title: str):
    return next(i for i in result.items if i.title == title)


def _evaluation(result: StructureResult, name: str):
    return next(e for e in result.evaluations if e.name == name)


# ---------------------------------------------------------------- 000: flattened cells


def test_it_reads_the_16_indicators_of_000_table_2_1() -> None:
    result = _parsed("000")
    assert len(result.items) == 16
    assert Counter(i.kind for i in result.items) == {EXPECTED: 10, BINDING: 6}
    assert [i.number for i in result.items] == [str(n) for n in range(1, 17)]
    assert {i.section for i in result.items} == {"表2-1"}
    section = next(s for s in result.sections if s.key == "表2-1")
    assert section.title == "“十四五”站前区主要经济社会指标规划表"
    assert section.source_lines == (337, 545)
    assert result.warnings == []


def test_it_reads_a_binding_indicator_cell_by_cell() -> None:
    item = _item(_parsed("000"), "基本养老保险参保率")
    assert (item.kind, item.number, item.source_lines) == (BINDING, "9", (451, 461))
    detail = item.indicator
    assert detail is not None
    assert (detail.domain, detail.unit_of_measure) == ("民生发展", "%")
    assert (detail.baseline_text, detail.baseline_year, detail.baseline_value) == ("99.8", 2020, 99.8)
    assert (detail.target_text, detail.target_year, detail.target_value) == ("99.9", 2025, 99.9)
    assert not detail.cumulative and not detail.pending
    assert item.text == "基本养老保险参保率: 2020年 99.8% → 2025年 99.9%"


def test_it_marks_a_bracketed_value_as_cumulative() -> None:
    detail = _item(_parsed("000"), "万元地区生产总值水耗累计降低").indicator
    assert detail is not None
    assert (detail.target_text, detail.target_value, detail.cumulative) == ("[20]", 20.0, True)
    assert (detail.baseline_text, detail.baseline_value) == ("/", None)


def test_it_recovers_a_row_without_unit_cell() -> None:
    item = _item(_parsed("000"), "高新技术企业数量")
    detail = item.indicator
    assert detail is not None
    assert (item.number, item.kind, detail.domain) == ("4", EXPECTED, "高质量发展")
    assert (detail.unit_of_measure, detail.baseline_text, detail.target_text) == ("", "9", "14")


def test_it_keeps_a_textual_target_without_number() -> None:
    detail = _item(_parsed("000"), "城镇调查失业率").indicator
    assert detail is not None
    assert (detail.target_text, detail.target_value, detail.unit_of_measure) == ("达到市级要求", None, "%")


def test_it_counts_000_evaluations_like_the_text_below_the_table() -> None:
    lines = _lines("000")
    result = _parsed("000")
    summary = next(line for line in lines if "规划纲要共提出" in line)
    total = int(re.search(r"共提出(\d+)个", summary).group(1))
    expected = {
        NO_DATA: int(re.search(r"(\d+)项指标无统计", summary).group(1)),
        DONE: int(re.search(r"(\d+)项指标完成", summary).group(1)),
        NOT_DONE: int(re.search(r"(\d+)项指标未完成", summary).group(1)),
    }
    assert len(result.evaluations) == total == 18
    assert Counter(e.status for e in result.evaluations) == expected == {NO_DATA: 6, DONE: 5, NOT_DONE: 7}
    listed = re.search(r"未完成指标包括(.+?),", summary).group(1).split("、")
    assert [e.name for e in result.evaluations if e.status == NOT_DONE] == listed


def test_it_reads_an_evaluation_row_with_domain_split_over_lines() -> None:
    row = _evaluation(_parsed("000"), "地区生产总值")
    assert (row.domain, row.unit_of_measure, row.target_text, row.actual_text) == (
        "综合实力",
        "亿元",
        "207",
        "152",
    )
    assert (row.status, row.category, row.source_lines) == (NOT_DONE, None, (89, 101))
    missing_unit = _evaluation(_parsed("000"), "人均期望寿命")
    assert (missing_unit.unit_of_measure, missing_unit.target_text, missing_unit.actual_text) == (
        "",
        "78",
        "78",
    )
    assert (missing_unit.domain, missing_unit.status) == ("社会民生", DONE)


def test_it_consumes_title_cells_and_note_of_000_tables_only() -> None:
    consumed = _parsed("000").consumed_lines
    assert consumed == set(range(77, 282)) | set(range(337, 546))


# ---------------------------------------------------------------- 004: pipe rows


def test_it_reads_the_38_indicators_of_004_table_2() -> None:
    result = _parsed("004")
    assert len(result.items) == 38
    assert Counter(i.kind for i in result.items) == {EXPECTED: 27, BINDING: 11}
    assert {i.section for i in result.items} == {"表2"}
    assert [s.key for s in result.sections] == ["表1", "表2"]
    assert Counter(i.indicator.domain for i in result.items) == {
        "经济发展": 11,
        "创新驱动": 9,
        "民生福祉": 8,
        "绿色生态": 8,
        "安全保障": 2,
    }


def test_it_reads_a_pending_target_and_the_unit_from_the_name() -> None:
    item = _item(_parsed("004"), "劳动人口平均受教育年限")
    detail = item.indicator
    assert detail is not None
    assert item.kind == BINDING
    assert (detail.unit_of_measure, detail.baseline_text, detail.baseline_value) == ("年", "11", 11.0)
    assert (detail.target_text, detail.target_value, detail.pending) == ("等待省下达", None, True)
    assert item.text == "劳动人口平均受教育年限: 2020年 11年 → 2025年 等待省下达"


def test_it_fills_growth_and_collapsed_cells_of_pipe_rows() -> None:
    result = _parsed("004")
    full = _item(result, "一般公共预算收入").indicator
    assert (full.baseline_text, full.target_text, full.growth_text, full.unit_of_measure) == (
        "69.5",
        "100",
        "7.5%左右",
        "亿元",
    )
    growth_only = _item(result, "地区生产总值").indicator
    assert (growth_only.growth_text, growth_only.target_text, growth_only.unit_of_measure) == (
        "≥6%",
        "",
        "亿元",
    )
    cumulative = _item(result, "万元GDP用水量下降率").indicator
    assert (cumulative.target_text, cumulative.cumulative, cumulative.target_value) == (
        "[12%左右]",
        True,
        None,
    )
    assert _item(result, "地表水达到或好于Ⅲ类水体比例").indicator.pending  # "待待省下达" as written


def test_it_reads_004_table_1_as_binding_evaluations() -> None:
    result = _parsed("004")
    assert len(result.evaluations) == 17
    assert {e.category for e in result.evaluations} == {BINDING}
    waiting = [e.name for e in result.evaluations if e.status == NO_DATA]
    assert waiting == [
        "单位地区生产总值能源消耗降低",
        "非化石能源占一次能源消费比重",
        "单位地区生产总值二氧化碳排放降低",
    ]
    land = _evaluation(result, "新增建设用地规模")
    assert (land.baseline_text, land.target_text, land.actual_text, land.unit_of_measure) == (
        "16.5",
        "26.3",
        "5.8",
        "万亩",
    )
    forest = _evaluation(result, "森林覆盖率")
    assert (forest.target_text, forest.actual_text, forest.status) == ("37.5", "36.4", NOT_DONE)
    cod = _evaluation(result, "氨氮")
    assert (cod.domain, cod.target_text, cod.actual_text, cod.status) == (
        "主要污染物排放总量减少",
        "8.8",
        "15.36",
        DONE,
    )


def test_it_consumes_004_tables_but_not_the_boxes() -> None:
    consumed = _parsed("004").consumed_lines
    assert consumed == set(range(17, 37)) | set(range(69, 115))


@pytest.mark.parametrize("name", ["001", "002", "003"])
def test_it_finds_no_table_in_documents_without_one(name: str) -> None:
    result = _parsed(name)
    assert (result.items, result.evaluations, result.sections, result.consumed_lines) == ([], [], [], set())


# ---------------------------------------------------------------- synthetic tables

FLAT = """前言段落。
表3 主要指标
序号
指标名称
单位
基期值(2020年)
2025年
属性
1
地区生产总值
亿元
100
150
预期性
2
森林覆盖率
40
*
约束性
注:*为待省下达
1.下一节标题""".splitlines()


def test_it_reads_a_synthetic_flattened_table() -> None:
    result = parse_tables(FLAT)
    assert [(i.number, i.title, i.kind) for i in result.items] == [
        ("1", "地区生产总值", EXPECTED),
        ("2", "森林覆盖率", BINDING),
    ]
    forest = result.items[1].indicator
    assert (forest.unit_of_measure, forest.baseline_year, forest.baseline_text, forest.pending) == (
        "",
        2020,
        "40",
        True,
    )
    assert result.consumed_lines == set(range(2, 21))
    assert result.sections[0].key == "表3"


def test_it_reads_a_markdown_pipe_table_without_title() -> None:
    lines = [
        "正文。",
        "| 指标 | 单位 | 2020年 | 2025年 |",
        "|---|---|---|---|",
        "| 人均预期寿命 | 岁 | 78 | 79 |",
        "| 养老床位 | 张 |  | 40 |",
        "后文。",
    ]
    result = parse_tables(lines)
    assert [(i.title, i.kind, i.number) for i in result.items] == [
        ("人均预期寿命", INDICATOR, "1"),
        ("养老床位", INDICATOR, "2"),
    ]
    beds = result.items[1].indicator
    assert (beds.unit_of_measure, beds.baseline_text, beds.target_text, beds.target_value) == (
        "张",
        "",
        "40",
        40.0,
    )
    assert result.consumed_lines == {2, 3, 4, 5}


def test_it_reads_a_two_level_header() -> None:
    columns = build_columns(["指 标", "规划目标", "实际完成", "2015年", "2020年", "年均增速", "2020年", "年均增速"])
    assert [(c.role, c.year) for c in columns] == [
        ("name", None),
        ("baseline", 2015),
        ("target", 2020),
        ("growth", None),
        ("actual", 2020),
        ("actual_growth", None),
    ]


@pytest.mark.parametrize(
    "lines",
    [
        [],
        [""],
        ["表1 没有表头的标题"],
        ["表2 主要指标", "指标名称", "单位", "2025年"],
        ["表2 主要指标", "指标名称", "单位", "2025年", "属性", "只有名称"],
        ["表2 主要指标 |", "指标 | 属性 |", "| | |", "约束性 |", "|||||"],
        ["| 指标 | 2020年 |", "| a | b | c | d | e | f |", "|"],
        ["序号", "指标", "属性", "1", "2", "3", "预期性", "预期性"],
        ["注:只有注释", "表9", "表9", "|"],
    ],
)
def test_it_does_not_raise_on_malformed_tables(lines: list[str]) -> None:
    result = parse_tables(lines)
    assert isinstance(result, StructureResult)


def test_it_does_not_read_paragraphs_as_tables() -> None:
    lines = [
        "表1所列指标见下文。各单位要高度重视,确保完成。",
        "主要指标",
        "地区生产总值增长6%,预期性指标。",
        "森林覆盖率 | 稳定提高 | 由林业局负责",
        "专栏1 重点工程 |",
        "项目一。建设内容 |",
    ]
    result = parse_tables(lines)
    assert (result.items, result.evaluations, result.consumed_lines) == ([], [], set())


CELLS = st.sampled_from(
    ["表1 指标", "指标", "单位", "属性", "2020年", "2025年", "完成情况", "序号", "1", "[20]", "*", "%",
     "约束性", "预期性", "完成", "无统计", "|", "| |", "注:", "", " ", "经济", "等待省下达",
     "指标 | 属性 | 2020年"]
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(CELLS | st.text(max_size=12), max_size=30))
def test_it_never_raises_on_arbitrary_lines(lines: list[str]) -> None:
    result = parse_tables(lines)
    assert all(1 <= n <= len(lines) for n in result.consumed_lines)
