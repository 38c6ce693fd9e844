"""The division table (分工表) in the official layout, and the yearly progress report built on it.

The division sheet is what ``tasks_app.parsing.xlsx_table`` reads back: title row, header row
(序号 / 指标/任务 / 牵头单位 / 配合单位 / 责任单位 / 完成时限), section rows (一、… (一)… 1.…) spanning
the table, one row per item. Indicator rows sit under a heading that names their category
(约束性指标 / 预期性指标) so a re-import keeps it.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator, Sequence
from datetime import date

from django.utils import timezone

from tasks_app.models import Assignment, Report, WorkItem
from tasks_app.selectors.exports import ItemRow, SectionRow, iter_item_chunks, plan_sections, reports_for
from tasks_app.selectors.lights import cycle_item_lights

from .base import Column, CyclePolicy, Exporter, Heading, Row

LEAD, COOPERATING, RESPONSIBLE = Assignment.Role.LEAD, Assignment.Role.COOPERATING, Assignment.Role.RESPONSIBLE
CATEGORY_LABELS: dict[str, str] = {WorkItem.Kind.BINDING: "约束性指标", WorkItem.Kind.EXPECTED: "预期性指标"}
_CN_NUMBER = re.compile(r"^[一二三四五六七八九十百]+$")
_CN_PAREN = re.compile(r"^[((][一二三四五六七八九十百]+[))]$")


def section_label(section: SectionRow) -> str:
    """How the heading reads in a Chinese document: 一、… / (一)… / 1.… / 第一章 …"""
    number, title = section.number.strip(), section.title.strip()
    if not number or number == title:
        return title
    if _CN_NUMBER.match(number):
        return f"{number}、{title}"
    if _CN_PAREN.match(number):
        return f"{number}{title}"
    if number.isdigit():
        return f"{number}.{title}"
    return f"{number} {title}"


def unit_list(entries: Sequence[tuple[str, bool]]) -> str:
    """ "市发展改革委、市统计局等": names joined by 、, keeping the "等" (and others) flag."""
    return "、".join(f"{name}等" if others else name for name, others in entries)


def deadline_phrase(deadline: date | None, fallback: str = "") -> str:
    """The deadline as a phrase the importer's deadline rules read back to the same date."""
    if deadline is None:
        return fallback
    if (deadline.month, deadline.day) == (12, 31):
        return f"{deadline.year}年底前"
    if deadline.day == calendar.monthrange(deadline.year, deadline.month)[1]:
        return f"{deadline.year}年{deadline.month}月底前"
    return f"{deadline.year}年{deadline.month}月{deadline.day}日前"


class SectionTrail:
    """Emits each section's heading (and its ancestors') before the first item under it."""

    def __init__(self, sections: dict[int, SectionRow]) -> None:
        self.sections = sections
        self.emitted: set[int] = set()
        self.current: int | None = None
        self.category: str | None = None

    def _chain(self, section_id: int | None) -> list[SectionRow]:
        chain: list[SectionRow] = []
        seen: set[int] = set()
        while section_id is not None and section_id in self.sections and section_id not in seen:
            seen.add(section_id)
            section = self.sections[section_id]
            chain.append(section)
            section_id = section.parent_id
        return chain[::-1]

    def headings(self, item: ItemRow) -> list[Heading]:
        out: list[Heading] = []
        chain = self._chain(item.section_id)
        if item.section_id != self.current:
            self.current, self.category = item.section_id, None
            for section in chain:
                if section.id not in self.emitted:
                    self.emitted.add(section.id)
                    out.append(Heading(section_label(section)))
        label = CATEGORY_LABELS.get(item.kind)
        if label and item.kind != self.category:
            self.category = item.kind
            if not any(label[:3] in section.title for section in chain):
                out.append(Heading(label))
        return out


