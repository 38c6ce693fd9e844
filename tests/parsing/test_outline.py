"""Tests for the outline parser of plan documents (规划纲要)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tasks_app.parsing.outline import parse_outline
from tasks_app.parsing.types import PROJECT, RESPONSIBLE, TASK, StructureResult

DOCUMENTS = Path(__file__).resolve().parents[2] / "fixtures" / "documents"


def _parse_file(name: str) -> StructureResult:
    (path,) = DOCUMENTS.glob(f"{name}_*.txt")
    return parse_outline(path.read_text(encoding="utf-8").splitlines())


def _levels(result: StructureResult) -> Counter[int]:
    return Counter(s.level for s in result.sections if not s.number.startswith("专栏"))


def _kinds(result: StructureResult) -> Counter[str]:
    return Counter(item.kind for item in result.items)


def _lines(result: StructureResult) -> set[int]:
    return {line for item in result.items for line in range(item.source_lines[0], item.source_lines[1] + 1)}


@pytest.fixture(scope="module")
def seeds() -> dict[str, StructureResult]:
    return {name: _parse_file(name) for name in ("000", "001", "003", "004")}


# --- seed documents -------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "chapters", "sections"), [("001", 9, 33), ("003", 10, 37), ("004", 16, 70)])
def test_it_counts_chapters_and_sections(seeds, name, chapters, sections):
    levels = _levels(seeds[name])
    assert levels[1] == chapters
    assert levels[2] == sections
    assert all(s.number.startswith("第") for s in seeds[name].sections if s.level <= 2)


def test_it_reads_the_45_boxes_of_004_as_project_lists(seeds):
    result = seeds["004"]
    boxes = [s for s in result.sections if s.number.startswith("专栏")]
    assert len(boxes) == 45
    by_key = {s.key: s for s in result.sections}
    assert all(by_key[box.parent].level == 2 and box.level == 3 for box in boxes)
    projects = Counter(item.section for item in result.items if item.kind == PROJECT)
    assert set(projects) == {box.key for box in boxes}
    box = by_key["4/1/专栏4-1"]
    assert (box.title, box.source_lines) == ("高新技术企业重点培育工程", (162, 163))
    titles = [i.title for i in result.items if i.section == box.key]
    assert titles == ["企业数量提升工程", "企业竞争力提升工程"]


def test_it_keeps_a_space_inside_a_box_entry_and_a_group_label_on_its_entry(seeds):
    items = [i for i in seeds["004"].items if i.section == "7/3/专栏7-9"]
    assert items[0].title == "保护传承工程"
    assert "蔓枝草 8 段维修工程 、小虹螺山" in items[0].text
    labelled = [i for i in seeds["004"].items if i.section == "7/3/专栏7-8"]
    assert labelled[0].title.startswith("地标性龙头景区 九门口长城")


def test_it_finds_the_61_annotated_tasks_of_000_each_with_a_responsible_unit(seeds):
    result = seeds["000"]
    tasks = [item for item in result.items if item.kind == TASK]
    assert len(tasks) == 61 == len(result.items)
    assert all(item.unit_text.get(RESPONSIBLE) for item in tasks)
    assert all("责任部门" not in item.text for item in tasks)
    first = tasks[0]
    assert (first.section, first.number, first.title) == ("3/1", "1", "提升城区宜居宜业功能")
    assert first.unit_text == {RESPONSIBLE: ["商务局、住建局、金融局"]}


def test_it_joins_the_paragraphs_an_annotation_closes_when_the_last_has_no_key_phrase(seeds):
    by_lines = {item.source_lines: item for item in seeds["000"].items}
    park = by_lines[(567, 571)]
    assert park.text.count("\n") == 1
    assert park.unit_text == {RESPONSIBLE: ["核翼经开区"]}
    # 587 introduces 4/1; the annotated task is the keyed paragraph 589 alone.
    assert (589, 591) in by_lines


def test_it_skips_the_table_of_contents_and_preface_of_000(seeds):
    result = seeds["000"]
    top = [s for s in result.sections if s.level == 1]
    assert [s.number for s in top] == ["一、", "二、", "三、", "四、", "五、", "六、", "七、", "八、"]
    assert min(s.source_lines[0] for s in result.sections) == 57
    assert not result.warnings


def test_it_uses_the_key_phrase_as_title(seeds):
    by_start = {item.source_lines[0]: item for item in seeds["001"].items}
    item = by_start[101]
    assert item.title == "提高办事效率"
    assert item.text.startswith("提高办事效率。深化“放管服”改革")
    assert (item.section, item.number) == ("3/1", "1")


def test_it_does_not_make_tasks_of_review_and_target_chapters(seeds):
    lines = {name: _lines(result) for name, result in seeds.items()}
    assert not lines["003"] & set(range(1, 43))  # 第一章 发展基础 … 第二章 总体思路与发展目标
    assert not lines["001"] & set(range(1, 93))  # 规划背景, 发展构想
    assert not lines["004"] & set(range(1, 117))  # 发展基础与环境, 总体要求
    assert 7 not in lines["003"]  # "产业结构调整方向明确。…" under 第一节 发展基础


def test_it_drops_section_introductions_web_noise_and_the_closing_exhortation(seeds):
    lines = _lines(seeds["001"])
    assert 99 not in lines  # intro of 第三章第一节, before the keyed paragraphs
    assert 369 not in lines  # "…奋力开启凌河全面建设社会主义现代化新征程!"
    assert not lines & set(range(371, 379))  # 附件 and site notices
    assert not any(s.source_lines[0] > 367 for s in seeds["001"].sections)


def test_it_records_the_task_counts_of_the_undivided_plans(seeds, capsys):
    counts = {name: dict(_kinds(seeds[name])) for name in ("001", "003", "004")}
    with capsys.disabled():
        print(f"\noutline task counts: {counts}")
    assert counts == {"001": {TASK: 76}, "003": {TASK: 95}, "004": {TASK: 216, PROJECT: 200}}


def test_it_gives_unique_keys_and_running_numbers(seeds):
    for result in seeds.values():
        keys = [s.key for s in result.sections]
        assert len(keys) == len(set(keys))
        assert all(item.section in set(keys) for item in result.items)
        per_section: dict[str | None, list[str]] = {}
        for item in result.items:
            per_section.setdefault(item.section, []).append(item.number)
        assert all(numbers == [str(n) for n in range(1, len(numbers) + 1)] for numbers in per_section.values())


def test_it_is_stable_for_the_same_text():
    text = (DOCUMENTS / next(p.name for p in DOCUMENTS.glob("004_*.txt"))).read_text(encoding="utf-8")
    first, second = parse_outline(text.splitlines()), parse_outline(text.splitlines())
    assert [s.key for s in first.sections] == [s.key for s in second.sections]
    assert [(i.section, i.number, i.title) for i in first.items] == [
        (i.section, i.number, i.title) for i in second.items
    ]


# --- synthetic documents ---------------------------------------------------------------------------


def test_it_ignores_skipped_lines_and_pipe_tables():
    lines = [
        "第一章 推动发展",
        "第一节 发展产业",
        "表1 指标 | 属性 |",
        "地区生产总值 | 预期性 | 6% |",
        "壮大工业。推进技改。",
        "这是表格单元",
    ]
    result = parse_outline(lines, skip={6})
    assert [(i.title, i.source_lines) for i in result.items] == [("壮大工业", (5, 5))]


def test_it_treats_a_numbered_line_without_body_as_a_task_and_with_body_as_a_heading():
    lines = [
        "一、加快发展",
        "(一)建设产业体系",
        "1.构建以企业为主体的创新体系",
        "支持企业研发。加大投入。",
        "2.推进园区升级。",
        "3.完善配套设施。",
    ]
    result = parse_outline(lines)
    assert [(s.key, s.level, s.number) for s in result.sections] == [
        ("1", 1, "一、"),
        ("1/1", 2, "(一)"),
        ("1/1/1", 3, "1"),
    ]
    assert [(i.section, i.number, i.title) for i in result.items] == [
        ("1/1/1", "1", "支持企业研发"),
        ("1/1/1", "2", "推进园区升级"),
        ("1/1/1", "3", "完善配套设施"),
    ]


def test_it_skips_a_table_of_contents_without_a_heading_line():
    lines = [
        "第一章 推动改革",
        "第二章 保障措施",
        "",
        "第一章 推动改革",
        "第一节 深化改革",
        "改革要点。正文。",
    ]
    result = parse_outline(lines)
    assert [(s.key, s.source_lines[0]) for s in result.sections] == [("1", 4), ("1/1", 5)]
    assert result.items[0].section == "1/1"
    assert result.warnings


def test_it_reads_a_box_without_pipes_until_a_blank_line():
    lines = [
        "第一章 建设城市",
        "第一节 完善设施",
        "完善道路。推进改造。",
        "专栏1 重大工程",
        "1.道路工程。新建道路10公里。",
        "2.管网工程。改造管网。",
        "",
        "提升品质。加强管理。",
    ]
    result = parse_outline(lines)
    box = result.sections[-1]
    assert (box.key, box.number, box.title, box.parent) == ("1/1/专栏1", "专栏1", "重大工程", "1/1")
    assert [(i.kind, i.section, i.title) for i in result.items] == [
        (TASK, "1/1", "完善道路"),
        (PROJECT, "1/1/专栏1", "道路工程"),
        (PROJECT, "1/1/专栏1", "管网工程"),
        (TASK, "1/1", "提升品质"),
    ]


def test_it_only_takes_annotated_paragraphs_when_the_plan_has_annotations():
    lines = [
        "一、发展产业",
        "(一)现代服务业",
        "本节总体要求,不是任务。",
        "发展商贸。提升商圈。(责任部门:商务局)",
        "金融集聚区建设,引进机构。",
        "扩大规模,形成中心。",
        "(责任部门:金融局、财政局)",
        "没有标注的段落。",
    ]
    result = parse_outline(lines)
    assert [(i.title, i.source_lines, i.unit_text) for i in result.items] == [
        ("发展商贸", (4, 4), {RESPONSIBLE: ["商务局"]}),
        ("金融集聚区建设,引进机构", (5, 7), {RESPONSIBLE: ["金融局、财政局"]}),
    ]
    assert result.items[1].text == "金融集聚区建设,引进机构。\n扩大规模,形成中心。"
    assert result.items[0].text == "发展商贸。提升商圈。"


def test_it_keeps_paragraphs_under_development_basis_out_of_the_tasks():
    lines = [
        "第一章 发展基础",
        "第一节 主要成就",
        "经济实力增强。生产总值增长。",
        "第二章 加快发展",
        "第一节 发展产业",
        "本节引言,统领全节。",
        "做强工业。推进技改。",
        "壮大服务业。发展商贸。",
    ]
    result = parse_outline(lines)
    assert [(i.section, i.title) for i in result.items] == [("2/1", "做强工业"), ("2/1", "壮大服务业")]


def test_it_cuts_long_titles_at_a_clause_boundary():
    body = "围绕全区重点产业发展需要,持续加大招商引资力度,着力引进一批带动能力强的龙头企业和配套项目,形成集群。"
    result = parse_outline(["第一章 发展", "第一节 招商", body])
    title = result.items[0].title
    assert len(title) <= 40
    assert title == "围绕全区重点产业发展需要,持续加大招商引资力度"


def test_it_ignores_glossaries_and_attachments():
    lines = ["第一章 发展", "第一节 产业", "壮大产业。推进。", "名词解释", "1.数字经济:指……", "2.新基建:指……"]
    result = parse_outline(lines)
    assert len(result.items) == 1
    assert len(result.sections) == 2


def test_it_ends_a_table_of_contents_when_its_first_entry_recurs():
    lines = [
        "目  录",
        "第一章 推动改革",
        "第二章 保障措施……12",
        "第一章 推动改革",
        "第一节 深化改革",
        "改革。正文。",
    ]
    result = parse_outline(lines)
    assert [(s.key, s.source_lines) for s in result.sections] == [("1", (4, 6)), ("1/1", (5, 6))]
    assert [i.source_lines for i in result.items] == [(6, 6)]
