"""Division notices (tasks_app.parsing.notice) on the 营口 notice and on small layout samples."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tasks_app.parsing.notice import LAYOUT_INLINE, LAYOUT_UNIT_LINES, detect_layout, make_title, parse_notice
from tasks_app.parsing.types import (
    BINDING,
    COOPERATING,
    EXPECTED,
    LEAD,
    PROJECT,
    RESPONSIBLE,
    TASK,
    ParseError,
    StructureResult,
)

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "fixtures" / "documents"
SAMPLES = Path(__file__).resolve().parent / "documents"
UNIT_LINE = re.compile(r"^\s*(牵头单位|配合单位|责任单位)[::]")


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def yingkou_lines() -> list[str]:
    return _lines(SEEDS / "002_72dfb345852fffd3.txt")


@pytest.fixture(scope="module")
def yingkou(yingkou_lines: list[str]) -> StructureResult:
    return parse_notice(yingkou_lines)


# ---------------------------------------------------------------- 002, unit-line layout


def test_it_detects_the_unit_line_layout(yingkou_lines: list[str]) -> None:
    assert detect_layout(yingkou_lines) == LAYOUT_UNIT_LINES


def test_it_finds_twelve_binding_and_sixteen_expected_indicators(yingkou: StructureResult) -> None:
    binding = [item for item in yingkou.items if item.kind == BINDING]
    expected = [item for item in yingkou.items if item.kind == EXPECTED]
    assert len(binding) == 12
    assert len(expected) == 16
    assert [item.number for item in binding] == [str(n) for n in range(1, 13)]
    assert {item.section for item in binding} == {"二/(一)"}
    assert {item.section for item in expected} == {"二/(二)"}


def test_it_finds_192_tasks_under_eighteen_headings(yingkou: StructureResult) -> None:
    tasks = [item for item in yingkou.items if item.kind in (TASK, PROJECT)]
    assert len(tasks) == 192
    headings = {item.section.split("/")[1] for item in tasks}
    assert len(headings) == 18
    assert all(item.section.startswith("三/") for item in tasks)


def test_it_closes_one_item_per_unit_block(yingkou_lines: list[str], yingkou: StructureResult) -> None:
    blocks = sum(
        1
        for index, line in enumerate(yingkou_lines)
        if UNIT_LINE.match(line) and (index == 0 or not UNIT_LINE.match(yingkou_lines[index - 1]))
    )
    assert blocks == 220
    assert len(yingkou.items) == 220


def test_it_gives_every_item_a_lead_or_a_responsible_unit(yingkou: StructureResult) -> None:
    assert all(item.unit_text.get(LEAD) or item.unit_text.get(RESPONSIBLE) for item in yingkou.items)


def test_it_keeps_responsible_followed_by_cooperating(yingkou: StructureResult) -> None:
    both = [item for item in yingkou.items if RESPONSIBLE in item.unit_text and COOPERATING in item.unit_text]
    assert len(both) == 4
    forest = next(item for item in both if item.text.startswith("深化集体林权制度改革"))
    assert forest.unit_text == {RESPONSIBLE: ["市林业局"], COOPERATING: ["市不动产登记中心"]}


def test_it_keeps_the_boiler_task_inside_one_item(yingkou: StructureResult) -> None:
    phrase = "到2016年底,全面取缔建成区10吨及以下老旧低效锅炉"
    holders = [item for item in yingkou.items if phrase in item.text]
    assert len(holders) == 1
    assert holders[0].unit_text[LEAD] == ["市环保局、市公用事业局"]


def test_it_keeps_raw_unit_strings_one_per_line(yingkou: StructureResult) -> None:
    energy = next(item for item in yingkou.items if item.kind == BINDING and item.number == "7")
    assert energy.unit_text == {
        LEAD: ["市发展改革委"],
        COOPERATING: ["市工信委、市住房城乡建设委、市交通局、市商务局、市农委等"],
    }
    urban = next(item for item in yingkou.items if item.kind == EXPECTED and item.number == "6")
    assert urban.unit_text[LEAD] == ["市住房城乡建设委。"]  # the trailing 。 is the splitter's business


def test_it_spans_source_lines_over_text_and_units(yingkou_lines: list[str], yingkou: StructureResult) -> None:
    for item in yingkou.items:
        first, last = item.source_lines
        assert first <= last
        assert UNIT_LINE.match(yingkou_lines[last - 1])
        assert not UNIT_LINE.match(yingkou_lines[first - 1])
    indicator = yingkou.items[0]
    assert indicator.source_lines == (17, 18)
    assert indicator.text == "劳动年龄人口平均受教育年限达到11.2年。"


def test_it_joins_several_paragraphs_before_one_unit_block(yingkou: StructureResult) -> None:
    east = next(item for item in yingkou.items if item.text.startswith("按照“工业反哺农业"))
    assert len(east.text.split("\n")) == 3
    assert east.unit_text[COOPERATING] == ["营口市东部振兴领导小组成员单位"]
    farming = next(item for item in yingkou.items if item.text.startswith("深入推进农业结构调整"))
    assert "专栏2 “一带二区两园”农业发展格局" in farming.text
    assert "专栏3 农副产品加工业发展方向与布局" in farming.text
    assert farming.kind == TASK


def test_it_reads_numbered_lines_under_tasks_as_sections(yingkou: StructureResult) -> None:
    keys = {section.key: section for section in yingkou.sections}
    first = keys["三/(一)/1"]
    assert first.title == "构建以企业为主体的创新体系"
    assert first.level == 3
    assert first.parent == "三/(一)"
    assert keys["三"].level == 1
    assert not any(item.text.startswith("构建以企业为主体的创新体系") for item in yingkou.items)


def test_it_reads_a_box_with_its_own_unit_blocks_as_projects(yingkou: StructureResult) -> None:
    box = next(section for section in yingkou.sections if section.key == "三/(一)/5/专栏1")
    assert box.level == 4
    assert box.number == "专栏1"
    projects = [item for item in yingkou.items if item.section == box.key]
    assert len(projects) == 10
    assert all(item.kind == PROJECT for item in projects)
    assert projects[0].title == "“互联网+”协同制造"
    assert [item.number for item in projects] == [str(n) for n in range(1, 11)]


def test_it_reads_a_bare_box_title_with_units_as_a_project(yingkou: StructureResult) -> None:
    box = next(item for item in yingkou.items if item.text == "专栏4 重大工业项目")
    assert box.kind == PROJECT
    assert box.section == "三/(四)/2"


def test_it_numbers_tasks_within_their_section(yingkou: StructureResult) -> None:
    section = [item for item in yingkou.items if item.section == "三/(一)/2"]
    assert [item.number for item in section] == ["1", "2", "3"]
    assert section[0].title == "加强孵化器建设"


def test_it_skips_headings_without_items(yingkou: StructureResult) -> None:
    keys = {section.key for section in yingkou.sections}
    assert "一" not in keys and "四" not in keys
    assert not any(key.startswith(("一/", "四/")) for key in keys)
    assert {"二", "二/(一)", "二/(二)", "三"} <= keys
    assert all(item.section in keys for item in yingkou.items)
    assert yingkou.warnings == []


def test_it_keeps_titles_short(yingkou: StructureResult) -> None:
    assert all(0 < len(item.title) <= 41 for item in yingkou.items)
    poverty = next(item for item in yingkou.items if item.kind == BINDING and item.number == "2")
    assert poverty.title == "到2020年,确保3.86万国标贫困人口全部实现脱贫"


# ---------------------------------------------------------------- inline layouts


def test_it_reads_inline_labels_with_categories() -> None:
    lines = _lines(SAMPLES / "inline_labels.txt")
    assert detect_layout(lines) == LAYOUT_INLINE
    result = parse_notice(lines)
    kinds = [(item.kind, item.number, item.section) for item in result.items]
    assert kinds == [
        (EXPECTED, "(一)", "一"),
        (BINDING, "(二)", "一"),
        (EXPECTED, "(三)", "一"),
        (TASK, "1", "二/(一)"),
        (TASK, "2", "二/(一)"),
        (TASK, "1", "二/(二)"),
    ]
    gdp = result.items[0]
    assert gdp.text == "地区生产总值年均增长6%左右。"
    assert gdp.unit_text == {LEAD: ["市发改委"], RESPONSIBLE: ["市统计局、市财政局"]}
    assert gdp.source_lines == (4, 4)


def test_it_closes_paragraphs_with_an_annotation_on_its_own_line() -> None:
    result = parse_notice(_lines(SAMPLES / "inline_labels.txt"))
    platform = result.items[4]
    assert platform.text == "加快创新平台建设,细颗粒物(PM2.5)监测平台纳入智慧城市。"
    assert platform.unit_text == {RESPONSIBLE: ["市生态环境局、市交通局(市机场办)"]}
    assert platform.source_lines == (10, 11)
    assert [section.key for section in result.sections] == ["一", "二", "二/(一)", "二/(二)"]


def test_it_reads_trailing_lead_cooperating_and_responsible_clauses() -> None:
    result = parse_notice(_lines(SAMPLES / "trailing_parens.txt"))
    by_title = {item.title: item for item in result.items}
    industry = by_title["实施制造业升级行动"]
    assert industry.unit_text == {LEAD: ["市工信局"], COOPERATING: ["市发改委、市科技局"]}
    assert by_title["实施制造业升级行动"].number == "1"
    assert by_title["推动服务业扩容提质"].unit_text == {LEAD: ["市商务局"], COOPERATING: ["各有关部门"]}
    assert by_title["优化机构编制资源配置"].unit_text == {RESPONSIBLE: ["市编委办"]}
    assert by_title["推进老旧小区改造"].unit_text == {RESPONSIBLE: ["市住建局、市财政局"]}
    assert by_title["实施城市更新行动"].unit_text == {LEAD: ["市自然资源局"], COOPERATING: ["市城管局"]}


def test_it_drops_lead_in_lines_and_reads_unannotated_headings_as_sections() -> None:
    result = parse_notice(_lines(SAMPLES / "trailing_parens.txt"))
    assert len(result.items) == 6
    assert not any("以下工作" in item.text for item in result.items)
    keys = [section.key for section in result.sections]
    assert keys == ["一", "二", "二/(一)", "二/(二)", "二/(二)/1"]
    village = result.items[-1]
    assert village.section == "二/(二)/1"
    assert village.source_lines == (16, 17)
    assert village.unit_text[COOPERATING] == ["市生态环境局、各县(市)区政府"]


def test_it_reads_the_district_plan_with_responsible_department_lines() -> None:
    result = parse_notice(_lines(SEEDS / "000_aeb35f2bbea0796b.txt"))
    assert len(result.items) == 61
    assert all(list(item.unit_text) == [RESPONSIBLE] for item in result.items)


# ---------------------------------------------------------------- errors and helpers


@pytest.mark.parametrize("name", ["001_821d0610ff899f65.txt", "003_11601b642c36ea08.txt"])
def test_it_refuses_a_plan_without_units(name: str) -> None:
    with pytest.raises(ParseError, match="No assigned item"):
        parse_notice(_lines(SEEDS / name))


def test_it_refuses_empty_input() -> None:
    with pytest.raises(ParseError):
        parse_notice([])


def test_it_warns_about_units_without_text() -> None:
    result = parse_notice(["牵头单位:市发改委", "一、任务", "推进改革。", "责任单位:市财政局"])
    assert len(result.items) == 1
    assert result.warnings == ["Line 1: units without an item text before them; ignored."]


def test_it_joins_unit_lines_across_a_blank_line() -> None:
    result = parse_notice(["一、任务", "推进改革。", "牵头单位:市发改委", "", "配合单位:市财政局"])
    assert len(result.items) == 1
    assert result.items[0].unit_text == {LEAD: ["市发改委"], COOPERATING: ["市财政局"]}
    assert result.items[0].source_lines == (2, 5)


def test_it_makes_titles_from_the_first_clause() -> None:
    assert make_title("加强孵化器建设。推进孵化器转型升级") == "加强孵化器建设"
    quoted = "按照“工业反哺农业,城市帮扶乡村”的原则"
    assert make_title(quoted + ",建立机制") == quoted
    assert len(make_title("很" * 80)) == 41
