"""The five-year path and its statuses on cases computed by hand (rules.indicators.indicator_progress).

Every plan here runs 2021–2025 from a 2020 baseline (n = 5 years), tolerance ±5% of the step unless said.
"""

from __future__ import annotations

import pytest

from tasks_app.rules import indicator_path as paths
from tasks_app.rules.indicators import (
    AHEAD,
    BEHIND,
    MET_EARLY,
    NO_DATA,
    NOT_MET,
    ON_PATH,
    UNDECIDED,
    IndicatorFacts,
    indicator_progress,
    indicator_verdict,
)


def facts(title, target_text, target, *, baseline=None, actuals=None, **more) -> IndicatorFacts:
    return IndicatorFacts(
        title=title,
        target_text=target_text,
        target_value=target,
        cumulative=more.pop("cumulative", False),
        pending=more.pop("pending", False),
        actuals={year: (str(value), float(value)) for year, value in (actuals or {}).items()},
        baseline_value=baseline,
        baseline_year=2020,
        target_year=2025,
        **more,
    )


def progress(f: IndicatorFacts, year: int, **options):
    return indicator_progress(f, year=year, period_start=2021, period_end=2025, **options)


# 常住人口城镇化率 60% (2020) → 70% (2025): E(2023) = 60 + 10·3/5 = 66; band = 0.05·10 = 0.5
SHARE = ("常住人口城镇化率", "70%", 70.0)


@pytest.mark.parametrize(
    ("actual", "status"), [(66.3, ON_PATH), (67, AHEAD), (65, BEHIND), (70.5, MET_EARLY), (65.5, ON_PATH)]
)
def test_it_judges_a_linear_share_against_its_path(actual, status):
    result = progress(facts(*SHARE, baseline=60, actuals={2023: actual}), 2023)
    assert result.shape == paths.LINEAR
    assert result.expected == pytest.approx(66)
    assert result.status == status


def test_it_computes_the_linear_trend_still_needed_vs_achieved():
    result = progress(facts(*SHARE, baseline=60, actuals={2023: 65}), 2023)
    assert result.pace.achieved == pytest.approx(5 / 3)  # (65 − 60) / 3 years
    assert result.pace.needed == pytest.approx(2.5)  # (70 − 65) / 2 years left
    assert result.pace.likely is False


def test_it_lets_the_offices_yearly_target_override_the_path():
    f = facts(*SHARE, baseline=60, actuals={2023: 66.3}, yearly_targets={2023: 67.0})
    result = progress(f, 2023)
    assert (result.expected, result.status) == (67.0, BEHIND)  # 66.3 − 67 = −0.7 < −0.5
    assert result.points[2].yearly_target is True


def test_it_widens_the_band_with_the_plans_tolerance():
    assert progress(facts(*SHARE, baseline=60, actuals={2023: 65}), 2023, tolerance=0.10).status == ON_PATH


def test_it_says_faster_not_early_in_the_target_year():
    assert progress(facts(*SHARE, baseline=60, actuals={2025: 71}), 2025).status == AHEAD


def test_it_follows_a_compound_path_when_a_growth_rate_is_stated():
    # 地区生产总值 100 亿元, 年均增速 6%, no target figure: t = 100·1.06⁵ = 133.8226; E(2022) = 112.36
    base = facts("地区生产总值", "", None, baseline=100.0, growth_text="6")
    on = progress(facts("地区生产总值", "", None, baseline=100.0, growth_text="6", actuals={2022: 111}), 2022)
    assert on.shape == paths.COMPOUND
    assert on.target == pytest.approx(133.8226, abs=1e-4)
    assert on.expected == pytest.approx(112.36)
    assert on.status == ON_PATH  # 111 − 112.36 = −1.36, band 0.05·33.82 = 1.691
    behind = progress(facts("地区生产总值", "", None, baseline=100.0, growth_text="6", actuals={2022: 110}), 2022)
    assert behind.status == BEHIND  # −2.36
    assert behind.pace.measure == paths.PERCENT
    assert behind.pace.achieved == pytest.approx(4.8809, abs=1e-4)  # √1.1 − 1
    assert behind.pace.needed == pytest.approx(6.7527, abs=1e-4)  # ∛(133.8226 / 110) − 1
    assert behind.pace.likely is False
    assert progress(base, 2022).status == NO_DATA


def test_it_accumulates_a_five_year_total():
    # [20]: E(k) = 20·k/5, band = 0.05·20 = 1. Sums 2.5, 10, 21.
    f = facts("五年新增科技成果转化数量", "[20]", 20.0, cumulative=True, actuals={2021: 2.5, 2022: 7.5, 2023: 11})
    statuses = {p.year: (p.expected, p.actual, p.status) for p in progress(f, 2023).points}
    assert statuses[2021] == (4.0, 2.5, BEHIND)
    assert statuses[2022] == (8.0, 10.0, AHEAD)
    assert statuses[2023] == (12.0, 21.0, MET_EARLY)
    assert indicator_verdict(f, through_year=2023).judged == 21.0  # the same sum the 达标 judgement reads
    pace = progress(f, 2022).pace
    assert (pace.achieved, pace.needed, pace.likely) == (5.0, pytest.approx(10 / 3), True)


