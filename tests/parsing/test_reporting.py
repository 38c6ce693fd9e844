from pathlib import Path

import pytest

from tasks_app.parsing.reporting import find_reporting_rule

DOCUMENTS = Path(__file__).resolve().parents[2] / "fixtures" / "documents"


def seed_lines(prefix: str) -> list[str]:
    (path,) = DOCUMENTS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8").splitlines()


def test_it_finds_the_rule_of_the_yingkou_notice():
    lines = seed_lines("002")
    rule = find_reporting_rule(lines)
    assert rule is not None
    assert (rule.month, rule.day, rule.recipient) == (2, 15, "市发展改革委")
    assert rule.previous_year is False
    assert "每年2月中旬前" in rule.text
    assert "每年2月中旬前" in lines[rule.source_line - 1]


@pytest.mark.parametrize("prefix", ["000", "001", "003", "004"])
def test_it_finds_no_rule_in_plans(prefix):
    assert find_reporting_rule(seed_lines(prefix)) is None


def test_it_reads_a_day_and_the_previous_year():
    rule = find_reporting_rule(["前言", "  各单位每年1月10日前将上年度任务落实情况报送市发改委。"])
    assert (rule.month, rule.day, rule.recipient, rule.previous_year) == (1, 10, "市发改委", True)
    assert rule.source_line == 2
    assert rule.text == "各单位每年1月10日前将上年度任务落实情况报送市发改委。"


def test_it_reads_year_end():
    rule = find_reporting_rule(["每年年底前将工作进展报市政府办公室,同时抄送市统计局。"])
    assert (rule.month, rule.day, rule.recipient) == (12, 31, "市政府办公室")


def test_it_reads_a_half_yearly_rule_without_a_day():
    rule = find_reporting_rule(["每半年将进展情况报送市发改委。"])
    assert rule is not None and rule.frequency == "half-yearly"
    assert (rule.month, rule.day, rule.recipient) == (None, None, "市发改委")


def test_it_ignores_a_yearly_date_without_a_report():
    assert find_reporting_rule(["每年2月举办项目推介会。"]) is None


@pytest.mark.parametrize(("part", "day"), [("上旬", 10), ("中旬", 15), ("下旬", 28)])
def test_it_reads_ten_day_parts_in_february(part, day):
    rule = find_reporting_rule([f"每年2月{part}前报送至市发展和改革委员会汇总。"])
    assert (rule.month, rule.day, rule.recipient) == (2, day, "市发展和改革委员会")


def test_it_reads_chinese_numeral_months_and_full_width_punctuation():
    rule = find_reporting_rule(["每年二月底前将上一年完成情况报送区发改局\uff08规划科\uff09\uff0c同时抄送。"])
    assert (rule.month, rule.day, rule.recipient, rule.previous_year) == (2, 28, "区发改局", True)
    assert rule.text.endswith("\uff0c同时抄送。")


def test_it_strips_a_trailing_full_stop_from_the_recipient():
    rule = find_reporting_rule(["每年11月30日前报区政府。"])
    assert (rule.month, rule.day, rule.recipient) == (11, 30, "区政府")
