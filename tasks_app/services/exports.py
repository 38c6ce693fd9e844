"""Build an Excel export of a plan. The command, the console download and the API all call ``export_build``."""

from __future__ import annotations

from typing import IO

from tasks_app.exporters import EXPORTERS, ExportResult, write_workbook
from tasks_app.exporters.base import ProgressCallback
from tasks_app.models import Plan, ReportingCycle
from tasks_app.rules.cycles import default_cycle
from tasks_app.services.errors import ServiceError

REPORTS = tuple(EXPORTERS)


class ExportError(ServiceError):
    """A request that cannot be exported (unknown report, no such cycle): the message says why."""


def export_cycle(*, plan: Plan, report: str, year: int | None) -> ReportingCycle | None:
    """The cycle a report is about: the one for ``year``, else the latest open one, else the latest one."""
    exporter = EXPORTERS[report]
    if year is not None:
        cycle = ReportingCycle.objects.filter(plan=plan, year=year).first()
        if cycle is None and (exporter.needs_cycle or report == "units"):
            raise ExportError(f"规划“{plan.title}”没有 {year} 年度的报送周期")
        return cycle
    if report in ("progress", "units"):
        cycle = default_cycle(plan.cycles.all())
        if cycle is None and exporter.needs_cycle:
            raise ExportError(f"规划“{plan.title}”还没有报送周期,无法导出落实情况")
        return cycle
    return None


def export_build(
    *,
    plan: Plan,
    report: str,
    year: int | None = None,
    path_or_stream: str | IO[bytes],
    progress: ProgressCallback | None = None,
) -> ExportResult:
    """Write ``report`` (division | progress | indicators | units) for ``plan`` as .xlsx."""
    if report not in EXPORTERS:
        raise ExportError(f"未知的报表类型:{report}(可选:{'、'.join(REPORTS)})")
    cycle = export_cycle(plan=plan, report=report, year=year)
    exporter = EXPORTERS[report](plan=plan, cycle=cycle)
    return write_workbook(exporter, path_or_stream, progress=progress)


def export_file_name(*, plan: Plan, report: str, year: int | None = None) -> str:
    """A download name such as ``plan3-division.xlsx`` (ASCII: safe in any Content-Disposition)."""
    suffix = f"-{year}" if year is not None else ""
    return f"plan{plan.pk}-{report}{suffix}.xlsx"