@pytest.mark.parametrize(
    ("actual", "status", "at_risk"),
    [(36.3, ON_PATH, True), (35.9, AHEAD, False), (37, BEHIND, True), (34.8, MET_EARLY, False)],
)
def test_it_handles_decreasing_is_better(actual, status, at_risk):
    # PM2.5 38 → 35: E(2023) = 38 − 3·3/5 = 36.2, band 0.15; lower is ahead. 36.3 is within the band but
    # falls 0.567 a year where 0.65 is still needed: binding and unlikely → at risk.
    f = facts("PM2.5年平均浓度", "35", 35.0, baseline=38.0, actuals={2023: actual}, binding=True)
    result = progress(f, 2023)
    assert result.expected == pytest.approx(36.2)
    assert result.status == status
    assert result.at_risk is at_risk


def test_it_flags_a_binding_indicator_unlikely_to_meet_its_target():
    f = facts("PM2.5年平均浓度", "35", 35.0, baseline=38.0, actuals={2023: 37}, binding=True)
    pace = progress(f, 2023).pace
    assert pace.achieved == pytest.approx(-1 / 3) and pace.needed == pytest.approx(-1.0)
    assert pace.likely is False
    expected = facts("PM2.5年平均浓度", "35", 35.0, baseline=38.0, actuals={2023: 37})
    assert progress(expected, 2023).at_risk is False  # not binding: reported, not flagged


def test_it_keeps_a_pending_target_undecided_until_the_province_figure_is_entered():
    title = "单位地区生产总值能源消耗累计降低"
    pending = facts(title, "*", None, cumulative=True, pending=True, actuals={2021: 3, 2022: 2.5})
    assert [p.status for p in progress(pending, 2022).points] == [UNDECIDED] * 5
    assert progress(pending, 2022).reason == "目标待省下达"
    # the office enters 13.5: E(2022) = 13.5·2/5 = 5.4, sum 5.5, band 0.675
    entered = facts(title, "*", None, cumulative=True, pending=True, actuals={2021: 3, 2022: 2.5}, province_target=13.5)
    assert progress(entered, 2022).status == ON_PATH
    assert indicator_verdict(entered).status == NOT_MET  # 5.5 < 13.5: the same figure in the 达标 judgement


def test_it_marks_missing_years_without_data():
    f = facts(*SHARE, baseline=60, actuals={2021: 62, 2023: 66})
    statuses = [p.status for p in progress(f, 2023).points]
    assert statuses == [ON_PATH, NO_DATA, ON_PATH, NO_DATA, NO_DATA]
    assert progress(f, 2022).reason == "2022年无实际值"
    assert progress(f, 2022).pace.likely is None
    # a cumulative total sums the years it has: 2021 + 2023 = 3 + 4 = 7 vs E(2023) = 12 → behind
    total = facts("新增就业(五年累计)", "[20]", 20.0, cumulative=True, actuals={2021: 3, 2023: 4})
    assert (progress(total, 2023).actual, progress(total, 2023).status) == (7.0, BEHIND)


def test_it_averages_a_rate_indicator_geometrically():
    # 社会消费品零售总额年均增速 ≥ 7: flat path at 7, band 0.35; 2021: 6, 2022: 8 → √(1.06·1.08) − 1 = 6.9953%
    f = facts("社会消费品零售总额年均增速", "7", 7.0, baseline=6.9, actuals={2021: 6, 2022: 8})
    assert progress(f, 2021).status == BEHIND
    result = progress(f, 2022)
    assert (result.shape, result.expected) == (paths.RATE, 7.0)
    assert result.actual == pytest.approx(6.9953, abs=1e-4)
    assert result.status == ON_PATH
    assert result.pace.needed == pytest.approx(7.0031, abs=1e-4)  # ∛(1.07⁵ / (1.06·1.08)) − 1
    assert result.pace.likely is False


def test_it_cannot_draw_a_path_without_a_baseline_or_a_numeric_target():
    no_base = facts("学前教育普惠率", ">80", None, actuals={2022: 75, 2023: 82})
    assert (progress(no_base, 2022).status, progress(no_base, 2022).reason) == (UNDECIDED, "无基期值,无法测算序时进度")
    assert progress(no_base, 2023).status == MET_EARLY  # 82 > 80: the one judgement says 达标
    words = facts("城镇调查失业率", "达到市级要求", None, actuals={2022: 4.5})
    assert (progress(words, 2022).status, progress(words, 2022).reason) == (UNDECIDED, "目标值非数值,无法测算进度")
