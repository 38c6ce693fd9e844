"""Build an Excel export of a plan. The command, the console download and the API all call ``export_build``.

Which reports exist, their labels and which cycle each needs come from ``tasks_app.exporters.registry``;
nothing here names a report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from tasks_app.exporters import CyclePolicy, Exporter, ExportResult, registry
from tasks_app.exporters.base import ProgressCallback
from tasks_app.models import Plan, ReportingCycle
from tasks_app.rules.cycles import default_cycle
from tasks_app.rules.periods import PeriodError, period_of
from tasks_app.services.errors import ServiceError

MIN_YEAR, MAX_YEAR = 1949, 2200


class ExportError(ServiceError):
    """A request that cannot be exported (unknown report, no such cycle): the message says why."""


@dataclass(frozen=True)
class ExportRequest:
    plan: Plan
    exporter: type[Exporter]
    year: int | None  # None for a report that does not depend on the year
    period: str = ""  # one reporting period of the plan (2022Q3 …); "" = chosen by the year

    @property
    def report(self) -> str:
        return self.exporter.identifier


def export_exporter(*, report: str) -> type[Exporter]:
    """The registered exporter of ``report``; an unknown one → ExportError naming the valid ones."""
    exporter = registry.find(report)
    if exporter is None:
        raise ExportError(f"未知的报表类型:{report}(可选:{'、'.join(registry.identifiers())})")
    return exporter


def export_request_check(*, plan: Plan, report: str, year: int | None, period: str = "") -> ExportRequest:
    """The request as it will run: a year-independent report drops the year and the period; an absurd year, a
    label that names no period or a period the plan does not have → ExportError. A period sets the year."""
    exporter = export_exporter(report=report)
    period = (period or "").strip()
    if exporter.cycle_policy == CyclePolicy.NONE:
        year, period = None, ""
    if period:
        try:
            named = period_of(period)
        except PeriodError as exc:
            raise ExportError(str(exc)) from exc
        if year is not None and year != named.year:
            raise ExportError(f"报送期 {named.display} 不在 {year} 年度:请只填其一")
        if not plan.cycles.filter(period=named.label).exists():
            raise ExportError(f"规划“{plan.title}”没有 {named.display} 的报送周期")
        year, period = named.year, named.label
    if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        raise ExportError(f"年度 {year} 不是有效的年份")
    return ExportRequest(plan=plan, exporter=exporter, year=year, period=period)


def export_cycle(*, request: ExportRequest) -> ReportingCycle | None:
    """The cycle the report is about, by its policy: the one for the year, else the plan's default cycle
    (rules.cycles.default_cycle: the rule every console chooser follows too)."""
    policy, plan = request.exporter.cycle_policy, request.plan
    if policy == CyclePolicy.NONE:
        return None
    if request.period:
        return plan.cycles.get(period=request.period)  # export_request_check made sure it exists
    if request.year is not None:
        # the year's yearly period; a plan reporting quarterly or monthly: that year's open period, else its latest
        of_year = plan.cycles.filter(year=request.year)
        cycle = of_year.filter(period=str(request.year)).first() or default_cycle(of_year)
        if cycle is None:
            raise ExportError(f"规划“{plan.title}”没有 {request.year} 年度的报送周期")
        return cycle
    cycle = default_cycle(plan.cycles.all())
    if cycle is None and policy == CyclePolicy.REQUIRED:
        raise ExportError(f"规划“{plan.title}”还没有报送周期,无法导出{request.exporter.verbose_name}")
    return cycle


def export_build(
    *,
    plan: Plan,
    report: str,
    year: int | None = None,
    period: str = "",
    path_or_stream: str | IO[bytes],
    progress: ProgressCallback | None = None,
) -> ExportResult:
    """Write ``report`` (any registered identifier) for ``plan`` as .xlsx (or .docx): for one reporting period
    (``period``), for a year, else for the plan's default cycle."""
    request = export_request_check(plan=plan, report=report, year=year, period=period)
    exporter = request.exporter(plan=plan, cycle=export_cycle(request=request), year=request.year)
    return exporter.write(path_or_stream, progress=progress)


def export_label(*, report: str, year: int | None = None, period: str = "") -> str:
    """ "年度落实情况汇总表 2020年度" (or "… 2022年第三季度" for one period): what a job or a download is called."""
    suffix = f" {period_of(period).display}" if period else f" {year}年度" if year else ""
    return f"{registry.label(report)}{suffix}"


def export_file_name(*, plan: Plan, report: str, year: int | None = None, period: str = "") -> str:
    """A download name such as ``plan3-progress-2022Q3.xlsx`` (ASCII: safe in any Content-Disposition); the
    extension is the exporter's (a Word report: .docx)."""
    suffix = f"-{period}" if period else f"-{year}" if year is not None else ""
    exporter = registry.find(report)
    return f"plan{plan.pk}-{report}{suffix}.{exporter.file_extension if exporter else 'xlsx'}"


def export_content_type(*, report: str) -> str:
    exporter = registry.find(report)
    return exporter.content_type if exporter is not None else Exporter.content_type


def export_year_help() -> str:
    """The year field's help, from the registry: which reports follow the cycle, which ignore the year."""
    by_cycle, yearless = registry.labels(uses_cycle=True), registry.labels(uses_cycle=False)
    text = f"{'、'.join(by_cycle)}按此年度的报送周期;留空为最近的周期。" if by_cycle else ""
    return text + (f"{'、'.join(yearless)}不用年度。" if yearless else "")
