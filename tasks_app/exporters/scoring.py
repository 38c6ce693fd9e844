"""The 考核通报 workbook: a cycle's reporting units ranked by the plan's points rule, with the reasons."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from tasks_app.rules.scoring import PRESET_LABELS, PRESETS, Outcome
from tasks_app.selectors.scoring import cycle_scores

from .base import Column, CyclePolicy, Exporter, Row


def rule_text(rule: object) -> str:
    """The rule as the notice states it: a preset's name, or its points."""
    for key, preset in PRESETS.items():
        if preset == rule:
            return PRESET_LABELS[key]
    return "自定义计分"


class ScoringExporter(Exporter):
    identifier = "scoring"
    verbose_name = "单位考核通报表"
    description = "按计分规则对报送单位排名,列出按时、逾期、未报和退回情况"
    sheet_name = "考核通报"
    cycle_policy = CyclePolicy.REQUIRED

    @classmethod
    def estimate_rows(cls, *, plan) -> int:
        units = plan.items.filter(is_active=True, assignments__isnull=False).values("assignments__unit")
        return units.distinct().count()

    def title(self) -> str:
        return f"{self.plan.title} {self.cycle.label}报送考核通报"

    def get_columns(self) -> Sequence[Column]:
        return (
            Column("排名", 6),
            Column("单位", 28),
            Column("得分", 8),
            Column("按时报送率(%)", 12),
            Column("按时报送", 9),
            Column("逾期报送", 9),
            Column("未报送", 8),
            Column("退回修改(次)", 11),
            Column("未到期", 8),
            Column("计分说明", 40),
        )

    def iterate_list(self) -> Iterator[Row]:
        yield self.header()
        board = cycle_scores(self.cycle)
        for row in board.rows:
            outcomes = row.score.outcomes
            yield [
                row.rank,
                row.name,
                row.score.score,
                row.on_time_percent,
                outcomes[Outcome.ON_TIME],
                outcomes[Outcome.LATE],
                outcomes[Outcome.MISSING],
                row.score.returns,
                outcomes[Outcome.PENDING],
                ";".join(row.reasons) or rule_text(board.rule),
            ]
