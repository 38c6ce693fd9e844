"""站前区 表2-1's 16 indicators with the actuals of zhanqian_actuals.json: statuses in 2023 computed by hand.

Baseline 2020, target 2025 (n = 5, k = 3 in 2023), band ±5% of the step:
 3 一般公共预算收入 17.88→22.8: E = 17.88 + 4.92·0.6 = 20.832, band 0.246; 20.9 → +0.068 基本符合预期
 4 高新技术企业数量 9→14: 15 ≥ 14 → 提前实现
 5 五年新增科技成果转化数量 [20]: E = 12, band 1; 3+4+3 = 10 → −2 滞后 (needs 5/yr, achieved 3.33: unlikely)
 6 金融行业利税年均增速 >5: flat 5, band 0.25; ∛(1.06·1.055·1.07) − 1 = 6.165% → 快于预期
 7 社会消费品零售总额年均增速 7: band 0.35; ∛(1.05·1.06·1.065) − 1 = 5.8315% → 滞后
 9 基本养老保险参保率 99.8→99.9: 99.9 ≥ 99.9 → 提前实现 (binding)
11 每千人口养老床位数 35→40: E = 38, band 0.25; 38.1 → 基本符合预期
12 学前教育普惠率 / → >80: 82 > 80 → 提前实现 (no baseline needed once met)
14 万元地区生产总值水耗累计降低 [20] (binding): 3+3+4 = 10 vs E = 12 → 滞后 → at risk
15 PM2.5年平均浓度 38→35 (binding, lower is better): E = 36.2, band 0.15; 36.9 → 0.7 behind → 滞后 → at risk
16 空气质量优良天数 274→310 (binding): E = 295.6, band 1.8; 300 → +4.4 快于预期 (needs 5/yr, achieves 8.67)
 1, 2, 10 (targets stated as 全市平均 / 与经济增长同步), 8, 13 (达到市级要求): no number → 待定
"""

from __future__ import annotations

import pytest

from tasks_app.selectors.exports import indicator_rows

EXPECTED_2023 = {
    "地区生产总值年均增速": "待定",
    "人均地区生产总值": "待定",
    "一般公共预算收入": "基本符合预期",
    "高新技术企业数量": "提前实现",
    "五年新增科技成果转化数量": "滞后",
    "金融行业利税年均增速": "快于预期",
    "社会消费品零售总额年均增速": "滞后",
    "城镇调查失业率": "待定",
    "基本养老保险参保率": "提前实现",
    "城镇居民人均可支配收入年均增速": "待定",
    "每千人口养老床位数": "基本符合预期",
    "学前教育普惠率": "提前实现",
    "万元地区生产总值能耗累计降低": "待定",
    "万元地区生产总值水耗累计降低": "滞后",
    "PM2.5年平均浓度": "滞后",
    "空气质量优良天数": "快于预期",
}
# 2022 where it differs from the reasoning above: 一般公共预算收入 E = 19.848, 19.6 → −0.248 < −0.246 滞后;
# 高新技术企业数量 E = 11, band 0.25: 12 → 快于预期; 学前教育普惠率 80 is not > 80 → 待定 (no baseline)
EXPECTED_2022 = {"一般公共预算收入": "滞后", "高新技术企业数量": "快于预期", "学前教育普惠率": "待定"}


@pytest.fixture
def tracks(zhanqian_monitored):
    return {row.item.title: row for row in indicator_rows(zhanqian_monitored)}


def test_it_gives_the_statuses_computed_by_hand_for_2023(tracks):
    assert {title: row.track(2023).status for title, row in tracks.items()} == EXPECTED_2023


def test_it_gives_the_statuses_computed_by_hand_for_2022(tracks):
    assert {title: tracks[title].track(2022).status for title in EXPECTED_2022} == EXPECTED_2022


def test_it_flags_the_binding_indicators_at_risk(tracks):
    at_risk = sorted(title for title, row in tracks.items() if row.track(2023).at_risk)
    assert at_risk == ["PM2.5年平均浓度", "万元地区生产总值水耗累计降低"]
    air = tracks["空气质量优良天数"].track(2023)
    assert air.pace.achieved == pytest.approx(26 / 3) and air.pace.needed == pytest.approx(5.0)
    assert air.pace.likely is True


def test_it_computes_the_average_rates_by_hand(tracks):
    assert tracks["金融行业利税年均增速"].track(2023).actual == pytest.approx(6.1649, abs=1e-4)
    assert tracks["社会消费品零售总额年均增速"].track(2023).actual == pytest.approx(5.8315, abs=1e-4)
    assert tracks["一般公共预算收入"].track(2023).expected == pytest.approx(20.832)
