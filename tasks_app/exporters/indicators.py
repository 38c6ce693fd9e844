"""The indicator report (shape of 站前区 表1-1) and the unit workload report."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from tasks_app.models import Report, WorkItem
from tasks_app.rules.text import plain_number
from tasks_app.selectors.exports import IndicatorRow, indicator_rows, plan_evaluations, unit_workload

from .base import Column, CyclePolicy, Exporter, Row, SheetSpec
from .division import COOPERATING, LEAD, RESPONSIBLE, unit_list

CATEGORY: dict[str, str] = {WorkItem.Kind.BINDING: "约束性", WorkItem.Kind.EXPECTED: "预期性"}


def number_or_text(text: str) -> float | int | str:
    """ "17.88" → 17.88 so Excel can sum it; "[20]", ">5", "达到市级要求" stay text."""
    number = plain_number(text)
    return number if number is not None else text.strip()


def row_status(row: IndicatorRow) -> str:
    """The status the dashboard shows too: one judgement (selectors.indicators.indicator_judge)."""
    return row.judged().verdict.status


def row_track(row: IndicatorRow) -> tuple[str, str]:
    """序时进度 and 约束性风险 as the dashboard shows them (rules.indicators.indicator_progress)."""
    track = row.track()
    if track is None:
        return "", ""
    return track.status, "风险" if track.at_risk else ""


class IndicatorExporter(Exporter):
    identifier = "indicators"
    verbose_name = "主要指标完成情况表"
    sheet_name = "主要指标"
    cycle_policy = CyclePolicy.OPTIONAL

    @classmethod
    def estimate_rows(cls, *, plan) -> int:
        return plan.items.filter(is_active=True, kind__in=WorkItem.INDICATOR_KINDS).count()

    def years(self) -> list[int]:
        return list(range(self.plan.period_start, self.plan.period_end + 1))

    def get_columns(self) -> Sequence[Column]:
        return (
            Column("序号", 6),
            Column("领域", 12),
            Column("指标", 34),
            Column("属性", 9),
            Column("单位", 11),
            Column("基期值", 11),
            Column("目标值", 14),
            *(Column(f"{year}年", 10) for year in self.years()),
            Column("完成情况", 10),
            Column("序时进度", 12),
            Column("约束性风险", 10),
            Column("责任单位", 22),
        )

    def iterate_list(self) -> Iterator[Row]:
        yield self.header()
        for row in indicator_rows(self.plan, self.cycle):
            item = row.item
            units = item.units.get(item.reporting_role, [])
            yield [
                item.number,
                row.domain,
                item.title,
                CATEGORY.get(item.kind, ""),
                row.unit_of_measure,
                number_or_text(row.baseline_text),
                number_or_text(row.target_text),
                *(number_or_text(row.actuals.get(year, ("", None))[0]) for year in self.years()),
                row_status(row),
                *row_track(row),
                unit_list(units),
            ]

    def evaluation_rows(self) -> Iterator[Row]:
        yield [column.header for column in self.evaluation_columns]
        for number, evaluation in enumerate(plan_evaluations(self.plan), start=1):
            yield [
                number,
                evaluation.name,
                evaluation.category,
                evaluation.unit_of_measure,
                number_or_text(evaluation.baseline_text),
                number_or_text(evaluation.target_text),
                number_or_text(evaluation.actual_text),
                evaluation.status,
            ]

    evaluation_columns = (
        Column("序号", 6),
        Column("指标", 34),
        Column("属性", 9),
        Column("单位", 11),
        Column("基期值", 11),
        Column("目标值", 14),
        Column("实际值", 14),
        Column("完成情况", 10),
    )

    def sheets(self) -> Iterator[SheetSpec]:
        yield from super().sheets()
        if self.plan.evaluations.exists():
            yield SheetSpec(
                name="上期规划指标完成情况",
                title=f"{self.plan.title} 上期规划主要指标完成情况",
                columns=self.evaluation_columns,
                rows=self.evaluation_rows(),
            )


class UnitWorkloadExporter(Exporter):
    """Per unit: items by role and, for a cycle, its reports by status."""

    identifier = "units"
    verbose_name = "单位任务量统计表"
    sheet_name = "单位任务量"
    cycle_policy = CyclePolicy.OPTIONAL  # with a cycle, its reports by status too

    @classmethod
    def estimate_rows(cls, *, plan) -> int:
        """One row per unit named on an active item."""
        units = plan.items.filter(is_active=True, assignments__isnull=False).values("assignments__unit")
        return units.distinct().count()

    def title(self) -> str:
        year = f"({self.cycle.label}报送)" if self.cycle is not None else ""
        return f"{self.plan.title} 单位任务量统计表{year}"

    def get_columns(self) -> Sequence[Column]:
        columns = [
            Column("序号", 6),
            Column("单位", 28),
            Column("类型", 14),
            Column("牵头", 8),
            Column("配合", 8),
            Column("责任", 8),
            Column("涉及事项", 10),
            Column("须报送事项", 11),
        ]
        if self.cycle is not None:
            columns += [
                Column("已通过", 9),
                Column("待审核", 9),
                Column("已退回", 9),
                Column("未提交", 9),
                Column("通过率(%)", 11),
            ]
        return columns

    def iterate_list(self) -> Iterator[Row]:
        yield self.header()
        for number, load in enumerate(unit_workload(self.plan, self.cycle), start=1):
            row: list[object] = [
                number,
                load.name,
                load.kind,
                load.roles.get(LEAD, 0),
                load.roles.get(COOPERATING, 0),
                load.roles.get(RESPONSIBLE, 0),
                load.items,
                load.reporting,
            ]
            if self.cycle is not None:
                approved = load.reports.get(Report.Status.APPROVED, 0)
                submitted = load.reports.get(Report.Status.SUBMITTED, 0)
                returned = load.reports.get(Report.Status.RETURNED, 0)
                missing = max(load.reporting - approved - submitted - returned, 0)
                rate = round(100 * approved / load.reporting, 1) if load.reporting else 0
                row += [approved, submitted, returned, missing, rate]
            yield row