class DivisionExporter(Exporter):
    identifier = "division"
    verbose_name = "任务分工表"
    sheet_name = "分工表"
    cycle_policy = CyclePolicy.NONE  # the division is the same whatever the year
    columns = (
        Column("序号", 7),
        Column("指标/任务", 64),
        Column("牵头单位", 20),
        Column("配合单位", 30),
        Column("责任单位", 20),
        Column("完成时限", 14),
    )

    def title(self) -> str:
        # The plan's own title: importing the workbook back finds the same plan (jurisdiction, period).
        return self.plan.title

    def get_columns(self) -> Sequence[Column]:
        return self.columns

    def item_row(self, item: ItemRow) -> list[object]:
        return [
            item.number,
            item.text,
            unit_list(item.units.get(LEAD, [])),
            unit_list(item.units.get(COOPERATING, [])),
            unit_list(item.units.get(RESPONSIBLE, [])),
            deadline_phrase(item.deadline, item.deadline_text),
        ]

    def iterate_list(self) -> Iterator[Row]:
        yield self.header()
        trail = SectionTrail(plan_sections(self.plan))
        for chunk in iter_item_chunks(self.plan):
            for item in chunk:
                yield from trail.headings(item)
                yield self.item_row(item)


STATUS_LABELS = dict(Report.Status.choices)
PROGRESS_LABELS = dict(Report.Progress.choices)
NOT_REPORTED = "未填报"


def review_decision(status: str, reason: str) -> str:
    if status == Report.Status.APPROVED:
        return "通过"
    if status == Report.Status.RETURNED:
        return f"退回:{reason}" if reason else "退回"
    if status == Report.Status.SUBMITTED:
        return "待审核"
    return ""


class ProgressExporter(Exporter):
    """One row per item and reporting unit for one cycle: the consolidated yearly report."""

    identifier = "progress"
    verbose_name = "年度落实情况汇总表"
    description = "每个事项、每个填报单位一行,含填报状态和审核意见"
    sheet_name = "落实情况"
    cycle_policy = CyclePolicy.REQUIRED
    columns = (
        Column("序号", 7),
        Column("指标/任务", 48),
        Column("填报单位", 18),
        Column("配合单位", 22),
        Column("进展情况", 12),
        Column("工作进展", 44),
        Column("存在问题", 28),
        Column("下一步打算", 28),
        Column("指标实际值", 14),
        Column("填报状态", 10),
        Column("审核意见", 22),
        Column("灯号", 22),  # the item's traffic light in the cycle (rules.lights), with its reason
    )

    def title(self) -> str:
        return f"{self.plan.title} {self.cycle.label}落实情况汇总表"

    def get_columns(self) -> Sequence[Column]:
        return self.columns

    def iterate_list(self) -> Iterator[Row]:
        yield self.header()
        trail = SectionTrail(plan_sections(self.plan))
        today = timezone.localdate()
        for chunk in iter_item_chunks(self.plan):
            ids = [item.id for item in chunk]
            reports = reports_for(self.cycle, ids)
            lights = cycle_item_lights(self.cycle, ids, today=today)
            for item in chunk:
                yield from trail.headings(item)
                light = lights.get(item.id)
                text = light.text if light else ""
                for row in self.item_rows(item, reports.get(item.id, [])):
                    yield [*row, text]

    def item_rows(self, item: ItemRow, reports: list) -> Iterator[list[object]]:
        cooperating = unit_list(item.units.get(COOPERATING, []))
        by_unit = {report.unit: report for report in reports}
        units = item.reporting_units + [unit for unit in by_unit if unit not in item.reporting_units]
        for unit in units or [""]:
            report = by_unit.get(unit)
            if report is None:
                yield [item.number, item.text, unit, cooperating, "", "", "", "", "", NOT_REPORTED, ""]
                continue
            yield [
                item.number,
                item.text,
                unit,
                cooperating,
                PROGRESS_LABELS.get(report.progress_status, report.progress_status),
                report.progress,
                report.problems,
                report.next_steps,
                report.actual_value_text,
                STATUS_LABELS.get(report.status, report.status),
                review_decision(report.status, report.review_reason),
            ]
