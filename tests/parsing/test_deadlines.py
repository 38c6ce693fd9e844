from datetime import date

import pytest

from tasks_app.parsing.deadlines import (
    cn_number,
    compute_deadline,
    extract_milestones,
    five_year_plan_years,
    half_width,
)
from tasks_app.parsing.types import Milestone


def dates(text: str, plan_year: int = 2016, period_end: int = 2020) -> list[tuple[date, str]]:
    return [(m.date, m.text) for m in extract_milestones(text, plan_year=plan_year, period_end=period_end)]


def test_it_reads_end_of_year_with_dao():
    assert dates("加快除尘改造。到2016年底,全面取缔燃煤小锅炉。") == [(date(2016, 12, 31), "到2016年底")]


def test_it_reads_end_of_year_before():
    assert dates("2016年底前完成清理") == [(date(2016, 12, 31), "2016年底前")]


def test_it_reads_year_end_written_mo():
    assert dates("2020年末基本建成") == [(date(2020, 12, 31), "2020年末")]


def test_it_reads_dao_year_as_its_last_day():
    assert dates("到2020年,确保3.86万国标贫困人口全部实现脱贫。") == [(date(2020, 12, 31), "到2020年")]


def test_it_reads_end_of_month_before():
    assert dates("2022年6月底前完成", plan_year=2022, period_end=2025) == [(date(2022, 6, 30), "2022年6月底前")]


def test_it_reads_month_alone_as_its_last_day():
    assert dates("2022年6月完成验收", plan_year=2022, period_end=2025) == [(date(2022, 6, 30), "2022年6月")]


def test_it_reads_dao_end_of_year():
    assert dates("到2023年底,建成区全覆盖", plan_year=2021, period_end=2025) == [(date(2023, 12, 31), "到2023年底")]


def test_it_reads_february_end_in_a_leap_year_as_the_29th():
    assert dates("2024年2月底前", plan_year=2021, period_end=2025) == [(date(2024, 2, 29), "2024年2月底前")]
    assert dates("2023年2月下旬", plan_year=2021, period_end=2025) == [(date(2023, 2, 28), "2023年2月下旬")]


@pytest.mark.parametrize(("part", "day"), [("上旬", 10), ("中旬", 15), ("下旬", 31)])
def test_it_reads_ten_day_parts_of_a_month(part, day):
    assert dates(f"2023年3月{part}前报送", plan_year=2021, period_end=2025)[0][0] == date(2023, 3, day)


def test_it_reads_an_explicit_day():
    assert dates("2016年12月31日前") == [(date(2016, 12, 31), "2016年12月31日前")]


def test_it_reads_nian_nei_as_the_plan_year():
    assert dates("年内完成机构调整", plan_year=2017) == [(date(2017, 12, 31), "年内")]


def test_it_does_not_read_five_years_or_every_year_as_nian_nei():
    assert dates("五年内建成,每年年底前报告") == []


@pytest.mark.parametrize("phrase", ["“十三五”期间", "“十三五”末期", "十三五末", "“十三五”时期"])
def test_it_reads_thirteenth_plan_phrases_as_2020(phrase):
    assert dates(f"{phrase}城乡低保标准每年提高7%") == [(date(2020, 12, 31), phrase)]


def test_it_computes_any_five_year_plan():
    assert five_year_plan_years(13) == (2016, 2020)
    assert five_year_plan_years(14) == (2021, 2025)
    assert five_year_plan_years(15) == (2026, 2030)
    assert dates("“十四五”期末", plan_year=2021, period_end=2025) == [(date(2025, 12, 31), "“十四五”期末")]


def test_it_ignores_a_past_plan_in_a_newer_plan():
    assert dates("“十三五”时期取得显著成就", plan_year=2021, period_end=2025) == []


def test_it_reads_plan_period_end_phrase():
    assert dates("规划期末达到全省平均水平", plan_year=2021, period_end=2025) == [(date(2025, 12, 31), "规划期末")]


def test_it_reads_a_range_as_its_end():
    assert dates("2016—2020年累计完成") == [(date(2020, 12, 31), "2016—2020年")]


