"""What a Word evaluation report says: one computation (selectors.monitoring) turned into section texts and
table rows. The text quotes the same counts the annex tables list, so body and tables cannot disagree.

Three reports: ``annual`` (年度监测报告, a year), ``midterm`` (中期评估, default the year before the period's
middle year ends: 2022 for 2021–2025), ``final`` (总结评估, default the last year). The office may replace
the text of any section (models.EvaluationText); tables are always generated.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from tasks_app.models import EvaluationText, Plan, ReportingCycle
from tasks_app.rules.indicators import PATH_STATUSES
from tasks_app.selectors import monitoring as reads
from tasks_app.selectors.console import Chapters, UnitRow, plan_chapters

REPORTS = {"annual": "年度监测报告", "midterm": "中期评估报告", "final": "总结评估报告"}
SECTIONS = (
    ("overall", "一、总体情况"),
    ("indicators", "二、主要指标完成情况"),
    ("tasks", "三、重点任务推进情况"),
    ("units", "四、各单位报送情况"),
    ("problems", "五、存在的主要问题"),
    ("next_steps", "六、下一步工作打算"),
)
INDICATOR_COLUMNS = (
    ("序号", 9),
    ("指标", 30),
    ("属性", 13),
    ("单位", 11),
    ("基期值", 13),
    ("目标值", 15),
    ("实际值", 13),
    ("应达值", 13),
    ("序时进度", 16),
    ("完成情况", 14),
    ("风险", 9),
)
TASK_COLUMNS = (("序号", 10), ("章节", 28), ("任务", 56), ("牵头/责任单位", 28), ("完成时限", 18), ("进展", 16))


def default_year(plan: Plan, report: str) -> int:
    """The year a report covers when none is named (see the module docstring)."""
    if report == "final":
        return plan.period_end
    if report == "midterm":
        return plan.period_start + (plan.period_end - plan.period_start + 1) // 2 - 1
    cycle = ReportingCycle.objects.filter(plan=plan, year__lte=plan.period_end).order_by("-year").first()
    return cycle.year if cycle else plan.period_start


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.4g}"


@dataclass
class Evaluation:
    plan: Plan
    report: str
    year: int
    indicators: list[reads.MonitoredIndicator]
    counts: dict[str, int]
    schedule: reads.TaskSchedule
    chapters: Chapters
    late_units: list[UnitRow]
    words: list[reads.UnitWords]
    edited: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return f"{self.plan.title}{REPORTS[self.report]}"

    @property
    def subtitle(self) -> str:
        period = f"{self.plan.period_start}—{self.year}年" if self.report != "annual" else f"{self.year}年度"
        return f"({period})"

    @property
    def binding(self) -> list[reads.MonitoredIndicator]:
        return [m for m in self.indicators if m.binding]

    @property
    def at_risk(self) -> list[reads.MonitoredIndicator]:
        return [m for m in self.indicators if m.track.at_risk]

    def sections(self) -> Iterator[tuple[str, str, list[str]]]:
        """(key, heading, paragraphs): the office's text where it edited the section, else the generated."""
        generated = self.generated()
        for key, heading in SECTIONS:
            text = self.edited.get(key)
            paragraphs = [p.strip() for p in text.splitlines() if p.strip()] if text else generated[key]
            yield key, heading, paragraphs

    def generated(self) -> dict[str, list[str]]:
        return {
            "overall": self._overall(),
            "indicators": self._indicators(),
            "tasks": self._tasks(),
            "units": self._units(),
            "problems": self._words("problems"),
            "next_steps": self._words("next_steps"),
        }

    def _overall(self) -> list[str]:
        c, t = self.counts, self.schedule.totals
        by_status = "、".join(f"{status}{c[status]}项" for status in PATH_STATUSES)
        pace = "实现了“时间过半、任务过半”" if self.schedule.keeps_pace else "任务进度落后于时间进度"
        return [
            f"截至{self.year}年底,规划确定的{len(self.indicators)}项主要指标中,{by_status};"
            f"{len(self.binding)}项约束性指标中{len(self.at_risk)}项滞后或预计难以完成。",
            f"规划确定的{t.total}项重点任务中,已完成{t.done}项,占{t.done_share}%;按计划推进{t.on_schedule}项;"
            f"滞后{t.behind}项,占{t.behind_share}%;未报送{t.unreported}项。规划期已过{self.schedule.elapsed}%,"
            f"已完成或按计划推进的任务占{t.on_track_share}%,{pace}。",
        ]

    def _indicators(self) -> list[str]:
        paragraphs = []
        if self.at_risk:
            names = "、".join(f"{m.row.item.title}({m.track.status})" for m in self.at_risk)
            paragraphs.append(f"需要重点关注的约束性指标{len(self.at_risk)}项:{names}。")
        for status in PATH_STATUSES:
            group = [m for m in reads.at_risk_first(self.indicators) if m.track.status == status]
            if not group:
                continue
            items = "、".join(
                f"{m.row.item.title}(实际{m.actual_text(self.year) or '—'},目标{m.row.target_text or '—'})"
                for m in group
            )
            paragraphs.append(f"{status}的指标{len(group)}项:{items}。")
        return paragraphs or ["规划未设主要指标。"]

    def _tasks(self) -> list[str]:
        lines = [
            f"{c.label}:任务{c.total}项,已完成{c.done}项,按计划推进{c.on_schedule}项,滞后{c.behind}项,未报送{c.unreported}项。"
            for c in self.schedule.chapters
        ]
        behind = [u for u in self.schedule.units if u.behind]
        if behind:
            names = "、".join(f"{u.label}({u.behind}项)" for u in behind[:20])
            more = f"等{len(behind)}个单位" if len(behind) > 20 else ""
            lines.append(f"有滞后任务的单位:{names}{more}。")
        return lines or ["规划未设重点任务。"]

    def _units(self) -> list[str]:
        if not self.late_units:
            return [f"{self.year}年度各单位均按时报送,无退回。"]
        parts = []
        for unit in self.late_units:
            bits = [
                f"{label}{n}项"
                for label, n in (("逾期", unit.late), ("未报", unit.missing), ("退回", unit.returned))
                if n
            ]
            parts.append(f"{unit.name}({'、'.join(bits)})")
        return [f"{len(self.late_units)}个单位逾期、未报或被退回:" + "、".join(parts) + "。"]

    def _words(self, which: str) -> list[str]:
        """One paragraph per unit: "单位:text(事项);text(事项)"."""
        found = []
        for unit in self.words:
            entries = unit.problems if which == "problems" else unit.next_steps
            if entries:
                found.append(f"{unit.unit}:" + ";".join(f"{text}({title})" for title, text in entries))
        empty = "各单位报告未反映突出问题。" if which == "problems" else "各单位报告未提出下一步打算。"
        return found or [empty]

    # --- annex rows -------------------------------------------------------------------------------

    def indicator_rows(self) -> Iterator[list[str]]:
        for number, m in enumerate(reads.at_risk_first(self.indicators), start=1):
            yield [
                str(number),
                m.row.item.title,
                "约束性" if m.binding else "预期性",
                m.row.unit_of_measure,
                m.row.baseline_text,
                m.row.target_text,
                m.actual_text(self.year),
                _fmt(m.track.expected),
                m.track.status,
                m.verdict.status,
                "是" if m.track.at_risk else "",
            ]

    def task_rows(self) -> Iterator[list[str]]:
        rows = reads.task_rows(self.plan, self.schedule, self.chapters)
        for number, (item, chapter, klass) in enumerate(rows, start=1):
            deadline = item.deadline_text or (f"{item.deadline:%Y年%m月}" if item.deadline else "")
            yield [str(number), chapter, item.title, "、".join(item.reporting_units), deadline, klass]

    @property
    def task_count(self) -> int:
        return len(self.schedule.task_class)


def evaluation_build(*, plan: Plan, report: str, year: int | None = None) -> Evaluation:
    """Everything one report says, computed once."""
    year = year or default_year(plan, report)
    chapters = plan_chapters(plan.pk)
    indicators = reads.plan_indicators(plan, year, chapters=chapters)
    edited = dict(EvaluationText.objects.filter(plan=plan, report=report, year=year).values_list("section", "text"))
    return Evaluation(
        plan=plan,
        report=report,
        year=year,
        indicators=indicators,
        counts=reads.status_counts(indicators),
        schedule=reads.task_schedule(plan, year, chapters=chapters),
        chapters=chapters,
        late_units=reads.units_late_or_returned(plan, year),
        words=reads.problems_and_next_steps(plan, year),
        edited=edited,
    )
