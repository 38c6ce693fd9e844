"""The parsing entry point: layout dispatch, enrichment, and robustness on any input."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tasks_app.parsing.document import parse_bytes, parse_text
from tasks_app.parsing.types import ParsedDocument, ParseError
from tasks_app.parsing.units import normalize_unit_name
from tests.conftest import DOCUMENTS

HERE = DOCUMENTS.parent.parent / "tests" / "parsing" / "documents"

# Fragments of real documents so generated text often looks like one and reaches deep code paths.
FRAGMENTS = [
    "营口市国民经济和社会发展第十三个五年规划纲要",
    "关于落实《营口市国民经济和社会发展第十四个五年规划纲要》主要目标和任务工作分工的通知",
    "一、落实主要指标分工安排",
    "(一)约束性指标",
    "1.耕地保有量171万亩。",
    "牵头单位:市发展改革委",
    "配合单位:市财政局、各县(市)区政府等",
    "责任单位:市环保局。",
    "第三章 建设现代产业体系",
    "第一节 做强先进制造业",
    "专栏1 重大工程",
    "| 指标 | 属性 | 2020年 | 2025年 |",
    "|---|---|---|---|",
    "| 地区生产总值 | 预期性 | 100 | [20] |",
    "(责任部门:商务局、住建局)",
    "(市发改委牵头,市财政局配合)",
    "到2023年底前完成。",
    "每年2月中旬前将上年度落实情况报送市发展改革委。",
    "表2-1",
    "约束性",
    "预期性",
    "",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=40)), max_size=40))
def test_it_returns_a_document_or_a_clear_parse_error_for_any_text(parts):
    text = "\n".join(parts)
    try:
        doc = parse_text(text, filename="fuzz.txt")
    except ParseError as exc:
        assert str(exc).strip()
        assert "\n" not in str(exc)
        return
    assert isinstance(doc, ParsedDocument)
    for item in doc.items:
        assert item.deadline is not None
        first, last = item.source_lines
        assert first <= last


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=2000))
def test_it_never_crashes_on_arbitrary_bytes(data):
    for name in ("x.txt", "x.xlsx"):
        try:
            parse_bytes(data, filename=name)
        except ParseError as exc:
            assert str(exc).strip()


def test_it_reads_the_inline_label_layout():
    doc = parse_text((HERE / "inline_labels.txt").read_text(encoding="utf-8"), filename="inline_labels.txt")
    assert doc.layout == "inline-units"
    assert doc.items
    assert all(item.units.get("lead") or item.units.get("responsible") for item in doc.items)


def test_it_reads_the_trailing_parentheses_layout():
    doc = parse_text((HERE / "trailing_parens.txt").read_text(encoding="utf-8"), filename="trailing_parens.txt")
    leads = [item.units.get("lead") for item in doc.items if item.units.get("lead")]
    assert leads
    assert any(item.units.get("cooperating") for item in doc.items)


def test_it_defaults_the_deadline_to_the_plan_end_and_marks_it():
    doc = parse_text((DOCUMENTS / "002_72dfb345852fffd3.txt").read_text(encoding="utf-8"))
    plain = next(item for item in doc.items if not item.milestones)
    assert plain.deadline == date(2020, 12, 31) and plain.deadline_defaulted
    dated = next(item for item in doc.items if "到2016年底" in item.text)
    assert dated.deadline == date(2016, 12, 31) and not dated.deadline_defaulted


def test_it_flags_pending_indicator_targets_in_a_notice():
    doc = parse_text((DOCUMENTS / "002_72dfb345852fffd3.txt").read_text(encoding="utf-8"))
    land = next(item for item in doc.items if item.text.startswith("新增建设用地"))
    assert land.indicator is not None and land.indicator.pending
    forest = next(item for item in doc.items if item.text.startswith("耕地保有量"))
    assert forest.indicator.target_value == 171 and forest.indicator.unit_of_measure == "万亩"


FULL_WIDTH = {ord("("): "（", ord(")"): "）", ord(":"): "：", ord(","): "，", ord(";"): "；"}


def _unit_keys(item):
    return {role: [normalize_unit_name(name) for name in names] for role, names in item.units.items()}


def test_it_reads_full_width_punctuation_like_ascii():
    ascii_text = (DOCUMENTS / "002_72dfb345852fffd3.txt").read_text(encoding="utf-8")
    ascii_doc = parse_text(ascii_text)
    full_doc = parse_text(ascii_text.translate(FULL_WIDTH))
    assert [(i.kind, _unit_keys(i), i.source_lines) for i in full_doc.items] == [
        (i.kind, _unit_keys(i), i.source_lines) for i in ascii_doc.items
    ]
    trailing = (HERE / "trailing_parens.txt").read_text(encoding="utf-8")
    assert [_unit_keys(i) for i in parse_text(trailing.translate(FULL_WIDTH)).items] == [
        _unit_keys(i) for i in parse_text(trailing).items
    ]


def test_it_keeps_unit_names_as_written():
    ascii_text = (DOCUMENTS / "002_72dfb345852fffd3.txt").read_text(encoding="utf-8")
    ascii_names = {n for i in parse_text(ascii_text).items for names in i.units.values() for n in names}
    full_names = {
        n for i in parse_text(ascii_text.translate(FULL_WIDTH)).items for names in i.units.values() for n in names
    }
    assert "市农委(市扶贫办)" in ascii_names and "市农委（市扶贫办）" not in ascii_names
    assert "市农委（市扶贫办）" in full_names


def test_it_reads_a_yearly_task_list_issued_without_units_as_undivided():
    doc = parse_text((HERE / "undivided_yearly_tasks.txt").read_text(encoding="utf-8"), filename="tasks.txt")
    assert (doc.kind, doc.layout, doc.jurisdiction, doc.period_start, doc.period_end) == (
        "notice",
        "outline",
        "盖州市",
        2024,
        2024,
    )
    assert len(doc.items) == 7 and not any(item.units for item in doc.items)
    assert [item.number for item in doc.items] == ["1", "2", "3", "4", "5", "6", "7"]  # (一)…(七), as written
    assert any("没有识别出任何单位" in warning for warning in doc.warnings)
    bonds = next(item for item in doc.items if "专项债券" in item.text)
    assert bonds.deadline == date(2024, 6, 30) and not bonds.deadline_defaulted
    assert doc.reporting is not None and doc.reporting.frequency == "quarterly"
