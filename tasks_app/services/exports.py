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
from tasks_app.services.errors import ServiceError

MIN_YEAR, MAX_YEAR = 1949, 2200


class ExportError(ServiceError):
    """A request that cannot be exported (unknown report, no such cycle): the message says why."""


@dataclass(frozen=True)
class ExportRequest:
    plan: Plan
    exporter: type[Exporter]
    year: int | None  # None for a report that does not depend on the year

    @property
    def report(self) -> str:
        return self.exporter.identifier


def export_exporter(*, report: str) -> type[Exporter]:
    """The registered exporter of ``report``; an unknown one → ExportError naming the valid ones."""
    exporter = registry.find(report)
    if exporter is None:
        raise ExportError(f"未知的报表类型:{report}(可选:{'、'.join(registry.identifiers())})")
    return exporter


def export_request_check(*, plan: Plan, report: str, year: int | None) -> ExportRequest:
    """The request as it will run: a year-independent report drops the year; an absurd year → ExportError."""
    exporter = export_exporter(report=report)
    if exporter.cycle_policy == CyclePolicy.NONE:
        year = None
    if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        raise ExportError(f"年度 {year} 不是有效的年份")
    return ExportRequest(plan=plan, exporter=exporter, year=year)


def export_cycle(*, request: ExportRequest) -> ReportingCycle | None:
    """The cycle the report is about, by its policy: the one for the year, else the plan's default cycle
    (rules.cycles.default_cycle: the rule every console chooser follows too)."""
    policy, plan = request.exporter.cycle_policy, request.plan
    if policy == CyclePolicy.NONE:
        return None
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
    path_or_stream: str | IO[bytes],
    progress: ProgressCallback | None = None,
) -> ExportResult:
    """Write ``report`` (any registered identifier) for ``plan`` as .xlsx."""
    request = export_request_check(plan=plan, report=report, year=year)
    exporter = request.exporter(plan=plan, cycle=export_cycle(request=request), year=request.year)
    return exporter.write(path_or_stream, progress=progress)


def export_label(*, report: str, year: int | None = None) -> str:
    """ "年度落实情况汇总表 2020年度": what a job or a download is called on screen."""
    suffix = f" {year}年度" if year else ""
    return f"{registry.label(report)}{suffix}"


def export_file_name(*, plan: Plan, report: str, year: int | None = None) -> str:
    """A download name such as ``plan3-division.xlsx`` (ASCII: safe in any Content-Disposition); the
    extension is the exporter's (a Word report: .docx)."""
    suffix = f"-{year}" if year is not None else ""
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
