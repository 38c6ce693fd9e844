from pathlib import Path

import pytest

from tasks_app.parsing.reporting import due_points, find_reporting_rule, period_due_date, period_labels, rule_as_json

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


@pytest.mark.parametrize(
    ("text", "frequency", "month", "day", "recipient", "dues_2022"),
    [
        ("各牵头单位要于每季度最后一个月25日前将工作进展情况报送市营商局。", "quarterly", None, 25, "市营商局",
         ["2022-03-25", "2022-06-25", "2022-09-25", "2022-12-25"]),
        ("请各单位每月25日前报送当月工作进展情况至市政府督查室。", "monthly", None, 25, "市政府督查室",
         ["2022-01-25", "2022-02-25"]),
        ("各责任单位于7月5日前和次年1月10日前分别将半年和全年工作落实情况报市政府办公室。", "half-yearly", 1, 10,
         "市政府办公室", ["2022-07-05", "2023-01-10"]),
        ("每年1月10日前将上年度任务落实情况报送市发改委。", "yearly", 1, 10, "市发改委", ["2023-01-10"]),
        ("在每年2月中旬前将《纲要》主要目标和任务完成情况报送市发展改革委汇总后上报市政府。", "yearly", 2, 15,
         "市发展改革委", ["2023-02-15"]),
        ("每季度结束后10日内将进展情况报区发展改革局。", "quarterly", None, 10, "区发展改革局",
         ["2022-04-10", "2022-07-10"]),
    ],
)  # fmt: skip
def test_it_reads_every_reporting_cadence(text, frequency, month, day, recipient, dues_2022):
    rule = find_reporting_rule(["二、工作要求", text])
    assert (rule.frequency, rule.month, rule.day, rule.recipient) == (frequency, month, day, recipient)
    assert rule.text == text and rule.source_line == 2
    labels = period_labels(frequency, 2022)
    assert [period_due_date(label, rule.due).isoformat() for label in labels][: len(dues_2022)] == dues_2022


def test_it_keeps_the_yearly_day_beside_a_finer_cadence():
    rule = find_reporting_rule(
        ["每季度最后一个月25日前报送季度进展情况至市发改委;每年1月10日前将上年度总结报送市发改委。"]
    )
    assert (rule.frequency, rule.month, rule.day, rule.previous_year) == ("quarterly", 1, 10, True)


def test_it_stores_and_restores_a_rule_as_json():
    rule = find_reporting_rule(["于7月5日前和次年1月10日前分别报送半年和全年工作情况至市发改委。"])
    stored = rule_as_json(rule)
    assert stored["frequency"] == "half-yearly"
    assert period_due_date("2024H2", due_points(stored)).isoformat() == "2025-01-10"