@pytest.mark.parametrize(
    "text",
    [
        "单位工业增加值能耗比2015年下降12%",
        "较2020年增长5%",
        "自2016年以来累计投资",
        "与2015年相比下降18%",
        "以2015年为基数计算",
        "2016年的基础上",
        "2016年起实施",
        "2016年开始试点",
        "2016年以来",
        "从2017年起推行",
        "规划和2035年远景目标纲要",
        "二〇三五年远景目标",
    ],
)
def test_it_rejects_comparison_and_starting_years(text):
    assert dates(text) == []


def test_it_reads_chinese_numeral_year_only_after_dao():
    assert dates("到二〇三五年,基本实现现代化") == [(date(2035, 12, 31), "到二〇三五年")]


def test_it_rejects_years_outside_a_sane_window():
    assert dates("到1899年底,到2200年") == []


def test_it_drops_past_years_that_only_report_history():
    assert dates("2015年,全市地区生产总值达到1500亿元", plan_year=2016) == []
    assert dates("统计符合2000年年底竣工的老旧小区", plan_year=2021, period_end=2025) == []


def test_it_keeps_early_plan_deadlines_when_the_notice_is_issued_late():
    found = dates("到2022年底前,完成集中整治", plan_year=2025, period_end=2025)
    assert found == [(date(2022, 12, 31), "到2022年底前")]


def test_it_accepts_full_width_punctuation_and_keeps_the_phrase_as_written():
    text = "\uff08到2016\u3000年底\uff09"
    assert half_width(text) == "(到2016 年底)"
    assert dates(text) == [(date(2016, 12, 31), "到2016\u3000年底")]


def test_it_deduplicates_by_date_and_keeps_order():
    found = dates("到2020年,建成一批;2018年6月底前启动;“十三五”末期全面完成")
    assert found == [(date(2020, 12, 31), "到2020年"), (date(2018, 6, 30), "2018年6月底前")]


def test_it_reads_quarters_and_half_years():
    assert dates("2022年一季度", plan_year=2021, period_end=2025)[0][0] == date(2022, 3, 31)
    assert dates("2022年上半年", plan_year=2021, period_end=2025)[0][0] == date(2022, 6, 30)


def test_it_reads_small_chinese_numbers():
    assert [cn_number(t) for t in ("四", "十", "十三", "二十一", "12", "百")] == [4, 10, 13, 21, 12, None]


def test_it_takes_the_latest_milestone_as_deadline():
    milestones = [Milestone(date(2020, 12, 31), "到2020年"), Milestone(date(2018, 6, 30), "2018年6月底前")]
    assert compute_deadline(milestones, period_end=2020) == (date(2020, 12, 31), "到2020年", False)


def test_it_defaults_to_the_plan_end_without_milestones():
    assert compute_deadline([], period_end=2025) == (date(2025, 12, 31), None, True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("争取专项债券资金,6月底前完成首批发行", [(date(2024, 6, 30), "6月底前")]),
        ("9月30日前完成验收", [(date(2024, 9, 30), "9月30日前")]),
        ("三季度末前建成投用", [(date(2024, 9, 30), "三季度末前")]),
        ("上半年开工建设", [(date(2024, 6, 30), "上半年")]),
        ("5月中旬前完成招标", [(date(2024, 5, 15), "5月中旬前")]),
        ("10月前全面完成,年底前验收", [(date(2024, 10, 31), "10月前"), (date(2024, 12, 31), "年底前")]),
    ],
)
def test_it_reads_months_and_quarters_without_a_year_as_the_plan_year(text, expected):
    assert dates(text, plan_year=2024, period_end=2024) == expected


@pytest.mark.parametrize(
    "text",
    ["每年6月底前报送进展", "次年3月底前完成审计", "3月份启动", "1-6月份累计增长5%", "建设周期12个月", "4季度"],
)
def test_it_sets_no_milestone_for_recurring_or_bare_months(text):
    assert dates(text, plan_year=2024, period_end=2024) == []


def test_it_reads_a_dated_month_once_not_again_without_its_year():
    assert dates("2025年6月底前完成", plan_year=2024, period_end=2025) == [(date(2025, 6, 30), "2025年6月底前")]
